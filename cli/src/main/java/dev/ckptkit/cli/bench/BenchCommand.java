package dev.ckptkit.cli.bench;

import picocli.CommandLine.Command;

/** {@code ckpt bench ...}: benchmarks that print figures, never pass/fail. Subcommands are added per area. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (figures for the README; they measure, they do not assert).",
        subcommands = {BenchFormatCommand.class, BenchHashesCommand.class, dev.ckptkit.cli.BenchCriuCommand.class,
                BenchForensicsCommand.class, BenchDiffCommand.class, BenchIndexCommand.class,
                dev.ckptkit.cli.BenchUserspaceCommand.class})
public final class BenchCommand {}
