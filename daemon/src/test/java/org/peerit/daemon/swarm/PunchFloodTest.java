package org.peerit.daemon.swarm;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.Daemon;
import org.peerit.daemon.identity.Identity;
import org.peerit.daemon.identity.PeerTls;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.nat.NatDatagram;
import org.peerit.protocol.nat.NatDatagramCodec;
import org.peerit.protocol.net.Transport;
import org.peerit.protocol.wire.PeerFrameDecoder;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PeerMessageDecoder;
import org.peerit.protocol.wire.PeerMessageEncoder;
import org.peerit.protocol.wire.PunchFailure;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connected peer that floods the punch introductions (the messages a swarm uses to punch without its tracker) is
 * held to their bounds: introductions asked of us per minute, and punches we make as a target, whose probes are
 * datagrams to an address that peer chose (else any peer could aim our daemon at a third party).
 */
class PunchFloodTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path root;
    private TestSwarm swarm;
    private EventLoopGroup group;

    @AfterEach
    void tearDown() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        if (swarm != null) {
            swarm.close();
        }
    }

    @Test
    void aFloodOfAsksAndGosIsHeldToItsBounds() throws Exception {
        swarm = new TestSwarm(root);
        Daemon seed = swarm.start(1, 0, 0);
        Path file = TestSwarm.randomFile(swarm.dir("files"), "f.bin", 1 << 20, 1);
        Manifest m = seed.engine().register(file, (d, t) -> { }).get(30, TimeUnit.SECONDS).manifest();

        ConcurrentLinkedQueue<PeerMessage> received = new ConcurrentLinkedQueue<>();
        Channel ch = connect(seed.engine().listenPort(), m, received);
        TestSwarm.await("the daemon's bitfield", Duration.ofSeconds(10),
                () -> received.stream().anyMatch(x -> x instanceof PeerMessage.Bitfield));

        // 100 asks for peers the daemon is not connected to: 20 a minute get an answer that says so; the rest, that
        // we asked too often.
        for (int i = 0; i < 100; i++) {
            ch.write(new PeerMessage.PunchAsk(PeerId.random(RANDOM), i));
        }
        ch.flush();
        TestSwarm.await("100 answers", Duration.ofSeconds(10),
                () -> received.stream().filter(x -> x instanceof PeerMessage.PunchFail).count() == 100);
        long notConnected = received.stream().filter(x -> x instanceof PeerMessage.PunchFail f
                && f.code() == PunchFailure.NOT_CONNECTED.code()).count();
        long tooMany = received.stream().filter(x -> x instanceof PeerMessage.PunchFail f
                && f.code() == PunchFailure.TOO_MANY.code()).count();
        assertEquals(20, notConnected);
        assertEquals(80, tooMany);

        // 100 "punch with this peer" notices, each aiming the daemon's probes at our sink: it probes for 20 only.
        try (DatagramSocket sink = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            InetSocketAddress aim = (InetSocketAddress) sink.getLocalSocketAddress();
            for (int i = 0; i < 100; i++) {
                ch.write(new PeerMessage.PunchGo(PeerId.random(RANDOM), 1000 + i, aim, false));
            }
            ch.flush();
            Set<Long> nonces = new HashSet<>();
            sink.setSoTimeout(500);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            byte[] buf = new byte[64];
            while (System.nanoTime() < deadline) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    sink.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                NatDatagram d = NatDatagramCodec.decode(Unpooled.wrappedBuffer(buf, 0, p.getLength()));
                if (d instanceof NatDatagram.Probe probe) {
                    nonces.add(probe.nonce());
                }
            }
            assertEquals(20, nonces.size(), "distinct punches the daemon probed for");
        }
        assertTrue(ch.isActive(), "bounded, not disconnected: a busy honest peer may ask this much");
    }

    /** Dials the daemon as a peer of {@code m} with an identity of its own, over TLS; collects what it says. */
    private Channel connect(int port, Manifest m, ConcurrentLinkedQueue<PeerMessage> received) throws Exception {
        Identity identity = Identity.loadOrCreate(Files.createDirectories(root.resolve("flooder")));
        PeerTls tls = new PeerTls(identity);
        Transport transport = Transport.nio();
        group = transport.newGroup(1, "flooder");
        Channel ch = new Bootstrap().group(group).channel(transport.socketChannel())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(tls.newHandler(c.alloc(), true), new PeerFrameDecoder(),
                                new PeerMessageDecoder(), new PeerMessageEncoder(),
                                new SimpleChannelInboundHandler<PeerMessage>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, PeerMessage msg) {
                                        received.add(msg);
                                    }
                                });
                    }
                })
                .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
        ch.write(new PeerMessage.Handshake(PeerMessage.Handshake.VERSION, m.swarmId(), identity.peerId(), 0));
        ch.writeAndFlush(new PeerMessage.Bitfield(new byte[(m.chunkCount() + 7) / 8]));
        return ch;
    }
}
