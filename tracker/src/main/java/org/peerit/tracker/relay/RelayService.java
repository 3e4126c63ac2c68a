package org.peerit.tracker.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import org.peerit.protocol.net.Transport;
import org.peerit.tracker.TrackerStats;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Relay allocations: each a UDP port of its own on the tracker's address, bounded in number overall and per IP
 * address, each bounded in rate, bytes and lifetime ({@link RelayConfig}). Everything runs on one event loop.
 */
public final class RelayService implements AutoCloseable {
    private final RelayConfig config;
    private final TrackerStats stats;
    private final EventLoop loop;
    private final Transport transport;
    private final InetAddress bind;
    private final SecureRandom random;
    private final Set<RelayAllocation> allocations = new HashSet<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final ScheduledFuture<?> sweeper;
    private volatile int active;

    public RelayService(RelayConfig config, TrackerStats stats, EventLoop loop, Transport transport, InetAddress bind,
                        SecureRandom random) {
        this.config = config;
        this.stats = stats;
        this.loop = loop;
        this.transport = transport;
        this.bind = bind;
        this.random = random;
        this.sweeper = loop.scheduleAtFixedRate(this::sweep, 5, 5, TimeUnit.SECONDS);
    }

    /** What {@link #allocate} hands back: the port, and one secret token per side. */
    public record Grant(int port, long tokenA, long tokenB) {
    }

    /** Why an allocation was refused, or null if it may be made. Event loop only. */
    public String refusal(InetAddress a, InetAddress b) {
        if (!config.enabled()) {
            return "this tracker does not relay (--no-relay)";
        }
        if (allocations.size() >= config.maxAllocations()) {
            return "the relay is full (" + config.maxAllocations() + " allocations)";
        }
        if (perAddress.getOrDefault(a, 0) >= config.maxPerAddress() || perAddress.getOrDefault(b, 0) >= config.maxPerAddress()) {
            return "an address of this pair already uses " + config.maxPerAddress() + " relay allocations";
        }
        return null;
    }

    /** Opens an allocation between peers at {@code a} (the asker) and {@code b}; check {@link #refusal} first. */
    public Future<Grant> allocate(InetAddress a, InetAddress b) {
        Promise<Grant> promise = loop.newPromise();
        RelayAllocation allocation = new RelayAllocation(this, config, random.nextLong(), random.nextLong(), a, b);
        allocations.add(allocation);
        perAddress.merge(a, 1, Integer::sum);
        perAddress.merge(b, 1, Integer::sum);
        active = allocations.size();
        new Bootstrap().group(loop).channel(transport.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .handler(allocation)
                .bind(bind, 0).addListener(f -> {
                    io.netty.channel.ChannelFuture bound = (io.netty.channel.ChannelFuture) f;
                    if (!bound.isSuccess()) {
                        released(allocation);
                        promise.setFailure(bound.cause());
                        return;
                    }
                    allocation.attach(bound.channel());
                    stats.relaysOpened.increment();
                    promise.setSuccess(new Grant(allocation.localAddress().getPort(), allocation.tokenA, allocation.tokenB));
                });
        return promise;
    }

    void released(RelayAllocation allocation) {
        if (allocations.remove(allocation)) {
            perAddress.computeIfPresent(allocation.addressA, (k, n) -> n <= 1 ? null : n - 1);
            perAddress.computeIfPresent(allocation.addressB, (k, n) -> n <= 1 ? null : n - 1);
            active = allocations.size();
        }
    }

    TrackerStats stats() {
        return stats;
    }

    /** Allocations open now (any thread). */
    public int active() {
        return active;
    }

    private void sweep() {
        long now = System.nanoTime();
        for (RelayAllocation a : Set.copyOf(allocations)) {
            if (a.expired(now)) {
                a.close("lifetime of " + config.lifetime().toSeconds() + " s over");
            } else if (a.idle(now)) {
                a.close("idle for " + RelayConfig.IDLE.toSeconds() + " s");
            }
        }
    }

    @Override
    public void close() {
        sweeper.cancel(false);
        loop.execute(() -> {
            for (RelayAllocation a : Set.copyOf(allocations)) {
                a.close("the tracker is stopping");
            }
        });
    }
}
