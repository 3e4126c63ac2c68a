package org.peerit.protocol.nat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import org.junit.jupiter.api.Test;
import org.peerit.protocol.stun.StunCodec;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NatDatagramCodecTest {

    @Test
    void everyDatagramRoundTripsAndIsRecognised() {
        for (NatDatagram d : List.of(new NatDatagram.Probe(-1L), new NatDatagram.RelayBind(7L),
                new NatDatagram.RelayReady(8L), new NatDatagram.RelayClosed(9L, "byte budget of 1 MiB used up"))) {
            ByteBuf buf = Unpooled.buffer();
            NatDatagramCodec.encode(d, buf);
            assertTrue(NatDatagramCodec.isNatDatagram(buf), d.toString());
            assertFalse(StunCodec.isStun(buf), d + " must not look like STUN");
            assertEquals(d, NatDatagramCodec.decode(buf));
            buf.release();
        }
    }

    @Test
    void quicAndJunkAreNotNatDatagrams() {
        ByteBuf quicInitial = Unpooled.wrappedBuffer(new byte[]{(byte) 0xc3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8});
        assertFalse(NatDatagramCodec.isNatDatagram(quicInitial));
        ByteBuf wrongMagic = Unpooled.buffer().writeByte(0x30).writeInt(0x12345678).writeLong(1);
        assertFalse(NatDatagramCodec.isNatDatagram(wrongMagic));
    }

    @Test
    void malformedDatagramsAreRefused() {
        ByteBuf truncated = Unpooled.buffer().writeByte(0x33).writeInt(NatDatagramCodec.MAGIC).writeLong(1).writeByte(10)
                .writeBytes("short".getBytes(StandardCharsets.UTF_8));
        assertThrows(CorruptedFrameException.class, () -> NatDatagramCodec.decode(truncated));
        ByteBuf unknown = Unpooled.buffer().writeByte(0x3f).writeInt(NatDatagramCodec.MAGIC).writeLong(1);
        assertThrows(CorruptedFrameException.class, () -> NatDatagramCodec.decode(unknown));
        ByteBuf trailing = Unpooled.buffer().writeByte(0x30).writeInt(NatDatagramCodec.MAGIC).writeLong(1).writeByte(0);
        assertThrows(CorruptedFrameException.class, () -> NatDatagramCodec.decode(trailing));
    }
}
