package org.peerit.cli;

import org.peerit.daemon.Daemon;
import org.peerit.daemon.DaemonConfig;
import org.peerit.daemon.DaemonPaths;
import org.peerit.daemon.SystemdNotify;
import org.peerit.daemon.dht.DhtSettings;
import org.peerit.daemon.swarm.EngineConfig;
import org.peerit.protocol.lan.LocalAnnounce;
import org.peerit.protocol.manifest.TrackerAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code peerit daemon N [TRACKER...]}: runs daemon N in the foreground until Ctrl-C or {@code peerit stop N}. With
 * no tracker it finds peers through the DHT and the LAN alone.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = {"Runs daemon INDEX in the foreground: finds peers through the TRACKERs, the Mainline DHT and the"
                + " LAN, serves and downloads chunks.",
                "With no TRACKER, the DHT and the LAN alone find peers, and manifests it writes name no tracker."})
final class DaemonCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INDEX", description = "Daemon number (1, 2, ...): picks its data and socket.")
    int index;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "TRACKER",
            description = "Trackers as host:port (port defaults to 59000); announced to for every swarm.")
    List<String> trackers = new ArrayList<>();

    @Option(names = "--dht-port", paramLabel = "PORT",
            description = "UDP port of the DHT node (default: 6880 + INDEX, so 6881 for daemon 1).")
    Integer dhtPort;

    @Option(names = "--dht-bootstrap", paramLabel = "HOST:PORT",
            description = "A DHT node to join through (repeatable; default: the well-known public routers "
                    + "dht.transmissionbt.com, router.bittorrent.com, router.utorrent.com, router.silotis.us).")
    List<String> dhtBootstrap = new ArrayList<>();

    @Option(names = "--no-dht", description = "Do not join the Mainline DHT.")
    boolean noDht;

    @Option(names = "--no-lan", description = "Do not announce to, or listen for, peers on the LAN (multicast "
            + LocalAnnounce.GROUP + ":" + LocalAnnounce.PORT + ").")
    boolean noLan;

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

    @Option(names = "--config", paramLabel = "FILE",
            description = "Settings file (default: $XDG_CONFIG_HOME/peerit/daemon-INDEX.conf, if it exists). Flags win.")
    Path configFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EngineConfig engine = engineConfig(configFile != null ? DaemonConfigFile.read(requireFile(configFile))
                : DaemonConfigFile.read(DaemonConfigFile.defaultPath(index, System.getenv())));
        DaemonPaths paths = DaemonPaths.of(index, System.getenv());
        // Logging is configured before the first logger exists: the daemon logs to its data dir and stderr.
        System.setProperty("peerit.logDir", paths.dataDir().toString());
        if (System.getProperty("logback.configurationFile") == null) { // a user's own configuration wins
            System.setProperty("logback.configurationFile", "logback-daemon.xml");
        }
        DaemonConfig config = new DaemonConfig(index, paths, engine);
        Daemon daemon = Daemon.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            SystemdNotify.send(System.getenv(), "STOPPING=1");
            daemon.close();
        }, "peerit-shutdown"));
        String running = "daemon " + index + " running (peers on TCP " + daemon.engine().listenPort()
                + " and UDP " + daemon.engine().quicPort() + "; " + Daemon.sources(config) + ")";
        System.err.println("peerit: " + running + "; logs in " + paths.dataDir().resolve("daemon.log")
                + "; stop with Ctrl-C or: peerit stop " + index);
        SystemdNotify.send(System.getenv(), "READY=1\nSTATUS=" + running); // under systemd's Type=notify
        daemon.awaitStop();
        return 0;
    }

    private static Path requireFile(Path file) throws java.io.IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new java.io.IOException("--config " + file + " does not exist or is not a file");
        }
        return file;
    }

    /** Whether the option named {@code name} was given on the command line (then it wins over the file). */
    private boolean given(String name) {
        return spec.commandLine().getParseResult().hasMatchedOption(name);
    }

    /** The engine's settings: each from its flag if given, else from {@code file}, else the default. */
    EngineConfig engineConfig(DaemonConfigFile file) {
        if (trackers.isEmpty()) {
            trackers = new ArrayList<>(file.all("tracker"));
        }
        if (dhtBootstrap.isEmpty()) {
            dhtBootstrap = new ArrayList<>(file.all("dht-bootstrap"));
        }
        if (!given("--dht-port") && file.get("dht-port") != null) {
            dhtPort = Integer.parseInt(file.get("dht-port"));
        }
        if (!given("--port") && file.get("port") != null) {
            port = Integer.parseInt(file.get("port"));
        }
        if (!given("--quic-port") && file.get("quic-port") != null) {
            quicPort = Integer.parseInt(file.get("quic-port"));
        }
        if (!given("--max-upload-rate") && file.get("max-upload-rate") != null) {
            maxUploadRate = org.peerit.protocol.ByteSize.parse(file.get("max-upload-rate"));
        }
        if (!given("--max-download-rate") && file.get("max-download-rate") != null) {
            maxDownloadRate = org.peerit.protocol.ByteSize.parse(file.get("max-download-rate"));
        }
        if (!given("--no-dht") && "off".equals(file.get("dht"))) {
            noDht = true;
        }
        if (!given("--no-lan") && "off".equals(file.get("lan"))) {
            noLan = true;
        }
        List<TrackerAddress> trackerAddresses = new ArrayList<>();
        for (String tracker : trackers) {
            try {
                TrackerAddress parsed = TrackerAddress.parse(tracker);
                if (!trackerAddresses.contains(parsed)) {
                    trackerAddresses.add(parsed);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tracker '" + tracker + "': " + e.getMessage());
            }
        }
        for (String node : dhtBootstrap) {
            try {
                TrackerAddress.parse(node); // the same host:port rules
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--dht-bootstrap '" + node + "': " + e.getMessage());
            }
            if (!node.contains(":")) {
                throw new IllegalArgumentException("--dht-bootstrap '" + node + "': give host:port");
            }
        }
        int dhtUdpPort = dhtPort == null ? DhtSettings.defaultPort(index) : dhtPort;
        if (dhtUdpPort < 1 || dhtUdpPort > 65535) {
            throw new IllegalArgumentException("--dht-port " + dhtUdpPort + " is outside 1..65535");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port " + port + " is outside 0..65535");
        }
        if (quicPort < 0 || quicPort > 65535) {
            throw new IllegalArgumentException("--quic-port " + quicPort + " is outside 0..65535");
        }
        EngineConfig engine = EngineConfig.defaults(trackerAddresses).withListenPort(port).withQuicPort(quicPort)
                .withRates(maxUploadRate, maxDownloadRate)
                .withDht(noDht ? DhtSettings.off() : new DhtSettings(true, dhtUdpPort, dhtBootstrap))
                .withLan(noLan ? 0 : LocalAnnounce.PORT);
        if (quicOnly) {
            engine = engine.withoutTcpDialling();
        }
        return engine;
    }
}
