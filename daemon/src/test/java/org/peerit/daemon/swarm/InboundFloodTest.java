package org.peerit.daemon.swarm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.Daemon;
import org.peerit.daemon.connect.InboundGate;
import org.peerit.daemon.connect.InboundLimits;
import org.peerit.daemon.session.PeerHandshake;
import org.peerit.protocol.manifest.Manifest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strangers who connect and never complete a handshake (issue 10, case 1), against a real daemon on loopback: they
 * are held within the caps, cut off fast, and neither the control path nor a real peer's download notices them.
 * The attackers connect from 127.0.0.2 and up, the honest peer from 127.0.0.1, as they would from different hosts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InboundFloodTest {
    private static final long MIB = 1 << 20;
    /** The attack as reported: a block-sized length, then the block, and never a handshake. */
    private static final int JUNK_LENGTH = 131081;

    @TempDir
    Path root;
    private TestSwarm swarm;
    private final List<SocketChannel> attackers = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        swarm = new TestSwarm(root);
    }

    @AfterEach
    void tearDown() {
        for (SocketChannel c : attackers) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing a socket the daemon reset
            }
        }
        swarm.close();
    }

    @Test
    void aFloodOfBlockSizedFramesBeforeAnyHandshakeIsCutOffAndHurtsNobody() throws Exception {
        Daemon seeder = swarm.start(1, 0, 0);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "album.bin", 24 * MIB + 7, 5);
        Manifest manifest = seeder.engine().register(original, (d, t) -> { }).get(30, TimeUnit.SECONDS).manifest();
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", seeder.engine().listenPort());

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger maxPending = new AtomicInteger();
        AtomicLong slowestStatusMillis = new AtomicLong();
        Thread watcher = new Thread(() -> {
            while (!stop.get()) {
                try {
                    long t0 = System.nanoTime();
                    InboundGate.Stats held = seeder.engine().inboundStats().get(5, TimeUnit.SECONDS);
                    seeder.engine().status().get(5, TimeUnit.SECONDS);
                    slowestStatusMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    maxPending.accumulateAndGet(held.pending(), Math::max);
                    Thread.sleep(20);
                } catch (Exception e) {
                    slowestStatusMillis.set(Long.MAX_VALUE);
                    return;
                }
            }
        }, "flood-watcher");
        watcher.start();

        Daemon leecher = swarm.start(2, 0, 0);
        int junkFlood = 1500;
        byte[] junk = new byte[JUNK_LENGTH - 1];
        for (int i = 0; i < junkFlood; i++) {
            SocketChannel c = connectFrom(i, target);
            ByteBuffer frame = ByteBuffer.allocate(4 + junk.length).putInt(JUNK_LENGTH).put(junk).flip();
            try {
                c.write(frame); // non-blocking: what the socket takes; the daemon will not read much of it anyway
            } catch (IOException refused) {
                // the daemon closed it already: what we want
            }
            if (i == 200) {
                leecher.engine().download(manifest, swarm.dir("honest")); // an honest peer arrives mid-flood
            }
        }
        // Every junk connection is closed as soon as its length arrives: none waits for the handshake deadline (5 s),
        // let alone the idle timeout (120 s).
        TestSwarm.await("the daemon to close every junk connection", Duration.ofSeconds(2), () -> countOpen() == 0);
        Path done = leecher.engine().status(manifest.swarmId()).thenApply(s -> Path.of(s.path())).get(5, TimeUnit.SECONDS);
        TestSwarm.await("the honest download", Duration.ofSeconds(60),
                () -> Files.exists(done) && TestSwarm.status(leecher, manifest.swarmId()).state() == ShareState.SEEDING);
        assertEquals(-1L, Files.mismatch(original, done), "the honest peer got the file intact");

        stop.set(true);
        watcher.join();
        assertTrue(maxPending.get() <= InboundLimits.defaults().pending(),
                "pending connections held: " + maxPending.get());
        assertTrue(slowestStatusMillis.get() < 1000, "status answered within 1 s under the flood; slowest "
                + slowestStatusMillis.get() + " ms");
    }

    @Test
    void silentConnectionsAreClosedAfterTheHandshakeDeadlineAndCappedPerAddress() throws Exception {
        Daemon daemon = swarm.start(1, 0, 0);
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", daemon.engine().listenPort());
        InetAddress one = InetAddress.getByName("127.0.0.9");
        for (int i = 0; i < 40; i++) {
            SocketChannel c = SocketChannel.open();
            c.bind(new InetSocketAddress(one, 0));
            c.connect(target);
            c.configureBlocking(false);
            attackers.add(c);
        }
        Thread.sleep(500);
        int perAddress = InboundLimits.defaults().pendingPerAddress();
        assertEquals(perAddress, countOpen(), "all but " + perAddress + " connections from one address are refused at once");
        assertEquals(perAddress, daemon.engine().inboundStats().get(5, TimeUnit.SECONDS).pending());
        long t0 = System.nanoTime();
        TestSwarm.await("the handshake deadline", Duration.ofSeconds(PeerHandshake.TIMEOUT_SECONDS + 5),
                () -> countOpen() == 0);
        long waited = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(waited >= (PeerHandshake.TIMEOUT_SECONDS - 1) * 1000,
                "closed by the deadline, not at once (" + waited + " ms)");
        assertEquals(0, daemon.engine().inboundStats().get(5, TimeUnit.SECONDS).pending());
    }

    /** Connection {@code i} of the flood, from one of 50 loopback addresses (a few dozen hosts attacking at once). */
    private SocketChannel connectFrom(int i, InetSocketAddress target) throws IOException {
        SocketChannel c = SocketChannel.open();
        c.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + (2 + i % 50)), 0));
        c.connect(target);
        c.configureBlocking(false);
        attackers.add(c);
        return c;
    }

    /** How many attacker connections the daemon has not closed yet (a read sees end of stream, or a reset). */
    private int countOpen() {
        int open = 0;
        ByteBuffer sink = ByteBuffer.allocate(4096);
        for (SocketChannel c : attackers) {
            if (!c.isOpen()) {
                continue;
            }
            try {
                sink.clear();
                if (c.read(sink) < 0) {
                    c.close();
                } else {
                    open++;
                }
            } catch (IOException reset) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
        return open;
    }

    /**
     * Running out of memory is the engine's problem, not one peer's: every connection without a handshake is shed and
     * accepting pauses, while an established download goes on.
     */
    @Test
    void outOfMemoryShedsEveryUnprovenConnectionAndSparesRealTransfers() throws Exception {
        Daemon seeder = swarm.start(1, 2 << 20, 0);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "big.bin", 8 * MIB, 6);
        Manifest m = seeder.engine().register(original, (d, t) -> { }).get(30, TimeUnit.SECONDS).manifest();
        Daemon leecher = swarm.start(2, 0, 0);
        var done = leecher.engine().download(m, swarm.dir("leecher")).get(5, TimeUnit.SECONDS).completion();
        TestSwarm.await("the download to run", Duration.ofSeconds(10),
                () -> TestSwarm.status(leecher, m.swarmId()).verifiedBytes() > 0);
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", seeder.engine().listenPort());
        for (int i = 0; i < 6; i++) {
            connectFrom(i, target);
        }
        TestSwarm.await("six pending connections", Duration.ofSeconds(5),
                () -> seeder.engine().inboundStats().get(5, TimeUnit.SECONDS).pending() == 6);
        seeder.engine().call(() -> {
            seeder.engine().gate().pendingChannels().get(0).pipeline()
                    .fireExceptionCaught(new OutOfMemoryError("Cannot reserve 1048576 bytes of direct buffer memory"));
            return null;
        }).get(5, TimeUnit.SECONDS);
        TestSwarm.await("every unproven connection shed", Duration.ofSeconds(2), () -> countOpen() == 0);
        connectFrom(7, target); // accepting is paused: the kernel queues it, the daemon takes it up after 2 s
        Thread.sleep(1000);
        assertEquals(0, seeder.engine().inboundStats().get(5, TimeUnit.SECONDS).pending(), "not accepted while paused");
        TestSwarm.await("accepting again", Duration.ofSeconds(5),
                () -> seeder.engine().inboundStats().get(5, TimeUnit.SECONDS).pending() == 1);
        assertEquals(-1L, Files.mismatch(original, done.get(60, TimeUnit.SECONDS)), "the real transfer went on");
    }
}
