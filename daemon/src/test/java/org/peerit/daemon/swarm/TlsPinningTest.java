package org.peerit.daemon.swarm;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.Daemon;
import org.peerit.daemon.identity.Identity;
import org.peerit.daemon.identity.PeerTls;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.net.Transport;
import org.peerit.protocol.wire.PeerFrameDecoder;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PeerMessageDecoder;
import org.peerit.protocol.wire.PeerMessageEncoder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11: every TCP peer connection is TLS 1.3 with both certificates pinned to peer ids. A real daemon against
 * clients and listeners built from the project's codecs that get one rule wrong each.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsPinningTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path root;
    private TestSwarm swarm;
    private final EventLoopGroup group = Transport.nio().newGroup(1, "tls-test");
    private Daemon daemon;
    private Manifest manifest;

    @BeforeEach
    void setUp() throws Exception {
        swarm = new TestSwarm(root);
        daemon = swarm.start(1, 0, 0);
        Path file = TestSwarm.randomFile(swarm.dir("seed"), "secret.bin", MIB, 4);
        manifest = daemon.engine().register(file, (d, t) -> { }).get(30, TimeUnit.SECONDS).manifest();
    }

    @AfterEach
    void tearDown() {
        swarm.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private Identity identity(String name) throws Exception {
        return Identity.loadOrCreate(Files.createDirectories(root.resolve("id-" + name)));
    }

    /** What a test client saw: whether TLS completed, the messages the daemon sent, and when it closed. */
    private static final class Seen extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Boolean> tls = new CompletableFuture<>();
        final List<PeerMessage> messages = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final PeerMessage.Handshake hello;

        Seen(PeerMessage.Handshake hello) {
            this.hello = hello;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                tls.complete(done.isSuccess());
                if (done.isSuccess() && hello != null) {
                    ctx.writeAndFlush(hello);
                }
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages.add((PeerMessage) msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            tls.complete(false);
            closed.complete(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private Seen dial(SslHandler tls, PeerMessage.Handshake hello) throws Exception {
        Seen seen = new Seen(hello);
        new Bootstrap().group(group).channel(Transport.nio().socketChannel()).handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(tls, new PeerFrameDecoder(), new PeerMessageDecoder(), new PeerMessageEncoder(), seen);
            }
        }).connect(new InetSocketAddress("127.0.0.1", daemon.engine().listenPort())).sync();
        return seen;
    }

    private PeerMessage.Handshake hello(PeerId claimed) {
        return new PeerMessage.Handshake(PeerMessage.Handshake.VERSION, manifest.swarmId(), claimed, 0);
    }

    private int peersOfDaemon() throws Exception {
        return TestSwarm.status(daemon, manifest.swarmId()).peers().size();
    }

    @Test
    void aPeerWhoseCertificateProvesTheIdItClaimsIsServed() throws Exception {
        Identity mallory = identity("honest");
        Seen seen = dial(new PeerTls(mallory).newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, true),
                hello(mallory.peerId()));
        assertTrue(seen.tls.get(5, TimeUnit.SECONDS));
        TestSwarm.await("the daemon's handshake and bitfield", Duration.ofSeconds(5), () -> seen.messages.size() >= 2);
        assertEquals(daemon.engine().peerId(), ((PeerMessage.Handshake) seen.messages.get(0)).peerId());
        TestSwarm.await("the session", Duration.ofSeconds(5), () -> peersOfDaemon() == 1);
        String security = TestSwarm.status(daemon, manifest.swarmId()).peers().get(0).security();
        assertTrue(security.startsWith("TLSv1.3 TLS_"), security);
    }

    @Test
    void aCertificateThatDoesNotProveTheClaimedIdIsRefused() throws Exception {
        Identity mallory = identity("mallory");
        PeerId someoneElse = identity("victim").peerId();
        Seen seen = dial(new PeerTls(mallory).newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, true),
                hello(someoneElse));
        assertTrue(seen.tls.get(5, TimeUnit.SECONDS), "TLS itself completes: the certificate is well formed");
        seen.closed.get(5, TimeUnit.SECONDS);
        assertTrue(seen.messages.isEmpty(), "the daemon said nothing to an impostor: " + seen.messages);
        assertEquals(0, peersOfDaemon());
    }

    @Test
    void aClientWithoutACertificateIsRefusedDuringTls() throws Exception {
        SslHandler anonymous = SslContextBuilder.forClient().protocols("TLSv1.3")
                .trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null).build()
                .newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT);
        Seen seen = dial(anonymous, hello(identity("anon").peerId()));
        seen.closed.get(5, TimeUnit.SECONDS);
        assertTrue(seen.messages.isEmpty());
        assertEquals(0, peersOfDaemon());
    }

    @Test
    void aPlaintextPeerOfTheOldProtocolIsDroppedAtOnce() throws Exception {
        Seen seen = new Seen(null);
        Channel ch = new Bootstrap().group(group).channel(Transport.nio().socketChannel()).handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addLast(new PeerFrameDecoder(), new PeerMessageDecoder(), new PeerMessageEncoder(), seen);
            }
        }).connect(new InetSocketAddress("127.0.0.1", daemon.engine().listenPort())).sync().channel();
        ch.writeAndFlush(new PeerMessage.Handshake(1, manifest.swarmId(), identity("old").peerId(), 0));
        seen.closed.get(3, TimeUnit.SECONDS); // not the 5 s handshake deadline: refused as soon as it spoke
        assertTrue(seen.messages.isEmpty());
    }

    @Test
    void aListenerWhoseCertificateIsNotThePeerTheTrackerNamedIsDropped() throws Exception {
        // An impostor announces itself to the tracker under a victim's peer id, but cannot hold the victim's key.
        Identity impostor = identity("impostor");
        PeerId victim = identity("victim").peerId();
        PeerTls impostorTls = new PeerTls(impostor);
        Seen seen = new Seen(null);
        Channel server = new ServerBootstrap().group(group).channel(Transport.nio().serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(impostorTls.newHandler(ch.alloc(), false), new PeerFrameDecoder(),
                                new PeerMessageDecoder(), new PeerMessageEncoder(), seen);
                    }
                }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        try (var announcer = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            TrackerAnnounce.asSeed(announcer, swarm.tracker.address(), manifest.swarmId(), victim,
                    ((InetSocketAddress) server.localAddress()).getPort());
            Daemon leecher = swarm.start(2, 0, 0);
            leecher.engine().download(manifest, swarm.dir("leecher")).get(5, TimeUnit.SECONDS);
            assertTrue(seen.tls.get(10, TimeUnit.SECONDS), "the daemon dialled the impostor and TLS completed");
            seen.closed.get(5, TimeUnit.SECONDS);
            assertFalse(seen.messages.stream().anyMatch(m -> m instanceof PeerMessage.Handshake),
                    "the daemon sent no handshake to a peer that is not who the tracker said");
        } finally {
            server.close();
        }
    }
}
