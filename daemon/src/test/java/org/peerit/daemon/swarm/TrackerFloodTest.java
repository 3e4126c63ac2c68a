package org.peerit.daemon.swarm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.Daemon;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.tracker.TrackerMessage;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, case 3, end to end: a host floods the tracker with announces for random swarms from the address real
 * daemons use (all of loopback is one address here, as a home NAT's is), and those daemons are still tracked and
 * still find each other.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TrackerFloodTest {
    @TempDir
    Path root;
    private TestSwarm swarm;

    @BeforeEach
    void setUp() throws Exception {
        swarm = new TestSwarm(root);
    }

    @AfterEach
    void tearDown() {
        swarm.close();
    }

    @Test
    void aJunkAnnounceFloodFromTheDaemonsAddressLocksNobodyOut() throws Exception {
        int accepted = flood(new InetSocketAddress(InetAddress.getLoopbackAddress(), swarm.tracker.port()), 1500);
        assertTrue(accepted >= 500, "the flood's first burst was taken: " + accepted);
        Daemon seeder = swarm.start(1, 0, 0);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "report.pdf", 2 << 20, 3);
        Manifest m = seeder.engine().register(original, (d, t) -> { }).get(30, TimeUnit.SECONDS).manifest();
        TestSwarm.await("the seeder to be tracked", Duration.ofSeconds(10),
                () -> swarm.tracker.table().find(m.swarmId(), seeder.engine().peerId()) != null);
        Daemon leecher = swarm.start(2, 0, 0);
        Path file = leecher.engine().download(m, swarm.dir("leecher")).get(5, TimeUnit.SECONDS).completion()
                .get(60, TimeUnit.SECONDS);
        assertEquals(-1L, Files.mismatch(original, file));
    }

    /** Announces {@code count} random swarms from one socket; returns how many the tracker accepted. */
    private static int flood(InetSocketAddress tracker, int count) throws Exception {
        SecureRandom random = new SecureRandom();
        PeerId me = PeerId.random(random);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            long connectionId = TrackerAnnounce.connect(socket, tracker);
            int accepted = 0;
            for (int i = 0; i < count; i++) {
                byte[] id = new byte[32];
                random.nextBytes(id);
                if (TrackerAnnounce.announce(socket, tracker, connectionId, SwarmId.wrap(id), me, false, 1)
                        instanceof TrackerMessage.AnnounceResponse) {
                    accepted++;
                }
            }
            return accepted;
        }
    }
}
