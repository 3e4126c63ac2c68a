package org.peerit.daemon.connect;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import org.peerit.daemon.identity.PeerTls;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.daemon.session.PeerHandshake;
import org.peerit.daemon.session.SessionHost;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.net.Transport;
import org.peerit.protocol.wire.PeerFrameDecoder;
import org.peerit.protocol.wire.PeerMessageDecoder;
import org.peerit.protocol.wire.PeerMessageEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The channels peer sessions run on: the one pipeline of peer wire handlers, installed on a TCP connection or on the
 * single stream of a QUIC connection alike, and the outgoing TCP connections and QUIC streams. Engine thread.
 */
public final class PeerChannels {
    private static final Logger log = LoggerFactory.getLogger(PeerChannels.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 3000;
    /** Enough queued to keep a fast link busy between event loop turns; beyond it a session waits for writability. */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 2 << 20);

    private final SessionHost host;
    private final PeerTls tls;
    private final InboundGate gate;
    private final EventLoop loop;
    private final Transport transport;
    private final PeerMessageEncoder encoder = new PeerMessageEncoder();

    public PeerChannels(SessionHost host, PeerTls tls, InboundGate gate, EventLoop loop, Transport transport) {
        this.host = host;
        this.tls = tls;
        this.gate = gate;
        this.loop = loop;
        this.transport = transport;
    }

    /**
     * The pipeline of a peer connection. Over TCP it starts with TLS 1.3 (the handshake handler checks the
     * certificate when the TLS handshake completes); a QUIC stream is encrypted and authenticated by its connection
     * already.
     */
    private void install(Channel ch, PeerHandshake handshake) {
        if (!(ch instanceof QuicStreamChannel)) {
            ch.pipeline().addLast(tls.firstHandler(ch.alloc(), handshake.outbound()));
        }
        ch.pipeline().addLast(
                // Requests, HAVEs and pieces written while a read is handled go out in one write at its end.
                new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true),
                new IdleStateHandler(120, 30, 0),   // read idle: dead peer; write idle: send a keep-alive
                PeerFrameDecoder.forNewConnection(!(ch instanceof QuicStreamChannel)),
                new PeerMessageDecoder(),
                encoder,
                handshake);
    }

    /** A QUIC connection carries one peer session on one stream: when the stream ends, so does the connection. */
    private void installOnQuic(QuicStreamChannel stream, PeerHandshake handshake) {
        stream.config().setWriteBufferWaterMark(WATER_MARK);
        stream.closeFuture().addListener(f -> stream.parent().close());
        install(stream, handshake);
    }

    /** A connection a stranger opened: admitted by the gate, or closed before anything is read from it. */
    public void installInbound(Channel ch, InetSocketAddress remote, PeerPath path, PeerId certified) {
        if (!gate.admit(ch, remote, path.relayed())) {
            return;
        }
        PeerHandshake handshake = PeerHandshake.accepted(host, path, certified);
        if (ch instanceof QuicStreamChannel stream) {
            installOnQuic(stream, handshake);
        } else {
            install(ch, handshake);
        }
    }

    /**
     * Dials a peer over TCP at {@code address}; {@code ended} runs once the attempt is over: it failed (and
     * {@code failed} heard why), or the connection made has closed again. The peer's certificate must prove
     * {@code expected} (null when only its address is known, from PEX: then it must prove the id it claims).
     */
    public void connectTcp(ConnectSwarm swarm, InetSocketAddress address, PeerId expected, Runnable ended,
                           Consumer<String> failed) {
        if (!swarm.wantsPeers()) {
            ended.run();
            return;
        }
        PeerHandshake handshake = PeerHandshake.dialled(host, swarm, PeerPath.TCP, null, expected);
        ChannelFuture f = new Bootstrap().group(loop).channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        install(ch, handshake);
                    }
                })
                .connect(address);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                log.debug("{}: cannot reach a peer at {}: {}", swarm.name(), address, done.cause().getMessage());
                failed.accept("tcp " + address + ": " + done.cause().getMessage());
                ended.run();
            } else {
                f.channel().closeFuture().addListener(closed -> ended.run());
            }
        });
    }

    /**
     * Opens the stream that carries the peer protocol on a QUIC connection to {@code expected}; completes with that
     * stream (whose closing ends the connection) or fails with why not.
     */
    public CompletableFuture<Channel> openStream(QuicChannel connection, ConnectSwarm swarm, PeerId expected,
                                                 PeerPath path) {
        CompletableFuture<Channel> opened = new CompletableFuture<>();
        if (!swarm.wantsPeers()) {
            connection.close();
            opened.completeExceptionally(new IOException("the share is gone"));
            return opened;
        }
        PeerHandshake handshake = PeerHandshake.dialled(host, swarm, path, expected, expected);
        connection.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel stream) {
                installOnQuic(stream, handshake);
            }
        }).addListener(f -> {
            if (f.isSuccess()) {
                opened.complete((Channel) f.getNow());
            } else {
                connection.close();
                opened.completeExceptionally(f.cause());
            }
        });
        return opened;
    }
}
