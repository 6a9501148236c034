package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.MountRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.SocketRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Standalone c/r glue report: what the processes will need in a new eco-system, in the three kinds of glue, with the
 * evidence found in the image. (1) c/r-aware code that must be told about the restart; (2) a post-restart helper
 * (SIGWINCH to a terminal program, mounting a file system, reconnecting a socket); (3) interposition on library
 * calls that talk to host daemons (nscd, D-Bus, systemd, LD_PRELOAD shims). Informational: it never blocks.
 */
public final class GlueRule implements Rule {
    @Override public String group() { return "glue"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        ImageFacts img = ctx.image();
        Map<String, Finding> out = new LinkedHashMap<>();
        for (ProcessRow p : img.processes()) {
            if (p.env() != null) {
                for (String e : p.env()) {
                    String key = e.contains("=") ? e.substring(0, e.indexOf('=')) : e;
                    if (key.startsWith("DMTCP_") || key.startsWith("CRAC_") || key.startsWith("CRIU_")) {
                        add(out, "GLUE_CR_AWARE", "pid " + p.pid() + " env " + key,
                                "c/r-aware code: environment " + key + " shows a checkpoint library or agent",
                                "let the application's restore hook run (e.g. the CRaC/DMTCP restart callback)");
                    } else if (key.equals("LD_PRELOAD")) {
                        add(out, "GLUE_INTERPOSITION", "pid " + p.pid() + " env LD_PRELOAD",
                                "library calls are interposed by " + e.substring(e.indexOf('=') + 1),
                                "the preloaded library must exist on the target and cope with a restart");
                    } else if (key.equals("DBUS_SESSION_BUS_ADDRESS")) {
                        add(out, "GLUE_INTERPOSITION", "pid " + p.pid() + " env " + key,
                                "talks to a D-Bus session bus (" + e.substring(e.indexOf('=') + 1) + ") that will not exist after a move",
                                "start a session bus at the same address before restoring, or let the application reconnect");
                    }
                }
            }
        }
        for (MemoryAreaRow a : img.areas()) {
            String lib = a.path() == null ? "" : a.path().substring(a.path().lastIndexOf('/') + 1);
            if (lib.startsWith("libcriu") || lib.startsWith("libdmtcp") || lib.startsWith("libcrac") || lib.contains("criuengine")) {
                add(out, "GLUE_CR_AWARE", "pid " + a.pid() + " maps " + a.path(),
                        "c/r-aware code: " + lib + " is loaded", "let its restore notification run (it expects to be told)");
            } else if (lib.startsWith("libnss_") && !lib.startsWith("libnss_files") && !lib.startsWith("libnss_dns")) {
                add(out, "GLUE_INTERPOSITION", "pid " + a.pid() + " maps " + a.path(),
                        "name service module " + lib + ": user/host lookups go to a daemon (sssd, systemd, ldap)",
                        "have the same name service on the target, or expect lookups to change");
            } else if (lib.startsWith("libdbus") || lib.startsWith("libsystemd")) {
                add(out, "GLUE_INTERPOSITION", "pid " + a.pid() + " maps " + a.path(),
                        lib + " keeps a connection to a host daemon", "the daemon must be reachable again after restore");
            }
        }
        for (FileRow f : img.files()) {
            if ("tty".equals(f.type())) {
                add(out, "GLUE_POST_RESTART_TTY", img.holders(f.id()) + " (" + f.path() + ")",
                        "terminal program: the new terminal may have another size",
                        "send SIGWINCH to the process after restore so it redraws for the new terminal");
            }
        }
        for (SocketRow s : img.sockets()) {
            String path = s.peer() != null ? s.peer() : s.local();
            if ("unix".equals(s.family()) && path != null) {
                if (path.contains("nscd")) {
                    add(out, "GLUE_INTERPOSITION", img.holders(s.fileId()) + " (" + path + ")",
                            "glibc talks to nscd through " + path, "run nscd on the target or expect cached lookups to be redone");
                } else if (path.contains("dbus") || path.contains("bus")) {
                    add(out, "GLUE_INTERPOSITION", img.holders(s.fileId()) + " (" + path + ")",
                            "connected to D-Bus at " + path, "the application must reconnect to the bus after restore");
                } else if (s.peer() != null) {
                    add(out, "GLUE_POST_RESTART_SOCKET", img.holders(s.fileId()) + " (unix " + path + ")",
                            "connected unix socket to " + path, "reconnect the socket after restore (a helper or the application)");
                }
            } else if (("inet".equals(s.family()) || "inet6".equals(s.family())) && s.peer() != null && !"LISTEN".equals(s.state())) {
                add(out, "GLUE_POST_RESTART_SOCKET", img.holders(s.fileId()) + " (" + s.local() + " -> " + s.peer() + ")",
                        "network connection to " + s.peer(), "reconnect after restore when the connection cannot be repaired");
            }
        }
        for (MountRow m : img.mounts()) {
            if (m.fstype() != null && (m.fstype().startsWith("fuse") || m.fstype().startsWith("nfs") || m.fstype().equals("cifs"))) {
                add(out, "GLUE_POST_RESTART_MOUNT", "mount " + m.mountpoint() + " (" + m.fstype() + ")",
                        m.fstype() + " file system served from outside", "mount it again on the target before restoring");
            }
        }
        return new ArrayList<>(out.values());
    }

    private void add(Map<String, Finding> out, String code, String object, String explanation, String remedy) {
        out.putIfAbsent(code + "|" + object, finding(code, Severity.INFO, object, explanation, remedy));
    }
}
