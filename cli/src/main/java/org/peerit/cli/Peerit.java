package org.peerit.cli;

import org.peerit.daemon.control.ErrorMessages;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code peerit}: the command line. Each subcommand talks to the daemon with the given index, or is one. */
@Command(name = "peerit", mixinStandardHelpOptions = true, versionProvider = Peerit.Version.class,
        description = "Peer-to-peer file sharing: run a daemon, share files and download them from a swarm.",
        subcommands = {DaemonCommand.class, RegisterCommand.class, DownloadCommand.class, StatusCommand.class,
                StopCommand.class, CommandLine.HelpCommand.class, StartupTraining.class})
public final class Peerit {
    /** Exit code when the daemon is not running. */
    public static final int EXIT_NO_DAEMON = 3;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Peerit());
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
