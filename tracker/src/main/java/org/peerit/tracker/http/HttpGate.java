package org.peerit.tracker.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import org.peerit.protocol.net.KeyCounts;
import org.peerit.tracker.TrackerStats;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Bounds what HTTP clients can hold: connections in total and per address (over the cap, a connection is closed as
 * it is accepted, before a byte is read), and time: each request must arrive whole within
 * {@link #REQUEST_DEADLINE_SECONDS} of the connection opening or the previous response, however slowly its bytes
 * trickle in (a read timeout alone lets one byte every 29 s hold a connection for ever). Shared by every connection of
 * the one HTTP event loop, so its counts need no locks.
 */
@ChannelHandler.Sharable
public final class HttpGate extends ChannelInboundHandlerAdapter {
    public static final int REQUEST_DEADLINE_SECONDS = 10;

    private final int maxConnections;
    private final int maxPerAddress;
    private final TrackerStats stats;
    private static final AttributeKey<ScheduledFuture<?>> DEADLINE = AttributeKey.valueOf(HttpGate.class, "deadline");

    private final KeyCounts<InetAddress> perAddress = new KeyCounts<>();
    private int connections;

    public HttpGate(int maxConnections, int maxPerAddress, TrackerStats stats) {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
        this.stats = stats;
    }

    /** Whether a newly accepted connection may stay; one that may not is closed. */
    public boolean admit(Channel ch) {
        InetAddress address = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        if (connections >= maxConnections || perAddress.get(address) >= maxPerAddress) {
            stats.httpRefused.increment();
            ch.close();
            return false;
        }
        connections++;
        perAddress.increment(address);
        ch.closeFuture().addListener(f -> {
            connections--;
            perAddress.decrement(address);
        });
        return true;
    }

    public int connections() {
        return connections;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    /** Sits after the HTTP decoder: a {@link LastHttpContent} ends a whole request. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        boolean whole = msg instanceof LastHttpContent;
        ctx.fireChannelRead(msg); // answered synchronously, from the cached pages
        if (whole && ctx.channel().isActive()) {
            arm(ctx); // the next request's time starts now
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm(ctx);
        ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm(ctx);
        ctx.channel().attr(DEADLINE).set(ctx.executor().schedule(() -> {
            stats.httpRefused.increment();
            ctx.close();
        }, REQUEST_DEADLINE_SECONDS, TimeUnit.SECONDS));
    }

    private static void disarm(ChannelHandlerContext ctx) {
        ScheduledFuture<?> f = ctx.channel().attr(DEADLINE).getAndSet(null);
        if (f != null) {
            f.cancel(false);
        }
    }
}
