package org.peerit.tracker.swarm;

import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One peer in one swarm, as last announced, kept compact: the few fields the tracker decides with. Its bytes as
 * announce replies list it are made once per change and kept by its {@link Swarm} (encoding each listed peer for
 * each reply was 40% of a busy tracker's time; a re-announce that changes nothing is one array comparison).
 */
public final class PeerEntry {
    private final SwarmId swarmId;
    private final PeerId peerId;
    private final InetAddress address;
    private final boolean seed;
    private final int tcpPort;
    /** The source port of its announces: its QUIC server socket's public mapping; 0 if it has none. */
    private final int quicMappedPort;
    /**
     * Whether its NAT kept its QUIC socket's port (or there is none): the mark of an endpoint-independent NAT, as
     * Linux's masquerading and most home routers are. One that picks another port likely maps each destination
     * anew (symmetric), so punching it needs the birthday method.
     */
    private final boolean portPreserved;
    private long lastSeenMillis;
    /** Where it stands in its swarm's list (kept by {@link Swarm}). */
    int slot;
    /** The socket it announced from, and its neighbours in that source's list of entries (kept by {@link SourceLoad}). */
    SourceLoad.Source source;
    PeerEntry older;
    PeerEntry newer;

    PeerEntry(SwarmId swarmId, PeerId peerId, InetAddress address, boolean seed, int tcpPort, int quicMappedPort,
              boolean portPreserved, long lastSeenMillis) {
        this.swarmId = swarmId;
        this.peerId = peerId;
        this.address = address;
        this.seed = seed;
        this.tcpPort = tcpPort;
        this.quicMappedPort = quicMappedPort;
        this.portPreserved = portPreserved;
        this.lastSeenMillis = lastSeenMillis;
    }

    public SwarmId swarmId() {
        return swarmId;
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

    /** Whether its NAT maps a new port per destination, as far as the tracker can tell (see portPreserved). */
    public boolean behindHardNat() {
        return hasQuic() && !portPreserved;
    }

    /** Where its QUIC server socket is reached from outside (the socket it announces from). */
    public InetSocketAddress quicEndpoint() {
        return new InetSocketAddress(address, quicMappedPort);
    }

    public long lastSeenMillis() {
        return lastSeenMillis;
    }

    void seen(long nowMillis) {
        lastSeenMillis = nowMillis;
    }
}
