package org.peerit.tracker.swarm;

import org.peerit.protocol.PeerId;
import org.peerit.protocol.tracker.TrackerPeer;

import java.net.InetAddress;

/**
 * One peer in one swarm, as last announced. The reply form ({@link TrackerPeer}) is built once per change and shared
 * by every reply that lists this peer, so a busy tracker allocates nothing per listed peer.
 */
public final class PeerEntry {
    private final InetAddress address;
    private final TrackerPeer asReplied;
    private long lastSeenMillis;

    PeerEntry(InetAddress address, TrackerPeer asReplied, long lastSeenMillis) {
        this.address = address;
        this.asReplied = asReplied;
        this.lastSeenMillis = lastSeenMillis;
    }

    public PeerId peerId() {
        return asReplied.peerId();
    }

    public InetAddress address() {
        return address;
    }

    public boolean seed() {
        return asReplied.seed();
    }

    public java.net.InetSocketAddress endpoint() {
        return asReplied.endpoint();
    }

    public TrackerPeer asReplied() {
        return asReplied;
    }

    public long lastSeenMillis() {
        return lastSeenMillis;
    }

    void seen(long nowMillis) {
        lastSeenMillis = nowMillis;
    }

    /** Whether a new announce says the same as this entry (then only the time is updated). */
    boolean sameAs(InetAddress address, TrackerPeer peer) {
        return this.address.equals(address) && asReplied.equals(peer);
    }
}
