package org.peerit.tracker.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.net.KeyCounts;
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
    private final KeyCounts<InetAddress> perAddress = new KeyCounts<>();
    /** Pairs that used up their byte budget, until when they may not relay again (one lifetime). */
    private final Map<Pair, Long> exhausted = new HashMap<>();
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

    /** Two peers, in either order. */
    record Pair(PeerId low, PeerId high) {
        static Pair of(PeerId x, PeerId y) {
            return x.compareTo(y) < 0 ? new Pair(x, y) : new Pair(y, x);
        }
    }

    /** Why an allocation between {@code from} at {@code a} and {@code to} at {@code b} is refused, or null. Event loop only. */
    public String refusal(InetAddress a, InetAddress b, PeerId from, PeerId to) {
        if (!config.enabled()) {
            return "this tracker does not relay (--no-relay)";
        }
        Long until = exhausted.get(Pair.of(from, to));
        if (until != null && until > System.nanoTime()) {
            return "this pair used its relay budget of " + config.bytesPerPair() + " bytes; it may relay again in "
                    + Math.max(1, TimeUnit.NANOSECONDS.toMinutes(until - System.nanoTime())) + " min";
        }
        if (allocations.size() >= config.maxAllocations()) {
            return "the relay is full (" + config.maxAllocations() + " allocations)";
        }
        if (perAddress.get(a) >= config.maxPerAddress() || perAddress.get(b) >= config.maxPerAddress()) {
            return "an address of this pair already uses " + config.maxPerAddress() + " relay allocations";
        }
        return null;
    }

    /** Opens an allocation between peers at {@code a} (the asker) and {@code b}; check {@link #refusal} first. */
    public Future<Grant> allocate(InetAddress a, InetAddress b, PeerId from, PeerId to) {
        Promise<Grant> promise = loop.newPromise();
        RelayAllocation allocation = new RelayAllocation(this, config, random.nextLong(), random.nextLong(), a, b,
                Pair.of(from, to));
        allocations.add(allocation);
        perAddress.increment(a);
        perAddress.increment(b);
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
            perAddress.decrement(allocation.addressA);
            perAddress.decrement(allocation.addressB);
            active = allocations.size();
        }
    }

    /** {@code pair} used its byte budget: no new allocation for it during one lifetime. */
    void exhausted(Pair pair) {
        exhausted.put(pair, System.nanoTime() + config.lifetime().toNanos());
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
        exhausted.values().removeIf(until -> until <= now);
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
        if (loop.isShuttingDown()) {
            return; // the allocations' channels close with their loop
        }
        loop.execute(() -> {
            for (RelayAllocation a : Set.copyOf(allocations)) {
                a.close("the tracker is stopping");
            }
        });
    }
}
