package org.peerit.daemon.connect;

import io.netty.channel.Channel;
import org.peerit.protocol.net.KeyCounts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Admits inbound peer connections (TCP, and QUIC streams) within caps, so that no number of strangers can take the
 * engine's memory or crowd out real peers. A connection is <em>pending</em> until its handshake names a swarm we serve,
 * then <em>established</em>; each state has a cap in total and per remote address. Pending connections are cheap to
 * hold (their first frame is capped at a handshake's size, and they are closed after {@code HANDSHAKE_TIMEOUT}), so
 * the caps for them are tight. Per address caps are not 1: many honest peers share one address behind a NAT.
 * Relayed peers all arrive from the tracker's address, each pair from its own port, so they are counted by address
 * and port. Engine thread only.
 */
public final class InboundGate {
    private static final Logger log = LoggerFactory.getLogger(InboundGate.class);

    private final InboundLimits limits;
    private final KeyCounts<Object> pendingBySource = new KeyCounts<>();
    private final KeyCounts<Object> establishedBySource = new KeyCounts<>();
    /** Pending connections with the source each is counted under. */
    private final Map<Channel, Object> pending = new HashMap<>();
    private int established;
    private long refused;
    private final LogThrottle capRefusals = new LogThrottle();
    private final LogThrottle peerRefusals = new LogThrottle();

    public InboundGate(InboundLimits limits) {
        this.limits = limits;
    }

    /**
     * A new inbound connection: admitted as pending, or closed at once (before any buffer is allocated for it) when a
     * cap is reached. It leaves the counts by itself when it closes.
     */
    public boolean admit(Channel channel, InetSocketAddress remote, boolean relayed) {
        Object source = relayed ? remote : remote.getAddress();
        if (pending.size() >= limits.pending() || pendingBySource.get(source) >= limits.pendingPerAddress()) {
            refuse(channel, source, "too many connections without a handshake");
            return false;
        }
        pending.put(channel, source);
        pendingBySource.increment(source);
        channel.closeFuture().addListener(f -> {
            Object s = pending.remove(channel);
            if (s != null) {
                pendingBySource.decrement(s);
            }
        });
        return true;
    }

    /** A connection completed a handshake: whether it may stay, as an established one if it was admitted here. */
    public boolean establish(Channel channel) {
        Object source = pending.remove(channel);
        if (source == null) {
            return true; // not counted here: a connection we dialled
        }
        pendingBySource.decrement(source);
        if (established >= limits.established() || establishedBySource.get(source) >= limits.establishedPerAddress()) {
            refuse(channel, source, "too many peers connected");
            return false;
        }
        established++;
        establishedBySource.increment(source);
        channel.closeFuture().addListener(f -> {
            established--;
            establishedBySource.decrement(source);
        });
        return true;
    }

    /**
     * Memory ran short: closes every connection that has not proved itself with a handshake, the cheapest way to give
     * memory back without touching a real transfer.
     */
    public int shedPending() {
        int n = pending.size();
        for (Channel c : pending.keySet().toArray(new Channel[0])) {
            c.close();
        }
        return n;
    }

    /** The connections waiting for a handshake now. */
    public java.util.List<Channel> pendingChannels() {
        return java.util.List.copyOf(pending.keySet());
    }

    /** Inbound connections held now, and refused so far. */
    public record Stats(int pending, int established, long refused) {
    }

    public Stats stats() {
        return new Stats(pending.size(), established, refused);
    }

    private void refuse(Channel channel, Object source, String why) {
        refused++;
        channel.close();
        if (capRefusals.due(System.nanoTime())) {
            capRefusals.skipped(); // the running total says it all
            log.warn("refusing inbound connections ({}; latest from {}; {} refused so far)", why, source, refused);
        }
    }

    /** A stranger's connection refused after it connected (failed TLS, a certificate that proves another id). */
    public void logRefusal(String why) {
        if (peerRefusals.due(System.nanoTime())) {
            long skipped = peerRefusals.skipped();
            log.info("{}{}", why, skipped == 0 ? ""
                    : " (and " + skipped + " other inbound connections refused since the last such line)");
        }
    }
}
