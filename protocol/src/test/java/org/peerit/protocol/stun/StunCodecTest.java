package org.peerit.protocol.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StunCodecTest {
    private static ByteBuf bytes(int... b) {
        ByteBuf buf = Unpooled.buffer(b.length);
        for (int x : b) {
            buf.writeByte(x);
        }
        return buf;
    }

    /** RFC 5769 section 2.2: sample IPv4 response (SOFTWARE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT). */
    @Test
    void decodesTheRfc5769Ipv4Response() {
        ByteBuf sample = bytes(
                0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42,
                0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
                0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
                0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
                0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
                0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
                0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96);
        assertTrue(StunCodec.isStun(sample));
        StunCodec.Message m = StunCodec.decode(sample);
        assertEquals(StunCodec.BINDING_SUCCESS, m.type());
        assertEquals(new InetSocketAddress("192.0.2.1", 32853), m.mappedAddress());
        assertEquals(-1, m.unknownRequired());
    }

    @Test
    void successResponsesRoundTripForIpv4AndIpv6() {
        byte[] tx = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        for (InetSocketAddress client : new InetSocketAddress[]{
                new InetSocketAddress("198.18.0.9", 40000), new InetSocketAddress("2001:db8::1", 1)}) {
            ByteBuf response = StunCodec.bindingSuccess(ByteBufAllocator.DEFAULT, tx, client);
            StunCodec.Message m = StunCodec.decode(response);
            assertEquals(client, m.mappedAddress());
            assertArrayEquals(tx, m.transactionId());
            response.release();
        }
    }

    @Test
    void requestsAreRecognisedAndOurOwnMessagesAreNot() {
        ByteBuf request = StunCodec.bindingRequest(ByteBufAllocator.DEFAULT, new byte[12]);
        assertTrue(StunCodec.isStun(request));
        assertEquals(StunCodec.BINDING_REQUEST, StunCodec.decode(request).type());
        // A tracker CONNECT (first byte 0x10) and a QUIC long header (0xc0) are not STUN.
        assertFalse(StunCodec.isStun(bytes(0x10, 0, 0, 0, 1, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertFalse(StunCodec.isStun(bytes(0xc0, 0, 0, 0, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    }

    @Test
    void refusesMalformedMessagesAndReportsUnknownRequiredAttributes() {
        ByteBuf badLength = bytes(0, 1, 0, 8, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertThrows(CorruptedFrameException.class, () -> StunCodec.decode(badLength));
        ByteBuf overrun = bytes(0, 1, 0, 4, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 9);
        assertThrows(CorruptedFrameException.class, () -> StunCodec.decode(overrun));
        ByteBuf unknown = bytes(0, 1, 0, 4, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x33, 0, 0);
        assertEquals(0x33, StunCodec.decode(unknown).unknownRequired());
        ByteBuf error = StunCodec.unknownAttribute(ByteBufAllocator.DEFAULT, new byte[12], 0x33);
        assertEquals(StunCodec.BINDING_ERROR, StunCodec.decode(error).type());
    }
}
