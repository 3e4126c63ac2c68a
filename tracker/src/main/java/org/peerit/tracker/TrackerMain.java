package org.peerit.tracker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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

    @Option(names = "--max-peers-per-address", defaultValue = "1000",
            description = "Most peer entries one source IP may hold over all swarms (default: ${DEFAULT-VALUE}).")
    int maxPeersPerAddress;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrackerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (intervalSeconds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--interval must be at least 1 second");
        }
        TrackerConfig config = TrackerConfig.defaults(bind, port)
                .withInterval(Duration.ofSeconds(intervalSeconds))
                .withLimits(maxSwarms, maxPeersPerSwarm, maxPeersPerAddress);
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
        log.info("tracker listening on {}:{} (UDP announces, HTTP /, /stats, /metrics); interval {}s",
                bind.getHostAddress(), tracker.port(), intervalSeconds);
        stopped.await();
        return 0;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TrackerMain.class.getPackage().getImplementationVersion();
            return new String[]{"peerit tracker " + (v == null ? "dev" : v)};
        }
    }
}
