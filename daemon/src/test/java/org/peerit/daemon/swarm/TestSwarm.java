package org.peerit.daemon.swarm;

import org.peerit.daemon.Daemon;
import org.peerit.daemon.DaemonConfig;
import org.peerit.daemon.DaemonPaths;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.tracker.Tracker;
import org.peerit.tracker.TrackerConfig;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.fail;

/** A real tracker and real daemons on loopback in one JVM, each daemon with its own data dir and socket. */
final class TestSwarm implements AutoCloseable {
    final Path root;
    Tracker tracker;
    private final Map<Integer, Daemon> daemons = new TreeMap<>();

    TestSwarm(Path root) throws IOException {
        this.root = root;
        this.tracker = Tracker.start(TrackerConfig.defaults(InetAddress.getLoopbackAddress(), 0)
                .withInterval(Duration.ofSeconds(2)));
    }

    /** Stops the tracker and starts a fresh one (empty tables, new connection-id key) on the same port. */
    void restartTracker() throws IOException {
        int port = tracker.port();
        tracker.close();
        tracker = Tracker.start(TrackerConfig.defaults(InetAddress.getLoopbackAddress(), port)
                .withInterval(Duration.ofSeconds(2)));
    }

    Daemon start(int index, long maxUploadRate, long maxDownloadRate) throws Exception {
        return start(index, maxUploadRate, maxDownloadRate, new TrackerAddress("127.0.0.1", tracker.port()));
    }

    Daemon start(int index, long maxUploadRate, long maxDownloadRate, TrackerAddress trackerAddress) throws Exception {
        return start(index, EngineConfig.defaults(trackerAddress).withRates(maxUploadRate, maxDownloadRate));
    }

    /** A daemon that dials peers over QUIC only. */
    Daemon startQuicOnly(int index) throws Exception {
        return startQuicOnly(index, 0);
    }

    /** A daemon that dials peers over QUIC only and uploads at most {@code maxUploadRate} bytes a second (0: no limit). */
    Daemon startQuicOnly(int index, long maxUploadRate) throws Exception {
        return start(index, EngineConfig.defaults(new TrackerAddress("127.0.0.1", tracker.port())).withoutTcpDialling()
                .withRates(maxUploadRate, 0));
    }

    Daemon start(int index, EngineConfig config) throws Exception {
        DaemonPaths paths = DaemonPaths.of(index, Map.of("PEERIT_HOME", root.resolve("home").toString(),
                "XDG_RUNTIME_DIR", root.resolve("run").toString()));
        Daemon daemon = Daemon.start(new DaemonConfig(index, paths, config));
        daemons.put(index, daemon);
        return daemon;
    }

    void stop(int index) {
        daemons.remove(index).close();
    }

    Path dir(String name) throws IOException {
        return Files.createDirectories(root.resolve(name));
    }

    static Path randomFile(Path dir, String name, long size, long seed) throws IOException {
        Path file = dir.resolve(name);
        Random random = new Random(seed);
        byte[] buffer = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= buffer.length) {
                random.nextBytes(buffer);
                out.write(buffer, 0, (int) Math.min(buffer.length, left));
            }
        }
        return file;
    }

    static ShareStatus status(Daemon d, SwarmId id) throws Exception {
        return d.engine().status(id).get(5, TimeUnit.SECONDS);
    }

    static BitSet have(Daemon d, SwarmId id) throws Exception {
        return d.engine().call(() -> {
            Share s = d.engine().share(id);
            return s == null ? new BitSet() : (BitSet) s.have().clone();
        }).get(5, TimeUnit.SECONDS);
    }

    /** Polls {@code condition} until it holds; a condition that throws fails the test with its exception. */
    static void await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        for (Daemon d : daemons.values()) {
            d.close();
        }
        daemons.clear();
        tracker.close();
    }
}
