package org.peerit.daemon.swarm;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
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
 * single stream of a QUIC connection alike, and the outgoing TCP and QUIC connections. Engine thread.
 */
final class PeerChannels {
    private static final Logger log = LoggerFactory.getLogger(PeerChannels.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 3000;
    /** Enough queued to keep a fast link busy between event loop turns; beyond it a session waits for writability. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 2 << 20);

    private final SwarmEngine engine;
    private final EventLoop loop;
    private final Transport transport;
    private final PeerMessageEncoder encoder = new PeerMessageEncoder();

    PeerChannels(SwarmEngine engine, EventLoop loop, Transport transport) {
        this.engine = engine;
        this.loop = loop;
        this.transport = transport;
    }

    /**
     * The pipeline of a peer connection. Over TCP it starts with TLS 1.3 (the session checks the certificate when the
     * TLS handshake completes); a QUIC stream is encrypted and authenticated by its connection already.
     */
    void install(Channel ch, PeerSession session) {
        if (!(ch instanceof QuicStreamChannel)) {
            ch.pipeline().addLast(engine.tls().firstHandler(ch.alloc(), session.outbound()));
        }
        ch.pipeline().addLast(
                // Requests, HAVEs and pieces written while a read is handled go out in one write at its end.
                new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true),
                new IdleStateHandler(120, 30, 0),   // read idle: dead peer; write idle: send a keep-alive
                PeerFrameDecoder.forNewConnection(!(ch instanceof QuicStreamChannel)),
                new PeerMessageDecoder(),
                encoder,
                session);
    }

    /** A QUIC connection carries one peer session on one stream: when the stream ends, so does the connection. */
    void installOnQuic(QuicStreamChannel stream, PeerSession session) {
        stream.config().setWriteBufferWaterMark(WATER_MARK);
        stream.closeFuture().addListener(f -> stream.parent().close());
        install(stream, session);
    }

    /** A connection a stranger opened: admitted by the gate, or closed before anything is read from it. */
    void installInbound(Channel ch, InetSocketAddress remote, boolean relayed, PeerSession session) {
        if (!engine.gate().admit(ch, remote, relayed)) {
            return;
        }
        if (ch instanceof QuicStreamChannel stream) {
            installOnQuic(stream, session);
        } else {
            install(ch, session);
        }
    }

    /**
     * Dials a peer over TCP at {@code address}; {@code ended} runs once the attempt is over: it failed (and
     * {@code failed} heard why), or the connection made has closed again. The peer's certificate must prove
     * {@code expected} (null when only its address is known, from PEX: then it must prove the id it claims).
     */
    void connectTcp(Share share, InetSocketAddress address, PeerId expected, Runnable ended, Consumer<String> failed) {
        if (engine.share(share.id()) != share) {
            ended.run();
            return;
        }
        PeerSession session = new PeerSession(engine, share, true, "tcp", null, expected);
        ChannelFuture f = new Bootstrap().group(loop).channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        install(ch, session);
                    }
                })
                .connect(address);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                log.debug("{}: cannot reach a peer at {}: {}", share.name(), address, done.cause().getMessage());
                failed.accept("tcp " + address + ": " + done.cause().getMessage());
                ended.run();
            } else {
                f.channel().closeFuture().addListener(closed -> ended.run());
            }
        });
    }

    /**
     * Connects over QUIC to {@code expected} at {@code remote} and opens the stream that carries the peer protocol;
     * completes with that stream (whose closing ends the connection) or fails with why not.
     */
    CompletableFuture<Channel> dialQuic(Share share, InetSocketAddress remote, PeerId expected, String path) {
        return engine.nat().dial(remote, expected).thenCompose(connection -> {
            CompletableFuture<Channel> opened = new CompletableFuture<>();
            if (engine.share(share.id()) != share) {
                connection.close();
                opened.completeExceptionally(new IOException("the share is gone"));
                return opened;
            }
            PeerSession session = new PeerSession(engine, share, true, path, expected, expected);
            connection.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
                @Override
                protected void initChannel(QuicStreamChannel stream) {
                    installOnQuic(stream, session);
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
        });
    }
}
