package dev.ckptkit.analyzer.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectorTest {
    @TempDir
    static Path dir;
    static CkptReader reader;
    static Inspector in;
    static SyntheticImage.Facts facts;

    @BeforeAll
    static void image() throws Exception {
        Path p = dir.resolve("synthetic.ckpt");
        facts = SyntheticImage.write(p, 64 * 4096, 0);
        reader = CkptReader.open(p);
        in = new Inspector(reader);
    }

    @AfterAll
    static void close() {
        reader.close();
    }

    @Test
    void processTreeIsDepthFirstWithDepths() throws Exception {
        List<ProcessInfo> ps = in.processes(in.select(List.of()));
        assertEquals(List.of(100, 101, 102), ps.stream().map(ProcessInfo::pid).toList());
        assertEquals(List.of(0, 1, 1), ps.stream().map(ProcessInfo::depth).toList());
        assertEquals(List.of(101, 102), ps.getFirst().children());
        assertEquals(List.of("worker", "--data"), ps.get(1).cmdline());
        assertEquals(2, ps.get(1).threads());
    }

    @Test
    void unknownPidIsAnErrorNamingThePids() {
        NotInImageException e = assertThrows(NotInImageException.class, () -> in.select(List.of(4242)));
        assertTrue(e.getMessage().contains("pid 4242 is not in the image"), e.getMessage());
        assertTrue(e.getMessage().contains("100, 101, 102"), e.getMessage());
    }

    @Test
    void registersAreNamedInUserRegsStructOrder() throws Exception {
        List<ThreadInfo> ts = in.threads(in.select(List.of(101)));
        assertEquals(2, ts.size());
        ThreadInfo t = ts.getFirst();
        assertEquals(Registers.X86_64, t.gp().stream().map(ThreadInfo.Register::name).toList());
        assertEquals("rip", t.gp().get(16).name());
        assertEquals(facts.rip().get(1), t.gp().get(16).value());
        assertEquals(0x246L, t.gp().get(18).value());
        assertEquals("[PF ZF IF]", Flags.eflags(t.gp().get(18).value()));
        assertNotNull(t.fp());
        assertEquals(0x37f, t.fp().fcw());
        assertEquals(0x1f80, t.fp().mxcsr());
        assertTrue(t.fp().vectors().getFirst().endsWith("11"), t.fp().vectors().getFirst());
    }

    @Test
    void areasCountDumpedZeroAbsentAndSharedPages() throws Exception {
        List<AreaInfo> as = in.areas(Set.of(100, 101, 102));
        AreaInfo workerHeap = find(as, 101, SyntheticImage.HEAP);
        // heap pages: env page, (wide string | zero) page, shared page; the 4th page is not dumped
        assertEquals(3, workerHeap.pages().dumped());
        assertEquals(1, workerHeap.pages().shared());
        AreaInfo shellHeap = find(as, 100, SyntheticImage.HEAP);
        assertEquals(2, shellHeap.pages().dumped());
        assertEquals(1, shellHeap.pages().zero());
        assertEquals(0, shellHeap.pages().shared());
        AreaInfo shellStack = find(as, 100, SyntheticImage.STACK);
        assertEquals(1, shellStack.pages().absent());
        AreaInfo data = find(as, 101, SyntheticImage.DATA);
        assertEquals(facts.dataPages(), data.pages().dumped());
        assertEquals("rw-p", data.perms());
        assertEquals("/usr/lib/x86_64-linux-gnu/libc.so.6", find(as, 101, SyntheticImage.LIBC).name());
    }

    private static AreaInfo find(List<AreaInfo> as, int pid, long start) {
        return as.stream().filter(a -> a.pid() == pid && a.start() == start).findFirst().orElseThrow();
    }

    @Test
    void fdsResolvePipesSocketsAndDeletedFiles() throws Exception {
        List<FdInfo> fds = in.fds(Set.of(101, 102));
        FdInfo out = fds.stream().filter(f -> f.pid() == 101 && f.fd() == 1).findFirst().orElseThrow();
        assertEquals("pipe:[4242]", out.target());
        assertTrue(out.detail().startsWith("write end, 9 bytes buffered"), out.detail());
        FdInfo in0 = fds.stream().filter(f -> f.pid() == 102 && f.fd() == 0).findFirst().orElseThrow();
        assertEquals("pipe:[4242]", in0.target());
        assertTrue(in0.detail().startsWith("read end"));
        FdInfo sock = fds.stream().filter(f -> f.pid() == 101 && f.fd() == 3).findFirst().orElseThrow();
        assertEquals("socket:[5555]", sock.target());
        assertEquals("inet stream tcp LISTEN 127.0.0.1:47001", sock.detail());
        FdInfo ghost = fds.stream().filter(f -> f.pid() == 101 && f.fd() == 4).findFirst().orElseThrow();
        assertTrue(ghost.deleted());
        assertEquals("files/ghost-6", ghost.attachment());
        assertEquals("files/ghost-6", CarriedFiles.resolve(reader, "/tmp/secret.txt"));
        assertThrows(NotInImageException.class, () -> CarriedFiles.resolve(reader, "/etc/passwd"));
    }

    @Test
    void socketsKnowTheirHoldersAndFilterByPid() throws Exception {
        List<SocketInfo> all = in.sockets(in.pids());
        assertEquals(1, all.size());
        assertEquals(List.of("101/3"), all.getFirst().holders());
        assertEquals(0, in.sockets(Set.of(102)).size());
    }

    @Test
    void mountsFormATree() throws Exception {
        List<MountInfo> ms = in.mounts(in.pids());
        // siblings in mount point order: /data before /proc
        assertEquals(List.of(1, 3, 2), ms.stream().map(m -> m.mount().mountId()).toList());
        assertEquals(List.of(0, 1, 1), ms.stream().map(MountInfo::depth).toList());
    }

    @Test
    void openFlagsRenderLikeStrace() {
        assertEquals("O_RDONLY", Flags.open(0));
        assertEquals("O_WRONLY|O_APPEND|O_NONBLOCK", Flags.open(1 | 02000 | 04000));
        assertEquals("O_RDWR|O_CLOEXEC", Flags.open(2 | 02000000));
    }
}
