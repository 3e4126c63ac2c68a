package org.peerit.cli;

import org.peerit.daemon.control.ErrorMessages;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code peerit}: the command line. Each subcommand talks to the daemon with the given index, or is one. */
@Command(name = "peerit", mixinStandardHelpOptions = true, versionProvider = Peerit.Version.class,
        description = "Peer-to-peer file sharing: run a daemon, share files and download them from a swarm.")
public final class Peerit {
    /** Exit code when the daemon is not running. */
    public static final int EXIT_NO_DAEMON = 3;
    private static final List<Class<?>> SUBCOMMANDS = List.of(DaemonCommand.class, RegisterCommand.class,
            DownloadCommand.class, LinkCommand.class, StatusCommand.class, RemoveCommand.class, StopCommand.class,
            CompletionCommand.class, CommandLine.HelpCommand.class,
            StartupTraining.class);

    public static void main(String[] args) {
        String first = args.length == 0 ? "" : args[0];
        ControlWarmUp.startFor(first);
        System.exit(commandLine(first).execute(args));
    }

    /** The command line with every subcommand. */
    static CommandLine commandLine() {
        return commandLine("");
    }

    /**
     * The command line for running subcommand {@code first}: only that one is built when it is named exactly, as
     * picocli's model of a subcommand costs reflection over all its options (a third of a command's start). Help,
     * and anything picocli has to match or suggest a name for, gets them all.
     */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new Peerit());
        List<Class<?>> named = SUBCOMMANDS.stream()
                .filter(c -> !c.equals(CommandLine.HelpCommand.class) && c.getAnnotation(Command.class).name().equals(first))
                .toList();
        for (Class<?> subcommand : named.isEmpty() ? SUBCOMMANDS : named) {
            cl.addSubcommand(subcommand);
        }
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // Every failure is one line on stderr and a non-zero exit; stack traces stay in the daemon's log.
            commandLine.getErr().println("peerit: " + ErrorMessages.describe(e));
            return e instanceof DaemonNotRunningException ? EXIT_NO_DAEMON : 1;
        });
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Peerit.class.getPackage().getImplementationVersion();
            return new String[]{"peerit " + (v == null ? "dev" : v)};
        }
    }
}
