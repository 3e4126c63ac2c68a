package org.peerit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.peerit.daemon.control.ControlProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code peerit status N}: what daemon N shares and downloads, with its peers and rates. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows what daemon INDEX shares and downloads, its peers and rates.")
final class StatusCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INDEX")
    int index;

    @Option(names = "--json", description = "Print the daemon's answer as JSON.")
    boolean asJson;

    @Override
    public Integer call() throws Exception {
        JsonNode status;
        try (ControlClient client = ControlClient.connect(index)) {
            client.send(client.request(ControlProtocol.OP_STATUS));
            status = client.next();
            ControlClient.throwIfError(status);
        }
        PrintStream out = System.out;
        if (asJson) {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(status));
            return 0;
        }
        JsonNode d = status.path("daemon");
        out.printf(Locale.ROOT, "daemon %d  peer %s  tracker %s  peers on TCP %d, QUIC (UDP) %d%n", d.path("index").asInt(),
                d.path("peer").asText().substring(0, 8), d.path("tracker").asText(), d.path("listenPort").asInt(),
                d.path("quicPort").asInt());
        if (d.hasNonNull("quicServerMapping")) {
            out.println("seen from outside as " + d.path("quicServerMapping").asText() + " (QUIC server), "
                    + d.path("quicClientMapping").asText("?") + " (QUIC client)");
        }
        JsonNode inbound = d.path("inbound");
        if (inbound.path("refused").asLong() > 0) {
            out.printf(Locale.ROOT, "inbound connections: %d established, %d without a handshake yet; %d refused over the"
                    + " caps%n", inbound.path("established").asInt(), inbound.path("pending").asInt(),
                    inbound.path("refused").asLong());
        }
        JsonNode shares = status.path("shares");
        if (shares.isEmpty()) {
            out.println("nothing shared yet: peerit register FILE " + index + ", or peerit download FILE.p2p " + index);
        }
        for (JsonNode s : shares) {
            long size = s.path("size").asLong();
            long verified = s.path("verifiedBytes").asLong();
            out.printf(Locale.ROOT, "%n%s  %s  %5.1f%% of %s  down %s  up %s  (uploaded %s)%n", s.path("name").asText(),
                    s.path("state").asText().toLowerCase(Locale.ROOT), size == 0 ? 100.0 : 100.0 * verified / size,
                    Units.bytes(size), Units.rate(s.path("downloadRate").asLong()), Units.rate(s.path("uploadRate").asLong()),
                    Units.bytes(s.path("uploaded").asLong()));
            out.println("  " + s.path("path").asText() + "  swarm " + s.path("swarm").asText().substring(0, 16));
            if (s.hasNonNull("error")) {
                out.println("  error: " + s.path("error").asText());
            }
            if (s.hasNonNull("trackerProblem")) {
                out.println("  tracker: " + s.path("trackerProblem").asText());
            }
            if (s.hasNonNull("natProblem")) {
                out.println("  connections: " + s.path("natProblem").asText());
            }
            for (JsonNode p : s.path("peers")) {
                out.printf(Locale.ROOT, "  peer %s  %-21s  %-12s  %s  %d chunks  down %s  up %s  %s%n", p.path("peer").asText(),
                        p.path("address").asText(), p.path("path").asText(), p.path("seed").asBoolean() ? "seed " : "leech",
                        p.path("chunks").asInt(), Units.rate(p.path("downloadRate").asLong()),
                        Units.rate(p.path("uploadRate").asLong()), p.path("security").asText());
            }
        }
        return 0;
    }
}
