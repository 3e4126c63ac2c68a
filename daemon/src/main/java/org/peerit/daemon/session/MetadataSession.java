package org.peerit.daemon.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.ManifestRules;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.WireLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

/**
 * A connection for a swarm whose manifest we do not have yet (the user gave a link): it asks the peer for pieces of
 * the manifest (the metadata exchange, as BitTorrent's BEP 9) and keeps what the peer says meanwhile about its chunks
 * (its BITFIELD, HAVEs, choke and interest), which only the manifest gives a meaning to. Once the manifest is
 * verified, the connection becomes a {@link PeerSession} of the new share ({@link #upgrade}), with no new dial and
 * no new punch. Engine thread.
 */
public final class MetadataSession extends ChannelInboundHandlerAdapter implements Admitted {
    private static final Logger log = LoggerFactory.getLogger(MetadataSession.class);

    private final SessionHost host;
    private final MetadataSwarm swarm;
    private final PeerLink link;
    private final SessionErrors errors;
    private final Set<Integer> asked = new HashSet<>();
    /** Every piece ever asked: a late answer to one given up on is dropped, one never asked for is a violation. */
    private final BitSet askedEver = new BitSet();
    private byte[] bitfield;
    private boolean bitfieldAllowed = true;
    private final BitSet haves = new BitSet();
    private boolean peerChoking = true;
    private boolean peerInterested;
    private boolean upgraded;

    public MetadataSession(SessionHost host, MetadataSwarm swarm, PeerLink link) {
        this.host = host;
        this.swarm = swarm;
        this.link = link;
        this.errors = new SessionErrors(host, link.outbound());
    }

    @Override
    public ChannelHandler handler() {
        return this;
    }

    @Override
    public void start() {
        log.info("{}: connected to peer {} at {} over {}, to fetch the manifest", swarm.name(),
                link.peerId().shortHex(), remoteAddress(), link.path());
    }

    @Override
    public PeerId peerId() {
        return link.peerId();
    }

    @Override
    public boolean outbound() {
        return link.outbound();
    }

    @Override
    public PeerPath path() {
        return link.path();
    }

    public PeerLink link() {
        return link;
    }

    public InetSocketAddress remoteAddress() {
        return link.remoteAddress();
    }

    /** Pieces asked of this peer and not yet answered. */
    public int outstanding() {
        return asked.size();
    }

    public boolean isAsked(int piece) {
        return asked.contains(piece);
    }

    public void request(int piece) {
        if (asked.add(piece)) {
            askedEver.set(piece);
            link.channel().writeAndFlush(new PeerMessage.MetadataRequest(piece));
        }
    }

    /** Forgets what is outstanding here (a timed-out request, asked again elsewhere). */
    public void forget(int piece) {
        asked.remove(piece);
    }

    /** Forgets every outstanding request (the fetch starts over). */
    public void forgetAll() {
        asked.clear();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            dispatch((PeerMessage) msg);
        } catch (ProtocolViolation e) {
            close(e.getMessage());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void dispatch(PeerMessage msg) {
        if (msg instanceof PeerMessage.MetadataPiece p) {
            if (!asked.remove(p.piece())) {
                if (askedEver.get(p.piece())) {
                    return; // late: given up on, and asked elsewhere
                }
                throw new ProtocolViolation("METADATA_PIECE " + p.piece() + " we never asked for");
            }
            byte[] data = p.data();
            long start = (long) p.piece() * WireLimits.METADATA_PIECE;
            if (start >= p.total() || data.length != Math.min(WireLimits.METADATA_PIECE, p.total() - start)) {
                throw new ProtocolViolation("METADATA_PIECE " + p.piece() + " of " + data.length
                        + " bytes does not fit a manifest of " + p.total());
            }
            swarm.pieceArrived(this, p.piece(), p.total(), data);
            return;
        }
        if (msg instanceof PeerMessage.MetadataReject r) {
            if (asked.remove(r.piece())) {
                swarm.pieceRejected(this, r.piece());
            }
            return;
        }
        if (msg instanceof PeerMessage.MetadataRequest r) {
            link.channel().writeAndFlush(new PeerMessage.MetadataReject(r.piece())); // we are fetching it too
            return;
        }
        boolean first = bitfieldAllowed;
        bitfieldAllowed = false;
        if (msg instanceof PeerMessage.Bitfield b) {
            if (!first) {
                throw new ProtocolViolation("BITFIELD after other messages");
            }
            bitfield = b.bits(); // at most MAX_CHUNKS / 8 bytes: the frame cap says so
        } else if (msg instanceof PeerMessage.Have h) {
            if (h.chunk() >= ManifestRules.MAX_CHUNKS) {
                throw new ProtocolViolation("HAVE for chunk " + h.chunk() + ", more than any manifest has");
            }
            haves.set(h.chunk());
        } else if (msg instanceof PeerMessage.Choke || msg instanceof PeerMessage.Unchoke) {
            peerChoking = msg instanceof PeerMessage.Choke;
        } else if (msg instanceof PeerMessage.Interested || msg instanceof PeerMessage.NotInterested) {
            peerInterested = msg instanceof PeerMessage.Interested;
        } else if (msg instanceof PeerMessage.Pex p) {
            swarm.pexReceived(p.added());
        } else if (msg instanceof PeerMessage.Request || msg instanceof PeerMessage.Piece
                || msg instanceof PeerMessage.Cancel) {
            throw new ProtocolViolation(msg.getClass().getSimpleName().toUpperCase() + " before we announced any chunk");
        } else if (msg instanceof PeerMessage.Handshake) {
            throw new ProtocolViolation("second handshake");
        }
    }

    /**
     * The manifest is verified and {@code share} made: this connection now serves it as a {@link PeerSession},
     * which hears what the peer said so far. Whether the share took the peer.
     */
    public boolean upgrade(SessionSwarm share) {
        Channel channel = link.channel();
        if (!channel.isOpen()) {
            return false;
        }
        PeerSession session = new PeerSession(host, share, link);
        if (!share.accept(session)) {
            close("the new share has no room for it");
            return false;
        }
        upgraded = true;
        channel.pipeline().replace(this, "session", session);
        session.start();
        session.replay(bitfield, haves, peerChoking, peerInterested);
        return true;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!IdleConnections.handled(ctx, evt, this::close)) {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!upgraded) {
            swarm.sessionClosed(this);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        errors.caught(ctx, cause, this::close);
    }

    @Override
    public void close(String reason) {
        if (link.channel().isOpen()) {
            log.debug("{}: closing connection to {}: {}", swarm.name(), link.peerId().shortHex(), reason);
            link.channel().close();
        }
    }
}
