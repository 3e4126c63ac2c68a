package org.peerit.daemon.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.peerit.daemon.download.Block;
import org.peerit.daemon.download.PiecePicker;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.daemon.storage.Bitfields;
import org.peerit.daemon.upload.Choker;
import org.peerit.daemon.upload.SuperSeeder;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ManifestRules;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PexPeer;
import org.peerit.protocol.wire.WireLimits;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The handshake and the session on an {@link EmbeddedChannel}, with no engine, no sockets and no TLS: a QUIC path,
 * where the connection's certificate has already proven the peer's id. The swarm is an in-memory one holding chunk 0
 * of a two-chunk file.
 */
class PeerSessionTest {
    private static final int CHUNK = 2 * WireLimits.BLOCK;

    private final PeerId me = randomId();
    private final PeerId them = randomId();
    private MemorySwarm swarm = new MemorySwarm(2);
    private TestSessionHost host = new TestSessionHost(me, id -> id.equals(swarm.id()) ? swarm : null);

    @Test
    void aHandshakeThatProvesItsIdIsAnsweredAndTheSessionTakesOver() {
        EmbeddedChannel ch = inbound(them);
        ch.writeInbound(new PeerMessage.Handshake(PeerMessage.Handshake.VERSION, swarm.id(), them, 7000));

        PeerMessage.Handshake reply = assertInstanceOf(PeerMessage.Handshake.class, ch.readOutbound());
        assertEquals(me, reply.peerId());
        assertEquals(swarm.id(), reply.swarmId());
        PeerMessage.Bitfield shown = assertInstanceOf(PeerMessage.Bitfield.class, ch.readOutbound());
        assertEquals(swarm.have(), Bitfields.fromBytes(shown.bits(), 2));
        assertNull(ch.pipeline().get(PeerHandshake.class), "the handshake handler removed itself");
        PeerSession session = ch.pipeline().get(PeerSession.class);
        assertNotNull(session);
        assertEquals(List.of(session), swarm.accepted);
        assertEquals(7000, session.peerListenPort());
        assertTrue(ch.isActive());
    }

    @Test
    void aPeerWithOnlyTheLinkGetsTheManifestBeforeItsBitfieldAndMayStillSendOneAfter() throws Exception {
        EmbeddedChannel ch = connected();
        ch.writeInbound(new PeerMessage.MetadataRequest(0));
        PeerMessage.MetadataPiece piece = assertInstanceOf(PeerMessage.MetadataPiece.class, ch.readOutbound());
        byte[] metadata = new ManifestCodec().metadataBytes(swarm.manifest);
        assertEquals(0, piece.piece());
        assertEquals(metadata.length, piece.total());
        assertArrayEquals(metadata, piece.data());
        assertEquals(swarm.manifest.swarmId(), new ManifestCodec().parse(piece.data()).swarmId());
        ch.writeInbound(new PeerMessage.Bitfield(Bitfields.toBytes(new BitSet(), 2)));
        assertTrue(ch.isOpen(), "the metadata exchange does not use up the BITFIELD's place");
    }

    @Test
    void aPeerAskingForTheManifestOverAndOverIsDropped() {
        EmbeddedChannel ch = connected();
        for (int i = 0; i < 4; i++) { // one piece: twice over, plus two, is allowed
            ch.writeInbound(new PeerMessage.MetadataRequest(0));
            assertInstanceOf(PeerMessage.MetadataPiece.class, ch.readOutbound());
        }
        ch.writeInbound(new PeerMessage.MetadataRequest(0));
        assertFalse(ch.isOpen());
        assertNull(ch.readOutbound());
    }

    @Test
    void aRequestForAPieceBeyondTheManifestIsAViolation() {
        EmbeddedChannel ch = connected();
        ch.writeInbound(new PeerMessage.MetadataRequest(1));
        assertFalse(ch.isOpen());
    }

    @Test
    void aPeerClaimingAnotherIdThanItsCertificateIsDroppedBeforeTheSwarmHearsOfIt() {
        EmbeddedChannel ch = inbound(them);
        ch.writeInbound(new PeerMessage.Handshake(PeerMessage.Handshake.VERSION, swarm.id(), randomId(), 7000));
        assertFalse(ch.isOpen());
        assertTrue(swarm.accepted.isEmpty());
        assertNull(ch.readOutbound(), "nothing is sent to an impostor");
    }

    @Test
    void aStrangerWhoSaysNothingIsClosedAtTheDeadline() {
        EmbeddedChannel ch = inbound(them);
        ch.advanceTimeBy(PeerHandshake.TIMEOUT_SECONDS - 1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen());
    }

    @Test
    void anUnknownSwarmOrAnOldVersionIsRefused() {
        EmbeddedChannel other = inbound(them);
        other.writeInbound(new PeerMessage.Handshake(PeerMessage.Handshake.VERSION, randomSwarm(), them, 0));
        assertFalse(other.isOpen());
        EmbeddedChannel old = inbound(them);
        old.writeInbound(new PeerMessage.Handshake(1, swarm.id(), them, 0));
        assertFalse(old.isOpen());
        assertTrue(swarm.accepted.isEmpty());
    }

    @Test
    void anUnchokedPeerIsServedTheBlockItAsksFor() {
        EmbeddedChannel ch = connected();
        PeerSession session = ch.pipeline().get(PeerSession.class);
        session.unchoke();
        assertInstanceOf(PeerMessage.Unchoke.class, ch.readOutbound());
        ch.writeInbound(new PeerMessage.Request(0, WireLimits.BLOCK, WireLimits.BLOCK));

        PeerMessage.Piece piece = assertInstanceOf(PeerMessage.Piece.class, ch.readOutbound());
        byte[] got = new byte[WireLimits.BLOCK];
        piece.data().readBytes(got);
        piece.data().release();
        byte[] want = new byte[WireLimits.BLOCK];
        System.arraycopy(swarm.data, WireLimits.BLOCK, want, 0, want.length);
        assertArrayEquals(want, got);
        assertEquals(WireLimits.BLOCK, swarm.uploaded);
    }

    @Test
    void requestsWhileChokedAreDroppedAndRequestsForChunksWeLackCloseTheConnection() {
        EmbeddedChannel ch = connected();
        ch.writeInbound(new PeerMessage.Request(0, 0, WireLimits.BLOCK));
        assertNull(ch.readOutbound(), "choked: nothing is served");
        assertTrue(ch.isOpen());
        ch.writeInbound(new PeerMessage.Request(1, 0, WireLimits.BLOCK));
        assertFalse(ch.isOpen(), "chunk 1 was never announced");
    }

    @Test
    void aBitfieldIsOnlyAllowedFirst() {
        EmbeddedChannel ch = connected();
        ch.writeInbound(new PeerMessage.Have(1));
        assertTrue(ch.isOpen());
        ch.writeInbound(new PeerMessage.Bitfield(Bitfields.toBytes(new BitSet(), 2)));
        assertFalse(ch.isOpen());
    }

    /**
     * The request pipeline starts at 16 blocks, then follows a quarter of a second of the peer's measured rate, down as well
     * as up: on a thin uplink a deeper one only queues our requests behind everyone else's there.
     */
    @Test
    void thePipelineFollowsThePeersRateDownAndUp() {
        swarm = new MemorySwarm(40);
        host = new TestSessionHost(me, id -> id.equals(swarm.id()) ? swarm : null);
        EmbeddedChannel ch = connected();
        BitSet all = new BitSet();
        all.set(0, 40);
        ch.writeInbound(new PeerMessage.Bitfield(Bitfields.toBytes(all, 40)));
        assertInstanceOf(PeerMessage.Interested.class, ch.readOutbound());
        ch.writeInbound(new PeerMessage.Unchoke());
        List<PeerMessage.Request> asked = requests(ch);
        assertEquals(RequestPipeline.INITIAL_DEPTH, asked.size(), "before any rate is known");
        PeerSession session = swarm.accepted.get(0);

        session.tick(1.0, System.nanoTime()); // nothing came in a second: a thin peer
        List<PeerMessage.Request> more = new ArrayList<>();
        for (PeerMessage.Request r : asked) {
            ch.writeInbound(new PeerMessage.Piece(r.chunk(), r.offset(), Unpooled.wrappedBuffer(new byte[r.length()])));
            more.addAll(requests(ch));
        }
        assertEquals(RequestPipeline.MIN_DEPTH, more.size(), "refilled only to the least depth");

        // 16 blocks (2 MiB) in the last second: a quarter of a second of that is 4 blocks.
        session.tick(1.0, System.nanoTime());
        assertEquals(4 - RequestPipeline.MIN_DEPTH, requests(ch).size(), "deepened to a quarter second of the rate");
    }

    private static List<PeerMessage.Request> requests(EmbeddedChannel ch) {
        List<PeerMessage.Request> asked = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            if (o instanceof PeerMessage.Request r) {
                asked.add(r);
            }
        }
        return asked;
    }

    @Test
    void aPeerThatHasWhatWeLackIsAskedForItAndItsBlocksReachTheSwarm() {
        EmbeddedChannel ch = connected();
        BitSet all = new BitSet();
        all.set(0, 2);
        ch.writeInbound(new PeerMessage.Bitfield(Bitfields.toBytes(all, 2)));
        assertInstanceOf(PeerMessage.Interested.class, ch.readOutbound());
        ch.writeInbound(new PeerMessage.Unchoke());
        List<PeerMessage.Request> asked = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            asked.add(assertInstanceOf(PeerMessage.Request.class, o));
        }
        assertEquals(List.of(new PeerMessage.Request(1, 0, WireLimits.BLOCK),
                new PeerMessage.Request(1, WireLimits.BLOCK, WireLimits.BLOCK)), asked);

        ch.writeInbound(new PeerMessage.Piece(1, 0, Unpooled.wrappedBuffer(new byte[WireLimits.BLOCK])));
        ch.writeInbound(new PeerMessage.Piece(1, 0, Unpooled.wrappedBuffer(new byte[WireLimits.BLOCK])));
        assertEquals(List.of(new Block(1, 0, WireLimits.BLOCK)), swarm.arrived, "a block asked once counts once");
    }

    // ---- a connection that fetches the manifest first (the user gave a link) ---------------------------------

    private final class FetchSwarm implements MetadataSwarm {
        final List<Integer> arrived = new ArrayList<>();
        final List<Integer> rejected = new ArrayList<>();

        @Override
        public SwarmId id() {
            return swarm.id();
        }

        @Override
        public String name() {
            return "f";
        }

        @Override
        public Admitted admit(SessionHost host, PeerLink link) {
            return null;
        }

        @Override
        public boolean accept(MetadataSession session) {
            return true;
        }

        @Override
        public void pieceArrived(MetadataSession session, int piece, int total, byte[] data) {
            arrived.add(piece);
        }

        @Override
        public void pieceRejected(MetadataSession session, int piece) {
            rejected.add(piece);
        }

        @Override
        public void pexReceived(List<PexPeer> added) {
        }

        @Override
        public void sessionClosed(MetadataSession session) {
        }
    }

    private static EmbeddedChannel bare() {
        return new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("192.0.2.8", 4001);
            }
        };
    }

    private MetadataSession fetching(EmbeddedChannel ch, FetchSwarm fetch) {
        MetadataSession session = new MetadataSession(host, fetch, new PeerLink(ch, them, 7000, true, PeerPath.QUIC_LAN,
                "TLS"));
        ch.pipeline().addLast("session", session);
        return session;
    }

    @Test
    void aFetchingConnectionKeepsWhatThePeerSaidAndTheSessionItBecomesActsOnIt() {
        FetchSwarm fetch = new FetchSwarm();
        EmbeddedChannel ch = bare();
        MetadataSession session = fetching(ch, fetch);
        BitSet all = new BitSet();
        all.set(0, 2);
        ch.writeInbound(new PeerMessage.Bitfield(Bitfields.toBytes(all, 2)));
        ch.writeInbound(new PeerMessage.Unchoke());
        session.request(0);
        assertEquals(new PeerMessage.MetadataRequest(0), ch.readOutbound());
        ch.writeInbound(new PeerMessage.MetadataPiece(0, 10, new byte[10]));
        ch.writeInbound(new PeerMessage.MetadataPiece(0, 10, new byte[10])); // late and twice: dropped, not fatal
        assertEquals(List.of(0), fetch.arrived);
        assertTrue(ch.isOpen());

        assertTrue(session.upgrade(swarm));
        assertNull(ch.pipeline().get(MetadataSession.class));
        assertNotNull(ch.pipeline().get(PeerSession.class));
        assertEquals(1, swarm.accepted.size());
        assertInstanceOf(PeerMessage.Bitfield.class, ch.readOutbound(), "now it can say what it has");
        assertInstanceOf(PeerMessage.Interested.class, ch.readOutbound(), "the peer's BITFIELD, kept, shows chunk 1");
        assertEquals(new PeerMessage.Request(1, 0, WireLimits.BLOCK), ch.readOutbound(), "and it had unchoked us");
    }

    @Test
    void aFetchingConnectionDropsAPeerThatSendsWhatNobodyAskedFor() {
        for (PeerMessage unasked : List.of(new PeerMessage.MetadataPiece(3, 10, new byte[1]),
                new PeerMessage.Request(0, 0, 1), new PeerMessage.Have(ManifestRules.MAX_CHUNKS))) {
            EmbeddedChannel ch = bare();
            fetching(ch, new FetchSwarm());
            ch.writeInbound(unasked);
            assertFalse(ch.isOpen(), unasked.toString());
        }
    }

    @Test
    void aFetchingConnectionAnswersMetadataRequestsWithAReject() {
        EmbeddedChannel ch = bare();
        FetchSwarm fetch = new FetchSwarm();
        MetadataSession session = fetching(ch, fetch);
        ch.writeInbound(new PeerMessage.MetadataRequest(0));
        assertEquals(new PeerMessage.MetadataReject(0), ch.readOutbound());
        session.request(0);
        ch.readOutbound();
        ch.writeInbound(new PeerMessage.MetadataReject(0));
        assertEquals(List.of(0), fetch.rejected);
        assertTrue(ch.isOpen());
    }

    // ---- the fixture -----------------------------------------------------------------------------------------

    private EmbeddedChannel inbound(PeerId certified) {
        return new EmbeddedChannel(PeerHandshake.accepted(host, PeerPath.QUIC_LAN, certified)) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("192.0.2.7", 4000);
            }
        };
    }

    private EmbeddedChannel connected() {
        EmbeddedChannel ch = inbound(them);
        ch.writeInbound(new PeerMessage.Handshake(PeerMessage.Handshake.VERSION, swarm.id(), them, 7000));
        assertInstanceOf(PeerMessage.Handshake.class, ch.readOutbound());
        assertInstanceOf(PeerMessage.Bitfield.class, ch.readOutbound());
        return ch;
    }

    private static PeerId randomId() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return PeerId.wrap(b);
    }

    private static SwarmId randomSwarm() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return SwarmId.wrap(b);
    }

    /** A file of {@code chunks} chunks of which we hold chunk 0, in memory; it records what its sessions tell it. */
    private static final class MemorySwarm implements SessionSwarm {
        private static final String HASH = "00".repeat(32);
        final byte[] data;
        final Manifest manifest;
        final PiecePicker<PeerSession> picker;
        final List<PeerSession> accepted = new ArrayList<>();
        final List<Block> arrived = new ArrayList<>();
        final Choker choker = new Choker(() -> accepted, () -> true, 4, new SplittableRandom(1));
        long uploaded;

        MemorySwarm(int chunks) {
            data = new byte[chunks * CHUNK];
            manifest = new Manifest(1, "f", data.length, CHUNK, HASH, Collections.nCopies(chunks, HASH), List.of());
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31 + 7);
            }
            BitSet have = new BitSet();
            have.set(0);
            picker = new PiecePicker<>(manifest, have);
        }

        @Override
        public SwarmId id() {
            return manifest.swarmId();
        }

        @Override
        public String name() {
            return "f";
        }

        @Override
        public Manifest manifest() {
            return manifest;
        }

        @Override
        public byte[] metadata() {
            return new ManifestCodec().metadataBytes(manifest);
        }

        @Override
        public BitSet have() {
            return picker.have();
        }

        @Override
        public boolean isDownloading() {
            return true;
        }

        @Override
        public PiecePicker<PeerSession> picker() {
            return picker;
        }

        @Override
        public Choker choker() {
            return choker;
        }

        @Override
        public SuperSeeder superSeeder() {
            return null;
        }

        @Override
        public void read(int chunk, int offset, int length, ByteBuf into) {
            into.writeBytes(data, chunk * CHUNK + offset, length);
        }

        @Override
        public boolean accept(PeerSession session) {
            accepted.add(session);
            return true;
        }

        @Override
        public void peerBitfield(PeerSession session, BitSet bits) {
            picker.peerHas(bits);
            session.setInterested(picker.wantsFrom(bits));
        }

        @Override
        public void peerHave(PeerSession session, int chunk) {
            picker.peerHas(chunk);
        }

        @Override
        public void blockArrived(PeerSession session, Block block, ByteBuf data) {
            if (picker.received(block, session) != PiecePicker.Arrival.UNWANTED) {
                arrived.add(block);
            }
        }

        @Override
        public void pexReceived(List<PexPeer> added) {
        }

        @Override
        public void punchMessage(PeerSession from, PeerMessage message) {
        }

        @Override
        public void uploaded(long bytes) {
            uploaded += bytes;
        }

        @Override
        public void sessionClosed(PeerSession session) {
            accepted.remove(session);
        }

        @Override
        public void fail(String message) {
            throw new AssertionError(message);
        }
    }
}
