package org.peerit.tracker.swarm;

import io.netty.buffer.ByteBuf;
import org.peerit.protocol.PeerId;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * One peer in one swarm, as last announced, kept compact: the few fields the tracker decides with, and the peer's
 * bytes as announce replies list it, made once per change and copied into every reply (encoding each listed peer for
 * each reply was 40% of a busy tracker's time; a re-announce that changes nothing is one array comparison).
 */
public final class PeerEntry {
    private final PeerId peerId;
    private final InetAddress address;
    private final boolean seed;
    private final int tcpPort;
    /** The source port of its announces: its QUIC server socket's public mapping; 0 if it has none. */
    private final int quicMappedPort;
    private final byte[] wire;
    private long lastSeenMillis;
    /** Where it stands in its swarm's list (kept by {@link Swarm}). */
    int slot;

    PeerEntry(PeerId peerId, InetAddress address, boolean seed, int tcpPort, int quicMappedPort, byte[] wire,
              long lastSeenMillis) {
        this.peerId = peerId;
        this.address = address;
        this.seed = seed;
        this.tcpPort = tcpPort;
        this.quicMappedPort = quicMappedPort;
        this.wire = wire;
        this.lastSeenMillis = lastSeenMillis;
    }

    public PeerId peerId() {
        return peerId;
    }

    public InetAddress address() {
        return address;
    }

    public boolean seed() {
        return seed;
    }

    /** Its address with the TCP port it listens on. */
    public InetSocketAddress endpoint() {
        return new InetSocketAddress(address, tcpPort);
    }

    public boolean hasQuic() {
        return quicMappedPort != 0;
    }

    /** Where its QUIC server socket is reached from outside (the socket it announces from). */
    public InetSocketAddress quicEndpoint() {
        return new InetSocketAddress(address, quicMappedPort);
    }

    /** This peer as an announce reply lists it. */
    byte[] wire() {
        return wire;
    }

    public long lastSeenMillis() {
        return lastSeenMillis;
    }

    void seen(long nowMillis) {
        lastSeenMillis = nowMillis;
    }

    /** Whether a new announce from {@code from}, whose reply form is {@code announced}, says the same as this entry. */
    boolean sameAs(InetAddress from, ByteBuf announced) {
        return address.equals(from) && Arrays.equals(wire, 0, wire.length, announced.array(),
                announced.arrayOffset() + announced.readerIndex(), announced.arrayOffset() + announced.writerIndex());
    }
}
