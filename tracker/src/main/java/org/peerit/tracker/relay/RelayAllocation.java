package org.peerit.tracker.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.peerit.protocol.nat.NatDatagram;
import org.peerit.protocol.nat.NatDatagramCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One relay allocation: a UDP port of its own, forwarding between the two peers that bound it. Each side proves it
 * was told of the allocation by sending a RELAY_BIND with its secret token from the socket it will use; from then on
 * datagrams from one side go to the other, within the pair's rate and byte budget, until the lifetime ends. Runs on
 * its channel's event loop.
 */
final class RelayAllocation extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger log = LoggerFactory.getLogger(RelayAllocation.class);

    private final RelayService service;
    private final RelayConfig config;
    final long tokenA;
    final long tokenB;
    final InetAddress addressA;
    final InetAddress addressB;
    private final RelayService.Pair pair;
    private final long createdNanos = System.nanoTime();
    private InetSocketAddress sideA;
    private InetSocketAddress sideB;
    private long bytes;
    private double allowance;
    private long lastRefillNanos = createdNanos;
    long lastActiveNanos = createdNanos;
    private Channel channel;
    private boolean closed;

    RelayAllocation(RelayService service, RelayConfig config, long tokenA, long tokenB, InetAddress addressA,
                    InetAddress addressB, RelayService.Pair pair) {
        this.pair = pair;
        this.service = service;
        this.config = config;
        this.tokenA = tokenA;
        this.tokenB = tokenB;
        this.addressA = addressA;
        this.addressB = addressB;
        this.allowance = config.bytesPerSecond(); // one second of burst
    }

    void attach(Channel ch) {
        this.channel = ch;
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        if (closed) {
            return;
        }
        InetSocketAddress from = packet.sender();
        ByteBuf content = packet.content();
        if (NatDatagramCodec.isNatDatagram(content)) {
            bind(ctx, content, from); // a first bind, or a repeated one to answer again
        } else if (from.equals(sideA) || from.equals(sideB)) {
            forward(ctx, content, from.equals(sideA) ? sideB : sideA);
        }
        // Anything else from a stranger is dropped: the relay only ever sends to the two bound sides.
    }

    private void bind(ChannelHandlerContext ctx, ByteBuf content, InetSocketAddress from) {
        NatDatagram msg;
        try {
            msg = NatDatagramCodec.decode(content.duplicate());
        } catch (RuntimeException e) {
            return;
        }
        if (!(msg instanceof NatDatagram.RelayBind bind)) {
            return;
        }
        if (bind.token() == tokenA && sideA == null) {
            sideA = from;
        } else if (bind.token() == tokenB && sideB == null) {
            sideB = from;
        } else if (!(bind.token() == tokenA && from.equals(sideA)) && !(bind.token() == tokenB && from.equals(sideB))) {
            return; // a wrong token, or a side bound already from elsewhere
        }
        lastActiveNanos = System.nanoTime();
        if (sideA != null && sideB != null) {
            send(ctx, sideA, new NatDatagram.RelayReady(tokenA));
            send(ctx, sideB, new NatDatagram.RelayReady(tokenB));
            ctx.flush();
        }
    }

    private void forward(ChannelHandlerContext ctx, ByteBuf content, InetSocketAddress to) {
        if (to == null) {
            return; // the other side has not bound yet; QUIC will retransmit
        }
        int size = content.readableBytes();
        long now = System.nanoTime();
        allowance = Math.min(config.bytesPerSecond(),
                allowance + (now - lastRefillNanos) / 1e9 * config.bytesPerSecond());
        lastRefillNanos = now;
        if (allowance < size) {
            service.stats().relayDropped.increment();
            return; // over the pair's rate: dropped, and QUIC's congestion control slows down
        }
        allowance -= size;
        bytes += size;
        lastActiveNanos = now;
        service.stats().relayedBytes.add(size);
        ctx.write(new DatagramPacket(content.retain(), to));
        if (bytes >= config.bytesPerPair()) {
            service.exhausted(pair);
            close("byte budget of " + config.bytesPerPair() + " bytes used up");
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    /** Tells both sides why, then frees the port. Event loop only. */
    void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (channel == null) {
            service.released(this); // never bound
            return;
        }
        log.info("relay {} closed: {} ({} bytes relayed in {} s)", localAddress().getPort(), reason, bytes,
                (System.nanoTime() - createdNanos) / 1_000_000_000L);
        for (InetSocketAddress side : new InetSocketAddress[]{sideA, sideB}) {
            if (side != null) {
                long token = side == sideA ? tokenA : tokenB;
                ByteBuf buf = channel.alloc().buffer(64);
                NatDatagramCodec.encode(new NatDatagram.RelayClosed(token, reason), buf);
                channel.write(new DatagramPacket(buf, side));
            }
        }
        channel.flush();
        channel.close();
        service.released(this);
    }

    boolean expired(long nowNanos) {
        return nowNanos - createdNanos > config.lifetime().toNanos();
    }

    boolean idle(long nowNanos) {
        return nowNanos - lastActiveNanos > RelayConfig.IDLE.toNanos();
    }

    private static void send(ChannelHandlerContext ctx, InetSocketAddress to, NatDatagram msg) {
        ByteBuf buf = ctx.alloc().buffer(32);
        NatDatagramCodec.encode(msg, buf);
        ctx.write(new DatagramPacket(buf, to));
    }
}
