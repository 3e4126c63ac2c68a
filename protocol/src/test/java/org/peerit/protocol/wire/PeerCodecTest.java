package org.peerit.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.ManifestRules;
import org.peerit.protocol.manifest.SwarmId;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerCodecTest {
    private static EmbeddedChannel encoder() {
        return new EmbeddedChannel(new PeerMessageEncoder());
    }

    private static EmbeddedChannel decoder() {
        return new EmbeddedChannel(new PeerFrameDecoder(), new PeerMessageDecoder());
    }

    /** Encodes {@code msg}, feeds the bytes one at a time to a decoder, and returns what comes out. */
    private static PeerMessage roundTrip(PeerMessage msg) {
        EmbeddedChannel out = encoder();
        assertTrue(out.writeOutbound(msg));
        ByteBuf wire = Unpooled.buffer();
        for (Object o; (o = out.readOutbound()) != null; ) {
            ByteBuf part = (ByteBuf) o;
            wire.writeBytes(part);
            part.release();
        }
        assertFalse(out.finish());
        EmbeddedChannel in = decoder();
        while (wire.isReadable()) {
            in.writeInbound(wire.readRetainedSlice(1)); // worst-case fragmentation
        }
        wire.release();
        PeerMessage decoded = in.readInbound();
        assertNull(in.readInbound());
        assertFalse(in.finish());
        return decoded;
    }

    @Test
    void everyMessageRoundTrips() throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] swarm = new byte[32];
        random.nextBytes(swarm);
        List<PeerMessage> messages = List.of(
                new PeerMessage.Handshake(1, SwarmId.wrap(swarm), PeerId.random(random), 40123),
                new PeerMessage.Bitfield(new byte[]{(byte) 0xA0, 0x01}),
                new PeerMessage.Have(4095),
                new PeerMessage.Interested(), new PeerMessage.NotInterested(),
                new PeerMessage.Choke(), new PeerMessage.Unchoke(),
                new PeerMessage.Request(7, 65536, 65536),
                new PeerMessage.Cancel(7, 65536, 65536),
                new PeerMessage.Pex(List.of(new PexPeer(InetAddress.getByName("198.18.0.1"), 6881),
                        new PexPeer(InetAddress.getByName("::1"), 1)), List.of()),
                new PeerMessage.KeepAlive(),
                new PeerMessage.MetadataRequest(3),
                new PeerMessage.MetadataPiece(1, WireLimits.METADATA_PIECE + 5, new byte[]{1, 2, 3, 4, 5}),
                new PeerMessage.MetadataReject(0),
                new PeerMessage.NatEndpoints(new InetSocketAddress("198.18.0.11", 40000), null),
                new PeerMessage.NatEndpoints(null, new InetSocketAddress("2001:db8::1", 1)),
                new PeerMessage.PunchPeers(List.of(PeerId.random(random), PeerId.random(random))),
                new PeerMessage.PunchPeers(List.of()),
                new PeerMessage.PunchAsk(PeerId.random(random), -5L),
                new PeerMessage.PunchGo(PeerId.random(random), Long.MAX_VALUE, new InetSocketAddress("198.18.0.12", 65535), true),
                new PeerMessage.PunchFail(PeerId.random(random), 255));
        for (PeerMessage m : messages) {
            assertEquals(m, roundTrip(m), m.getClass().getSimpleName());
        }
    }

    @Test
    void pieceRoundTripsWithoutCopyingOnEncode() {
        ByteBuf data = Unpooled.copiedBuffer("block data", StandardCharsets.US_ASCII);
        EmbeddedChannel out = encoder();
        out.writeOutbound(new PeerMessage.Piece(3, 16384, data));
        ByteBuf header = out.readOutbound();
        ByteBuf body = out.readOutbound();
        assertEquals(13, header.readableBytes());
        assertTrue(body == data || body.unwrap() == data, "the block itself is passed on");
        EmbeddedChannel in = decoder();
        in.writeInbound(header, body);
        PeerMessage.Piece piece = in.readInbound();
        assertEquals(3, piece.chunk());
        assertEquals(16384, piece.offset());
        assertEquals("block data", piece.data().toString(StandardCharsets.US_ASCII));
        piece.release();
        assertEquals(0, data.refCnt());
        assertFalse(in.finish());
    }

    private static Throwable refuse(int... frame) {
        EmbeddedChannel in = decoder();
        ByteBuf buf = Unpooled.buffer().writeInt(frame.length);
        for (int b : frame) {
            buf.writeByte(b);
        }
        Throwable t = assertThrows(DecoderException.class, () -> in.writeInbound(buf));
        in.finishAndReleaseAll();
        return t;
    }

    @Test
    void metadataMessagesHaveTheseExactBytes() {
        EmbeddedChannel out = encoder();
        out.writeOutbound(new PeerMessage.MetadataRequest(2), new PeerMessage.MetadataPiece(0, 3, new byte[]{7, 8, 9}),
                new PeerMessage.MetadataReject(513));
        ByteBuf wire = Unpooled.buffer();
        for (Object o; (o = out.readOutbound()) != null; ) {
            wire.writeBytes((ByteBuf) o);
            ((ByteBuf) o).release();
        }
        byte[] bytes = new byte[wire.readableBytes()];
        wire.readBytes(bytes);
        assertArrayEquals(new byte[]{
                0, 0, 0, 5, 11, 0, 0, 0, 2,                        // METADATA_REQUEST piece 2
                0, 0, 0, 12, 12, 0, 0, 0, 0, 0, 0, 0, 3, 7, 8, 9,  // METADATA_PIECE piece 0 of 3 bytes
                0, 0, 0, 5, 13, 0, 0, 2, 1}, bytes);               // METADATA_REJECT piece 513
    }

    @Test
    void punchMessagesHaveTheseExactBytes() {
        byte[] idBytes = new byte[32];
        java.util.Arrays.fill(idBytes, (byte) 0xab);
        PeerId id = PeerId.wrap(idBytes);
        EmbeddedChannel out = encoder();
        out.writeOutbound(new PeerMessage.NatEndpoints(new InetSocketAddress("198.18.0.11", 0x9c40), null),
                new PeerMessage.PunchGo(id, 258, new InetSocketAddress("198.18.0.12", 513), false),
                new PeerMessage.PunchFail(id, 2));
        ByteBuf wire = Unpooled.buffer();
        for (Object o; (o = out.readOutbound()) != null; ) {
            wire.writeBytes((ByteBuf) o);
            ((ByteBuf) o).release();
        }
        ByteBuf expected = Unpooled.buffer();
        expected.writeBytes(new byte[]{0, 0, 0, 9, 14, 4, (byte) 198, 18, 0, 11, (byte) 0x9c, 0x40, 0}); // server, no client
        expected.writeBytes(new byte[]{0, 0, 0, 49, 17}).writeBytes(idBytes)
                .writeBytes(new byte[]{0, 0, 0, 0, 0, 0, 1, 2, 0, 4, (byte) 198, 18, 0, 12, 2, 1}); // nonce, target, endpoint
        expected.writeBytes(new byte[]{0, 0, 0, 34, 18}).writeBytes(idBytes).writeByte(2);
        assertEquals(expected, wire);
    }

    @Test
    void refusesMalformedPunchMessages() {
        assertInstanceOf(CorruptedFrameException.class, refuse(14, 4, 1, 2, 3)); // truncated address
        assertInstanceOf(CorruptedFrameException.class, refuse(14, 5, 1, 2, 3, 4, 0, 1, 0)); // family 5
        assertInstanceOf(CorruptedFrameException.class, refuse(14, 4, 1, 2, 3, 4, 0, 0, 0)); // port 0
        assertInstanceOf(CorruptedFrameException.class, refuse(14, 0, 0, 0)); // trailing byte
        assertInstanceOf(CorruptedFrameException.class, refuse(15, 51)); // over the list cap
        assertInstanceOf(CorruptedFrameException.class, refuse(15, 1, 1, 2, 3)); // a list shorter than it says
        assertInstanceOf(CorruptedFrameException.class, refuse(16, 1, 2, 3)); // short PUNCH_ASK
        int[] go = new int[1 + 32 + 9 + 1];
        go[0] = 17;
        assertInstanceOf(CorruptedFrameException.class, refuse(go)); // PUNCH_GO without an endpoint
        go[41] = 2;
        assertInstanceOf(CorruptedFrameException.class, refuse(go)); // dial flag 2
        assertInstanceOf(CorruptedFrameException.class, refuse(18, 1)); // short PUNCH_FAIL
    }

    @Test
    void refusesMalformedMetadataMessages() {
        assertInstanceOf(CorruptedFrameException.class, refuse(11, 0, 0)); // short METADATA_REQUEST
        assertInstanceOf(CorruptedFrameException.class, refuse(11, 0x80, 0, 0, 0)); // negative piece
        assertInstanceOf(CorruptedFrameException.class, refuse(12, 0, 0, 0, 0, 0, 0, 0, 1)); // piece without data
        assertInstanceOf(CorruptedFrameException.class, refuse(12, 0, 0, 0, 0, 0, 0, 0, 0, 9)); // total 0
        // A total over the cap: a stranger cannot make us expect a huge manifest.
        assertInstanceOf(CorruptedFrameException.class, refuse(12, 0, 0, 0, 0, 0x7f, 0, 0, 0, 9));
        assertInstanceOf(CorruptedFrameException.class, refuse(13, 0, 0, 0, 0, 0)); // long METADATA_REJECT
    }

    @Test
    void refusesAMetadataPieceOverItsSize() {
        byte[] frame = new byte[1 + 8 + WireLimits.METADATA_PIECE + 1];
        frame[0] = 12;
        frame[8] = 100; // total 100
        int[] ints = new int[frame.length];
        for (int i = 0; i < frame.length; i++) {
            ints[i] = frame[i];
        }
        assertInstanceOf(CorruptedFrameException.class, refuse(ints));
    }

    @Test
    void refusesMalformedFrames() {
        assertInstanceOf(CorruptedFrameException.class, refuse(99));
        assertInstanceOf(CorruptedFrameException.class, refuse(2, 0, 0)); // short HAVE
        assertInstanceOf(CorruptedFrameException.class, refuse(2, 0x80, 0, 0, 0)); // negative chunk
        assertInstanceOf(CorruptedFrameException.class, refuse(3, 1)); // INTERESTED with a body
        assertInstanceOf(CorruptedFrameException.class, refuse(7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 1)); // block too big
        assertInstanceOf(CorruptedFrameException.class, refuse(7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0)); // zero length
        assertInstanceOf(CorruptedFrameException.class, refuse(8, 0, 0, 0, 1)); // PIECE without data
        assertInstanceOf(CorruptedFrameException.class, refuse(0, 'N', 'O', 'P', 'E')); // bad handshake
        assertInstanceOf(CorruptedFrameException.class, refuse(10, 1, 5, 1, 2, 3, 4, 0, 1, 0)); // PEX family 5
        assertInstanceOf(CorruptedFrameException.class, refuse(10, 1, 4, 1, 2)); // truncated PEX
    }

    @Test
    void theLargestMessagesAllowedPass() {
        for (boolean largeReads : new boolean[]{true, false}) { // TCP's composite frames and QUIC's merged ones
            byte[] block = new byte[WireLimits.MAX_BLOCK];
            new SecureRandom().nextBytes(block);
            PeerMessage.Piece piece = (PeerMessage.Piece) inLargeParts(
                    new PeerMessage.Piece(1, 0, Unpooled.wrappedBuffer(block)), largeReads);
            assertEquals(Unpooled.wrappedBuffer(block), piece.data(), "a PIECE of the largest block a peer may ask for");
            piece.release();
            byte[] bits = new byte[ManifestRules.MAX_CHUNKS / 8];
            bits[bits.length - 1] = 1;
            PeerMessage.Bitfield bitfield = (PeerMessage.Bitfield) inLargeParts(new PeerMessage.Bitfield(bits), largeReads);
            assertArrayEquals(bits, bitfield.bits(), "a BITFIELD for a manifest with the most chunks allowed");
        }
    }

    @Test
    void refusesAFrameOneByteOverTheLimit() {
        EmbeddedChannel in = decoder();
        ByteBuf buf = Unpooled.buffer().writeInt(WireLimits.MAX_FRAME + 1).writeByte(8);
        DecoderException e = assertThrows(DecoderException.class, () -> in.writeInbound(buf));
        assertInstanceOf(TooLongFrameException.class, e);
        in.finishAndReleaseAll();
    }

    @Test
    void aBlockSentInTinyPiecesIsNotKeptAsTinyPieces() {
        byte[] block = new byte[WireLimits.MAX_BLOCK];
        new SecureRandom().nextBytes(block);
        EmbeddedChannel out = encoder();
        assertTrue(out.writeOutbound(new PeerMessage.Piece(1, 0, Unpooled.wrappedBuffer(block))));
        EmbeddedChannel in = decoder();
        for (Object o; (o = out.readOutbound()) != null; ) {
            ByteBuf part = (ByteBuf) o;
            while (part.isReadable()) {
                in.writeInbound(part.readRetainedSlice(Math.min(100, part.readableBytes())));
            }
            part.release();
        }
        PeerMessage.Piece piece = in.readInbound();
        assertEquals(Unpooled.wrappedBuffer(block), piece.data());
        assertTrue(piece.data().nioBufferCount() <= 4, "1,300 reads of 100 bytes became "
                + piece.data().nioBufferCount() + " pieces");
        piece.release();
        assertFalse(in.finish());
    }

    /** Like {@link #roundTrip}, in 1000-byte parts. */
    private static PeerMessage inLargeParts(PeerMessage msg, boolean largeReads) {
        EmbeddedChannel out = encoder();
        assertTrue(out.writeOutbound(msg));
        EmbeddedChannel in = new EmbeddedChannel(new PeerFrameDecoder(largeReads), new PeerMessageDecoder());
        for (Object o; (o = out.readOutbound()) != null; ) {
            ByteBuf part = (ByteBuf) o;
            while (part.isReadable()) {
                in.writeInbound(part.readRetainedSlice(Math.min(1000, part.readableBytes())));
            }
            part.release();
        }
        PeerMessage decoded = in.readInbound();
        assertNull(in.readInbound());
        assertFalse(in.finish());
        return decoded;
    }

    @Test
    void refusesOversizedLengthAtOnce() {
        EmbeddedChannel in = decoder();
        ByteBuf buf = Unpooled.buffer().writeInt(Integer.MAX_VALUE).writeByte(8);
        DecoderException e = assertThrows(DecoderException.class, () -> in.writeInbound(buf));
        assertInstanceOf(TooLongFrameException.class, e);
        in.finishAndReleaseAll();
    }

    @Test
    void waitsForTruncatedFrames() {
        EmbeddedChannel in = decoder();
        in.writeInbound(Unpooled.buffer().writeInt(5).writeByte(2).writeShort(0));
        assertNull(in.readInbound(), "a partial frame is not a message yet");
        in.writeInbound(Unpooled.buffer().writeShort(9));
        assertEquals(new PeerMessage.Have(9), in.readInbound());
        assertFalse(in.finish());
    }

    @Test
    void onANewConnectionAFirstFrameLongerThanAHandshakeIsRefusedFromItsLengthAlone() {
        // The attack of issue 10: a block-sized length before any handshake. Four bytes suffice to refuse it.
        EmbeddedChannel in = new EmbeddedChannel(PeerFrameDecoder.forNewConnection(true), new PeerMessageDecoder());
        ByteBuf length = Unpooled.buffer().writeInt(131081);
        DecoderException e = assertThrows(DecoderException.class, () -> in.writeInbound(length));
        assertInstanceOf(TooLongFrameException.class, e);
        assertEquals(0, length.refCnt(), "nothing of it is kept");
        in.finishAndReleaseAll();
    }

    @Test
    void onANewConnectionAHandshakeOfTheLargestSizePassesAndThenBlocksDo() {
        EmbeddedChannel in = new EmbeddedChannel(PeerFrameDecoder.forNewConnection(false), new PeerMessageDecoder());
        EmbeddedChannel out = encoder();
        SecureRandom random = new SecureRandom();
        PeerMessage.Handshake hello = new PeerMessage.Handshake(1, SwarmId.wrap(new byte[32]), PeerId.random(random), 65535);
        byte[] block = new byte[WireLimits.MAX_BLOCK];
        out.writeOutbound(hello, new PeerMessage.Piece(3, 0, Unpooled.wrappedBuffer(block)));
        for (Object o; (o = out.readOutbound()) != null; ) {
            in.writeInbound(o);
        }
        assertEquals(1 + 6 + 2 + 32 + 32 + 2, WireLimits.MAX_HANDSHAKE_FRAME, "type, magic, version, ids, port");
        assertEquals(hello, in.readInbound());
        PeerMessage.Piece piece = in.readInbound();
        assertEquals(WireLimits.MAX_BLOCK, piece.data().readableBytes());
        piece.data().release();
        assertFalse(in.finish());
    }
}
