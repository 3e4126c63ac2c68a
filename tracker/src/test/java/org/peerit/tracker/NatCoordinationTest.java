package org.peerit.tracker;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.nat.NatDatagram;
import org.peerit.protocol.nat.NatDatagramCodec;
import org.peerit.protocol.tracker.TrackerLimits;
import org.peerit.protocol.tracker.TrackerMessage;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;
import org.peerit.protocol.tracker.TrackerMessage.ErrorCode;
import org.peerit.tracker.relay.RelayConfig;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Punch coordination and the relay of a real tracker, driven by plain UDP sockets. */
class NatCoordinationTest {
    private Tracker tracker;

    private Tracker start(RelayConfig relay) throws Exception {
        tracker = Tracker.start(TrackerConfig.defaults(InetAddress.getLoopbackAddress(), 0).withRelay(relay));
        return tracker;
    }

    @AfterEach
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
    }

    @Test
    void aPunchTellsEachSideTheOthersSocket() throws Exception {
        start(RelayConfig.defaults());
        SwarmId swarm = TrackerTest.swarm();
        try (TestClient a = TestClient.connectedTo(tracker.address()); TestClient aQuicClient = TestClient.connectedTo(tracker.address());
             TestClient b = TestClient.connectedTo(tracker.address())) {
            a.announce(swarm, AnnounceEvent.STARTED, false, 1000);
            b.announce(swarm, AnnounceEvent.STARTED, true, 2000);
            var started = (TrackerMessage.PunchStarted) aQuicClient.exchange(
                    new TrackerMessage.PunchRequest(5, aQuicClient.connectionId, swarm, a.peerId, b.peerId));
            assertEquals(5, started.txId());
            assertEquals(b.address(), started.target(), "A dials B's announcing (QUIC server) socket");
            var notify = (TrackerMessage.PunchNotify) b.receive();
            assertEquals(aQuicClient.address(), notify.source(), "B probes the socket A asked from");
            assertEquals(started.nonce(), notify.nonce());
            assertEquals(a.peerId, notify.from());
            assertEquals(1, tracker.stats().punches.sum());
        }
    }

    /**
     * A peer whose NAT kept its port (it announces from the port it names) and one whose NAT changed it: the tracker
     * coordinates a birthday punch, the hard side opening sockets towards the easy side's announcing socket and the
     * easy side probing the hard side's address, within the bounds.
     */
    @Test
    void aHardAndAnEasyNatGetABirthdayPunch() throws Exception {
        start(RelayConfig.defaults());
        SwarmId swarm = TrackerTest.swarm();
        try (TestClient easy = TestClient.connectedTo(tracker.address());
             TestClient easyAsker = TestClient.connectedTo(tracker.address());
             TestClient hard = TestClient.connectedTo(tracker.address())) {
            easy.announce(swarm, AnnounceEvent.STARTED, false, easy.address().getPort()); // port kept
            hard.announce(swarm, AnnounceEvent.STARTED, true, 2000); // mapped to another port
            var probe = (TrackerMessage.BirthdayProbe) easyAsker.exchange(
                    new TrackerMessage.PunchRequest(5, easyAsker.connectionId, swarm, easy.peerId, hard.peerId));
            assertEquals(5, probe.txId());
            assertEquals(hard.peerId, probe.peer());
            assertEquals(hard.address().getAddress(), probe.hardAddress());
            var open = (TrackerMessage.BirthdayOpen) hard.receive();
            assertEquals(easy.address(), open.target(), "the hard side probes the easy side's server socket");
            assertEquals(easy.peerId, open.peer());
            assertEquals(probe.nonce(), open.nonce());
            assertTrue(open.sockets() <= TrackerLimits.MAX_BIRTHDAY_SOCKETS && probe.probes() <= TrackerLimits.MAX_BIRTHDAY_PROBES);
            assertEquals(1, tracker.stats().birthdays.sum());

            // Asked by the hard side: it gets the sockets to open, the easy side the probes to send.
            var asked = (TrackerMessage.BirthdayOpen) hard.exchange(
                    new TrackerMessage.PunchRequest(6, hard.connectionId, swarm, hard.peerId, easy.peerId));
            assertEquals(6, asked.txId());
            assertEquals(easy.address(), asked.target());
            assertEquals(hard.address().getAddress(), ((TrackerMessage.BirthdayProbe) easy.receive()).hardAddress());
        }
    }

    @Test
    void punchesAreOnlyBetweenPeersOfOneSwarm() throws Exception {
        start(RelayConfig.defaults());
        SwarmId swarm = TrackerTest.swarm();
        try (TestClient a = TestClient.connectedTo(tracker.address()); TestClient b = TestClient.connectedTo(tracker.address());
             TestClient elsewhere = TestClient.connectedTo(tracker.address())) {
            a.announce(swarm, AnnounceEvent.STARTED, false, 1000);
            elsewhere.announce(TrackerTest.swarm(), AnnounceEvent.STARTED, true, 2000);
            var toStranger = (TrackerMessage.ErrorResponse) a.exchange(
                    new TrackerMessage.PunchRequest(1, a.connectionId, swarm, a.peerId, elsewhere.peerId));
            assertEquals(ErrorCode.REFUSED, toStranger.code());
            var notAnnounced = (TrackerMessage.ErrorResponse) b.exchange(
                    new TrackerMessage.PunchRequest(2, b.connectionId, swarm, b.peerId, a.peerId));
            assertEquals(ErrorCode.REFUSED, notAnnounced.code(), "the asker must be in the swarm itself");
            var forged = (TrackerMessage.ErrorResponse) a.exchange(
                    new TrackerMessage.RelayRequest(3, a.connectionId + 1, swarm, a.peerId, elsewhere.peerId));
            assertEquals(ErrorCode.BAD_CONNECTION_ID, forged.code());
            assertEquals(0, tracker.stats().punches.sum());
        }
    }

    @Test
    void theRelayForwardsBothWaysAndCutsAPairOffAtItsByteBudget() throws Exception {
        start(new RelayConfig(true, 10L << 20, 20_000, Duration.ofMinutes(5), 10, 2));
        SwarmId swarm = TrackerTest.swarm();
        try (TestClient a = TestClient.connectedTo(tracker.address()); TestClient b = TestClient.connectedTo(tracker.address())) {
            a.announce(swarm, AnnounceEvent.STARTED, false, 1000);
            b.announce(swarm, AnnounceEvent.STARTED, true, 2000);
            var grantA = (TrackerMessage.RelayAllocated) a.exchange(
                    new TrackerMessage.RelayRequest(9, a.connectionId, swarm, a.peerId, b.peerId));
            var grantB = (TrackerMessage.RelayAllocated) b.receive();
            assertEquals(b.peerId, grantA.peer());
            assertEquals(a.peerId, grantB.peer());
            assertEquals(grantA.relay(), grantB.relay());
            InetSocketAddress relay = grantA.relay();

            a.sendNat(new NatDatagram.RelayBind(grantA.token() + 1), relay); // a wrong token binds nothing
            a.sendNat(new NatDatagram.RelayBind(grantA.token()), relay);
            b.sendNat(new NatDatagram.RelayBind(grantB.token()), relay);
            assertEquals(new NatDatagram.RelayReady(grantA.token()), nat(a.receiveRaw()));
            assertEquals(new NatDatagram.RelayReady(grantB.token()), nat(b.receiveRaw()));

            byte[] packet = new byte[1200];
            Arrays.fill(packet, (byte) 0x5a); // first byte 0x5a: looks like QUIC
            a.sendBytes(Unpooled.wrappedBuffer(packet), relay);
            DatagramPacket atB = b.receiveRaw();
            assertArrayEquals(packet, Arrays.copyOf(atB.getData(), atB.getLength()));
            assertEquals(relay, atB.getSocketAddress(), "B sees the relay, never A's address");
            b.sendBytes(Unpooled.wrappedBuffer(packet), relay);
            assertEquals(1200, a.receiveRaw().getLength());

            for (int i = 0; i < 20; i++) {
                a.sendBytes(Unpooled.wrappedBuffer(packet), relay);
            }
            int forwarded = 0;
            NatDatagram closedAtB = null;
            while (closedAtB == null) {
                DatagramPacket p = b.receiveRaw();
                if (p.getLength() == 1200) {
                    forwarded++;
                } else {
                    closedAtB = nat(p);
                }
            }
            var closed = assertInstanceOf(NatDatagram.RelayClosed.class, closedAtB);
            assertTrue(closed.reason().contains("byte budget"), closed.reason());
            assertTrue(forwarded < 20, "the relay stopped forwarding at the budget, after " + forwarded);
            assertInstanceOf(NatDatagram.RelayClosed.class, nat(a.receiveRaw()));
            assertTrue(tracker.stats().relayedBytes.sum() <= 20_000 + 1200);
            var again = (TrackerMessage.ErrorResponse) a.exchange(
                    new TrackerMessage.RelayRequest(10, a.connectionId, swarm, a.peerId, b.peerId));
            assertTrue(again.message().contains("relay budget"), "a spent pair gets no fresh budget: " + again.message());
        }
    }

    @Test
    void aTrackerWithoutRelayRefusesPolitely() throws Exception {
        start(new RelayConfig(false, 1, 1, Duration.ofSeconds(1), 1, 1));
        SwarmId swarm = TrackerTest.swarm();
        try (TestClient a = TestClient.connectedTo(tracker.address()); TestClient b = TestClient.connectedTo(tracker.address())) {
            a.announce(swarm, AnnounceEvent.STARTED, false, 1000);
            b.announce(swarm, AnnounceEvent.STARTED, true, 2000);
            var refused = (TrackerMessage.ErrorResponse) a.exchange(
                    new TrackerMessage.RelayRequest(9, a.connectionId, swarm, a.peerId, b.peerId));
            assertEquals(ErrorCode.REFUSED, refused.code());
            assertTrue(refused.message().contains("--no-relay"), refused.message());
        }
    }

    private static NatDatagram nat(DatagramPacket p) {
        return NatDatagramCodec.decode(Unpooled.wrappedBuffer(p.getData(), 0, p.getLength()));
    }
}
