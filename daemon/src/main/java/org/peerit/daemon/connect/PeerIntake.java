package org.peerit.daemon.connect;

import org.peerit.daemon.discovery.PeerSource;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.daemon.session.Admitted;
import org.peerit.daemon.session.PeerSession;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.protocol.tracker.TrackerPeer;
import org.peerit.protocol.wire.PexPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one intake of a share's peers, whatever found them: a tracker's list (peer ids, NAT paths), and bare addresses
 * from the DHT, PEX and the LAN. It decides which to dial and tells PEX peers about each other. It dials no one who
 * is ourselves, banned, connected or being dialled already, another seed when we seed, or past the share's peer
 * limit, and no address that failed in the last {@value #RETRY_FAILED_SECONDS} s (a DHT returns the same NATed,
 * unreachable addresses on every lookup). PEX lists come from untrusted peers, so at most {@value #MAX_PEX_DIALS}
 * are dialled per message. Engine thread.
 */
public final class PeerIntake {
    private static final Logger log = LoggerFactory.getLogger(PeerIntake.class);
    static final int MAX_PEX_DIALS = 10;
    static final int RETRY_FAILED_SECONDS = 120;
    /** Addresses remembered as failed: bounded, the oldest forgotten first. */
    private static final int MAX_FAILED = 1024;

    private final ConnectSwarm swarm;
    private final Dialling dialling;
    private final long startedNanos = System.nanoTime();
    private final Set<PeerId> connecting = new HashSet<>();
    /** Endpoints heard of without a peer id (unknown until the handshake) that we are dialling. */
    private final Set<InetSocketAddress> connectingAddresses = new HashSet<>();
    private final Map<InetSocketAddress, Long> failedAt = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Long> eldest) {
            return size() > MAX_FAILED;
        }
    };
    private final EnumSet<PeerSource> heardFrom = EnumSet.noneOf(PeerSource.class);

    public PeerIntake(ConnectSwarm swarm, Dialling dialling) {
        this.swarm = swarm;
        this.dialling = dialling;
    }

    /** The sources that have named at least one peer so far, for status. */
    public Set<PeerSource> heardFrom() {
        return EnumSet.copyOf(heardFrom);
    }

    /** Logs the first peer each source names: how long discovery took through it. */
    private void heard(PeerSource source) {
        if (heardFrom.add(source)) {
            log.info("{}: first peer from the {} after {} ms", swarm.name(), source.label(),
                    (System.nanoTime() - startedNanos) / 1_000_000);
        }
    }

    /** Connections made or being made, against the share's limit. */
    private int reaching() {
        return swarm.connectedCount() + connecting.size() + connectingAddresses.size();
    }

    /**
     * Whether a session that completed its handshake may join the swarm's {@code sessions}: only one per peer (when
     * both sides dialled each other, the connection both ends keep; the other is closed and {@code forget} hears of
     * it) and no more than the share's limit. If it joins, that peer's dialling is over.
     */
    public <S extends Admitted> boolean admit(Map<PeerId, S> sessions, S session, Consumer<S> forget) {
        PeerId peer = session.peerId();
        S existing = sessions.get(peer);
        if (existing != null) {
            // A direct path replaces a relayed one (relay first, then upgrade), never the other way round; between
            // two of a kind, the rule both ends agree on without a word.
            boolean upgrade = existing.path().relayed() && !session.path().relayed();
            boolean downgrade = !existing.path().relayed() && session.path().relayed();
            if (downgrade || (!upgrade && !keepsNew(peer, session.outbound(), existing.outbound()))) {
                return false;
            }
            if (upgrade) {
                log.info("{}: peer {} moved from the relay to a direct path ({})", swarm.name(), peer.shortHex(),
                        session.path());
            }
            existing.close(upgrade ? "moved to a direct path" : "replaced by a simultaneous connection");
            forget.accept(existing);
        }
        if (!hasRoom()) {
            return false;
        }
        sessions.put(peer, session);
        connecting.remove(peer);
        return true;
    }

    /**
     * Both sides dialled each other, so there are two connections to {@code peer}: whether the new one is kept. Both
     * ends keep the one the smaller peer id opened, so they agree without a word.
     */
    private boolean keepsNew(PeerId peer, boolean newOutbound, boolean existingOutbound) {
        PeerId me = dialling.ownId();
        return (newOutbound ? me : peer).compareTo(existingOutbound ? me : peer) < 0;
    }

    /** Whether the share has room for one more connected peer. */
    public boolean hasRoom() {
        return swarm.connectedCount() < dialling.maxPeers();
    }

    /** Whether {@code peer} is being dialled now. */
    public boolean isDialling(PeerId peer) {
        return connecting.contains(peer);
    }

    /** Marks {@code peer} as being dialled by another path (a peer's introduction); false if it already is. */
    public boolean reserve(PeerId peer) {
        return connecting.add(peer);
    }

    /** That dialling is over (it failed, or its connection closed). */
    public void release(PeerId peer) {
        connecting.remove(peer);
    }

    /** Peers from a tracker: dial those we are not connected to and may want to talk to. */
    public void fromTracker(TrackerAddress tracker, List<TrackerPeer> peers) {
        for (TrackerPeer p : peers) {
            if (!p.peerId().equals(dialling.ownId())) {
                heard(PeerSource.TRACKER);
            }
            if (!swarm.wantsPeers() || reaching() >= dialling.maxPeers()) {
                return;
            }
            PeerId peer = p.peerId();
            if (peer.equals(dialling.ownId()) || swarm.isBanned(peer) || swarm.isConnected(peer)
                    || connecting.contains(peer) || (swarm.isComplete() && p.seed())
                    || (p.endpoint().getPort() == 0 && !p.hasQuic())) {
                continue;
            }
            connecting.add(peer);
            new PeerDialer(dialling, swarm, p, tracker, () -> connecting.remove(peer)).start();
        }
    }

    /**
     * Endpoints a peer says it is connected to (PEX): dial a few we do not know yet, so the swarm keeps growing while
     * the tracker is slow or down.
     */
    public void fromPex(List<PexPeer> added) {
        int dialled = 0;
        for (PexPeer p : added) {
            if (dialled >= MAX_PEX_DIALS) {
                return;
            }
            if (fromAddress(PeerSource.PEX, p.socketAddress())) {
                dialled++;
            }
        }
    }

    /**
     * A peer's TCP listen address, from the DHT, PEX or the LAN (no peer id: the handshake proves who it is). Returns
     * whether it is dialled.
     */
    public boolean fromAddress(PeerSource source, InetSocketAddress address) {
        if (address.getPort() == dialling.listenPort() && dialling.isLocal().test(address.getAddress())) {
            return false; // ourselves
        }
        heard(source);
        if (!swarm.wantsPeers() || reaching() >= dialling.maxPeers()) {
            return false;
        }
        if (connectingAddresses.contains(address) || isConnectedTo(address)) {
            return false;
        }
        long now = System.nanoTime();
        Long failed = failedAt.get(address);
        if (failed != null && now - failed < TimeUnit.SECONDS.toNanos(RETRY_FAILED_SECONDS)) {
            return false;
        }
        connectingAddresses.add(address);
        log.debug("{}: dialling {}, heard of by the {}", swarm.name(), address, source.label());
        dialling.channels().connectTcp(swarm, address, null, () -> connectingAddresses.remove(address),
                why -> failedAt.put(address, System.nanoTime()));
        return true;
    }

    /** Tells each peer which other peers we are connected to: all of them at first, then changes, once a minute. */
    public void advertise(long nowNanos) {
        Set<PexPeer> current = new LinkedHashSet<>();
        for (PeerSession s : swarm.sessions()) {
            // Only TCP peers: a QUIC peer's address is a NAT mapping or a relay, useless to a third peer.
            if (s.peerListenPort() > 0 && s.path() == PeerPath.TCP) {
                current.add(new PexPeer(s.remoteAddress().getAddress(), s.peerListenPort()));
            }
        }
        for (PeerSession s : swarm.sessions()) {
            s.sendPex(current, nowNanos);
        }
    }

    private boolean isConnectedTo(InetSocketAddress listenEndpoint) {
        for (PeerSession s : swarm.sessions()) {
            if (s.peerListenEndpoint().equals(listenEndpoint)) {
                return true;
            }
        }
        return false;
    }
}
