package dev.ckptkit.analyzer.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ckptkit.io.table.FileRow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValidatorTest {
    @Test
    void verdicts() throws Exception {
        Fixture f = Fixture.oneProcess();
        Validator v = new Validator();
        assertEquals(Verdict.GO, v.validate("x", f.on(f.matchingHost()), "t").verdict());
        assertEquals(Verdict.UNDECIDED, v.validate("x", f.alone(), null).verdict(), "no target: could not decide");
        f.pipes.add(new dev.ckptkit.io.table.PipeRow(9, 1, null, 1, 0));
        assertEquals(Verdict.GO, v.validate("x", f.on(f.matchingHost()), "t").verdict(), "warnings do not block");
        HostProfile noFiles = f.matchingHost().withFiles(List.of());
        assertEquals(Verdict.UNDECIDED, v.validate("x", f.on(noFiles), "t").verdict());
        f.fd(100, 9, 12345);
        ValidationReport r = v.validate("x", f.on(noFiles), "t");
        assertEquals(Verdict.NO_GO, r.verdict(), "an error wins over undecided");
        assertEquals(Severity.ERROR, r.findings().get(0).severity(), "errors listed first");
    }

    @Test
    void everyRuleIsListedOnceAndCodesAreStable() {
        Set<String> names = new HashSet<>();
        for (Rule r : Rule.all()) assertEquals(true, names.add(r.name()), r.name());
        assertEquals(Rule.class.getPermittedSubclasses().length, Rule.all().size(), "Rule.all() lists every permitted rule");
    }

    @Test
    void userspaceImageSkipsPidCheckButKeepsIntegrity() throws Exception {
        Fixture f = Fixture.oneProcess();
        f.style = "userspace";
        HostProfile h = f.matchingHost();
        HostProfile busy = new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(), h.cpu(), h.xsave(),
                h.vdsoSize(), h.pidMax(), List.of(100), h.memAvailable(), h.mounts(), h.cgroupVersion(), h.capEff(), h.lsm(),
                h.users(), h.groups(), h.listeningPorts(), h.files());
        ValidationReport r = new Validator().validate("x", f.on(busy), "t");
        assertEquals(Verdict.GO, r.verdict(), r.findings().toString());
        List<FileRow> files = new ArrayList<>(f.files);
        f.files.clear();
        f.files.addAll(files);
    }
}
