package org.peerit.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import org.peerit.protocol.PeerId;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Writes {@link PeerMessage}s as length-prefixed frames. A PIECE's data is passed on as its own buffer after the
 * header, never copied.
 */
@ChannelHandler.Sharable
public final class PeerMessageEncoder extends MessageToMessageEncoder<PeerMessage> {
    public PeerMessageEncoder() {
        super(PeerMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, PeerMessage msg, List<Object> out) {
        if (msg instanceof PeerMessage.Piece piece) {
            out.add(pieceHeader(ctx.alloc(), piece.chunk(), piece.offset(), piece.data().readableBytes()));
            out.add(piece.data().retain());
        } else {
            out.add(encode(ctx.alloc(), msg));
        }
    }

    /**
     * The start of a PIECE frame, up to its data: whoever writes the {@code length} data bytes right after it (a
     * buffer, or a file region sent with sendfile) completes the frame.
     */
    public static ByteBuf pieceHeader(ByteBufAllocator alloc, int chunk, int offset, int length) {
        return alloc.buffer(13).writeInt(9 + length).writeByte(MessageType.PIECE).writeInt(chunk).writeInt(offset);
    }

    /** Encodes every message but PIECE into one buffer holding the whole frame. */
    static ByteBuf encode(ByteBufAllocator alloc, PeerMessage msg) {
        ByteBuf buf = alloc.buffer();
        buf.writeInt(0);
        if (msg instanceof PeerMessage.Handshake h) {
            buf.writeByte(MessageType.HANDSHAKE).writeBytes(MessageType.MAGIC).writeShort(h.version())
                    .writeBytes(h.swarmId().bytes()).writeBytes(h.peerId().bytes()).writeShort(h.listenPort());
        } else if (msg instanceof PeerMessage.Bitfield b) {
            buf.writeByte(MessageType.BITFIELD).writeBytes(b.bits());
        } else if (msg instanceof PeerMessage.Have h) {
            buf.writeByte(MessageType.HAVE).writeInt(h.chunk());
        } else if (msg instanceof PeerMessage.Interested) {
            buf.writeByte(MessageType.INTERESTED);
        } else if (msg instanceof PeerMessage.NotInterested) {
            buf.writeByte(MessageType.NOT_INTERESTED);
        } else if (msg instanceof PeerMessage.Choke) {
            buf.writeByte(MessageType.CHOKE);
        } else if (msg instanceof PeerMessage.Unchoke) {
            buf.writeByte(MessageType.UNCHOKE);
        } else if (msg instanceof PeerMessage.Request r) {
            buf.writeByte(MessageType.REQUEST).writeInt(r.chunk()).writeInt(r.offset()).writeInt(r.length());
        } else if (msg instanceof PeerMessage.Cancel c) {
            buf.writeByte(MessageType.CANCEL).writeInt(c.chunk()).writeInt(c.offset()).writeInt(c.length());
        } else if (msg instanceof PeerMessage.Pex p) {
            buf.writeByte(MessageType.PEX);
            writePexList(buf, p.added());
            writePexList(buf, p.dropped());
        } else if (msg instanceof PeerMessage.MetadataRequest r) {
            buf.writeByte(MessageType.METADATA_REQUEST).writeInt(r.piece());
        } else if (msg instanceof PeerMessage.MetadataPiece p) {
            buf.writeByte(MessageType.METADATA_PIECE).writeInt(p.piece()).writeInt(p.total()).writeBytes(p.data());
        } else if (msg instanceof PeerMessage.MetadataReject r) {
            buf.writeByte(MessageType.METADATA_REJECT).writeInt(r.piece());
        } else if (msg instanceof PeerMessage.NatEndpoints e) {
            buf.writeByte(MessageType.NAT_ENDPOINTS);
            writeEndpoint(buf, e.server());
            writeEndpoint(buf, e.client());
        } else if (msg instanceof PeerMessage.PunchPeers p) {
            buf.writeByte(MessageType.PUNCH_PEERS).writeByte(p.peers().size());
            for (PeerId peer : p.peers()) {
                buf.writeBytes(peer.bytes());
            }
        } else if (msg instanceof PeerMessage.PunchAsk a) {
            buf.writeByte(MessageType.PUNCH_ASK).writeBytes(a.target().bytes()).writeLong(a.nonce());
        } else if (msg instanceof PeerMessage.PunchGo g) {
            buf.writeByte(MessageType.PUNCH_GO).writeBytes(g.peer().bytes()).writeLong(g.nonce()).writeByte(g.dial() ? 1 : 0);
            writeEndpoint(buf, g.endpoint());
        } else if (msg instanceof PeerMessage.PunchFail f) {
            buf.writeByte(MessageType.PUNCH_FAIL).writeBytes(f.target().bytes()).writeByte(f.code());
        } else if (msg instanceof PeerMessage.KeepAlive) {
            // An empty frame.
        } else {
            buf.release();
            throw new IllegalArgumentException("cannot encode " + msg.getClass().getSimpleName() + " here");
        }
        buf.setInt(0, buf.readableBytes() - 4);
        return buf;
    }

    private static void writeEndpoint(ByteBuf buf, InetSocketAddress endpoint) {
        if (endpoint == null) {
            buf.writeByte(0);
            return;
        }
        byte[] address = endpoint.getAddress().getAddress();
        buf.writeByte(address.length == 4 ? 4 : 6).writeBytes(address).writeShort(endpoint.getPort());
    }

    private static void writePexList(ByteBuf buf, List<PexPeer> peers) {
        buf.writeByte(peers.size());
        for (PexPeer peer : peers) {
            buf.writeByte(peer.address() instanceof Inet4Address ? 4 : 6);
            buf.writeBytes(peer.address().getAddress());
            buf.writeShort(peer.port());
        }
    }
}
