package dev.ckptkit.backend.userspace;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The processes below a pid, as the kernel's /proc shows them now (a snapshot: processes come and go). */
final class Descendants {
    private Descendants() {}

    /** {@code root} and every process below it, parents before children. */
    static List<Integer> of(int root) throws IOException {
        Map<Integer, List<Integer>> children = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path p : ds) {
                int ppid = ppid(p.resolve("stat"));
                if (ppid > 0) children.computeIfAbsent(ppid, k -> new ArrayList<>()).add(Integer.parseInt(p.getFileName().toString()));
            }
        }
        List<Integer> out = new ArrayList<>();
        ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            int pid = todo.removeFirst();
            if (out.contains(pid)) continue;
            out.add(pid);
            List<Integer> c = children.getOrDefault(pid, List.of());
            todo.addAll(c.stream().sorted().toList());
        }
        return out;
    }

    /** Field 4 of /proc/PID/stat (after the parenthesised name, which may hold spaces), or -1 when the process is gone. */
    private static int ppid(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
