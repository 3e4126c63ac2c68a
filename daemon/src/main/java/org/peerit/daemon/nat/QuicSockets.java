package org.peerit.daemon.nat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.codec.quic.EpollQuicUtils;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicChannelBootstrap;
import io.netty.handler.codec.quic.QuicChannelOption;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.util.concurrent.Future;
import org.peerit.daemon.identity.Identity;
import org.peerit.daemon.identity.IdentityKeyManager;
import org.peerit.daemon.identity.PeerTrust;
import org.peerit.protocol.net.Transport;
import org.peerit.protocol.tracker.TrackerLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's two UDP sockets, each {@code [UdpDemux → QUIC codec]}: S accepts QUIC connections from peers, C dials
 * them (a Netty QUIC codec has one role, and a port cannot be bound twice). Both carry STUN, tracker and probe
 * datagrams beside QUIC, so their NAT mappings are the ones the tracker and peers see.
 */
final class QuicSockets implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QuicSockets.class);
    static final String ALPN = "peerit/1";
    /** Fits the path MTU of nearly every internet path, tunnels included. */
    private static final int MAX_UDP_PAYLOAD = 1350;
    private static final long IDLE_TIMEOUT_SECONDS = 60;
    static final int CONNECTION_ID_LENGTH = 8;

    private static final ChannelHandler CONNECTION_LOGGER = new ConnectionLogger();

    private final Transport transport;
    private final EventLoop loop;
    private final InetAddress bind;
    /** Builds a client codec for sockets opened later (a birthday punch's winning socket). */
    private final QuicClientCodecBuilder clientCodec;
    final Channel server;
    final Channel client;

    QuicSockets(EventLoop loop, Transport transport, Identity identity, InetAddress bind, int serverPort,
                UdpDemux.Listener serverListener, UdpDemux.Listener clientListener, ChannelHandler inboundStreams)
            throws Exception {
        this.transport = transport;
        this.loop = loop;
        this.bind = bind;
        PeerTrust trust = new PeerTrust();
        IdentityKeyManager keys = new IdentityKeyManager(identity);
        QuicServerCodecBuilder serverCodec = tuned(new QuicServerCodecBuilder())
                .sslContext(QuicSslContextBuilder.forServer(keys, null)
                        .trustManager(trust).clientAuth(ClientAuth.REQUIRE).applicationProtocols(ALPN).build())
                // No token handler: no address validation by retry, which would cost a round trip to protect
                // against spoofed floods; a daemon takes few connections and QUIC limits amplification to 3x anyway.
                // One connection carries one peer session on one stream (whose end closes the connection).
                .initialMaxStreamsBidirectional(1)
                .handler(CONNECTION_LOGGER)
                .streamHandler(inboundStreams);
        this.clientCodec = tuned(new QuicClientCodecBuilder())
                .sslContext(QuicSslContextBuilder.forClient().keyManager(keys, null).trustManager(trust)
                        .applicationProtocols(ALPN)
                        // Peers are named by key, not host name: the peer id check replaces host name checks.
                        .endpointIdentificationAlgorithm(null).build())
                .initialMaxStreamsBidirectional(0);
        if (isEpoll()) {
            // GSO: one sendmsg for up to 16 packets. (GRO stays off: with GSO it stalled transfers, see design.)
            serverCodec.option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, EpollQuicUtils.newSegmentedAllocator(16));
        }
        Channel s = bind(loop, new InetSocketAddress(bind, serverPort), serverListener, serverCodec.build());
        Channel c;
        try {
            c = bind(loop, new InetSocketAddress(bind, 0), clientListener, this.clientCodec.build());
        } catch (Exception e) {
            s.close();
            throw e;
        }
        this.server = s;
        this.client = c;
    }

    private boolean isEpoll() {
        return transport.name().equals("epoll");
    }

    private static <B extends QuicCodecBuilder<B>> B tuned(B builder) {
        return builder.maxIdleTimeout(IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                // 8 bytes tell a daemon's few connections apart; the default 20 cost 12 bytes of every packet, near
                // 1% of a thin uplink's payload (measured: a seed's 20 mbit line carried 2.23 MiB/s of chunks).
                .localConnectionIdLength(CONNECTION_ID_LENGTH)
                .maxRecvUdpPayloadSize(MAX_UDP_PAYLOAD)
                .maxSendUdpPayloadSize(MAX_UDP_PAYLOAD)
                .initialMaxData(32L << 20)
                .initialMaxStreamDataBidirectionalLocal(16L << 20)
                .initialMaxStreamDataBidirectionalRemote(16L << 20)
                .activeMigration(false);
    }

    private Channel bind(EventLoop loop, InetSocketAddress at, UdpDemux.Listener listener, ChannelHandler codec)
            throws InterruptedException {
        Bootstrap b = new Bootstrap().group(loop).channel(transport.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20);
        if (isEpoll()) {
            // recvmmsg: many datagrams per system call. Tracker replies are the largest datagrams we take.
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, TrackerLimits.MAX_DATAGRAM)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(TrackerLimits.MAX_DATAGRAM * 8));
        }
        return b.handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                // The demultiplexer first: the QUIC codec drops whatever is not QUIC.
                ch.pipeline().addLast(new UdpDemux(listener), codec);
            }
        }).bind(at).sync().channel();
    }

    int serverPort() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Opens one more UDP socket on the daemon's address, any port, with {@code handler} as its pipeline. */
    ChannelFuture bindExtra(ChannelHandler handler) {
        return new Bootstrap().group(loop).channel(transport.datagramChannel()).handler(handler)
                .bind(new InetSocketAddress(bind, 0));
    }

    /** Starts a QUIC connection from C to {@code remote}; streams are opened by the caller once it is up. */
    Future<QuicChannel> connect(InetSocketAddress remote, int timeoutMillis) {
        return connect(client, remote, timeoutMillis);
    }

    /** Makes {@code socket} (from {@link #bindExtra}) a QUIC client too, and connects from it to {@code remote}. */
    Future<QuicChannel> connectFrom(Channel socket, InetSocketAddress remote, int timeoutMillis) {
        socket.pipeline().addLast(clientCodec.build());
        return connect(socket, remote, timeoutMillis);
    }

    private Future<QuicChannel> connect(Channel socket, InetSocketAddress remote, int timeoutMillis) {
        QuicChannelBootstrap bootstrap = QuicChannel.newBootstrap(socket).handler(CONNECTION_LOGGER)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis).remoteAddress(remote);
        if (isEpoll()) {
            bootstrap.option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, EpollQuicUtils.newSegmentedAllocator(16));
        }
        return bootstrap.connect();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        client.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }

    /** Logs why a QUIC connection failed instead of letting the error travel to the codec unseen. */
    @ChannelHandler.Sharable
    private static final class ConnectionLogger extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("QUIC connection to {} failed: {}", ((QuicChannel) ctx.channel()).remoteSocketAddress(), cause.toString());
            ctx.close();
        }
    }
}
