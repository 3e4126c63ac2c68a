package org.peerit.daemon.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.peerit.daemon.download.Block;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.daemon.storage.Bitfields;
import org.peerit.daemon.upload.RateMeter;
import org.peerit.daemon.upload.UploadCandidate;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PexPeer;
import org.peerit.protocol.wire.WireLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Set;

/**
 * One connection to one peer for one swarm, once its handshake proved who the peer is ({@link PeerHandshake}): the
 * peer wire's dispatch, the choke and interest state of both sides, and the parts that keep their own state (our
 * requests, its requests, super-seeding offers, PEX). Runs on the engine thread, as every peer channel does.
 */
public final class PeerSession extends ChannelInboundHandlerAdapter implements UploadCandidate, Admitted {
    private static final Logger log = LoggerFactory.getLogger(PeerSession.class);

    private final SessionHost host;
    private final SessionSwarm swarm;
    private final Channel channel;
    private final PeerId peerId;
    private final int peerListenPort;
    private final boolean outbound;
    private final PeerPath path;
    /** How the connection is protected, for status: protocol and cipher suite. */
    private final String security;
    private final SessionErrors errors;
    private final RequestPipeline requests;
    private final SeedOffers offers;
    private final UploadQueue uploads;
    private final PexSender pex;
    private final RateMeter down = new RateMeter();
    private final RateMeter up = new RateMeter();
    private BitSet peerHas = new BitSet();
    /** A BITFIELD may only be the first message after the handshake. */
    private boolean bitfieldAllowed = true;
    private boolean amChoking = true;
    private boolean amInterested;
    private boolean peerChoking = true;
    private boolean peerInterested;
    /** Metadata pieces served on this connection, against a bound. */
    private int metadataServed;
    /** The peer's public QUIC mappings as it told us (null until it does). */
    private PeerMessage.NatEndpoints peerEndpoints;
    /** Ours as we last told the peer. */
    private PeerMessage.NatEndpoints sentEndpoints;

    PeerSession(SessionHost host, SessionSwarm swarm, PeerLink link) {
        this.host = host;
        this.swarm = swarm;
        this.channel = link.channel();
        this.peerId = link.peerId();
        this.peerListenPort = link.listenPort();
        this.outbound = link.outbound();
        this.path = link.path();
        this.security = link.security();
        this.errors = new SessionErrors(host, outbound);
        this.requests = new RequestPipeline(this, host, swarm);
        this.offers = new SeedOffers(this, swarm);
        this.uploads = new UploadQueue(this, host, swarm, offers);
        this.pex = new PexSender(this);
    }

    @Override
    public ChannelHandler handler() {
        return this;
    }

    /** The handshake is done and this session is in the pipeline: show the peer what we have. */
    @Override
    public void start() {
        BitSet shown = offers.start() ? new BitSet() : swarm.have();
        channel.writeAndFlush(new PeerMessage.Bitfield(Bitfields.toBytes(shown, swarm.manifest().chunkCount())));
        offers.offerMore();
        log.info("{}: connected to peer {} at {} over {}", swarm.name(), peerId.shortHex(), remoteAddress(), path);
    }

    @Override
    public PeerId peerId() {
        return peerId;
    }

    public BitSet peerHas() {
        return peerHas;
    }

    public boolean isSeed() {
        return peerHas.cardinality() == swarm.manifest().chunkCount();
    }

    @Override
    public boolean outbound() {
        return outbound;
    }

    public PeerPath path() {
        return path;
    }

    public String security() {
        return security;
    }

    public boolean peerChoking() {
        return peerChoking;
    }

    public boolean amChoking() {
        return amChoking;
    }

    public boolean amInterested() {
        return amInterested;
    }

    public long downloadRate() {
        return down.bytesPerSecond();
    }

    public long uploadRate() {
        return up.bytesPerSecond();
    }

    Channel channel() {
        return channel;
    }

    public InetSocketAddress remoteAddress() {
        return PeerLink.remoteOf(channel);
    }

    /** The listen port from the peer's handshake (0: it accepts no TCP). */
    public int peerListenPort() {
        return peerListenPort;
    }

    /** Where this peer accepts connections: its address with the listen port from its handshake. */
    public InetSocketAddress peerListenEndpoint() {
        return new InetSocketAddress(remoteAddress().getAddress(), peerListenPort);
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
        if (msg instanceof PeerMessage.MetadataRequest r) {
            onMetadataRequest(r); // a peer with only the link may ask before it can send a BITFIELD
            return;
        }
        if (msg instanceof PeerMessage.MetadataPiece || msg instanceof PeerMessage.MetadataReject) {
            throw new ProtocolViolation("metadata we never asked for");
        }
        if (msg instanceof PeerMessage.NatEndpoints e) {
            peerEndpoints = e;
            return;
        }
        if (msg instanceof PeerMessage.PunchPeers || msg instanceof PeerMessage.PunchAsk
                || msg instanceof PeerMessage.PunchGo || msg instanceof PeerMessage.PunchFail) {
            swarm.punchMessage(this, msg); // NAT signalling, not part of the chunk exchange's order
            return;
        }
        boolean first = bitfieldAllowed;
        bitfieldAllowed = false;
        if (msg instanceof PeerMessage.Piece piece) {
            onPiece(piece);
        } else if (msg instanceof PeerMessage.Request r) {
            onRequest(r);
        } else if (msg instanceof PeerMessage.Have have) {
            onHave(have.chunk());
        } else if (msg instanceof PeerMessage.Bitfield b) {
            onBitfield(b, first);
        } else if (msg instanceof PeerMessage.Interested || msg instanceof PeerMessage.NotInterested) {
            peerInterested = msg instanceof PeerMessage.Interested;
            offers.interest(peerInterested);
            swarm.choker().interestChanged(this);
        } else if (msg instanceof PeerMessage.Choke) {
            peerChoking = true;
            requests.abandonAll();
        } else if (msg instanceof PeerMessage.Unchoke) {
            peerChoking = false;
            requests.fill();
        } else if (msg instanceof PeerMessage.Cancel c) {
            uploads.cancel(c);
        } else if (msg instanceof PeerMessage.Pex p) {
            swarm.pexReceived(p.added());
        } else if (msg instanceof PeerMessage.Handshake) {
            throw new ProtocolViolation("second handshake");
        }
        // KEEPALIVE resets the idle timer, nothing more.
    }

    private void onBitfield(PeerMessage.Bitfield b, boolean first) {
        if (!first) {
            throw new ProtocolViolation("BITFIELD after other messages");
        }
        BitSet bits = Bitfields.fromBytes(b.bits(), swarm.manifest().chunkCount());
        if (bits == null) {
            throw new ProtocolViolation("BITFIELD does not match the chunk count");
        }
        peerHas = bits;
        swarm.peerBitfield(this, bits);
    }

    private void onHave(int chunk) {
        if (chunk >= swarm.manifest().chunkCount()) {
            throw new ProtocolViolation("HAVE for chunk " + chunk + " outside the file");
        }
        if (!peerHas.get(chunk)) {
            peerHas.set(chunk);
            swarm.peerHave(this, chunk);
            offers.peerHas(chunk);
        }
    }

    private void onRequest(PeerMessage.Request r) {
        var m = swarm.manifest();
        if (r.chunk() >= m.chunkCount() || (long) r.offset() + r.length() > m.chunkLength(r.chunk())) {
            throw new ProtocolViolation("REQUEST outside the file (chunk " + r.chunk() + ", offset " + r.offset() + ")");
        }
        if (!swarm.have().get(r.chunk())) {
            throw new ProtocolViolation("REQUEST for chunk " + r.chunk() + ", which we never announced");
        }
        if (!amChoking) { // requests while choked are dropped, as the peer knows
            uploads.add(r);
        }
    }

    /**
     * Hands a peer that knows only the link a piece of the manifest. Each piece at most twice over per connection,
     * and only while the connection takes writes: a stranger cannot make us send a large manifest without end.
     */
    private void onMetadataRequest(PeerMessage.MetadataRequest r) {
        byte[] metadata = swarm.metadata();
        int pieces = (metadata.length + WireLimits.METADATA_PIECE - 1) / WireLimits.METADATA_PIECE;
        if (r.piece() >= pieces) {
            throw new ProtocolViolation("METADATA_REQUEST for piece " + r.piece() + " of " + pieces);
        }
        if (++metadataServed > 2 * pieces + 2) {
            throw new ProtocolViolation("asked for the manifest more than twice over");
        }
        if (!channel.isWritable()) {
            channel.writeAndFlush(new PeerMessage.MetadataReject(r.piece()));
            return;
        }
        int from = r.piece() * WireLimits.METADATA_PIECE;
        byte[] data = Arrays.copyOfRange(metadata, from, Math.min(metadata.length, from + WireLimits.METADATA_PIECE));
        channel.writeAndFlush(new PeerMessage.MetadataPiece(r.piece(), metadata.length, data));
    }

    /**
     * A peer that fetched the manifest over this connection: what it told us before we could make sense of it (its
     * BITFIELD, HAVEs, choke and interest), taken as if it came now.
     */
    void replay(byte[] bitfield, BitSet haves, boolean peerChokes, boolean peerWantsUs) {
        try {
            if (bitfield != null) {
                dispatch(new PeerMessage.Bitfield(bitfield));
            }
            for (int i = haves.nextSetBit(0); i >= 0; i = haves.nextSetBit(i + 1)) {
                dispatch(new PeerMessage.Have(i));
            }
            if (peerWantsUs) {
                dispatch(new PeerMessage.Interested());
            }
            if (!peerChokes) {
                dispatch(new PeerMessage.Unchoke());
            }
        } catch (ProtocolViolation e) {
            close(e.getMessage());
        }
    }

    private void onPiece(PeerMessage.Piece piece) {
        Block block = new Block(piece.chunk(), piece.offset(), piece.data().readableBytes());
        if (!requests.answered(block)) {
            return; // cancelled or timed out and already asked elsewhere: drop it
        }
        down.add(block.length());
        swarm.blockArrived(this, block, piece.data());
        requests.fill();
    }

    // ---- what the swarm tells the session --------------------------------------------------------------------

    /** Super-seeding: tops up the chunks offered to this peer. */
    public void offerMore() {
        offers.offerMore();
    }

    public void fillRequests() {
        requests.fill();
    }

    /** The block came from another peer. */
    public void cancel(Block block) {
        requests.cancel(block);
    }

    public void sendHave(int chunk) {
        channel.writeAndFlush(new PeerMessage.Have(chunk));
    }

    /** The peer's public QUIC mappings, as it said; null until it has. */
    public PeerMessage.NatEndpoints peerEndpoints() {
        return peerEndpoints;
    }

    /** Tells the peer our public QUIC mappings, if they changed since we last did. */
    public void sendEndpoints(PeerMessage.NatEndpoints ours) {
        if (!ours.equals(sentEndpoints)) {
            sentEndpoints = ours;
            channel.writeAndFlush(ours);
        }
    }

    /** A message of the punch introductions (see PunchBroker). */
    public void send(PeerMessage punchMessage) {
        channel.writeAndFlush(punchMessage);
    }

    public void sendPex(Set<PexPeer> connected, long nowNanos) {
        pex.send(connected, nowNanos);
    }

    public void setInterested(boolean interested) {
        if (interested != amInterested) {
            amInterested = interested;
            channel.writeAndFlush(interested ? new PeerMessage.Interested() : new PeerMessage.NotInterested());
            if (interested) {
                requests.fill();
            } else {
                requests.abandonAll();
            }
        }
    }

    /** Once a second: rates, request timeouts, pipeline depth. */
    public void tick(double seconds, long nowNanos) {
        down.tick(seconds);
        up.tick(seconds);
        requests.tick(nowNanos, down.bytesPerSecond());
    }

    void uploaded(long bytes) {
        up.add(bytes);
        swarm.uploaded(bytes);
    }

    // ---- the choker's view -----------------------------------------------------------------------------------

    @Override
    public boolean wantsUpload() {
        return peerInterested;
    }

    @Override
    public boolean choked() {
        return amChoking;
    }

    @Override
    public long rateFromIt() {
        return down.bytesPerSecond();
    }

    @Override
    public long rateToIt() {
        return up.bytesPerSecond();
    }

    @Override
    public void choke() {
        if (!amChoking) {
            amChoking = true;
            uploads.clear();
            channel.writeAndFlush(new PeerMessage.Choke());
        }
    }

    @Override
    public void unchoke() {
        if (amChoking) {
            amChoking = false;
            channel.writeAndFlush(new PeerMessage.Unchoke());
        }
    }

    // ---- the channel -----------------------------------------------------------------------------------------

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            uploads.serve();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!IdleConnections.handled(ctx, evt, this::close)) {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        requests.abandonAll();
        uploads.clear();
        offers.end();
        swarm.sessionClosed(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        errors.caught(ctx, cause, this::close);
    }

    @Override
    public void close(String reason) {
        if (channel.isOpen()) {
            log.debug("{}: closing connection to {} ({}): {}", swarm.name(), peerId, channel.remoteAddress(), reason);
            channel.close();
        }
    }
}
