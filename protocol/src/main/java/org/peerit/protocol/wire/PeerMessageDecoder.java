package org.peerit.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageDecoder;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Turns one frame (as cut by {@link PeerFrameDecoder}) into a {@link PeerMessage}; anything malformed is refused. */
public final class PeerMessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    private static final PeerMessage.Interested INTERESTED = new PeerMessage.Interested();
    private static final PeerMessage.NotInterested NOT_INTERESTED = new PeerMessage.NotInterested();
    private static final PeerMessage.Choke CHOKE = new PeerMessage.Choke();
    private static final PeerMessage.Unchoke UNCHOKE = new PeerMessage.Unchoke();
    private static final PeerMessage.KeepAlive KEEP_ALIVE = new PeerMessage.KeepAlive();

    public PeerMessageDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(decode(frame));
    }

    static PeerMessage decode(ByteBuf frame) {
        if (!frame.isReadable()) {
            return KEEP_ALIVE;
        }
        byte type = frame.readByte();
        PeerMessage message;
        switch (type) {
            case MessageType.HANDSHAKE -> message = handshake(frame);
            case MessageType.BITFIELD -> {
                byte[] bits = new byte[frame.readableBytes()];
                frame.readBytes(bits);
                message = new PeerMessage.Bitfield(bits);
            }
            case MessageType.HAVE -> {
                expect(frame, 4, "HAVE");
                message = new PeerMessage.Have(nonNegative(frame.readInt(), "chunk"));
            }
            case MessageType.INTERESTED -> message = empty(frame, INTERESTED, "INTERESTED");
            case MessageType.NOT_INTERESTED -> message = empty(frame, NOT_INTERESTED, "NOT_INTERESTED");
            case MessageType.CHOKE -> message = empty(frame, CHOKE, "CHOKE");
            case MessageType.UNCHOKE -> message = empty(frame, UNCHOKE, "UNCHOKE");
            case MessageType.REQUEST -> {
                expect(frame, 12, "REQUEST");
                int chunk = nonNegative(frame.readInt(), "chunk");
                int offset = nonNegative(frame.readInt(), "offset");
                int length = frame.readInt();
                if (length <= 0 || length > WireLimits.MAX_BLOCK) {
                    throw new CorruptedFrameException("REQUEST for " + length + " bytes; blocks are 1.." + WireLimits.MAX_BLOCK);
                }
                message = new PeerMessage.Request(chunk, offset, length);
            }
            case MessageType.CANCEL -> {
                expect(frame, 12, "CANCEL");
                message = new PeerMessage.Cancel(nonNegative(frame.readInt(), "chunk"),
                        nonNegative(frame.readInt(), "offset"), nonNegative(frame.readInt(), "length"));
            }
            case MessageType.PIECE -> {
                if (frame.readableBytes() < 9) {
                    throw new CorruptedFrameException("PIECE without data");
                }
                int chunk = nonNegative(frame.readInt(), "chunk");
                int offset = nonNegative(frame.readInt(), "offset");
                if (frame.readableBytes() > WireLimits.MAX_BLOCK) {
                    throw new CorruptedFrameException("PIECE of " + frame.readableBytes() + " bytes exceeds " + WireLimits.MAX_BLOCK);
                }
                message = new PeerMessage.Piece(chunk, offset, frame.readRetainedSlice(frame.readableBytes()));
            }
            case MessageType.PEX -> message = pex(frame);
            case MessageType.METADATA_REQUEST -> {
                expect(frame, 4, "METADATA_REQUEST");
                message = new PeerMessage.MetadataRequest(nonNegative(frame.readInt(), "piece"));
            }
            case MessageType.METADATA_REJECT -> {
                expect(frame, 4, "METADATA_REJECT");
                message = new PeerMessage.MetadataReject(nonNegative(frame.readInt(), "piece"));
            }
            case MessageType.METADATA_PIECE -> message = metadataPiece(frame);
            case MessageType.NAT_ENDPOINTS -> {
                InetSocketAddress server = endpoint(frame, "NAT_ENDPOINTS");
                InetSocketAddress client = endpoint(frame, "NAT_ENDPOINTS");
                expect(frame, 0, "NAT_ENDPOINTS rest");
                message = new PeerMessage.NatEndpoints(server, client);
            }
            case MessageType.PUNCH_PEERS -> {
                if (!frame.isReadable()) {
                    throw new CorruptedFrameException("PUNCH_PEERS truncated");
                }
                int count = frame.readUnsignedByte();
                if (count > WireLimits.MAX_PEX_PEERS) {
                    throw new CorruptedFrameException("PUNCH_PEERS lists " + count + " peers; at most "
                            + WireLimits.MAX_PEX_PEERS);
                }
                expect(frame, count * PeerId.LENGTH, "PUNCH_PEERS");
                List<PeerId> peers = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    peers.add(peerId(frame));
                }
                message = new PeerMessage.PunchPeers(peers);
            }
            case MessageType.PUNCH_ASK -> {
                expect(frame, PeerId.LENGTH + 8, "PUNCH_ASK");
                message = new PeerMessage.PunchAsk(peerId(frame), frame.readLong());
            }
            case MessageType.PUNCH_GO -> {
                if (frame.readableBytes() < PeerId.LENGTH + 9) {
                    throw new CorruptedFrameException("PUNCH_GO truncated");
                }
                PeerId peer = peerId(frame);
                long nonce = frame.readLong();
                int dial = frame.readUnsignedByte();
                if (dial > 1) {
                    throw new CorruptedFrameException("PUNCH_GO dial flag " + dial);
                }
                InetSocketAddress endpoint = endpoint(frame, "PUNCH_GO");
                if (endpoint == null) {
                    throw new CorruptedFrameException("PUNCH_GO without an endpoint");
                }
                expect(frame, 0, "PUNCH_GO rest");
                message = new PeerMessage.PunchGo(peer, nonce, endpoint, dial == 1);
            }
            case MessageType.PUNCH_FAIL -> {
                expect(frame, PeerId.LENGTH + 1, "PUNCH_FAIL");
                message = new PeerMessage.PunchFail(peerId(frame), frame.readUnsignedByte());
            }
            default -> throw new CorruptedFrameException("unknown message type " + type);
        }
        return message;
    }

    private static PeerMessage.MetadataPiece metadataPiece(ByteBuf frame) {
        if (frame.readableBytes() < 9) {
            throw new CorruptedFrameException("METADATA_PIECE without data");
        }
        int piece = nonNegative(frame.readInt(), "piece");
        int total = frame.readInt();
        if (total <= 0 || total > WireLimits.MAX_METADATA) {
            throw new CorruptedFrameException("METADATA_PIECE claims " + total + " bytes of metadata; at most "
                    + WireLimits.MAX_METADATA);
        }
        if (frame.readableBytes() > WireLimits.METADATA_PIECE) {
            throw new CorruptedFrameException("METADATA_PIECE of " + frame.readableBytes() + " bytes exceeds "
                    + WireLimits.METADATA_PIECE);
        }
        byte[] data = new byte[frame.readableBytes()];
        frame.readBytes(data);
        return new PeerMessage.MetadataPiece(piece, total, data);
    }

    private static PeerMessage.Handshake handshake(ByteBuf frame) {
        expect(frame, MessageType.HANDSHAKE_BODY, "HANDSHAKE");
        for (byte b : MessageType.MAGIC) {
            if (frame.readByte() != b) {
                throw new CorruptedFrameException("not a peerit handshake");
            }
        }
        int version = frame.readUnsignedShort();
        byte[] swarm = new byte[SwarmId.LENGTH];
        frame.readBytes(swarm);
        byte[] peerId = new byte[PeerId.LENGTH];
        frame.readBytes(peerId);
        int port = frame.readUnsignedShort();
        return new PeerMessage.Handshake(version, SwarmId.wrap(swarm), PeerId.wrap(peerId), port);
    }

    private static PeerMessage.Pex pex(ByteBuf frame) {
        List<PexPeer> added = pexList(frame);
        List<PexPeer> dropped = pexList(frame);
        if (frame.isReadable()) {
            throw new CorruptedFrameException("PEX has " + frame.readableBytes() + " trailing bytes");
        }
        return new PeerMessage.Pex(added, dropped);
    }

    private static List<PexPeer> pexList(ByteBuf frame) {
        if (!frame.isReadable()) {
            throw new CorruptedFrameException("PEX truncated");
        }
        int count = frame.readUnsignedByte();
        if (count > WireLimits.MAX_PEX_PEERS) {
            throw new CorruptedFrameException("PEX lists " + count + " peers; at most " + WireLimits.MAX_PEX_PEERS);
        }
        List<PexPeer> peers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (!frame.isReadable()) {
                throw new CorruptedFrameException("PEX truncated");
            }
            int family = frame.readUnsignedByte();
            int addressLength = family == 4 ? 4 : family == 6 ? 16 : -1;
            if (addressLength < 0) {
                throw new CorruptedFrameException("PEX address family " + family);
            }
            if (frame.readableBytes() < addressLength + 2) {
                throw new CorruptedFrameException("PEX truncated");
            }
            byte[] address = new byte[addressLength];
            frame.readBytes(address);
            int port = frame.readUnsignedShort();
            if (port == 0) {
                throw new CorruptedFrameException("PEX port 0");
            }
            try {
                peers.add(new PexPeer(InetAddress.getByAddress(address), port));
            } catch (UnknownHostException e) {
                throw new CorruptedFrameException("PEX address", e);
            }
        }
        return peers;
    }

    private static PeerId peerId(ByteBuf frame) {
        byte[] id = new byte[PeerId.LENGTH];
        frame.readBytes(id);
        return PeerId.wrap(id);
    }

    /** {@code <family u8: 0 none, 4, 6><address><port u16>}; null for family 0. */
    private static InetSocketAddress endpoint(ByteBuf frame, String name) {
        if (!frame.isReadable()) {
            throw new CorruptedFrameException(name + " truncated");
        }
        int family = frame.readUnsignedByte();
        if (family == 0) {
            return null;
        }
        int addressLength = family == 4 ? 4 : family == 6 ? 16 : -1;
        if (addressLength < 0) {
            throw new CorruptedFrameException(name + " address family " + family);
        }
        if (frame.readableBytes() < addressLength + 2) {
            throw new CorruptedFrameException(name + " truncated");
        }
        byte[] address = new byte[addressLength];
        frame.readBytes(address);
        int port = frame.readUnsignedShort();
        if (port == 0) {
            throw new CorruptedFrameException(name + " port 0");
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException e) {
            throw new CorruptedFrameException(name + " address", e);
        }
    }

    private static <T extends PeerMessage> T empty(ByteBuf frame, T message, String name) {
        expect(frame, 0, name);
        return message;
    }

    private static void expect(ByteBuf frame, int bodyLength, String name) {
        if (frame.readableBytes() != bodyLength) {
            throw new CorruptedFrameException(name + " body is " + frame.readableBytes() + " bytes, expected " + bodyLength);
        }
    }

    private static int nonNegative(int value, String what) {
        if (value < 0) {
            throw new CorruptedFrameException(what + " " + Integer.toUnsignedString(value) + " out of range");
        }
        return value;
    }
}
