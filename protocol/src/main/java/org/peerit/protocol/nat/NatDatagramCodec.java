package org.peerit.protocol.nat;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

import java.nio.charset.StandardCharsets;

/**
 * Byte layout of {@link NatDatagram}s (big-endian): {@code type u8, magic u32 "PRIT", then}
 * <pre>
 * PROBE         0x30 nonce u64
 * RELAY_BIND    0x31 token u64
 * RELAY_READY   0x32 token u64
 * RELAY_CLOSED  0x33 token u64, reason length u8, UTF-8 reason
 * </pre>
 */
public final class NatDatagramCodec {
    static final int MAGIC = 0x50524954; // "PRIT"
    static final int PROBE = 0x30;
    static final int RELAY_BIND = 0x31;
    static final int RELAY_READY = 0x32;
    static final int RELAY_CLOSED = 0x33;
    private static final int MAX_REASON = 200;

    private NatDatagramCodec() {
    }

    /** Whether a datagram starting with {@code firstByte} belongs to this codec (RFC 7983-style demultiplexing). */
    public static boolean isNatDatagram(ByteBuf datagram) {
        return datagram.readableBytes() >= 13 && (datagram.getUnsignedByte(datagram.readerIndex()) & 0xf0) == 0x30
                && datagram.getInt(datagram.readerIndex() + 1) == MAGIC;
    }

    public static void encode(NatDatagram msg, ByteBuf out) {
        if (msg instanceof NatDatagram.Probe p) {
            out.writeByte(PROBE).writeInt(MAGIC).writeLong(p.nonce());
        } else if (msg instanceof NatDatagram.RelayBind b) {
            out.writeByte(RELAY_BIND).writeInt(MAGIC).writeLong(b.token());
        } else if (msg instanceof NatDatagram.RelayReady r) {
            out.writeByte(RELAY_READY).writeInt(MAGIC).writeLong(r.token());
        } else if (msg instanceof NatDatagram.RelayClosed c) {
            byte[] reason = c.reason().getBytes(StandardCharsets.UTF_8);
            int length = Math.min(reason.length, MAX_REASON);
            out.writeByte(RELAY_CLOSED).writeInt(MAGIC).writeLong(c.token()).writeByte(length).writeBytes(reason, 0, length);
        } else {
            throw new IllegalArgumentException("unknown datagram " + msg);
        }
    }

    /** Decodes one datagram; a malformed one throws {@link CorruptedFrameException}. */
    public static NatDatagram decode(ByteBuf in) {
        try {
            int type = in.readUnsignedByte();
            if (in.readInt() != MAGIC) {
                throw new CorruptedFrameException("bad magic");
            }
            long value = in.readLong();
            NatDatagram msg = switch (type) {
                case PROBE -> new NatDatagram.Probe(value);
                case RELAY_BIND -> new NatDatagram.RelayBind(value);
                case RELAY_READY -> new NatDatagram.RelayReady(value);
                case RELAY_CLOSED -> {
                    byte[] reason = new byte[in.readUnsignedByte()];
                    in.readBytes(reason);
                    yield new NatDatagram.RelayClosed(value, new String(reason, StandardCharsets.UTF_8));
                }
                default -> throw new CorruptedFrameException("unknown datagram type " + type);
            };
            if (in.isReadable()) {
                throw new CorruptedFrameException(in.readableBytes() + " trailing bytes");
            }
            return msg;
        } catch (IndexOutOfBoundsException e) {
            throw new CorruptedFrameException("truncated datagram");
        }
    }
}
