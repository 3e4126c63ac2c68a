package org.peerit.tracker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.tracker.TrackerMessage;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;
import org.peerit.protocol.tracker.TrackerPeer;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real tracker on loopback, driven by a plain UDP socket speaking the protocol. */
class TrackerTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private Tracker tracker;

    @BeforeEach
    void start() throws Exception {
        tracker = Tracker.start(TrackerConfig.defaults(InetAddress.getLoopbackAddress(), 0)
                .withInterval(Duration.ofSeconds(1)).withLimits(100, 100, 5, 8, 0));
    }

    @AfterEach
    void stop() {
        tracker.close();
    }

    static SwarmId swarm() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return SwarmId.wrap(b);
    }

    @Test
    void announceReturnsTheOtherPeersOfTheSwarm() throws Exception {
        SwarmId swarm = swarm();
        try (TestClient seed = new TestClient(tracker.address()); TestClient a = new TestClient(tracker.address()); TestClient b = new TestClient(tracker.address()); TestClient other = new TestClient(tracker.address())) {
            seed.connect();
            a.connect();
            b.connect();
            other.connect();
            assertInstanceOf(TrackerMessage.AnnounceResponse.class, seed.announce(swarm, AnnounceEvent.STARTED, true, 1001));
            other.announce(swarm(), AnnounceEvent.STARTED, false, 1004);
            a.announce(swarm, AnnounceEvent.STARTED, false, 1002);
            var reply = (TrackerMessage.AnnounceResponse) b.announce(swarm, AnnounceEvent.STARTED, false, 1003);
            Set<PeerId> ids = reply.peers().stream().map(TrackerPeer::peerId).collect(Collectors.toSet());
            assertEquals(Set.of(seed.peerId, a.peerId), ids);
            assertEquals(1, reply.seeders());
            assertEquals(2, reply.leechers());
            TrackerPeer seedEntry = reply.peers().stream().filter(TrackerPeer::seed).findFirst().orElseThrow();
            assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1001), seedEntry.endpoint(),
                    "the endpoint is the observed address with the announced port");
            assertEquals(List.of(new InetSocketAddress("198.18.0.7", 1001)), seedEntry.candidates());
            assertTrue(reply.intervalSeconds() >= 1 && reply.intervalSeconds() <= 2);

            var seedReply = (TrackerMessage.AnnounceResponse) seed.announce(swarm, AnnounceEvent.NONE, true, 1001);
            assertEquals(2, seedReply.peers().size(), "a seed is given leechers only");

            a.announce(swarm, AnnounceEvent.STOPPED, false, 1002);
            var after = (TrackerMessage.AnnounceResponse) b.announce(swarm, AnnounceEvent.NONE, false, 1003);
            assertEquals(Set.of(seed.peerId), after.peers().stream().map(TrackerPeer::peerId).collect(Collectors.toSet()));
        }
    }

    @Test
    void refusesForgedConnectionIds() throws Exception {
        try (TestClient c = new TestClient(tracker.address())) {
            c.connectionId = 12345;
            var reply = (TrackerMessage.ErrorResponse) c.announce(swarm(), AnnounceEvent.STARTED, false, 1);
            assertEquals(TrackerMessage.ErrorCode.BAD_CONNECTION_ID, reply.code());
            assertEquals(0, tracker.table().peerCount());
        }
    }

    @Test
    void connectionIdsAreBoundToTheSourceAddress() throws Exception {
        try (TestClient a = new TestClient(tracker.address()); TestClient b = new TestClient(tracker.address())) {
            a.connect();
            b.connectionId = a.connectionId; // a different source port replays a's id
            var reply = (TrackerMessage.ErrorResponse) b.announce(swarm(), AnnounceEvent.STARTED, false, 1);
            assertEquals(TrackerMessage.ErrorCode.BAD_CONNECTION_ID, reply.code());
        }
    }

    @Test
    void aSocketOverItsCapMakesRoomWithItsOwnOldestEntries() throws Exception {
        try (TestClient flooder = TestClient.connectedTo(tracker.address());
             TestClient neighbour = TestClient.connectedTo(tracker.address())) {
            SwarmId honest = swarm();
            assertInstanceOf(TrackerMessage.AnnounceResponse.class, neighbour.announce(honest, AnnounceEvent.STARTED, true, 7));
            List<SwarmId> flood = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                SwarmId s = swarm();
                flood.add(s);
                assertInstanceOf(TrackerMessage.AnnounceResponse.class, flooder.announce(s, AnnounceEvent.STARTED, false, 1),
                        "a newcomer is never refused for what its socket already holds");
            }
            for (int i = 0; i < 20; i++) {
                boolean kept = tracker.table().find(flood.get(i), flooder.peerId) != null;
                assertEquals(i >= 15, kept, "entry " + i + ": only the flooder's newest 5 are kept");
            }
            assertTrue(tracker.table().find(honest, neighbour.peerId) != null, "the neighbour on the same address stays");
            assertEquals(6, tracker.table().peerCount());
            assertEquals(15, tracker.table().evictedCount());
        }
    }

    @Test
    void anAddressOverItsCapMakesRoomFromItsBusiestSocketNotFromItsQuietNeighbours() throws Exception {
        List<TestClient> flooders = new java.util.ArrayList<>();
        try (TestClient neighbour = TestClient.connectedTo(tracker.address())) {
            SwarmId a = swarm();
            SwarmId b = swarm();
            neighbour.announce(a, AnnounceEvent.STARTED, true, 7);
            neighbour.announce(b, AnnounceEvent.STARTED, true, 7);
            for (int k = 0; k < 3; k++) {
                TestClient f = TestClient.connectedTo(tracker.address());
                flooders.add(f);
                for (int i = 0; i < 5; i++) {
                    assertInstanceOf(TrackerMessage.AnnounceResponse.class, f.announce(swarm(), AnnounceEvent.STARTED, false, 1));
                }
            }
            assertEquals(8, tracker.table().peerCount(), "the address holds its cap of 8 entries");
            assertTrue(tracker.table().find(a, neighbour.peerId) != null && tracker.table().find(b, neighbour.peerId) != null,
                    "the quiet neighbour keeps both its entries");
        } finally {
            flooders.forEach(TestClient::close);
        }
    }

    @Test
    void survivesGarbageAndExpiresSilentPeers() throws Exception {
        try (TestClient c = new TestClient(tracker.address())) {
            byte[] junk = {0x01, 0x02, 0x03};
            c.socket.send(new DatagramPacket(junk, junk.length, tracker.address()));
            c.connect(); // still answering
            c.announce(swarm(), AnnounceEvent.STARTED, false, 1);
            assertEquals(1, tracker.table().peerCount());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (tracker.table().peerCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(0, tracker.table().peerCount(), "a peer that stops announcing expires after two intervals");
            assertEquals(1, tracker.stats().malformed.sum());
        }
    }

    @Test
    void answersStunBindingRequestsWithTheClientsAddress() throws Exception {
        try (TestClient c = new TestClient(tracker.address())) {
            byte[] tx = new byte[12];
            RANDOM.nextBytes(tx);
            ByteBuf request = org.peerit.protocol.stun.StunCodec.bindingRequest(io.netty.buffer.ByteBufAllocator.DEFAULT, tx);
            byte[] bytes = new byte[request.readableBytes()];
            request.readBytes(bytes);
            request.release();
            c.socket.send(new DatagramPacket(bytes, bytes.length, tracker.address()));
            DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
            c.socket.receive(reply);
            var response = org.peerit.protocol.stun.StunCodec.decode(
                    Unpooled.wrappedBuffer(reply.getData(), 0, reply.getLength()));
            assertEquals(org.peerit.protocol.stun.StunCodec.BINDING_SUCCESS, response.type());
            assertEquals(c.socket.getLocalSocketAddress(), response.mappedAddress());
            assertEquals(1, tracker.stats().stun.sum());
            c.connect(); // the tracker protocol on the same port is unaffected
        }
    }

    @Test
    void servesStatsOverHttpOnTheSamePort() throws Exception {
        try (TestClient c = new TestClient(tracker.address())) {
            c.connect();
            c.announce(swarm(), AnnounceEvent.STARTED, true, 1);
        }
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + tracker.port();
        HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(base + "/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, stats.statusCode());
        assertTrue(stats.body().contains("\"peers\" : 1"), stats.body());
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(metrics.body().contains("peerit_tracker_announces_total 1"), metrics.body());
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/plain")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(page.body().contains("1 swarms, 1 peers"), page.body());
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(live.body().contains("fetch('/stats'"), "the live page reads /stats itself");
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base + "/nope")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
    }
}
