package org.peerit.cli;

import picocli.AutoComplete;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the release archive's generated files from the command model itself, at build time (see the cli pom): the
 * bash completion script ({@code share/bash-completion/completions/peerit}) and the man page
 * ({@code share/man/man1/peerit.1}), troff with every command's help as picocli prints it, so neither can fall
 * behind the commands. Usage: {@code ReleaseFiles OUTPUT_DIR VERSION}.
 */
public final class ReleaseFiles {
    private ReleaseFiles() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        String version = args.length > 1 ? args[1] : "dev";
        CommandLine cli = Peerit.commandLine();
        write(out.resolve("share/bash-completion/completions/peerit"), AutoComplete.bash("peerit", cli));
        write(out.resolve("share/man/man1/peerit.1"), manPage(cli, version));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    static String manPage(CommandLine cli, String version) {
        StringBuilder man = new StringBuilder();
        man.append(".TH PEERIT 1 \"\" \"peerit ").append(version).append("\" \"User Commands\"\n");
        man.append(".SH NAME\npeerit \\- ").append(roff(String.join(" ", cli.getCommandSpec().usageMessage().description())))
                .append('\n');
        man.append(".SH SYNOPSIS\n.nf\n").append(roff(cli.getHelp().synopsis(0).strip())).append("\n.fi\n");
        man.append(".SH DESCRIPTION\nA daemon per machine (\\fBpeerit daemon\\fR) finds peers through trackers, the"
                + " Mainline DHT and the LAN, downloads chunks from many peers at once and serves what it has; the other"
                + " commands talk to it over a Unix socket. Each command is shown below as its \\fB\\-\\-help\\fR"
                + " prints it.\n");
        man.append(".SH COMMANDS\n");
        for (Map.Entry<String, CommandLine> sub : cli.getSubcommands().entrySet()) {
            if (sub.getValue().getCommandSpec().usageMessage().hidden() || sub.getKey().equals("help")) {
                continue;
            }
            man.append(".SS peerit ").append(sub.getKey()).append("\n.nf\n")
                    .append(roff(sub.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()))
                    .append("\n.fi\n");
        }
        man.append(".SH EXIT STATUS\n0 on success; 1 for an error, said in one line on standard error; 2 for a command"
                + " line that does not parse; 3 when the daemon is not running.\n");
        man.append(".SH FILES\n.TP\n\\fI$XDG_CONFIG_HOME/peerit/daemon\\-N.conf\\fR\nDaemon N's settings (key = value"
                + " lines for what are otherwise flags).\n.TP\n\\fI$XDG_DATA_HOME/peerit/daemon\\-N/\\fR\nIts identity,"
                + " share state, DHT state and daemon.log (or \\fI$PEERIT_HOME/daemon\\-N/\\fR).\n.TP\n"
                + "\\fI$XDG_RUNTIME_DIR/peerit/daemon\\-N.sock\\fR\nIts control socket.\n");
        man.append(".SH SEE ALSO\nThe README in the release archive.\n");
        return man.toString();
    }

    /** Text as troff shows it literally: backslashes escaped, and no line read as a request. */
    static String roff(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.replace("\\", "\\e").split("\n", -1)) {
            if (line.startsWith(".") || line.startsWith("'")) {
                out.append("\\&");
            }
            out.append(line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }
}
