package org.peerit.protocol.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.CorruptedFrameException;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The part of STUN (RFC 8489) peerit needs: Binding requests and their success responses carrying
 * XOR-MAPPED-ADDRESS, so a daemon learns the public mapping of a UDP socket and any stock STUN client can check a
 * tracker. Header: type u16, length u16 (of the attributes, a multiple of 4), magic cookie 0x2112A442, 12-byte
 * transaction id; then type-length-value attributes padded to 4 bytes.
 */
public final class StunCodec {
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int HEADER = 20;
    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_SUCCESS = 0x0101;
    public static final int BINDING_ERROR = 0x0111;
    static final int MAPPED_ADDRESS = 0x0001;
    static final int ERROR_CODE = 0x0009;
    static final int UNKNOWN_ATTRIBUTES = 0x000A;
    static final int XOR_MAPPED_ADDRESS = 0x0020;
    /** Attributes a Binding request may carry that we understand or may ignore (comprehension-required range). */
    private static final int[] KNOWN_REQUIRED = {0x0006 /* USERNAME */, 0x0008 /* MESSAGE-INTEGRITY */,
            0x001C /* MESSAGE-INTEGRITY-SHA256 */, 0x0015 /* NONCE */, 0x0014 /* REALM */};

    private StunCodec() {
    }

    /** A decoded STUN message: its type, transaction id and, for responses, the mapped address if present. */
    public record Message(int type, byte[] transactionId, InetSocketAddress mappedAddress, int unknownRequired) {
    }

    /**
     * Whether a datagram is STUN (RFC 7983 demultiplexing: first two bits zero, magic cookie at offset 4), so it can
     * be told apart from tracker messages (first byte 0x10..0x2f) and QUIC (0x40 and up) on one port.
     */
    public static boolean isStun(ByteBuf datagram) {
        int i = datagram.readerIndex();
        return datagram.readableBytes() >= HEADER && (datagram.getByte(i) & 0xC0) == 0
                && datagram.getInt(i + 4) == MAGIC_COOKIE;
    }

    public static Message decode(ByteBuf in) {
        if (!isStun(in)) {
            throw new CorruptedFrameException("not a STUN message");
        }
        int type = in.readUnsignedShort();
        int length = in.readUnsignedShort();
        in.skipBytes(4); // cookie
        byte[] tx = new byte[12];
        in.readBytes(tx);
        if (length % 4 != 0 || length != in.readableBytes()) {
            throw new CorruptedFrameException("STUN length " + length + " does not match the datagram");
        }
        InetSocketAddress mapped = null;
        InetSocketAddress legacy = null;
        int unknown = -1;
        while (in.isReadable()) {
            if (in.readableBytes() < 4) {
                throw new CorruptedFrameException("truncated STUN attribute");
            }
            int attrType = in.readUnsignedShort();
            int attrLength = in.readUnsignedShort();
            int padded = (attrLength + 3) & ~3;
            if (padded > in.readableBytes()) {
                throw new CorruptedFrameException("STUN attribute runs past the message");
            }
            ByteBuf value = in.readSlice(attrLength);
            in.skipBytes(padded - attrLength);
            if (attrType == XOR_MAPPED_ADDRESS) {
                mapped = address(value, true, tx);
            } else if (attrType == MAPPED_ADDRESS) {
                legacy = address(value, false, tx);
            } else if (attrType < 0x8000 && !isKnown(attrType) && unknown < 0) {
                unknown = attrType;
            }
        }
        return new Message(type, tx, mapped != null ? mapped : legacy, unknown);
    }

    private static boolean isKnown(int attrType) {
        for (int k : KNOWN_REQUIRED) {
            if (k == attrType) {
                return true;
            }
        }
        return attrType == XOR_MAPPED_ADDRESS || attrType == MAPPED_ADDRESS || attrType == ERROR_CODE
                || attrType == UNKNOWN_ATTRIBUTES;
    }

    private static InetSocketAddress address(ByteBuf value, boolean xor, byte[] tx) {
        if (value.readableBytes() < 4) {
            throw new CorruptedFrameException("short address attribute");
        }
        value.skipBytes(1);
        int family = value.readUnsignedByte();
        int port = value.readUnsignedShort();
        int length = family == 1 ? 4 : family == 2 ? 16 : -1;
        if (length < 0 || value.readableBytes() != length) {
            throw new CorruptedFrameException("bad address family " + family);
        }
        byte[] address = new byte[length];
        value.readBytes(address);
        if (xor) {
            port ^= MAGIC_COOKIE >>> 16;
            byte[] mask = mask(tx);
            for (int i = 0; i < length; i++) {
                address[i] ^= mask[i];
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException e) {
            throw new CorruptedFrameException("bad address");
        }
    }

    /** The XOR mask for addresses: the cookie, then (for IPv6) the transaction id. */
    private static byte[] mask(byte[] tx) {
        byte[] mask = new byte[16];
        mask[0] = 0x21;
        mask[1] = 0x12;
        mask[2] = (byte) 0xA4;
        mask[3] = 0x42;
        System.arraycopy(tx, 0, mask, 4, 12);
        return mask;
    }

    public static ByteBuf bindingRequest(ByteBufAllocator alloc, byte[] transactionId) {
        ByteBuf out = alloc.buffer(HEADER);
        out.writeShort(BINDING_REQUEST).writeShort(0).writeInt(MAGIC_COOKIE).writeBytes(transactionId);
        return out;
    }

    /** A success response telling the client the address its request came from. */
    public static ByteBuf bindingSuccess(ByteBufAllocator alloc, byte[] transactionId, InetSocketAddress client) {
        byte[] address = client.getAddress().getAddress();
        boolean v4 = client.getAddress() instanceof Inet4Address;
        ByteBuf out = alloc.buffer(HEADER + 4 + 4 + address.length);
        out.writeShort(BINDING_SUCCESS).writeShort(4 + 4 + address.length).writeInt(MAGIC_COOKIE).writeBytes(transactionId);
        out.writeShort(XOR_MAPPED_ADDRESS).writeShort(4 + address.length)
                .writeByte(0).writeByte(v4 ? 1 : 2).writeShort(client.getPort() ^ (MAGIC_COOKIE >>> 16));
        byte[] mask = mask(transactionId);
        for (int i = 0; i < address.length; i++) {
            out.writeByte(address[i] ^ mask[i]);
        }
        return out;
    }

    /** 420 Unknown Attribute: the request carried a comprehension-required attribute we do not implement. */
    public static ByteBuf unknownAttribute(ByteBufAllocator alloc, byte[] transactionId, int attribute) {
        byte[] reason = "Unknown Attribute".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int errorLength = 4 + reason.length;
        int errorPadded = (errorLength + 3) & ~3;
        ByteBuf out = alloc.buffer(HEADER + 4 + errorPadded + 8);
        out.writeShort(BINDING_ERROR).writeShort(4 + errorPadded + 8).writeInt(MAGIC_COOKIE).writeBytes(transactionId);
        out.writeShort(ERROR_CODE).writeShort(errorLength).writeShort(0).writeByte(4).writeByte(20).writeBytes(reason)
                .writeZero(errorPadded - errorLength);
        out.writeShort(UNKNOWN_ATTRIBUTES).writeShort(2).writeShort(attribute).writeShort(0);
        return out;
    }
}
