package org.peerit.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.peerit.daemon.control.ControlHandler;
import org.peerit.daemon.control.ControlServer;
import org.peerit.daemon.control.DaemonInfo;
import org.peerit.daemon.identity.Identity;
import org.peerit.daemon.storage.StateStore;
import org.peerit.daemon.swarm.SwarmEngine;
import org.peerit.protocol.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running daemon: identity, swarm engine and control socket. Several can run in one JVM (tests) or on one
 * machine (by index). {@link #start} returns once it serves; {@link #close} stops it and saves its state.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private final DaemonConfig config;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final Identity identity;
    private final SwarmEngine engine;
    private final ControlServer control;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();

    private Daemon(DaemonConfig config) throws IOException, InterruptedException {
        this.config = config;
        config.paths().prepare();
        Path dataDir = config.paths().dataDir();
        this.lockFile = FileChannel.open(dataDir.resolve("daemon.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock acquired;
        try {
            acquired = lockFile.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            acquired = null; // held by another daemon in this JVM
        } catch (IOException e) {
            lockFile.close();
            throw e;
        }
        if (acquired == null) {
            lockFile.close();
            throw new IOException("daemon " + config.index() + " is already running (its data dir " + dataDir
                    + " is locked); stop it first with: peerit stop " + config.index());
        }
        this.lock = acquired;
        SwarmEngine startedEngine = null;
        try {
            this.identity = Identity.loadOrCreate(dataDir);
            ObjectMapper json = new ObjectMapper();
            StateStore store = new StateStore(dataDir, json);
            startedEngine = SwarmEngine.start(config.engine(), identity, store);
            this.engine = startedEngine;
            DaemonInfo info = new DaemonInfo(config.index(), identity.peerId().hex(), trackerNames(config),
                    engine.listenPort(), engine.quicPort(), config.engine().maxUploadRate(),
                    config.engine().maxDownloadRate(), dataDir.toString(), config.engine().lanPort() != 0, null, null,
                    null, null);
            this.control = new ControlServer(config.paths().socket(), new ControlHandler(engine, info, this::stopAsync));
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (startedEngine != null) {
                startedEngine.close();
            }
            lock.release();
            lockFile.close();
            throw e;
        }
        log.info("daemon {} running: peer id {}, peers on TCP port {} and QUIC (UDP) port {}, {}, control socket {}",
                config.index(), identity.peerId().shortHex(), engine.listenPort(), engine.quicPort(), sources(config),
                config.paths().socket());
    }

    private static List<String> trackerNames(DaemonConfig config) {
        return config.engine().trackers().stream().map(Object::toString).toList();
    }

    /** Where the daemon looks for peers, as its log and the CLI say it. */
    public static String sources(DaemonConfig config) {
        List<String> out = new ArrayList<>();
        List<String> trackers = trackerNames(config);
        out.add(trackers.isEmpty() ? "no tracker" : (trackers.size() == 1 ? "tracker " : "trackers ") + String.join(", ", trackers));
        out.add(config.engine().dht().enabled() ? "DHT on UDP " + config.engine().dht().port() : "no DHT");
        out.add(config.engine().lanPort() != 0 ? "LAN discovery" : "no LAN discovery");
        return String.join(", ", out);
    }

    public static Daemon start(DaemonConfig config) throws IOException, InterruptedException {
        return new Daemon(config);
    }

    public PeerId peerId() {
        return identity.peerId();
    }

    public SwarmEngine engine() {
        return engine;
    }

    public DaemonConfig config() {
        return config;
    }

    /** Blocks until the daemon has stopped (by {@link #close} or a {@code stop} request). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    private void stopAsync() {
        Thread t = new Thread(this::close, "peerit-stop");
        t.start();
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        log.info("daemon {} stopping", config.index());
        control.close();
        engine.close();
        try {
            lock.release();
            lockFile.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
        stopped.countDown();
        log.info("daemon {} stopped", config.index());
    }
}
