package org.peerit.daemon.swarm;

import io.netty.bootstrap.ServerBootstrap;
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
import org.peerit.protocol.wire.PeerFrameDecoder;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PeerMessageDecoder;
import org.peerit.protocol.wire.PeerMessageEncoder;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A peer that announces itself as a seed of a swarm and speaks the wire protocol correctly (TLS with its own
 * identity included), built from the codecs alone. By default it answers every request with random bytes: what a broken or malicious peer looks like to a
 * daemon; given a file, it serves that file's bytes instead.
 */
final class LyingPeer implements AutoCloseable {
    private final org.peerit.daemon.identity.PeerTls tls;
    final PeerId peerId;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger closedByOthers = new AtomicInteger();
    final AtomicInteger blocksServed = new AtomicInteger();
    private final Manifest manifest;
    private final EventLoopGroup group;
    private final Channel server;

    /** Where served bytes come from; null: random bytes. */
    private final java.nio.file.Path content;
    private final byte[] metadata;
    final AtomicInteger metadataServed = new AtomicInteger();

    LyingPeer(Manifest manifest) throws InterruptedException {
        this(manifest, null);
    }

    LyingPeer(Manifest manifest, java.nio.file.Path content) throws InterruptedException {
        this(manifest, content, null);
    }

    /** Metadata requests are answered from {@code metadata} (which may be another manifest's), if not null. */
    LyingPeer(Manifest manifest, java.nio.file.Path content, byte[] metadata) throws InterruptedException {
        this.manifest = manifest;
        this.content = content;
        this.metadata = metadata;
        // A real identity and TLS, as every peer has: what it lies about is the data, not who it is.
        try {
            var identity = org.peerit.daemon.identity.Identity.loadOrCreate(java.nio.file.Files.createTempDirectory("liar"));
            this.peerId = identity.peerId();
            this.tls = new org.peerit.daemon.identity.PeerTls(identity);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Transport transport = Transport.nio();
        this.group = transport.newGroup(1, "liar");
        this.server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), false), new PeerFrameDecoder(), new PeerMessageDecoder(), new PeerMessageEncoder(),
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
            TrackerAnnounce.asSeed(socket, tracker, manifest.swarmId(), peerId, port());
        }
    }

    private final class Liar extends SimpleChannelInboundHandler<PeerMessage> {
        private final Random random = new Random();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, PeerMessage msg) {
            if (msg instanceof PeerMessage.Handshake) {
                ctx.write(new PeerMessage.Handshake(PeerMessage.Handshake.VERSION, manifest.swarmId(), peerId, port()));
                BitSet all = new BitSet();
                all.set(0, manifest.chunkCount());
                ctx.write(new PeerMessage.Bitfield(Bitfields.toBytes(all, manifest.chunkCount())));
                ctx.writeAndFlush(new PeerMessage.Unchoke());
            } else if (msg instanceof PeerMessage.MetadataRequest r && metadata != null) {
                int piece = org.peerit.protocol.wire.WireLimits.METADATA_PIECE;
                int from = r.piece() * piece;
                metadataServed.incrementAndGet();
                ctx.writeAndFlush(new PeerMessage.MetadataPiece(r.piece(), metadata.length,
                        java.util.Arrays.copyOfRange(metadata, from, Math.min(metadata.length, from + piece))));
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
