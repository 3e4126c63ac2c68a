package org.peerit.tracker;

import org.peerit.protocol.ByteSize;
import org.peerit.tracker.relay.RelayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import org.peerit.tracker.http.StatsAccess;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar tracker.jar}: runs a tracker in the foreground until interrupted. */
@Command(name = "tracker.jar", mixinStandardHelpOptions = true, versionProvider = TrackerMain.Version.class,
        description = "Runs the peerit tracker: swarm tables over UDP and stats over HTTP, on one port number.")
public final class TrackerMain implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(TrackerMain.class);

    @Option(names = "--port", defaultValue = "59000", description = "UDP and TCP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    InetAddress bind;

    @Option(names = "--interval", defaultValue = "120", description = "Seconds between a peer's re-announces (default: ${DEFAULT-VALUE}).")
    int intervalSeconds;

    @Option(names = "--max-swarms", defaultValue = "100000", description = "Most swarms held (default: ${DEFAULT-VALUE}).")
    int maxSwarms;

    @Option(names = "--max-peers-per-swarm", defaultValue = "10000", description = "Most peers per swarm (default: ${DEFAULT-VALUE}).")
    int maxPeersPerSwarm;

    @Option(names = "--max-peers-per-source", defaultValue = "1000",
            description = "Most peer entries one announcing socket (ip:port, one daemon) may hold over all swarms;"
                    + " past it, its own oldest make room (default: ${DEFAULT-VALUE}).")
    int maxPeersPerSource;

    @Option(names = "--max-peers-per-address", defaultValue = "10000",
            description = "Most peer entries one IP may hold (many daemons share one behind a NAT); past it, the"
                    + " oldest of its busiest socket make room (default: ${DEFAULT-VALUE}).")
    int maxPeersPerAddress;

    @Option(names = "--new-peers-rate", defaultValue = "50",
            description = "New peer entries a second one socket may add, in bursts of 10 s worth; ten times that per"
                    + " IP; re-announces do not count; 0 for no limit (default: ${DEFAULT-VALUE}).")
    int newPeersPerSecond;

    @Option(names = "--no-relay", description = "Do not relay for peers that cannot reach each other directly.")
    boolean noRelay;

    @Option(names = "--relay-rate", defaultValue = "2M", converter = SizeConverter.class,
            description = "Bytes per second one relayed pair may move, K/M/G (default: ${DEFAULT-VALUE}).")
    long relayRate;

    @Option(names = "--relay-bytes", defaultValue = "1G", converter = SizeConverter.class,
            description = "Bytes one relayed pair may move before it is cut off (default: ${DEFAULT-VALUE}).")
    long relayBytes;

    @Option(names = "--relay-lifetime", defaultValue = "3600",
            description = "Seconds one relay allocation may live (default: ${DEFAULT-VALUE}).")
    int relayLifetimeSeconds;

    @Option(names = "--max-relays", defaultValue = "256", description = "Relay allocations at once (default: ${DEFAULT-VALUE}).")
    int maxRelays;

    @Option(names = "--max-relays-per-address", defaultValue = "8",
            description = "Relay allocations one IP address may be part of (default: ${DEFAULT-VALUE}).")
    int maxRelaysPerAddress;

    @Option(names = "--log-dir", paramLabel = "DIR", description = "Also log to DIR/tracker.log, rolled daily and at "
            + TrackerLogFile.MAX_FILE + ", at most " + TrackerLogFile.TOTAL_CAP + " kept (default: stderr only).")
    java.nio.file.Path logDir;

    @Option(names = "--stats-allow", paramLabel = "CIDR", description = "A network that may see which peer shares which"
            + " swarm on the HTTP pages (repeatable; default: loopback only). Everyone else sees counts.")
    java.util.List<String> statsAllow = new java.util.ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrackerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (intervalSeconds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--interval must be at least 1 second");
        }
        if (relayRate < 1 || relayBytes < 1 || relayLifetimeSeconds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--relay-rate, --relay-bytes and --relay-lifetime must be positive (use --no-relay to switch it off)");
        }
        if (logDir != null) {
            TrackerLogFile.start(logDir);
        }
        java.util.List<String> allow = statsAllow.isEmpty() ? StatsAccess.DEFAULT : statsAllow;
        try {
            StatsAccess.of(allow);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--stats-allow " + e.getMessage());
        }
        TrackerConfig config = TrackerConfig.defaults(bind, port).withStatsAllow(allow)
                .withInterval(Duration.ofSeconds(intervalSeconds))
                .withLimits(maxSwarms, maxPeersPerSwarm, maxPeersPerSource, maxPeersPerAddress, newPeersPerSecond)
                .withRelay(new RelayConfig(!noRelay, relayRate, relayBytes, Duration.ofSeconds(relayLifetimeSeconds),
                        maxRelays, maxRelaysPerAddress));
        Tracker tracker;
        try {
            tracker = Tracker.start(config);
        } catch (Exception e) {
            System.err.println("tracker: cannot listen on " + bind.getHostAddress() + ":" + port + ": " + e.getMessage()
                    + " (is another tracker running? choose another --port)");
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            tracker.close();
            stopped.countDown();
        }, "tracker-shutdown"));
        log.info("tracker listening on {}:{} (UDP announces, STUN, punching; HTTP /, /stats, /metrics); interval {}s; {}",
                bind.getHostAddress(), tracker.port(), intervalSeconds,
                noRelay ? "relay off" : "relay up to " + relayRate + " B/s and " + relayBytes + " bytes per pair");
        stopped.await();
        return 0;
    }

    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return ByteSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TrackerMain.class.getPackage().getImplementationVersion();
            return new String[]{"peerit tracker " + (v == null ? "dev" : v)};
        }
    }
}
