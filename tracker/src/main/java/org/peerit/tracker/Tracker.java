package org.peerit.tracker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.Errors;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.ScheduledFuture;
import org.peerit.protocol.net.Transport;
import org.peerit.protocol.tracker.TrackerDatagramCodec;
import org.peerit.tracker.http.HttpGate;
import org.peerit.tracker.http.StatsAccess;
import org.peerit.tracker.http.StatsHttpHandler;
import org.peerit.tracker.nat.NatCoordinator;
import org.peerit.tracker.relay.RelayService;
import org.peerit.tracker.stun.StunResponder;
import org.peerit.tracker.swarm.SwarmTable;
import org.peerit.tracker.udp.TrackerUdpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * A running tracker: the UDP protocol, STUN Binding, and the HTTP stats pages on the same port number. Create with
 * {@link #start}, stop with {@link #close}; several can run in one JVM.
 */
public final class Tracker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tracker.class);
    /** Linux's errno for "Address already in use" (the native transports are Linux's). */
    private static final int EADDRINUSE = 98;
    /** Requests are small (an announce with all candidates is under 300 bytes); STUN requests too. */
    private static final int MAX_REQUEST = 2048;

    private final TrackerConfig config;
    private final SwarmTable table;
    private final TrackerStats stats = new TrackerStats();
    private final EventLoopGroup group;
    private final Channel udp;
    private final Channel http;
    private final HttpGate httpGate;
    /** A stats page is small and cached; a few hundred readers at once is plenty, a few per address. */
    private static final int MAX_HTTP_CONNECTIONS = 256;
    private static final int MAX_HTTP_CONNECTIONS_PER_ADDRESS = 16;
    private final RelayService relay;
    private final ScheduledFuture<?> expiry;
    private final ScheduledFuture<?> pageSampler;

    private Tracker(TrackerConfig config) throws InterruptedException {
        this.config = config;
        this.table = new SwarmTable(config.maxSwarms(), config.maxPeersPerSwarm(), config.maxPeersPerSource(),
                config.maxPeersPerAddress(), config.newPeersPerSecond());
        Transport transport = Transport.best();
        this.group = transport.newGroup(2, "tracker");
        Clock clock = Clock.systemUTC();
        SecureRandom random = new SecureRandom();
        io.netty.channel.EventLoop udpLoop = group.next();
        this.relay = new RelayService(config.relay(), stats, udpLoop, transport, config.bind(), random);
        NatCoordinator nat = new NatCoordinator(table, relay, stats, config.bind(), random);
        TrackerUdpHandler udpHandler = new TrackerUdpHandler(config, table, stats, clock, random, nat);
        TrackerDatagramCodec codec = new TrackerDatagramCodec();
        StunResponder stun = new StunResponder(stats);
        Channel udpChannel = null;
        try {
            // One loop for the UDP socket and the relay ports, so the coordinator and the relay share state lock-free.
            Bootstrap udpBootstrap = new Bootstrap().group(udpLoop).channel(transport.datagramChannel());
            if (transport.name().equals("epoll")) {
                // recvmmsg: up to 32 datagrams per system call, answered together with one sendmmsg.
                udpBootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_REQUEST)
                        .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_REQUEST * 32));
            }
            udpChannel = udpBootstrap
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            // STUN first: it takes its datagrams before the tracker codec would refuse them.
                            ch.pipeline().addLast(stun, codec, udpHandler);
                        }
                    })
                    .bind(config.bind(), config.port()).sync().channel();
            int port = ((InetSocketAddress) udpChannel.localAddress()).getPort();
            ObjectMapper json = new ObjectMapper();
            long started = System.currentTimeMillis();
            // HTTP on the other loop: a crowd of page requests never delays an announce.
            io.netty.channel.EventLoop httpLoop = group.next();
            this.httpGate = new HttpGate(MAX_HTTP_CONNECTIONS, MAX_HTTP_CONNECTIONS_PER_ADDRESS, stats);
            StatsHttpHandler pages = new StatsHttpHandler(table, stats, relay, json, started,
                    StatsAccess.of(config.statsAllow()));
            this.pageSampler = httpLoop.scheduleAtFixedRate(pages::sample, 1, 1, TimeUnit.SECONDS);
            this.http = new ServerBootstrap().group(httpLoop).channel(transport.serverChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (httpGate.admit(ch)) {
                                ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192), httpGate,
                                        new HttpObjectAggregator(8192), pages);
                            }
                        }
                    })
                    .bind(config.bind(), port).sync().channel();
        } catch (Exception e) {
            if (udpChannel != null) {
                udpChannel.close();
            }
            relay.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        this.udp = udpChannel;
        long sweepMillis = Math.max(1000, config.interval().toMillis() / 2);
        this.expiry = udp.eventLoop().scheduleAtFixedRate(this::expire, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Binds UDP and TCP on the configured port. Port 0 picks a free UDP port and binds TCP to the same number,
     * retrying if that number is taken for TCP.
     */
    public static Tracker start(TrackerConfig config) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return new Tracker(config);
            } catch (Exception e) {
                boolean retry = config.port() == 0 && isAddressInUse(e) && attempt < 10;
                if (!retry) {
                    throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Whether a bind failed because the port is taken. The NIO transport says so with a {@link BindException}; the
     * native ones (epoll) with a {@link Errors.NativeIoException} carrying the errno, which is what a port-0 tracker
     * meets when its UDP port's number is in use for TCP.
     */
    static boolean isAddressInUse(Exception e) {
        return e instanceof BindException
                || e instanceof Errors.NativeIoException n && n.expectedErr() == -EADDRINUSE;
    }

    private void expire() {
        // A peer that missed two re-announces (plus the interval's jitter) is gone.
        long cutoff = System.currentTimeMillis() - config.interval().toMillis() * 2 - config.interval().toMillis() / 5;
        int removed = table.expire(cutoff);
        if (removed > 0) {
            stats.expired.add(removed);
            log.info("expired {} peers that stopped announcing", removed);
        }
    }

    public int port() {
        return ((InetSocketAddress) udp.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) udp.localAddress();
    }

    public SwarmTable table() {
        return table;
    }

    public RelayService relay() {
        return relay;
    }

    public TrackerStats stats() {
        return stats;
    }

    @Override
    public void close() {
        expiry.cancel(false);
        pageSampler.cancel(false);
        relay.close();
        udp.close().awaitUninterruptibly();
        http.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
