package dev.ckptkit.cli;

import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.UnsupportedImageException;
import dev.ckptkit.io.Version;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "ckpt", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Inspect, convert, compare and validate Linux process checkpoints (CKPT files, CRIU images, "
                + "container checkpoint archives, ELF cores, DMTCP images).")
public final class Main {
    /**
     * The subcommands, in the order help lists them. Not in {@code @Command}: picocli would build the model of every
     * one at each start (about 0.4 s of a 0.7 s start here), while a command line needs only the one it names.
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            InfoCommand.class,
            VerifyCommand.class,
            ExportCommand.class,
            ConvertCommand.class,
            BackendsCommand.class,
            PsCommand.class,
            ThreadsCommand.class,
            MapsCommand.class,
            FdsCommand.class,
            SocketsCommand.class,
            MountsCommand.class,
            ShowCommand.class,
            StringsCommand.class,
            GrepCommand.class,
            HexdumpCommand.class,
            ExtractCommand.class,
            DemoCommand.class,
            DiffCommand.class,
            IndexCommand.class,
            SearchCommand.class,
            HostProfileCommand.class,
            ValidateCommand.class,
            dev.ckptkit.cli.bench.BenchCommand.class,
            CaptureCommand.class,
            RestoreCommand.class,
            LaunchCommand.class,
            CheckpointCommand.class,
            RestartCommand.class,
            CommandLine.HelpCommand.class);

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line; what tests call. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(out, err, args);
        int rc = cl.execute(args);
        out.flush();
        err.flush();
        return rc;
    }

    /** The command line for {@code args}: with only the subcommand they name, or with all (help, usage errors). */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        Class<?> named = args.length == 0 ? null : SUBCOMMANDS.stream()
                .filter(c -> c != CommandLine.HelpCommand.class && names(c).contains(args[0])).findFirst().orElse(null);
        for (Class<?> c : named != null ? List.of(named) : SUBCOMMANDS) cl.addSubcommand(c);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("ckpt: " + oneLine(ex));
            if (System.getenv("CKPT_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            cmd.getErr().flush();
            return ex instanceof CkptException c ? c.exitCode() : ExitCodes.TROUBLE;
        });
        cl.setParameterExceptionHandler((ex, unmatched) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("ckpt: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            c.getErr().flush();
            return ExitCodes.TROUBLE;
        });
        return cl;
    }

    /** Whether this build has a subcommand of that name. */
    static boolean hasSubcommand(String name) {
        return SUBCOMMANDS.stream().anyMatch(c -> names(c).contains(name));
    }

    private static List<String> names(Class<?> subcommand) {
        Command c = subcommand.getAnnotation(Command.class);
        List<String> names = new ArrayList<>(List.of(c.aliases()));
        names.add(c.name());
        return names;
    }

    /** One line that a user can act on: file and offset for corruption, the path for missing files. */
    static String oneLine(Throwable ex) {
        Throwable t = ex;
        if (t instanceof UncheckedIOException u) t = u.getCause();
        String msg = switch (t) {
            case CorruptImageException c -> c.getMessage();
            case UnsupportedImageException u -> u.getMessage();
            case NoSuchFileException n -> n.getFile() + ": no such file or directory";
            case AccessDeniedException a -> a.getFile() + ": permission denied";
            case FileAlreadyExistsException f -> f.getFile() + ": already exists";
            case CkptException c -> c.getMessage();
            case OutOfMemoryError o -> "out of memory (" + o.getMessage() + "): this is a bug, please report it";
            case IOException io -> io.getMessage() == null ? io.toString() : io.getMessage();
            default -> t.getMessage() == null ? t.toString() : t.getClass().getSimpleName() + ": " + t.getMessage();
        };
        return msg.lines().findFirst().orElse(msg);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ckpt " + Version.CURRENT + " (CKPT format " + dev.ckptkit.spec.CkptFormat.MAJOR + "."
                    + dev.ckptkit.spec.CkptFormat.MINOR + ", Java " + Runtime.version() + ")"};
        }
    }
}
