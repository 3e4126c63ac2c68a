package org.peerit.daemon.swarm;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.peerit.daemon.identity.PeerTrust;
import org.peerit.daemon.storage.Bitfields;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PexPeer;
import org.peerit.protocol.wire.WireLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection to one peer for one swarm: the protocol state machine on top of the frame codecs. Runs on the
 * engine thread (all peer channels share the engine's event loop), so it touches its {@link Share} directly.
 */
final class PeerSession extends ChannelInboundHandlerAdapter implements UploadCandidate {
    private static final Logger log = LoggerFactory.getLogger(PeerSession.class);
    /** 2: every connection is TLS 1.3 with certificates that prove the peer ids (1 was plaintext over TCP). */
    static final int PROTOCOL_VERSION = 2;
    /** Requests a peer may queue at us; more is abuse and closes the connection. */
    private static final int MAX_QUEUED_REQUESTS = 4096;
    private static final int MIN_DEPTH = 8;
    private static final int MAX_DEPTH = 256;
    /** A connection that has not completed its handshake by then is closed: strangers cannot hold one for free. */
    static final long HANDSHAKE_TIMEOUT_SECONDS = 5;

    private final SwarmEngine engine;
    private final boolean outbound;
    private final String path;
    /**
     * The peer id the peer's certificate proves, which its handshake must claim: known from the start on a QUIC
     * stream, once the TLS handshake completes over TCP.
     */
    private PeerId certified;
    /** The id the peer we dialled must prove (from the tracker); null for inbound peers and those heard of by PEX. */
    private final PeerId expected;
    /** How the connection is protected, for status: protocol and cipher suite. */
    private String security = "";
    private Channel channel;
    private Share share;
    private PeerId peerId;
    private int peerListenPort;
    private boolean bitfieldAllowed;
    private BitSet peerHas = new BitSet();
    /**
     * Super-seeding state: whether we show this peer only offered chunks; which we offered; which it has not been
     * sent in full yet (its offer slots); and which it has not confirmed with a HAVE (still in flight for the swarm).
     */
    private boolean superSeeding;
    private final BitSet offered = new BitSet();
    private final BitSet offersPending = new BitSet();
    private final BitSet offersUnconfirmed = new BitSet();
    /** When this peer last had an offer pending: a peer left without one for long is starved (see SuperSeeder). */
    private long offersLastPendingNanos = System.nanoTime();

    boolean amChoking = true;
    boolean amInterested;
    boolean peerChoking = true;
    boolean peerInterested;
    /** Our requests not yet answered, with the time each was sent. */
    final Map<Block, Long> outstanding = new LinkedHashMap<>();
    private final ArrayDeque<PeerMessage.Request> uploads = new ArrayDeque<>();
    /** Resumes uploads, and requests, once the rate limit allows again. */
    private final Wake uploadWake = new Wake(this::serveUploads);
    private final Wake requestWake = new Wake(this::fillRequests);
    private static final long PEX_INTERVAL_NANOS = 60_000_000_000L;
    /** What PEX has told this peer we are connected to. */
    private final java.util.Set<PexPeer> pexSent = new java.util.HashSet<>();
    private long lastPexNanos;
    final RateMeter down = new RateMeter();
    final RateMeter up = new RateMeter();
    int depth = 16;
    long connectedNanos = System.nanoTime();

    /**
     * Outbound: we dialled for {@code share}. Inbound: {@code share} is null until the handshake names one.
     * {@code certified}: the id a QUIC connection's certificate proved (null over TCP, where TLS runs in this
     * pipeline); {@code expected}: the id a peer we dial over TCP must prove.
     */
    PeerSession(SwarmEngine engine, Share share, boolean outbound, String path, PeerId certified, PeerId expected) {
        this.engine = engine;
        this.certified = certified;
        this.expected = expected;
        this.share = share;
        this.outbound = outbound;
        this.path = path;
    }

    PeerId peerId() {
        return peerId;
    }

    BitSet peerHas() {
        return peerHas;
    }

    boolean isSeed() {
        return share != null && peerHas.cardinality() == share.manifest().chunkCount();
    }

    boolean outbound() {
        return outbound;
    }

    String path() {
        return path;
    }

    String security() {
        return security;
    }

    InetSocketAddress remoteAddress() {
        if (channel instanceof QuicStreamChannel stream) {
            return (InetSocketAddress) stream.parent().remoteSocketAddress();
        }
        return (InetSocketAddress) channel.remoteAddress();
    }

    int peerListenPort() {
        return peerListenPort;
    }

    /** Where this peer accepts connections: its address with the listen port from its handshake. */
    InetSocketAddress peerListenEndpoint() {
        return new InetSocketAddress(remoteAddress().getAddress(), peerListenPort);
    }

    /** PEX: the peers we are connected to, as a difference from what this peer was told before; at most once a minute. */
    void sendPex(java.util.Set<PexPeer> connected, long nowNanos) {
        if (lastPexNanos != 0 && nowNanos - lastPexNanos < PEX_INTERVAL_NANOS) {
            return;
        }
        List<PexPeer> added = new ArrayList<>();
        List<PexPeer> dropped = new ArrayList<>();
        PexPeer self = peerListenPort > 0 ? new PexPeer(remoteAddress().getAddress(), peerListenPort) : null;
        for (PexPeer p : connected) {
            if (!p.equals(self) && !pexSent.contains(p) && added.size() < WireLimits.MAX_PEX_PEERS) {
                added.add(p);
            }
        }
        for (PexPeer p : pexSent) {
            if (!connected.contains(p) && dropped.size() < WireLimits.MAX_PEX_PEERS) {
                dropped.add(p);
            }
        }
        if (added.isEmpty() && dropped.isEmpty()) {
            return;
        }
        pexSent.addAll(added);
        dropped.forEach(pexSent::remove);
        lastPexNanos = nowNanos;
        channel.writeAndFlush(new PeerMessage.Pex(added, dropped));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        if (channel instanceof QuicStreamChannel stream) {
            javax.net.ssl.SSLSession tls = stream.parent().sslEngine().getSession();
            security = tls.getProtocol() + " " + tls.getCipherSuite() + " (QUIC)";
        }
        if (outbound && certified != null) {
            sendHandshake(); // over TCP: once TLS has proven who the peer is
        }
        ctx.executor().schedule(() -> {
            if (peerId == null) {
                close("no handshake within " + HANDSHAKE_TIMEOUT_SECONDS + " s");
            }
        }, HANDSHAKE_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    private void sendHandshake() {
        channel.writeAndFlush(new PeerMessage.Handshake(PROTOCOL_VERSION, share.id(), engine.peerId(), engine.listenPort()));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (peerId == null) {
                onHandshake(msg);
            } else {
                dispatch((PeerMessage) msg);
            }
        } catch (ProtocolViolation e) {
            close(e.getMessage());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHandshake(Object msg) {
        if (certified == null) {
            throw new ProtocolViolation("data before the TLS handshake completed"); // SslHandler never lets it through
        }
        if (!(msg instanceof PeerMessage.Handshake h)) {
            throw new ProtocolViolation("first message was not a handshake");
        }
        if (h.version() != PROTOCOL_VERSION) {
            throw new ProtocolViolation("peer speaks protocol version " + h.version() + ", we speak " + PROTOCOL_VERSION
                    + "; one of the two peerit versions needs an upgrade");
        }
        if (h.peerId().equals(engine.peerId())) {
            throw new ProtocolViolation("connected to ourselves");
        }
        if (!certified.equals(h.peerId())) {
            refusal("{} claims peer id {} but its certificate proves {}; connection dropped", remoteAddress(),
                    h.peerId().shortHex(), certified.shortHex());
            throw new ProtocolViolation("peer claims id " + h.peerId().shortHex() + " but its certificate is "
                    + certified.shortHex() + "'s");
        }
        if (outbound) {
            if (!h.swarmId().equals(share.id())) {
                throw new ProtocolViolation("peer answered for another swarm");
            }
        } else {
            share = engine.share(h.swarmId());
            if (share == null) {
                throw new ProtocolViolation("peer asked for swarm " + h.swarmId().shortHex() + ", which we do not serve");
            }
        }
        if (!engine.gate().establish(channel)) {
            throw new ProtocolViolation("too many peers connected");
        }
        if (!share.accept(this, h.peerId())) {
            throw new ProtocolViolation("not accepted");
        }
        peerId = h.peerId();
        peerListenPort = h.listenPort();
        if (!outbound) {
            sendHandshake();
        }
        superSeeding = share.superSeeder() != null;
        BitSet shown = superSeeding ? new BitSet() : share.have();
        channel.writeAndFlush(new PeerMessage.Bitfield(Bitfields.toBytes(shown, share.manifest().chunkCount())));
        bitfieldAllowed = true;
        offerMore();
        log.info("{}: connected to peer {} at {} over {}", share.name(), peerId.shortHex(), remoteAddress(), path);
    }

    private void dispatch(PeerMessage msg) {
        boolean first = bitfieldAllowed;
        bitfieldAllowed = false;
        if (msg instanceof PeerMessage.Piece piece) {
            onPiece(piece);
        } else if (msg instanceof PeerMessage.Request r) {
            onRequest(r);
        } else if (msg instanceof PeerMessage.Have have) {
            onHave(have.chunk());
        } else if (msg instanceof PeerMessage.Bitfield b) {
            if (!first) {
                throw new ProtocolViolation("BITFIELD after other messages");
            }
            BitSet bits = Bitfields.fromBytes(b.bits(), share.manifest().chunkCount());
            if (bits == null) {
                throw new ProtocolViolation("BITFIELD does not match the chunk count");
            }
            peerHas = bits;
            share.peerBitfield(this, bits);
        } else if (msg instanceof PeerMessage.Interested) {
            peerInterested = true;
            share.choker().interestChanged(this);
        } else if (msg instanceof PeerMessage.NotInterested) {
            peerInterested = false;
            share.choker().interestChanged(this);
        } else if (msg instanceof PeerMessage.Choke) {
            peerChoking = true;
            abandonAll();
        } else if (msg instanceof PeerMessage.Unchoke) {
            peerChoking = false;
            fillRequests();
        } else if (msg instanceof PeerMessage.Cancel c) {
            uploads.removeIf(r -> r.chunk() == c.chunk() && r.offset() == c.offset() && r.length() == c.length());
        } else if (msg instanceof PeerMessage.Handshake) {
            throw new ProtocolViolation("second handshake");
        } else if (msg instanceof PeerMessage.Pex pex) {
            share.pexReceived(pex.added());
        }
        // KEEPALIVE needs nothing.
    }

    private void onHave(int chunk) {
        if (chunk >= share.manifest().chunkCount()) {
            throw new ProtocolViolation("HAVE for chunk " + chunk + " outside the file");
        }
        if (!peerHas.get(chunk)) {
            peerHas.set(chunk);
            share.peerHave(this, chunk);
            if (offersUnconfirmed.get(chunk)) {
                offersUnconfirmed.clear(chunk);
                share.superSeeder().settled(chunk);
            }
            if (offersPending.get(chunk)) {
                offersPending.clear(chunk); // got it elsewhere: offer something else
                offerMore();
            }
        }
    }

    /** Super-seeding: tops up the chunks offered to this peer (HAVE messages for chunks it lacks). */
    void offerMore() {
        if (!superSeeding || !channel.isActive()) {
            return;
        }
        boolean[] any = {false};
        long now = System.nanoTime();
        if (!offersPending.isEmpty()) {
            offersLastPendingNanos = now;
        }
        share.superSeeder().fill(peerHas, offered, offersPending, share.picker()::availability, now,
                now - offersLastPendingNanos, chunk -> {
                    offersUnconfirmed.set(chunk);
                    channel.write(new PeerMessage.Have(chunk));
                    any[0] = true;
                });
        if (any[0]) {
            offersLastPendingNanos = now;
            channel.flush();
        }
    }

    private void onRequest(PeerMessage.Request r) {
        var m = share.manifest();
        if (r.chunk() >= m.chunkCount() || (long) r.offset() + r.length() > m.chunkLength(r.chunk())) {
            throw new ProtocolViolation("REQUEST outside the file (chunk " + r.chunk() + ", offset " + r.offset() + ")");
        }
        if (!share.have().get(r.chunk())) {
            throw new ProtocolViolation("REQUEST for chunk " + r.chunk() + ", which we never announced");
        }
        if (amChoking) {
            return; // requests while choked are dropped, as the peer knows
        }
        if (uploads.size() >= MAX_QUEUED_REQUESTS) {
            throw new ProtocolViolation("more than " + MAX_QUEUED_REQUESTS + " requests queued");
        }
        uploads.add(r);
        serveUploads();
    }

    private void onPiece(PeerMessage.Piece piece) {
        Block block = new Block(piece.chunk(), piece.offset(), piece.data().readableBytes());
        if (outstanding.remove(block) == null) {
            return; // cancelled or timed out and already asked elsewhere: drop it
        }
        down.add(block.length());
        share.blockArrived(this, block, piece.data());
        fillRequests();
    }

    /** Asks for more blocks, up to the pipeline depth, if the peer lets us and the download rate allows. */
    void fillRequests() {
        if (peerChoking || !amInterested || !channel.isActive() || !share.isDownloading()) {
            return;
        }
        int want = depth - outstanding.size();
        if (want <= 0) {
            return;
        }
        long wait = engine.downloadLimit().nanosUntilAvailable(System.nanoTime());
        if (wait > 0) {
            requestWake.after(wait);
            return;
        }
        List<Block> blocks = new ArrayList<>(want);
        long now = System.nanoTime();
        share.picker().pick(this, peerHas, outstanding.keySet(), want, blocks, now);
        for (Block b : blocks) {
            outstanding.put(b, now);
            channel.write(new PeerMessage.Request(b.chunk(), b.offset(), b.length()));
        }
        if (!blocks.isEmpty()) {
            channel.flush();
        }
    }

    void cancel(Block block) {
        if (outstanding.remove(block) != null) {
            channel.writeAndFlush(new PeerMessage.Cancel(block.chunk(), block.offset(), block.length()));
        }
    }

    /** Gives back every outstanding request so other peers can take them. */
    void abandonAll() {
        for (Block b : outstanding.keySet()) {
            share.picker().abandoned(b);
        }
        outstanding.clear();
    }

    /** Once a second: rates, request timeouts, pipeline depth. */
    void tick(double seconds, long nowNanos, long timeoutNanos) {
        down.tick(seconds);
        up.tick(seconds);
        boolean timedOut = false;
        for (Iterator<Map.Entry<Block, Long>> it = outstanding.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Block, Long> e = it.next();
            if (nowNanos - e.getValue() > timeoutNanos) {
                share.picker().abandoned(e.getKey());
                it.remove();
                timedOut = true;
            }
        }
        if (timedOut) {
            log.debug("{}: requests to {} timed out; asking others", share.name(), peerId);
            depth = MIN_DEPTH;
        } else {
            // Keep about half a second of this peer's rate in flight.
            long target = down.bytesPerSecond() / 2 / WireLimits.BLOCK;
            depth = (int) Math.max(MIN_DEPTH, Math.min(MAX_DEPTH, Math.max(target, depth)));
        }
        fillRequests();
    }

    void sendHave(int chunk) {
        channel.writeAndFlush(new PeerMessage.Have(chunk));
    }

    void setInterested(boolean interested) {
        if (interested != amInterested) {
            amInterested = interested;
            channel.writeAndFlush(interested ? new PeerMessage.Interested() : new PeerMessage.NotInterested());
            if (interested) {
                fillRequests();
            } else {
                abandonAll();
            }
        }
    }

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

    /** Sends queued blocks while the socket takes them and the upload rate allows. */
    private void serveUploads() {
        boolean wrote = false;
        try {
            while (!uploads.isEmpty() && channel.isWritable() && !amChoking) {
                long wait = engine.uploadLimit().nanosUntilAvailable(System.nanoTime());
                if (wait > 0) {
                    uploadWake.after(wait);
                    break;
                }
                PeerMessage.Request r = uploads.poll();
                try {
                    writePiece(r);
                } catch (IOException e) {
                    share.fail("cannot read " + share.name() + ": " + e.getMessage());
                    return;
                }
                engine.uploadLimit().take(r.length(), System.nanoTime());
                up.add(r.length());
                share.uploaded(r.length());
                wrote = true;
                if (superSeeding && r.offset() + r.length() == share.manifest().chunkLength(r.chunk())
                        && offersPending.get(r.chunk())) {
                    offersPending.clear(r.chunk()); // its last block is on its way: offer the next one
                    offerMore();
                }
            }
        } finally {
            if (wrote) {
                channel.flush();
            }
        }
    }

    /**
     * The block is read into a pooled direct buffer, which TLS (or QUIC) encrypts in 16 KiB records: sendfile cannot
     * apply to encrypted connections (Netty has no kernel TLS).
     */
    private void writePiece(PeerMessage.Request r) throws IOException {
        ByteBuf data = channel.alloc().directBuffer(r.length());
        try {
            share.file().read(r.chunk(), r.offset(), r.length(), data);
        } catch (IOException e) {
            data.release();
            throw e;
        }
        channel.write(new PeerMessage.Piece(r.chunk(), r.offset(), data));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && peerId != null) {
            serveUploads();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            tlsDone(ctx, done);
        } else if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(new PeerMessage.KeepAlive());
            } else if (idle.state() == IdleState.READER_IDLE) {
                close("silent for too long");
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (share != null && peerId != null) {
            abandonAll();
            uploads.clear();
            if (superSeeding) {
                superSeeding = false; // stop offering; give back what this peer never got
                for (int c = offersUnconfirmed.nextSetBit(0); c >= 0; c = offersUnconfirmed.nextSetBit(c + 1)) {
                    share.superSeeder().settled(c);
                }
                offersUnconfirmed.clear();
                offersPending.clear();
            }
            share.sessionClosed(this);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable oom = outOfMemory(cause);
        if (oom != null) {
            ctx.close();
            engine.memoryShortage(oom);
        } else if (cause.getCause() instanceof io.netty.handler.ssl.NotSslRecordException) {
            refusal("inbound connection from {} does not speak TLS (an older peerit, or not a peer); connection dropped",
                    ctx.channel().remoteAddress());
            ctx.close();
        } else if (cause instanceof DecoderException) {
            close("sent a malformed frame: " + cause.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("connection to {} failed: {}", ctx.channel().remoteAddress(), cause.getMessage());
            ctx.close();
        } else {
            log.warn("peer session error with {}", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }

    /**
     * TLS over TCP has completed, or failed: the certificate must prove the id we dialled for; then the peer-wire
     * handshake, which must claim the same id, may go. A failure or mismatch drops the connection with a log line.
     */
    private void tlsDone(ChannelHandlerContext ctx, SslHandshakeCompletionEvent done) {
        String who = (outbound ? "peer at " : "inbound connection from ") + ctx.channel().remoteAddress();
        if (!done.isSuccess()) {
            Throwable why = done.cause();
            refusal("{}: TLS handshake failed, connection dropped: {}{}", who, why.getMessage(),
                    why instanceof io.netty.handler.ssl.NotSslRecordException || why instanceof java.nio.channels.ClosedChannelException
                            ? " (is it an older peerit, without TLS?)" : "");
            ctx.close();
            return;
        }
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        PeerId proven;
        try {
            proven = PeerTrust.peerIdOf(tls.engine());
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            refusal("{}: presented no certificate; connection dropped", who);
            ctx.close();
            return;
        }
        if (expected != null && !expected.equals(proven)) {
            log.warn("{}: expected peer {} but its certificate proves {}; connection dropped", who, expected.shortHex(),
                    proven.shortHex());
            ctx.close();
            return;
        }
        certified = proven;
        security = tls.engine().getSession().getProtocol() + " " + tls.engine().getSession().getCipherSuite();
        if (outbound) {
            sendHandshake();
        }
    }

    /**
     * Why a connection was refused: a warning for a peer we dialled (something is wrong with a peer we were told of);
     * for a stranger who connected, a line at most every 10 s (anyone can make those at will: they must not flood
     * the log), the others counted in it.
     */
    private void refusal(String format, Object... args) {
        if (outbound) {
            log.warn(format, args);
        } else {
            engine.gate().logRefusal(org.slf4j.helpers.MessageFormatter.arrayFormat(format, args).getMessage());
        }
    }

    /** The out-of-memory error behind {@code cause}, if that is what it is (a decoder wraps what it hit). */
    private static Throwable outOfMemory(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return t;
            }
        }
        return null;
    }

    void close(String reason) {
        if (channel.isOpen()) {
            log.debug("{}closing connection to {} ({}): {}", share == null ? "" : share.name() + ": ",
                    peerId == null ? "unknown peer" : peerId, channel.remoteAddress(), reason);
            channel.close();
        }
    }

    boolean isActive() {
        return channel != null && channel.isActive();
    }

    /** Runs an action once after a delay, however often it is asked to while one run is pending. */
    private final class Wake {
        private final Runnable action;
        private boolean scheduled;

        Wake(Runnable action) {
            this.action = action;
        }

        void after(long nanos) {
            if (!scheduled) {
                scheduled = true;
                channel.eventLoop().schedule(() -> {
                    scheduled = false;
                    action.run();
                }, nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        }
    }

    /** The peer broke the protocol; the connection is closed. */
    static final class ProtocolViolation extends RuntimeException {
        ProtocolViolation(String message) {
            super(message, null, false, false);
        }
    }
}
