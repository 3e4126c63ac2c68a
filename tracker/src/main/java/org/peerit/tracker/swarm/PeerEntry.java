package org.peerit.tracker.swarm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.tracker.TrackerCodec;
import org.peerit.protocol.tracker.TrackerPeer;

import java.net.InetAddress;

/**
 * One peer in one swarm, as last announced. Its reply form ({@link TrackerPeer}) and that form's bytes on the wire
 * are made once per change and copied into every reply that lists this peer: encoding each listed peer for each
 * reply was 40% of a busy tracker's time.
 */
public final class PeerEntry {
    private final InetAddress address;
    private final TrackerPeer asReplied;
    private final byte[] wire;
    /** Kept here too: replies check it for every listed peer, and one object is one cache miss fewer. */
    private final boolean seed;
    private long lastSeenMillis;

    PeerEntry(InetAddress address, TrackerPeer asReplied, long lastSeenMillis) {
        this.address = address;
        this.asReplied = asReplied;
        ByteBuf buf = Unpooled.buffer(128);
        TrackerCodec.encodePeer(asReplied, buf);
        this.wire = ByteBufUtil.getBytes(buf);
        this.seed = asReplied.seed();
        this.lastSeenMillis = lastSeenMillis;
    }

    /** Appends this peer, as an announce reply lists it. */
    public void writeTo(ByteBuf out) {
        out.writeBytes(wire);
    }

    public PeerId peerId() {
        return asReplied.peerId();
    }

    public InetAddress address() {
        return address;
    }

    public boolean seed() {
        return seed;
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
        return seed == peer.seed() && this.address.equals(address) && asReplied.equals(peer);
    }
}
