package org.peerit.daemon.swarm;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import org.peerit.daemon.storage.Bitfields;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.net.Transport;
import org.peerit.protocol.tracker.TrackerCodec;
import org.peerit.protocol.tracker.TrackerMessage;
import org.peerit.protocol.wire.PeerFrameDecoder;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PeerMessageDecoder;
import org.peerit.protocol.wire.PeerMessageEncoder;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A peer that announces itself as a seed of a swarm and speaks the wire protocol correctly, built from the codecs
 * alone. By default it answers every request with random bytes: what a broken or malicious peer looks like to a
 * daemon; given a file, it serves that file's bytes instead.
 */
final class LyingPeer implements AutoCloseable {
    final PeerId peerId = PeerId.random(new SecureRandom());
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger closedByOthers = new AtomicInteger();
    final AtomicInteger blocksServed = new AtomicInteger();
    private final Manifest manifest;
    private final EventLoopGroup group;
    private final Channel server;

    /** Where served bytes come from; null: random bytes. */
    private final java.nio.file.Path content;

    LyingPeer(Manifest manifest) throws InterruptedException {
        this(manifest, null);
    }

    LyingPeer(Manifest manifest, java.nio.file.Path content) throws InterruptedException {
        this.manifest = manifest;
        this.content = content;
        Transport transport = Transport.nio();
        this.group = transport.newGroup(1, "liar");
        this.server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(new PeerFrameDecoder(), new PeerMessageDecoder(), new PeerMessageEncoder(),
                                new Liar());
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Announces to the tracker as a seed so daemons find us. */
    void announce(InetSocketAddress tracker) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(3000);
            var connected = (TrackerMessage.ConnectResponse) exchange(socket, tracker, new TrackerMessage.ConnectRequest(1));
            exchange(socket, tracker, new TrackerMessage.AnnounceRequest(2, connected.connectionId(), manifest.swarmId(),
                    peerId, TrackerMessage.AnnounceEvent.STARTED, true, port(), 0, 0, List.of()));
        }
    }

    private static TrackerMessage exchange(DatagramSocket socket, InetSocketAddress to, TrackerMessage msg) throws Exception {
        ByteBuf buf = Unpooled.buffer();
        TrackerCodec.encode(msg, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        socket.send(new DatagramPacket(bytes, bytes.length, to));
        DatagramPacket reply = new DatagramPacket(new byte[65536], 65536);
        socket.receive(reply);
        return TrackerCodec.decode(Unpooled.wrappedBuffer(reply.getData(), 0, reply.getLength()));
    }

    private final class Liar extends SimpleChannelInboundHandler<PeerMessage> {
        private final Random random = new Random();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, PeerMessage msg) {
            if (msg instanceof PeerMessage.Handshake) {
                ctx.write(new PeerMessage.Handshake(1, manifest.swarmId(), peerId, port()));
                BitSet all = new BitSet();
                all.set(0, manifest.chunkCount());
                ctx.write(new PeerMessage.Bitfield(Bitfields.toBytes(all, manifest.chunkCount())));
                ctx.writeAndFlush(new PeerMessage.Unchoke());
            } else if (msg instanceof PeerMessage.Request r) {
                byte[] data = new byte[r.length()];
                if (content == null) {
                    random.nextBytes(data);
                } else {
                    try (var file = java.nio.channels.FileChannel.open(content)) {
                        file.read(java.nio.ByteBuffer.wrap(data), manifest.chunkOffset(r.chunk()) + r.offset());
                    } catch (java.io.IOException e) {
                        ctx.close();
                        return;
                    }
                }
                blocksServed.incrementAndGet();
                ctx.writeAndFlush(new PeerMessage.Piece(r.chunk(), r.offset(), Unpooled.wrappedBuffer(data)));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closedByOthers.incrementAndGet();
        }
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
