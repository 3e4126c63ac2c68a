package org.peerit.protocol.tracker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TrackerCodecTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final InetSocketAddress A = new InetSocketAddress("198.18.0.1", 40000);
    private static final InetSocketAddress B = new InetSocketAddress("::1", 59000);

    private static SwarmId swarm() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return SwarmId.wrap(b);
    }

    private static TrackerMessage roundTrip(TrackerMessage msg) {
        ByteBuf buf = Unpooled.buffer();
        TrackerCodec.encode(msg, buf);
        try {
            return TrackerCodec.decode(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void everyMessageRoundTrips() {
        PeerId peer = PeerId.random(RANDOM);
        List<TrackerMessage> messages = List.of(
                new TrackerMessage.ConnectRequest(42),
                new TrackerMessage.ConnectResponse(42, 0x1234_5678_9abc_def0L),
                new TrackerMessage.AnnounceRequest(7, 99L, swarm(), peer, TrackerMessage.AnnounceEvent.COMPLETED, true,
                        6881, 6882, 30, List.of(A, B)),
                new TrackerMessage.AnnounceResponse(7, 120, 1, 2,
                        List.of(new TrackerPeer(peer, true, A, new InetSocketAddress(A.getAddress(), 40001), 6882, List.of(B)), new TrackerPeer(PeerId.random(RANDOM), false, B, List.of()))),
                new TrackerMessage.PunchRequest(8, 99L, swarm(), peer, PeerId.random(RANDOM)),
                new TrackerMessage.RelayRequest(9, 99L, swarm(), peer, PeerId.random(RANDOM)),
                new TrackerMessage.PunchStarted(8, -5L, A, 250),
                new TrackerMessage.PunchNotify(0, swarm(), peer, -5L, B, 250),
                new TrackerMessage.RelayAllocated(9, swarm(), peer, A, 0x7777_8888L),
                new TrackerMessage.BirthdayOpen(8, swarm(), peer, -5L, A, 256, 3000),
                new TrackerMessage.BirthdayProbe(0, swarm(), peer, -5L, B.getAddress(), 2048, 3000),
                new TrackerMessage.ErrorResponse(7, TrackerMessage.ErrorCode.LIMIT, "swarm is full"));
        for (TrackerMessage m : messages) {
            TrackerMessage back = roundTrip(m);
            assertEquals(m.toString(), back.toString(), m.getClass().getSimpleName());
        }
    }

    /** The birthday punch messages, byte for byte, and their bounds. */
    @Test
    void birthdayPunchMessagesHaveTheirLayoutOnTheWire() {
        byte[] id = new byte[32];
        id[0] = 1;
        byte[] other = new byte[32];
        other[31] = 2;
        ByteBuf open = Unpooled.buffer();
        TrackerCodec.encode(new TrackerMessage.BirthdayOpen(7, SwarmId.wrap(id), PeerId.wrap(other), 0x0102030405060708L,
                new InetSocketAddress("198.18.0.11", 0x1234), 256, 3000), open);
        List<Integer> expected = new java.util.ArrayList<>(List.of(0x25, 0, 0, 0, 7));
        expected.addAll(bytesOf(Unpooled.wrappedBuffer(id)));
        expected.addAll(bytesOf(Unpooled.wrappedBuffer(other)));
        expected.addAll(List.of(1, 2, 3, 4, 5, 6, 7, 8, 4, 198, 18, 0, 11, 0x12, 0x34, 0x01, 0x00, 0x0b, 0xb8));
        assertEquals(expected, bytesOf(open));

        ByteBuf probe = Unpooled.buffer();
        TrackerCodec.encode(new TrackerMessage.BirthdayProbe(0, SwarmId.wrap(id), PeerId.wrap(other), 0x0102030405060708L,
                new InetSocketAddress("198.18.0.12", 0).getAddress(), 2048, 3000), probe);
        expected = new java.util.ArrayList<>(List.of(0x26, 0, 0, 0, 0));
        expected.addAll(bytesOf(Unpooled.wrappedBuffer(id)));
        expected.addAll(bytesOf(Unpooled.wrappedBuffer(other)));
        expected.addAll(List.of(1, 2, 3, 4, 5, 6, 7, 8, 4, 198, 18, 0, 12, 0x08, 0x00, 0x0b, 0xb8));
        assertEquals(expected, bytesOf(probe));

        // A tracker cannot make a daemon open more sockets, send more probes or punch longer than the bounds.
        assertThrows(IllegalArgumentException.class, () -> new TrackerMessage.BirthdayOpen(1, SwarmId.wrap(id),
                PeerId.wrap(other), 1, A, TrackerLimits.MAX_BIRTHDAY_SOCKETS + 1, 3000));
        assertThrows(IllegalArgumentException.class, () -> new TrackerMessage.BirthdayProbe(1, SwarmId.wrap(id),
                PeerId.wrap(other), 1, A.getAddress(), TrackerLimits.MAX_BIRTHDAY_PROBES + 1, 3000));
        assertThrows(IllegalArgumentException.class, () -> new TrackerMessage.BirthdayProbe(1, SwarmId.wrap(id),
                PeerId.wrap(other), 1, A.getAddress(), 10, TrackerLimits.MAX_BIRTHDAY_MILLIS + 1));
        List<Integer> tooMany = new java.util.ArrayList<>(expected);
        tooMany.set(tooMany.size() - 4, 0x09); // 2304 probes
        ByteBuf wire = Unpooled.buffer();
        tooMany.forEach(wire::writeByte);
        assertThrows(CorruptedFrameException.class, () -> TrackerCodec.decode(wire));
        ByteBuf truncated = Unpooled.buffer();
        expected.subList(0, expected.size() - 1).forEach(truncated::writeByte);
        assertThrows(CorruptedFrameException.class, () -> TrackerCodec.decode(truncated));
    }

    @Test
    void connectReplyIsNoLargerThanItsRequest() {
        ByteBuf request = Unpooled.buffer();
        TrackerCodec.encode(new TrackerMessage.ConnectRequest(1), request);
        ByteBuf reply = Unpooled.buffer();
        TrackerCodec.encode(new TrackerMessage.ConnectResponse(1, 2), reply);
        assertEquals(request.readableBytes(), reply.readableBytes());
        request.release();
        reply.release();
    }

    @Test
    void longErrorMessagesAreCutAtACharacterBoundary() {
        String text = "é".repeat(300);
        TrackerMessage.ErrorResponse back = (TrackerMessage.ErrorResponse) roundTrip(
                new TrackerMessage.ErrorResponse(1, TrackerMessage.ErrorCode.MALFORMED, text));
        assertEquals("é".repeat(TrackerLimits.MAX_ERROR_MESSAGE / 2), back.message());
    }

    @Test
    void refusesMalformedDatagrams() {
        List<byte[]> bad = List.of(
                new byte[0],
                new byte[]{0x10, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8}, // wrong magic
                new byte[]{0x00, 0x01, 0, 0, 0x21, 0x12, (byte) 0xa4, 0x42}, // a STUN header is not ours
                new byte[]{0x7f, 0, 0, 0, 1},                     // unknown action
                new byte[]{0x11, 0, 0, 0, 1, 0, 0},               // truncated announce
                new byte[]{0x20, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9}); // trailing byte
        for (byte[] b : bad) {
            ByteBuf buf = Unpooled.wrappedBuffer(b);
            assertThrows(CorruptedFrameException.class, () -> TrackerCodec.decode(buf));
        }
        ByteBuf huge = Unpooled.buffer().writeZero(TrackerLimits.MAX_DATAGRAM + 1);
        assertThrows(CorruptedFrameException.class, () -> TrackerCodec.decode(huge));
    }

    @Test
    void datagramCodecCarriesAddresses() {
        EmbeddedChannel ch = new EmbeddedChannel(new TrackerDatagramCodec());
        ch.writeOutbound(new DefaultAddressedEnvelope<TrackerMessage, InetSocketAddress>(new TrackerMessage.ConnectRequest(5), A));
        DatagramPacket packet = ch.readOutbound();
        assertEquals(A, packet.recipient());
        ch.writeInbound(new DatagramPacket(packet.content(), B, A));
        AddressedEnvelope<TrackerMessage, InetSocketAddress> in = ch.readInbound();
        assertEquals(A, in.sender());
        assertEquals(new TrackerMessage.ConnectRequest(5), in.content());
        DecoderException e = assertThrows(DecoderException.class,
                () -> ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[]{9}), B, A)));
        assertInstanceOf(CorruptedFrameException.class, e.getCause() == null ? e : e.getCause());
        assertFalse(ch.finish());
    }

    @Test
    void eventsAndErrorCodesHaveFixedCodesOnTheWire() {
        ByteBuf error = Unpooled.buffer();
        TrackerCodec.encode(new TrackerMessage.ErrorResponse(7, TrackerMessage.ErrorCode.REFUSED, "no"), error);
        // action, transaction id, code, text length, text
        assertEquals(List.of(0x2f, 0, 0, 0, 7, 3, 2, (int) 'n', (int) 'o'), bytesOf(error));
        assertEquals(TrackerMessage.ErrorCode.REFUSED, ((TrackerMessage.ErrorResponse) TrackerCodec.decode(
                Unpooled.wrappedBuffer(new byte[]{0x2f, 0, 0, 0, 7, 3, 2, 'n', 'o'}))).code());
        assertThrows(CorruptedFrameException.class,
                () -> TrackerCodec.decode(Unpooled.wrappedBuffer(new byte[]{0x2f, 0, 0, 0, 7, 4, 0})), "code 4 is none");
        for (TrackerMessage.AnnounceEvent e : TrackerMessage.AnnounceEvent.values()) {
            assertEquals(e, TrackerMessage.AnnounceEvent.ofCode(e.code()));
        }
        assertEquals(List.of(0, 1, 2, 3), java.util.Arrays.stream(TrackerMessage.AnnounceEvent.values())
                .map(TrackerMessage.AnnounceEvent::code).toList(), "NONE, STARTED, COMPLETED, STOPPED as BEP 15 numbers them");
    }

    private static List<Integer> bytesOf(ByteBuf buf) {
        List<Integer> out = new java.util.ArrayList<>();
        while (buf.isReadable()) {
            out.add(buf.readUnsignedByte() & 0xff);
        }
        return out;
    }
}
