package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/**
 * A command line gets only the subcommand it names (start-up time), while help and usage errors still see all of
 * them: nothing a user can reach may go missing.
 */
class SubcommandsTest {
    @Test
    void helpListsEverySubcommand() {
        CliRunner r = CliRunner.run("--help");
        assertEquals(0, r.exit(), r.err());
        for (Class<?> c : Main.SUBCOMMANDS) {
            String name = c.getAnnotation(Command.class).name();
            assertTrue(r.out().contains("  " + name + " "), name + " missing from:\n" + r.out());
        }
    }

    @Test
    void helpOfOneSubcommandAndTheSubcommandsOwnHelpAgree() {
        CliRunner viaHelp = CliRunner.run("help", "checkpoint");
        CliRunner own = CliRunner.run("checkpoint", "--help");
        assertEquals(0, viaHelp.exit(), viaHelp.err());
        assertEquals(0, own.exit(), own.err());
        assertTrue(own.out().startsWith("Usage: ckpt checkpoint"), own.out());
        assertEquals(own.out(), viaHelp.out());
    }

    @Test
    void aNamedSubcommandRunsAndAnUnknownOneIsAUsageError() {
        CliRunner info = CliRunner.run("info", CliRunner.golden("v1.2-seed13-pages12-zstd0-nodedup.ckpt").toString());
        assertEquals(0, info.exit(), info.err());
        assertTrue(info.out().contains("format:      CKPT 1.2"), info.out());
        CliRunner unknown = CliRunner.run("inf", "x.ckpt");
        assertEquals(ExitCodes.TROUBLE, unknown.exit());
        assertTrue(unknown.err().startsWith("ckpt: Unmatched arguments from index 0: 'inf'"), unknown.err());
        assertTrue(unknown.err().contains("Try 'ckpt --help' for more information."), unknown.err());
        assertFalse(unknown.err().contains("Exception"), unknown.err());
    }

    @Test
    void hasSubcommandKnowsTheNames() {
        assertTrue(Main.hasSubcommand("ps"));
        assertTrue(Main.hasSubcommand("checkpoint"));
        assertFalse(Main.hasSubcommand("no-such-command"));
    }
}
