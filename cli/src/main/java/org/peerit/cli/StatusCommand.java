package org.peerit.cli;

import org.peerit.daemon.control.ControlEvent;
import org.peerit.daemon.control.ControlProtocol;
import org.peerit.daemon.control.ControlRequest;
import org.peerit.daemon.control.DaemonInfo;
import org.peerit.daemon.swarm.ShareStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code peerit status [N]}: what daemon N shares and downloads, with its peers and rates; with no N, every running
 * daemon of this user, one after another (as a JSON array with {@code --json}).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows what daemon INDEX shares and downloads, its peers and rates; with no INDEX, every running"
                + " daemon of yours.")
final class StatusCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INDEX", arity = "0..1")
    Integer index;

    @Option(names = "--json", description = "Print the daemon's answer as JSON.")
    boolean asJson;

    @Option(names = "--files", description = "List every file of each folder with its progress (else the files not"
            + " yet in place, up to " + SHOWN_FILES + ").")
    boolean allFiles;

    static final int SHOWN_FILES = 10;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        if (index != null) {
            ControlEvent.StatusReport status = report(index);
            if (asJson) {
                out.println(ControlProtocol.json().writerWithDefaultPrettyPrinter().forType(ControlEvent.class)
                        .writeValueAsString(status));
            } else {
                print(out, status);
            }
            return 0;
        }
        java.util.List<ControlEvent.StatusReport> all = new java.util.ArrayList<>();
        for (int i : ControlClient.runningIndexes()) {
            try {
                all.add(report(i));
            } catch (DaemonNotRunningException e) {
                // a socket a dead daemon left behind
            }
        }
        if (asJson) {
            out.println(ControlProtocol.json().writerWithDefaultPrettyPrinter()
                    .forType(new com.fasterxml.jackson.core.type.TypeReference<java.util.List<ControlEvent>>() { })
                    .writeValueAsString(all));
            return 0;
        }
        if (all.isEmpty()) {
            throw new IOException("no daemon of yours is running; start one with: peerit daemon 1 [TRACKER_HOST:59000]");
        }
        for (int i = 0; i < all.size(); i++) {
            if (i > 0) {
                out.println();
            }
            print(out, all.get(i));
        }
        return 0;
    }

    private ControlEvent.StatusReport report(int daemon) throws IOException {
        try (ControlClient client = ControlClient.connect(daemon)) {
            client.send(new ControlRequest.Status(true));
            return client.expect(ControlEvent.StatusReport.class);
        }
    }

    private void print(PrintStream out, ControlEvent.StatusReport status) {
        DaemonInfo d = status.daemon();
        int index = d.index();
        out.printf(Locale.ROOT, "daemon %d  peer %s  %s  peers on TCP %d, QUIC (UDP) %d%n", d.index(),
                d.peer().substring(0, 8), d.trackers().isEmpty() ? "no tracker" : (d.trackers().size() == 1 ? "tracker "
                        : "trackers ") + String.join(", ", d.trackers()), d.listenPort(), d.quicPort());
        DaemonInfo.Dht dht = d.dht();
        out.println((dht == null ? "DHT off" : String.format(Locale.ROOT, "DHT on UDP %d: %d %s in the routing table"
                + " (sent %s, received %s)", dht.port(), dht.nodes(), dht.nodes() == 1 ? "node" : "nodes", Units.bytes(dht.sentBytes()),
                Units.bytes(dht.receivedBytes()))) + "  LAN discovery " + (d.lan() ? "on" : "off"));
        if (d.quicServerMapping() != null) {
            out.println("seen from outside as " + d.quicServerMapping() + " (QUIC server), "
                    + (d.quicClientMapping() == null ? "?" : d.quicClientMapping()) + " (QUIC client)");
        }
        DaemonInfo.Inbound inbound = d.inbound();
        if (inbound != null && inbound.refused() > 0) {
            out.printf(Locale.ROOT, "inbound connections: %d established, %d without a handshake yet; %d refused over the"
                    + " caps%n", inbound.established(), inbound.pending(), inbound.refused());
        }
        if (status.shares().isEmpty()) {
            out.println("nothing shared yet: peerit register FILE " + index + ", or peerit download FILE.p2p " + index);
        }
        for (ShareStatus s : status.shares()) {
            long size = s.size();
            String rates = s.downloadRate() == 0 && s.uploadRate() == 0 ? "idle"
                    : "down " + Units.rate(s.downloadRate()) + "  up " + Units.rate(s.uploadRate());
            out.printf(Locale.ROOT, "%n%s  %s  %5.1f%% of %s  %s  (uploaded %s)%n", s.name(),
                    s.state().name().toLowerCase(Locale.ROOT), size == 0 ? 100.0 : 100.0 * s.verifiedBytes() / size,
                    Units.bytes(size), rates, Units.bytes(s.uploaded()));
            out.println("  " + s.path() + "  swarm " + s.swarm().substring(0, 16));
            if (s.error() != null) {
                out.println("  error: " + s.error());
            }
            if (s.trackerProblem() != null) {
                out.println("  tracker: " + s.trackerProblem());
            }
            if (s.dht() != null) {
                out.println("  DHT: " + s.dht());
            }
            if (s.sources() != null && !s.sources().isEmpty()) {
                out.println("  peers found through: " + String.join(", ", s.sources()));
            }
            if (s.natProblem() != null) {
                out.println("  connections: " + s.natProblem());
            }
            if (s.folder()) {
                printFiles(out, s, index);
            }
            for (ShareStatus.PeerStatus p : s.peers()) {
                out.printf(Locale.ROOT, "  peer %s  %-21s  %-12s  %s  %d chunks  down %s  up %s  %s%n", p.peer(),
                        p.address(), p.path(), p.seed() ? "seed " : "leech", p.chunks(), Units.rate(p.downloadRate()),
                        Units.rate(p.uploadRate()), p.security());
            }
        }
    }

    /** A folder's files: how many are in place, and each one's progress (all with --files, else those pending). */
    private void printFiles(PrintStream out, ShareStatus s, int index) {
        out.printf(Locale.ROOT, "  files: %d of %d in place%s%n", s.filesInPlace(), s.wantedFiles(),
                s.wantedFiles() < s.fileCount() ? " (" + (s.fileCount() - s.wantedFiles()) + " left out with --only)" : "");
        int shown = 0;
        int pending = 0;
        for (ShareStatus.FileProgress f : s.files()) {
            boolean show = allFiles || (f.wanted() && !f.inPlace());
            if (!show) {
                continue;
            }
            pending++;
            if (!allFiles && shown == SHOWN_FILES) {
                continue;
            }
            shown++;
            String where = !f.wanted() ? "not wanted" : f.inPlace() ? "in place" : String.format(Locale.ROOT,
                    "%5.1f%%", f.size() == 0 ? 0.0 : 100.0 * f.verifiedBytes() / f.size());
            out.printf(Locale.ROOT, "    %-10s %9s  %s%n", where, Units.bytes(f.size()), f.path());
        }
        if (pending > shown) {
            out.println("    ... and " + (pending - shown) + " more (peerit status " + index + " --files lists all)");
        }
    }
}
