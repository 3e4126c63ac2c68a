package org.peerit.cli;

import org.peerit.daemon.Daemon;
import org.peerit.daemon.DaemonConfig;
import org.peerit.daemon.DaemonPaths;
import org.peerit.daemon.swarm.EngineConfig;
import org.peerit.protocol.manifest.TrackerAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code peerit daemon N TRACKER}: runs daemon N in the foreground until Ctrl-C or {@code peerit stop N}. */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = "Runs daemon INDEX in the foreground: announces to TRACKER, serves and downloads chunks.")
final class DaemonCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INDEX", description = "Daemon number (1, 2, ...): picks its data and socket.")
    int index;

    @Parameters(index = "1", paramLabel = "TRACKER", description = "Tracker as host:port (port defaults to 59000).")
    String tracker;

    @Option(names = "--port", defaultValue = "0", description = "TCP port for peers (default: any free port).")
    int port;

    @Option(names = "--quic-port", defaultValue = "0",
            description = "UDP port for QUIC from peers, and for STUN, punching and the relay (default: any free port).")
    int quicPort;

    @Option(names = "--quic-only",
            description = "Dial peers over QUIC only, never TCP (to try the NAT paths; TCP peers can still dial us).")
    boolean quicOnly;

    @Option(names = "--max-upload-rate", defaultValue = "0", converter = ByteSizeConverter.class,
            description = "Upload limit in bytes per second, K/M/G in binary units (20M = 20 MiB/s); 0 = none.")
    long maxUploadRate;

    @Option(names = "--max-download-rate", defaultValue = "0", converter = ByteSizeConverter.class,
            description = "Download limit in bytes per second, K/M/G in binary units; 0 = none.")
    long maxDownloadRate;

    @Override
    public Integer call() throws Exception {
        TrackerAddress trackerAddress;
        try {
            trackerAddress = TrackerAddress.parse(tracker);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tracker '" + tracker + "': " + e.getMessage());
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port " + port + " is outside 0..65535");
        }
        if (quicPort < 0 || quicPort > 65535) {
            throw new IllegalArgumentException("--quic-port " + quicPort + " is outside 0..65535");
        }
        DaemonPaths paths = DaemonPaths.of(index, System.getenv());
        // Logging is configured before the first logger exists: the daemon logs to its data dir and stderr.
        System.setProperty("peerit.logDir", paths.dataDir().toString());
        if (System.getProperty("logback.configurationFile") == null) { // a user's own configuration wins
            System.setProperty("logback.configurationFile", "logback-daemon.xml");
        }
        EngineConfig engine = EngineConfig.defaults(trackerAddress).withListenPort(port).withQuicPort(quicPort)
                .withRates(maxUploadRate, maxDownloadRate);
        if (quicOnly) {
            engine = engine.withoutTcpDialling();
        }
        Daemon daemon = Daemon.start(new DaemonConfig(index, paths, engine));
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "peerit-shutdown"));
        System.err.println("peerit: daemon " + index + " running (peers on TCP " + daemon.engine().listenPort()
                + " and UDP " + daemon.engine().quicPort() + ", tracker " + trackerAddress + "); logs in " + paths.dataDir().resolve("daemon.log")
                + "; stop with Ctrl-C or: peerit stop " + index);
        daemon.awaitStop();
        return 0;
    }
}
