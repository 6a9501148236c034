package dev.ckptkit.backend;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** The backends on the class path. */
public final class Backends {
    private final List<Backend> all;

    private Backends(List<Backend> all) {
        this.all = List.copyOf(all);
    }

    public static Backends load() {
        List<Backend> list = new ArrayList<>();
        ServiceLoader.load(Backend.class).forEach(list::add);
        return new Backends(list);
    }

    public List<Backend> all() { return all; }

    public Backend named(String name) {
        for (Backend b : all) if (b.name().equals(name)) return b;
        List<String> names = all.stream().map(Backend::name).toList();
        throw new IllegalArgumentException("no backend named '" + name + "' (have: " + String.join(", ", names) + ")");
    }

    /** The first backend that recognises {@code input}, or null. */
    public Backend forInput(Path input) throws IOException {
        for (Backend b : all) if (b.canImport(input)) return b;
        return null;
    }
}
