package dev.ckptkit.analyzer.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.PageSink;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.RandomImages;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.Tables;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForensicsTest {
    private static final int PAGE = 4096;

    @TempDir
    static Path dir;
    static CkptReader synthetic;
    static SyntheticImage.Facts facts;

    @BeforeAll
    static void image() throws Exception {
        Path p = dir.resolve("synthetic.ckpt");
        facts = SyntheticImage.write(p, 9000L * PAGE, 3);  // zstd: pages come from decompressed blocks
        synthetic = CkptReader.open(p);
    }

    @AfterAll
    static void close() {
        synthetic.close();
    }

    static List<StringHit> strings(CkptReader r, int min, Set<Strings.Encoding> enc, int threads, Set<Integer> pids) throws Exception {
        List<StringHit> out = new ArrayList<>();
        new Strings(r, min, enc, threads).run(pids, out::add);
        return out;
    }

    static List<GrepHit> grep(CkptReader r, BytePattern p, int ctx, int threads, Set<Integer> pids) throws Exception {
        List<GrepHit> out = new ArrayList<>();
        new Grep(r, p, ctx, threads).run(pids, out::add);
        return out;
    }

    @Test
    void stringsFindMarkersAtTheirAddressesWithTheirArea() throws Exception {
        Inspector in = new Inspector(synthetic);
        List<StringHit> hits = strings(synthetic, 6, EnumSet.allOf(Strings.Encoding.class), 2, in.pids());
        assertTrue(facts.markers().size() >= 2, "markers: " + facts.markers());
        for (Map.Entry<Long, String> m : facts.markers().entrySet()) {
            StringHit h = hits.stream().filter(x -> x.address() == m.getKey()).findFirst().orElseThrow(() -> new AssertionError("no string at 0x" + Long.toHexString(m.getKey())));
            assertEquals(m.getValue(), h.text());
            assertEquals(SyntheticImage.WORKER, h.pid());
            assertEquals(SyntheticImage.DATA, h.area().start());
        }
        StringHit across = hits.stream().filter(x -> x.address() == facts.crossPageMarker()).findFirst().orElseThrow();
        assertEquals(facts.crossPageText(), across.text());
        StringHit wide = hits.stream().filter(x -> x.address() == facts.wideMarker()).findFirst().orElseThrow();
        assertEquals(Strings.Encoding.UTF16LE, wide.encoding());
        assertEquals(facts.wideText(), wide.text());
        assertEquals("[heap]", Areas.label(wide.area()));
        // hits come in pid, address order
        for (int i = 1; i < hits.size(); i++) {
            StringHit a = hits.get(i - 1), b = hits.get(i);
            assertTrue(a.pid() < b.pid() || (a.pid() == b.pid() && Long.compareUnsigned(a.address(), b.address()) <= 0), a + " before " + b);
        }
    }

    @Test
    void grepFindsLiteralsRegexesAndHexAcrossPages() throws Exception {
        Set<Integer> all = new Inspector(synthetic).pids();
        List<GrepHit> lit = grep(synthetic, BytePattern.regex("CKPT-MARKER-", false), 0, 2, all);
        assertEquals(facts.markers().keySet().stream().toList(), lit.stream().map(GrepHit::address).toList());
        List<GrepHit> re = grep(synthetic, BytePattern.regex("CKPT-MARKER-\\d+", false), 0, 2, all);
        assertEquals(List.copyOf(facts.markers().values()), re.stream().map(h -> new String(h.match(), StandardCharsets.US_ASCII)).toList());
        List<GrepHit> hex = grep(synthetic, BytePattern.hex(hexOf("ACROSS-PAGES")), 16, 1, all);
        assertEquals(1, hex.size());
        assertEquals(facts.crossPageMarker() + 5, hex.getFirst().address());
        assertEquals(hex.getFirst().address() - 16, hex.getFirst().contextAddress());
        assertEquals(12 + 32, hex.getFirst().context().length);
        List<GrepHit> ci = grep(synthetic, BytePattern.regex("ckpt-across", true), 0, 2, all);
        assertEquals(List.of(facts.crossPageMarker()), ci.stream().map(GrepHit::address).toList());
        List<GrepHit> shared = grep(synthetic, BytePattern.regex("CKPT-SHARED-PAGE", false), 0, 2, Set.of(SyntheticImage.READER));
        assertEquals(PAGE / 256, shared.size());
        assertEquals(facts.sharedPage(), shared.getFirst().address());
    }

    static String hexOf(String s) {
        return java.util.HexFormat.of().formatHex(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** An image whose one process has long printable runs and planted matches across piece (1 MiB) boundaries. */
    static Path boundaryImage(long seed) throws Exception {
        Path p = dir.resolve("boundary-" + seed + ".ckpt");
        Random r = new Random(seed);
        long base = 0x10000000L;
        int pages = Pieces.MAX_PAGES * 3 + 7;
        try (CkptWriter w = CkptWriter.create(p, WriterOptions.defaults(UUID.randomUUID()))) {
            w.table(Tables.MEMORY_AREAS, List.of(new MemoryAreaRow(7, base, base + (long) (pages + 40) * PAGE, 3, 0x22, 0, null, "anon", null, null, null)));
            for (int i = 0; i < pages; i++) {
                if (i == 300) continue;  // a hole
                byte[] b = new byte[PAGE];
                int kind = r.nextInt(4);
                for (int k = 0; k < PAGE; k++) {
                    b[k] = switch (kind) {
                        case 0 -> (byte) r.nextInt(256);
                        case 1 -> (byte) ('a' + r.nextInt(3));          // long printable runs with many "ab" matches
                        case 2 -> (k % 2 == 1) ? 0 : (byte) ('a' + r.nextInt(3));  // UTF-16LE text
                        default -> (byte) (r.nextInt(5) == 0 ? 0 : 'a' + r.nextInt(3));
                    };
                }
                w.pages().add(7, base + (long) i * PAGE, b, 0);
            }
            w.pages().addAbsent(7, base + (long) (pages + 2) * PAGE, PageSink.ABSENT);
            w.commit();
        }
        return p;
    }

    /** Contiguous dumped runs of a pid as (address, bytes), read page by page: the naive reference. */
    static Map<Long, byte[]> runs(CkptReader r, int pid) throws Exception {
        PageStore ps = r.pages();
        Map<Long, byte[]> out = new TreeMap<>(Long::compareUnsigned);
        long[] range = ps.range(pid);
        ByteArrayOutputStream cur = null;
        long start = 0, next = -1;
        for (long i = range[0]; i < range[1]; i++) {
            PageStore.Entry e = ps.entry(i);
            if (e.absent()) continue;
            if (cur == null || e.vaddr() != next) {
                if (cur != null) out.put(start, cur.toByteArray());
                cur = new ByteArrayOutputStream();
                start = e.vaddr();
            }
            byte[] b = new byte[PAGE];
            ps.read(pid, e.vaddr(), b, 0);
            cur.write(b);
            next = e.vaddr() + PAGE;
        }
        if (cur != null) out.put(start, cur.toByteArray());
        return out;
    }

    static List<String> naiveStrings(Map<Long, byte[]> runs, int pid, int min) {
        List<String> out = new ArrayList<>();
        for (var run : runs.entrySet()) {
            byte[] b = run.getValue();
            List<String[]> hits = new ArrayList<>();
            int s = -1;
            for (int i = 0; i <= b.length; i++) {
                boolean p = i < b.length && ((b[i] >= 0x20 && b[i] < 0x7f) || b[i] == '\t');
                if (p && s < 0) s = i;
                if (!p && s >= 0) {
                    if (i - s >= min) hits.add(new String[] {Long.toString(run.getKey() + s), "ASCII", new String(b, s, i - s, StandardCharsets.ISO_8859_1)});
                    s = -1;
                }
            }
            for (int par = 0; par < 2; par++) {
                s = -1;
                for (int i = par; i <= b.length; i += 2) {
                    boolean p = i + 1 < b.length && ((b[i] >= 0x20 && b[i] < 0x7f) || b[i] == '\t') && b[i + 1] == 0;
                    if (p && s < 0) s = i;
                    if (!p && s >= 0) {
                        if ((i - s) / 2 >= min) {
                            StringBuilder t = new StringBuilder();
                            for (int k = s; k < i; k += 2) t.append((char) b[k]);
                            hits.add(new String[] {Long.toString(run.getKey() + s), "UTF16LE", t.toString()});
                        }
                        s = -1;
                    }
                }
            }
            hits.sort(java.util.Comparator.comparingLong(h -> Long.parseLong(h[0])));
            for (String[] h : hits) out.add(pid + " " + Long.toHexString(Long.parseLong(h[0])) + " " + h[1] + " " + h[2]);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void stringsMatchANaiveScanOfWholeRunsWhateverTheThreadCount(long seed) throws Exception {
        Path p = boundaryImage(seed);
        try (CkptReader r = CkptReader.open(p)) {
            List<String> expected = naiveStrings(runs(r, 7), 7, 5);
            for (int threads : new int[] {1, 2, 3}) {
                List<String> got = strings(r, 5, EnumSet.allOf(Strings.Encoding.class), threads, Set.of(7)).stream()
                        .map(h -> h.pid() + " " + Long.toHexString(h.address()) + " " + h.encoding() + " " + h.text()).toList();
                assertSame(expected, got, "seed " + seed + " threads " + threads);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void grepMatchesANaiveScanOfWholeRuns(long seed) throws Exception {
        Path p = boundaryImage(seed);
        try (CkptReader r = CkptReader.open(p)) {
            Map<Long, byte[]> runs = runs(r, 7);
            for (String re : new String[] {"abca", "a[bc]{3}a", "(ab|ba)c+", "c\\x00a\\x00"}) {
                List<String> expected = new ArrayList<>();
                Pattern pat = Pattern.compile(re, Pattern.DOTALL);
                for (var run : runs.entrySet()) {
                    Matcher m = pat.matcher(new String(run.getValue(), StandardCharsets.ISO_8859_1));
                    while (m.find()) expected.add(Long.toHexString(run.getKey() + m.start()) + " " + m.group());
                }
                for (int threads : new int[] {1, 2}) {
                    List<String> got = grep(r, BytePattern.regex(re, false), 0, threads, Set.of(7)).stream()
                            .map(h -> Long.toHexString(h.address()) + " " + new String(h.match(), StandardCharsets.ISO_8859_1)).toList();
                    assertSame(expected, got, "seed " + seed + " pattern " + re + " threads " + threads);
                }
            }
        }
    }

    @Test
    void randomImagesGiveTheSameStringsAsTheNaiveScan() throws Exception {
        for (long seed = 10; seed < 16; seed++) {
            RandomImages.Model m = RandomImages.model(seed, 40);
            Path p = dir.resolve("random-" + seed + ".ckpt");
            RandomImages.write(m, p, (int) (seed % 2) * 3, 2);
            try (CkptReader r = CkptReader.open(p)) {
                for (int pid : m.pages().keySet()) {
                    List<String> expected = naiveStrings(runs(r, pid), pid, 4);
                    List<String> got = strings(r, 4, EnumSet.allOf(Strings.Encoding.class), 2, Set.of(pid)).stream()
                            .map(h -> h.pid() + " " + Long.toHexString(h.address()) + " " + h.encoding() + " " + h.text()).toList();
                    assertSame(expected, got, "seed " + seed + " pid " + pid);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void textLinesRenderedFromBytesEqualTheHitsLines(long seed) throws Exception {
        for (CkptReader r : new CkptReader[] {synthetic, CkptReader.open(boundaryImage(seed + 10))}) {
            Set<Integer> pids = new Inspector(r).pids();
            StringBuilder expected = new StringBuilder();
            strings(r, 4, EnumSet.allOf(Strings.Encoding.class), 2, pids).forEach(h -> expected.append(h.line()));
            StringBuilder got = new StringBuilder();
            long[] n = {0};
            new Strings(r, 4, EnumSet.allOf(Strings.Encoding.class), 2).runLines(pids, l -> {
                got.append(l.text());
                n[0] += l.count();
            });
            assertEquals(expected.toString(), got.toString());
            assertEquals(expected.toString().lines().count(), n[0]);
            if (r != synthetic) r.close();
        }
    }

    @Test
    void literalSearchAgreesWithIndexOf() {
        Random r = new Random(5);
        for (int round = 0; round < 20000; round++) {
            byte[] hay = new byte[r.nextInt(200)];
            for (int i = 0; i < hay.length; i++) hay[i] = (byte) ('a' + r.nextInt(round % 3 == 0 ? 2 : 3));
            byte[] pat = new byte[1 + r.nextInt(round % 2 == 0 ? 4 : 12)];
            for (int i = 0; i < pat.length; i++) pat[i] = (byte) ('a' + r.nextInt(round % 3 == 0 ? 2 : 3));
            LiteralSearch ls = new LiteralSearch(pat);
            String h = new String(hay, StandardCharsets.ISO_8859_1), n = new String(pat, StandardCharsets.ISO_8859_1);
            int from = hay.length == 0 ? 0 : r.nextInt(hay.length);
            int limit = Math.max(from, hay.length - pat.length + 1);
            int expect = h.indexOf(n, from);
            if (expect >= limit) expect = -1;
            assertEquals(expect, ls.indexOf(hay, from, limit), h + " / " + n + " from " + from);
        }
    }

    @Test
    void regexPrefixIsOnlyWhatEveryMatchStartsWith() {
        assertEquals("CKPT-MARKER-", BytePattern.literalPrefix("CKPT-MARKER-\\d+"));
        assertEquals("ab", BytePattern.literalPrefix("abc?d"));
        assertEquals("", BytePattern.literalPrefix("a|b"));
        assertEquals("", BytePattern.literalPrefix("(?i)abc"));
        assertEquals("a.b", BytePattern.literalPrefix("a\\.b[0-9]"));
        assertTrue(BytePattern.regex("plain", false) instanceof BytePattern.Literal);
        assertThrows(IllegalArgumentException.class, () -> BytePattern.regex("(", false));
        assertThrows(IllegalArgumentException.class, () -> BytePattern.hex("abc"));
        assertArrayEquals(new byte[] {0x43, 0x4b}, ((BytePattern.Literal) BytePattern.hex("43 4b")).bytes());
    }

    @Test
    void memoryReadsZeroFillWhatWasNotDumpedAndRejectAddressesOutsideAreas() throws Exception {
        Inspector in = new Inspector(synthetic);
        MemoryReader mem = new MemoryReader(in);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MemoryReader.Stats s = mem.read(SyntheticImage.SHELL, SyntheticImage.STACK, SyntheticImage.STACK + 2 * PAGE,
                (a, b, off, len, dumped) -> out.write(b, off, len));
        assertEquals(PAGE, s.dumped());     // first stack page dumped
        assertEquals(PAGE, s.missing());    // second recorded as absent
        byte[] got = out.toByteArray();
        assertEquals(1, got[PAGE - 8]);
        assertEquals(2 * PAGE, got.length);
        assertThrows(NotInImageException.class, () -> mem.areaAt(SyntheticImage.SHELL, 0x1000));
        assertThrows(NotInImageException.class, () -> mem.areaAt(999, SyntheticImage.HEAP));
        assertThrows(NotInImageException.class, () -> mem.checkRange(SyntheticImage.SHELL, 0x1000, 0x2000));
        mem.checkRange(SyntheticImage.SHELL, SyntheticImage.HEAP - 10, SyntheticImage.HEAP + 10);
        // reading across the marker: the bytes are the marker's
        long addr = facts.markers().keySet().iterator().next();
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        mem.read(SyntheticImage.WORKER, addr, addr + 13, (a, b, off, len, dumped) -> m.write(b, off, len));
        assertEquals("CKPT-MARKER-0", m.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void hexdumpCollapsesRepeatedLines() throws Exception {
        List<String> lines = new ArrayList<>();
        Hexdump.Builder b = new Hexdump.Builder(l -> lines.add(l.text()));
        byte[] z = new byte[64];
        z[0] = 'A';
        b.add(0x1000, z, 0, 64, true);
        b.add(0x1040, new byte[20], 0, 20, false);
        b.finish();
        assertEquals(List.of(
                "000000001000  41 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |A...............|",
                "000000001010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|",
                "*",
                "000000001040  ?? ?? ?? ?? ?? ?? ?? ??  ?? ?? ?? ?? ?? ?? ?? ??  |????????????????|",
                "000000001050  ?? ?? ?? ??                                       |????|"), lines);
    }

    /** Equal lists, or a failure that names the first difference (the lists are long). */
    static void assertSame(List<String> expected, List<String> got, String what) {
        int n = Math.min(expected.size(), got.size());
        for (int i = 0; i < n; i++) {
            if (!expected.get(i).equals(got.get(i))) {
                throw new AssertionError(what + ": item " + i + " expected <" + expected.get(i) + "> got <" + got.get(i) + ">");
            }
        }
        assertEquals(expected.size(), got.size(), what + ": count");
    }
}
