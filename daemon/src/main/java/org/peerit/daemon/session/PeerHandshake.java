package org.peerit.daemon.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import org.peerit.daemon.identity.PeerTrust;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.wire.PeerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * The start of every peer connection, up to the moment it is known who the peer is and for which swarm: the TLS
 * certificate (over TCP; a QUIC connection has proven it already) must prove the id we dialled for, the peer-wire
 * handshake must claim that same id, and the swarm must accept the peer. Then this handler replaces itself with the
 * {@link PeerSession}, as Netty's port unification example swaps handlers once it knows the protocol. A connection
 * that gets no further within {@value #TIMEOUT_SECONDS} s is closed: strangers cannot hold one for free.
 */
public final class PeerHandshake extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(PeerSession.class);
    public static final long TIMEOUT_SECONDS = 5;

    private final SessionHost host;
    private final boolean outbound;
    private final PeerPath path;
    /** The id the peer we dialled must prove (from the tracker); null for inbound peers and those heard of by PEX. */
    private final PeerId expected;
    private final SessionErrors errors;
    /** Ours when we dialled; the one the peer names in its handshake when it dialled us. */
    private HandshakeSwarm swarm;
    /** The id the peer's certificate proves: known from the start on QUIC, once TLS completes over TCP. */
    private PeerId certified;
    private String security = "";
    private boolean done;

    private PeerHandshake(SessionHost host, HandshakeSwarm swarm, boolean outbound, PeerPath path, PeerId certified,
                          PeerId expected) {
        this.host = host;
        this.swarm = swarm;
        this.outbound = outbound;
        this.path = path;
        this.certified = certified;
        this.expected = expected;
        this.errors = new SessionErrors(host, outbound);
    }

    /**
     * A connection we dial for {@code swarm}. {@code certified}: the id a QUIC connection's certificate proved (null
     * over TCP, where TLS runs in this pipeline); {@code expected}: the id the peer must prove (null if only its
     * address is known, from PEX: then it must prove the id it claims).
     */
    public static PeerHandshake dialled(SessionHost host, HandshakeSwarm swarm, PeerPath path, PeerId certified,
                                        PeerId expected) {
        return new PeerHandshake(host, swarm, true, path, certified, expected);
    }

    /** A connection a peer opened to us; its handshake names the swarm. */
    public static PeerHandshake accepted(SessionHost host, PeerPath path, PeerId certified) {
        return new PeerHandshake(host, null, false, path, certified, null);
    }

    public boolean outbound() {
        return outbound;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof QuicStreamChannel stream) {
            SSLSession tls = stream.parent().sslEngine().getSession();
            security = tls.getProtocol() + " " + tls.getCipherSuite() + " (QUIC)";
        }
        if (outbound && certified != null) {
            sendHandshake(ctx.channel()); // over TCP: once TLS has proven who the peer is
        }
        ctx.executor().schedule(() -> {
            if (!done) {
                close(ctx.channel(), "no handshake within " + TIMEOUT_SECONDS + " s");
            }
        }, TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    private void sendHandshake(Channel channel) {
        channel.writeAndFlush(new PeerMessage.Handshake(PeerMessage.Handshake.VERSION, swarm.id(), host.ownId(),
                host.listenPort()));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            onHandshake(ctx, msg); // only ever the first message: then this handler has left the pipeline
        } catch (ProtocolViolation e) {
            close(ctx.channel(), e.getMessage());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHandshake(ChannelHandlerContext ctx, Object msg) {
        if (certified == null) {
            throw new ProtocolViolation("data before the TLS handshake completed"); // SslHandler never lets it through
        }
        if (!(msg instanceof PeerMessage.Handshake h)) {
            throw new ProtocolViolation("first message was not a handshake");
        }
        if (h.version() != PeerMessage.Handshake.VERSION) {
            throw new ProtocolViolation("peer speaks protocol version " + h.version() + ", we speak "
                    + PeerMessage.Handshake.VERSION + "; one of the two peerit versions needs an upgrade");
        }
        if (h.peerId().equals(host.ownId())) {
            throw new ProtocolViolation("connected to ourselves");
        }
        if (!certified.equals(h.peerId())) {
            errors.refusal("{} claims peer id {} but its certificate proves {}; connection dropped",
                    ctx.channel().remoteAddress(), h.peerId().shortHex(), certified.shortHex());
            throw new ProtocolViolation("peer claims id " + h.peerId().shortHex() + " but its certificate is "
                    + certified.shortHex() + "'s");
        }
        if (outbound) {
            if (!h.swarmId().equals(swarm.id())) {
                throw new ProtocolViolation("peer answered for another swarm");
            }
        } else {
            swarm = host.swarm(h.swarmId());
            if (swarm == null) {
                throw new ProtocolViolation("peer asked for swarm " + h.swarmId().shortHex() + ", which we do not serve");
            }
        }
        if (!host.establish(ctx.channel())) {
            throw new ProtocolViolation("too many peers connected");
        }
        Admitted session = swarm.admit(host, new PeerLink(ctx.channel(), h.peerId(), h.listenPort(), outbound, path,
                security));
        if (session == null) {
            throw new ProtocolViolation("not accepted");
        }
        done = true;
        if (!outbound) {
            sendHandshake(ctx.channel());
        }
        ctx.pipeline().addAfter(ctx.name(), "session", session.handler());
        ctx.pipeline().remove(this);
        session.start();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent tls) {
            tlsDone(ctx, tls);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * TLS over TCP has completed, or failed: the certificate must prove the id we dialled for; then the peer-wire
     * handshake, which must claim the same id, may go. A failure or mismatch drops the connection with a log line.
     */
    private void tlsDone(ChannelHandlerContext ctx, SslHandshakeCompletionEvent tlsDone) {
        String who = (outbound ? "peer at " : "inbound connection from ") + ctx.channel().remoteAddress();
        if (!tlsDone.isSuccess()) {
            Throwable why = tlsDone.cause();
            // A close during the handshake is the other side's choice (its caps, or it needs no more peers); only bytes
            // that are not TLS at all suggest an older peerit.
            String reason = why instanceof ClosedChannelException ? "the other side closed the connection"
                    : why.getMessage() == null ? why.getClass().getSimpleName() : why.getMessage();
            errors.refusal("{}: TLS handshake failed, connection dropped: {}{}", who, reason,
                    why instanceof NotSslRecordException ? " (is it an older peerit, without TLS?)" : "");
            ctx.close();
            return;
        }
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        PeerId proven;
        try {
            proven = PeerTrust.peerIdOf(tls.engine());
        } catch (SSLPeerUnverifiedException e) {
            errors.refusal("{}: presented no certificate; connection dropped", who);
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
            sendHandshake(ctx.channel());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        errors.caught(ctx, cause, reason -> close(ctx.channel(), reason));
    }

    private void close(Channel channel, String reason) {
        if (channel.isOpen()) {
            log.debug("{}closing connection to {} before its handshake: {}", swarm == null ? "" : swarm.name() + ": ",
                    channel.remoteAddress(), reason);
            channel.close();
        }
    }
}
