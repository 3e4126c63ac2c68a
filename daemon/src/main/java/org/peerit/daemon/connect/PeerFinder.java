package org.peerit.daemon.connect;

import org.peerit.daemon.nat.PeerPath;
import org.peerit.daemon.session.PeerSession;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.protocol.tracker.TrackerPeer;
import org.peerit.protocol.wire.PexPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where one share's peers come from (a tracker's list, PEX), which of them it dials, and what PEX tells them. It
 * dials no one who is ourselves, banned, connected or being dialled already, another seed when we seed, or past the
 * share's peer limit. PEX lists come from untrusted peers, so at most {@value #MAX_PEX_DIALS} are dialled per
 * message. Engine thread.
 */
public final class PeerFinder {
    private static final Logger log = LoggerFactory.getLogger(PeerFinder.class);
    static final int MAX_PEX_DIALS = 10;

    private final ConnectSwarm swarm;
    private final Dialling dialling;
    private final Set<PeerId> connecting = new HashSet<>();
    /** Endpoints heard of by PEX (peer id unknown until the handshake) that we are dialling. */
    private final Set<InetSocketAddress> connectingAddresses = new HashSet<>();

    public PeerFinder(ConnectSwarm swarm, Dialling dialling) {
        this.swarm = swarm;
        this.dialling = dialling;
    }

    /** Connections made or being made, against the share's limit. */
    private int reaching() {
        return swarm.connectedCount() + connecting.size() + connectingAddresses.size();
    }

    /**
     * Both sides dialled each other, so there are two connections to {@code peer}: whether the new one is kept. Both
     * ends keep the one the smaller peer id opened, so they agree without a word.
     */
    public boolean keepsNew(PeerId peer, boolean newOutbound, boolean existingOutbound) {
        PeerId me = dialling.ownId();
        return (newOutbound ? me : peer).compareTo(existingOutbound ? me : peer) < 0;
    }

    /** Whether the share has room for one more connected peer. */
    public boolean hasRoom() {
        return swarm.connectedCount() < dialling.maxPeers();
    }

    /** The peer completed a handshake on some path: its dialling is over. */
    public void connected(PeerId peer) {
        connecting.remove(peer);
    }

    /** Peers from a tracker: dial those we are not connected to and may want to talk to. */
    public void fromTracker(TrackerAddress tracker, List<TrackerPeer> peers) {
        for (TrackerPeer p : peers) {
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
            if (dialled >= MAX_PEX_DIALS || !swarm.wantsPeers() || reaching() >= dialling.maxPeers()) {
                return;
            }
            InetSocketAddress address = p.socketAddress();
            if (address.getPort() == dialling.listenPort() && dialling.isLocal().test(address.getAddress())) {
                continue; // ourselves
            }
            if (connectingAddresses.contains(address) || isConnectedTo(address)) {
                continue;
            }
            connectingAddresses.add(address);
            dialled++;
            log.debug("{}: dialling {}, heard of by PEX", swarm.name(), address);
            dialling.channels().connectTcp(swarm, address, null, () -> connectingAddresses.remove(address), why -> { });
        }
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
