package dev.ckptkit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ckptkit.analyzer.inspect.AreaInfo;
import dev.ckptkit.analyzer.inspect.Areas;
import dev.ckptkit.analyzer.inspect.FdInfo;
import dev.ckptkit.analyzer.inspect.Flags;
import dev.ckptkit.analyzer.inspect.GrepHit;
import dev.ckptkit.analyzer.inspect.MountInfo;
import dev.ckptkit.analyzer.inspect.ProcessInfo;
import dev.ckptkit.analyzer.inspect.SocketInfo;
import dev.ckptkit.analyzer.inspect.StringHit;
import dev.ckptkit.analyzer.inspect.ThreadInfo;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.MountRow;
import dev.ckptkit.io.table.SocketRow;
import java.util.HexFormat;
import java.util.List;

/**
 * The JSON of the inspection commands, built field by field so that the schema (docs/inspect-json.md) does not
 * change when a Java record does. Addresses and register values are "0x..." strings (they do not fit a JSON
 * number); sizes and counts are numbers; absent values are null.
 */
final class InspectJson {
    private InspectJson() {}

    static final JsonNodeFactory F = JsonNodeFactory.instance;

    static String hex(Long v) {
        return v == null ? null : "0x" + Long.toHexString(v);
    }

    static ObjectNode document(String image) {
        ObjectNode o = F.objectNode();
        o.put("image", image);
        return o;
    }

    static ObjectNode process(ProcessInfo p, boolean env) {
        ObjectNode o = F.objectNode();
        o.put("pid", p.pid()).put("ppid", p.ppid()).put("pgid", p.pgid()).put("sid", p.sid()).put("depth", p.depth())
                .put("threads", p.threads()).put("comm", p.comm()).put("exe", p.exe());
        strings(o.putArray("cmdline"), p.cmdline());
        if (env) strings(o.putArray("env"), p.env());
        o.put("uid", p.uid()).put("gid", p.gid()).put("state", p.state()).put("cwd", p.cwd()).put("root", p.root());
        ArrayNode c = o.putArray("children");
        p.children().forEach(c::add);
        return o;
    }

    private static void strings(ArrayNode a, List<String> l) {
        l.forEach(a::add);
    }

    static ObjectNode thread(ThreadInfo t) {
        ObjectNode o = F.objectNode();
        o.put("pid", t.pid()).put("tid", t.tid()).put("name", t.name()).put("arch", t.arch());
        ObjectNode regs = o.putObject("registers");
        for (ThreadInfo.Register r : t.gp()) regs.put(r.name(), hex(r.value()));
        ThreadInfo.FpState fp = t.fp();
        if (fp == null) {
            o.putNull("fp");
        } else {
            ObjectNode f = o.putObject("fp");
            f.put("format", fp.format()).put("size", fp.size()).put("xstateBv", hex(fp.xstateBv()))
                    .put("fcw", hex((long) fp.fcw())).put("fsw", hex((long) fp.fsw())).put("ftw", hex((long) fp.ftw()))
                    .put("mxcsr", hex(fp.mxcsr()));
            ObjectNode st = f.putObject("st");
            for (ThreadInfo.Register r : fp.st()) st.put(r.name(), hex(r.value()));
            ObjectNode v = f.putObject("vectors");
            for (int i = 0; i < fp.vectors().size(); i++) v.put(fp.vectorNames().get(i), fp.vectors().get(i));
        }
        o.put("sigBlocked", hex(t.sigBlocked())).put("sigPending", hex(t.sigPending())).put("syscall", t.syscall());
        return o;
    }

    static ObjectNode area(AreaInfo a) {
        ObjectNode o = F.objectNode();
        o.put("pid", a.pid()).put("start", hex(a.start())).put("end", hex(a.end())).put("size", a.size())
                .put("perms", a.perms()).put("prot", a.prot()).put("flags", a.flags()).put("offset", a.pgoff())
                .put("dev", a.dev() == null ? null : InspectText.dev(a.dev())).put("inode", a.inode())
                .put("path", a.path()).put("kind", a.kind()).put("name", a.name());
        o.putObject("pages").put("dumped", a.pages().dumped()).put("zero", a.pages().zero())
                .put("absent", a.pages().absent()).put("shared", a.pages().shared());
        return o;
    }

    static ObjectNode fd(FdInfo f) {
        ObjectNode o = F.objectNode();
        o.put("fd", f.fd()).put("fileId", f.fileId()).put("type", f.type()).put("target", f.target())
                .put("flags", Flags.open(f.flags())).put("flagsValue", f.flags()).put("cloexec", f.cloexec())
                .put("pos", f.pos()).put("size", f.size()).put("deleted", f.deleted()).put("attachment", f.attachment())
                .put("detail", f.detail());
        return o;
    }

    static ObjectNode socket(SocketInfo s) {
        SocketRow r = s.socket();
        ObjectNode o = F.objectNode();
        o.put("fileId", r.fileId()).put("family", r.family()).put("type", r.type()).put("protocol", r.protocol())
                .put("state", r.state()).put("local", r.local()).put("peer", r.peer()).put("inode", r.inode())
                .put("peerInode", r.peerInode()).put("backlog", r.backlog());
        strings(o.putArray("holders"), s.holders());
        return o;
    }

    static ObjectNode mount(MountInfo m) {
        MountRow r = m.mount();
        ObjectNode o = F.objectNode();
        o.put("mountId", r.mountId()).put("parentId", r.parentId()).put("depth", m.depth()).put("mountpoint", r.mountpoint())
                .put("root", r.root()).put("fstype", r.fstype()).put("source", r.source()).put("options", r.options())
                .put("dev", r.dev() == null ? null : InspectText.dev(r.dev())).put("nsId", r.nsId()).put("external", r.external());
        return o;
    }

    static JsonNode areaRef(MemoryAreaRow a) {
        if (a == null) return F.nullNode();
        return F.objectNode().put("start", hex(a.start())).put("end", hex(a.end())).put("name", Areas.label(a));
    }

    static ObjectNode stringHit(StringHit h) {
        ObjectNode o = F.objectNode();
        o.put("pid", h.pid()).put("address", hex(h.address())).put("encoding", h.encoding().name().toLowerCase());
        o.set("area", areaRef(h.area()));
        o.put("text", h.text());
        return o;
    }

    static ObjectNode grepHit(GrepHit h) {
        ObjectNode o = F.objectNode();
        o.put("pid", h.pid()).put("address", hex(h.address())).put("length", h.length());
        o.set("area", areaRef(h.area()));
        o.putObject("match").put("hex", HexFormat.of().formatHex(h.match())).put("text", InspectText.escape(h.match()));
        if (h.context() == null) o.putNull("context");
        else o.putObject("context").put("address", hex(h.contextAddress())).put("hex", HexFormat.of().formatHex(h.context()));
        return o;
    }
}
