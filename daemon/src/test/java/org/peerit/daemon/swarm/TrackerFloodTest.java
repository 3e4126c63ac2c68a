package org.peerit.daemon.swarm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.Daemon;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.tracker.TrackerCodec;
import org.peerit.protocol.tracker.TrackerMessage;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
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
            socket.setSoTimeout(3000);
            var connected = (TrackerMessage.ConnectResponse) exchange(socket, tracker, new TrackerMessage.ConnectRequest(1));
            int accepted = 0;
            for (int i = 0; i < count; i++) {
                byte[] id = new byte[32];
                random.nextBytes(id);
                TrackerMessage reply = exchange(socket, tracker, new TrackerMessage.AnnounceRequest(i, connected.connectionId(),
                        SwarmId.wrap(id), me, TrackerMessage.AnnounceEvent.STARTED, false, 1, 1, 0, List.of()));
                if (reply instanceof TrackerMessage.AnnounceResponse) {
                    accepted++;
                }
            }
            return accepted;
        }
    }

    private static TrackerMessage exchange(DatagramSocket socket, InetSocketAddress to, TrackerMessage msg) throws Exception {
        ByteBuf buf = Unpooled.buffer();
        TrackerCodec.encode(msg, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        socket.send(new DatagramPacket(bytes, bytes.length, to));
        DatagramPacket reply = new DatagramPacket(new byte[65536], 65536);
        socket.receive(reply);
        return TrackerCodec.decode(Unpooled.wrappedBuffer(reply.getData(), 0, reply.getLength()));
    }
}
