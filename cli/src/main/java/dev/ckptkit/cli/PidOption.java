package dev.ckptkit.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --pid} filter of the inspection commands. */
public final class PidOption {
    @Option(names = "--pid", paramLabel = "PID", split = ",", description = "Only these processes (repeat or comma-separate); "
            + "a pid that is not in the image is an error (exit 2).")
    List<Integer> pids = new ArrayList<>();

    public List<Integer> pids() { return pids; }
}
