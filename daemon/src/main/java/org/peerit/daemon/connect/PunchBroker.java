package org.peerit.daemon.connect;

import org.peerit.daemon.nat.PeerPath;
import org.peerit.daemon.session.PeerSession;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PunchFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Hole punching coordinated by peers instead of the tracker (as BitTorrent's BEP 55 holepunch extension): a swarm
 * keeps connecting NATed peers when its tracker is gone. Each peer tells its peers its public QUIC mappings
 * ({@code NAT_ENDPOINTS}); a peer lists the peers it can introduce ({@code PUNCH_PEERS}: connected, mappings known);
 * a peer that wants one of them asks for an introduction ({@code PUNCH_ASK}); the introducer sends both a
 * {@code PUNCH_GO} with the other's mapping and the asker's nonce, and both punch as they do for the tracker. A
 * public peer also answers STUN, so a newcomer can learn its own mapping from it.
 * <p>
 * Everything here comes from untrusted peers, so it is bounded: at most {@value #MAX_ASKS_PER_MINUTE} introductions
 * asked of us and {@value #MAX_TARGET_PUNCHES_PER_MINUTE} punches as a target per peer per minute (a target's probes
 * are datagrams to an address another peer chose), at most {@value #MAX_ASKS_PER_LIST} asks per list, and only
 * introductions we asked for are dialled. Engine thread.
 */
public final class PunchBroker {
    private static final Logger log = LoggerFactory.getLogger(PunchBroker.class);
    static final int MAX_ASKS_PER_MINUTE = 20;
    static final int MAX_TARGET_PUNCHES_PER_MINUTE = 20;
    static final int MAX_ASKS_PER_LIST = 10;
    /** PUNCH_PEERS to one peer: the first at once, then changes at most this often. */
    private static final long LIST_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** An introduction we asked for and that has not begun by then is given up. */
    private static final long ASK_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(6);

    private final ConnectSwarm swarm;
    private final Dialling dialling;
    private final PeerIntake intake;
    private final SecureRandom random = new SecureRandom();
    /** Introductions we asked for, by nonce. */
    private final Map<Long, Asked> asked = new HashMap<>();
    /** Per session: what we last listed to it, and the per-minute counts of what it asked of us. */
    private final Map<PeerSession, PerPeer> perPeer = new HashMap<>();
    /** The latest PUNCH_PEERS each session sent, tried again while our own mapping is not known yet. */
    private final Map<PeerSession, List<PeerId>> offered = new HashMap<>();

    private record Asked(PeerId target, PeerSession via, long atNanos) {
    }

    private static final class PerPeer {
        List<PeerId> listed = List.of();
        long listedNanos;
        long minute;
        int asks;
        int targetPunches;

        /** Counts one more of {@code asks} or target punches this minute; false past {@code cap}. */
        boolean count(boolean ask, long nowNanos, int cap) {
            long m = TimeUnit.NANOSECONDS.toMinutes(nowNanos);
            if (m != minute) {
                minute = m;
                asks = 0;
                targetPunches = 0;
            }
            return (ask ? ++asks : ++targetPunches) <= cap;
        }
    }

    public PunchBroker(ConnectSwarm swarm, Dialling dialling, PeerIntake intake) {
        this.swarm = swarm;
        this.dialling = dialling;
        this.intake = intake;
    }

    /** Once a second: our mappings to every peer, each peer the list of the others we can introduce. */
    public void tick(long nowNanos) {
        InetSocketAddress server = dialling.nat().serverMapping();
        InetSocketAddress client = dialling.nat().clientMapping();
        PeerMessage.NatEndpoints ours = new PeerMessage.NatEndpoints(server, client);
        List<PeerId> introducible = new ArrayList<>();
        for (PeerSession s : swarm.sessions()) {
            if (server != null || client != null) {
                s.sendEndpoints(ours);
            }
            PeerMessage.NatEndpoints theirs = s.peerEndpoints();
            if (theirs != null && theirs.server() != null) {
                dialling.nat().stunVia(theirs.server());
                if (introducible.size() < 51) {
                    introducible.add(s.peerId());
                }
            }
        }
        for (PeerSession s : swarm.sessions()) {
            PerPeer p = perPeer.computeIfAbsent(s, k -> new PerPeer());
            List<PeerId> forIt = new ArrayList<>(introducible);
            forIt.remove(s.peerId());
            if (forIt.size() > 50) {
                forIt = forIt.subList(0, 50);
            }
            if (!forIt.equals(p.listed) && (p.listedNanos == 0 || nowNanos - p.listedNanos >= LIST_INTERVAL_NANOS)) {
                p.listed = List.copyOf(forIt);
                p.listedNanos = nowNanos;
                s.send(new PeerMessage.PunchPeers(p.listed));
            }
        }
        asked.values().removeIf(a -> nowNanos - a.atNanos > ASK_TIMEOUT_NANOS);
        for (Map.Entry<PeerSession, List<PeerId>> e : new ArrayList<>(offered.entrySet())) {
            askFor(e.getKey(), e.getValue(), nowNanos);
        }
    }

    /** A punch introduction message from {@code from}. */
    public void received(PeerSession from, PeerMessage message, long nowNanos) {
        if (message instanceof PeerMessage.PunchPeers p) {
            offered.put(from, p.peers());
            askFor(from, p.peers(), nowNanos);
        } else if (message instanceof PeerMessage.PunchAsk a) {
            introduce(from, a, nowNanos);
        } else if (message instanceof PeerMessage.PunchGo g) {
            go(from, g, nowNanos);
        } else if (message instanceof PeerMessage.PunchFail f) {
            PunchFailure why = PunchFailure.of(f.code());
            asked.values().removeIf(a -> a.via == from && a.target.equals(f.target()));
            log.debug("{}: peer {} cannot introduce us to {}: {}", swarm.name(), from.peerId().shortHex(),
                    f.target().shortHex(), why == null ? "code " + f.code() : why.reason());
        }
    }

    public void sessionClosed(PeerSession session) {
        perPeer.remove(session);
        offered.remove(session);
        asked.values().removeIf(a -> a.via == session);
    }

    /** Asks {@code via} to introduce us to the peers it offers that we want and cannot reach otherwise. */
    private void askFor(PeerSession via, List<PeerId> peers, long nowNanos) {
        if (dialling.nat().clientMapping() == null) {
            return; // nothing to punch from yet: tried again each second until STUN has answered
        }
        int asks = 0;
        for (PeerId peer : peers) {
            if (asks >= MAX_ASKS_PER_LIST || !swarm.wantsPeers() || !intake.hasRoom()) {
                break;
            }
            if (peer.equals(dialling.ownId()) || swarm.isConnected(peer) || swarm.isBanned(peer)
                    || intake.isDialling(peer) || isAsked(peer)) {
                continue;
            }
            long nonce = random.nextLong();
            asked.put(nonce, new Asked(peer, via, nowNanos));
            asks++;
            via.send(new PeerMessage.PunchAsk(peer, nonce));
            log.debug("{}: asking peer {} to introduce us to {}", swarm.name(), via.peerId().shortHex(), peer.shortHex());
        }
        if (asks > 0 || peers.isEmpty()) {
            offered.remove(via);
        }
    }

    private boolean isAsked(PeerId peer) {
        for (Asked a : asked.values()) {
            if (a.target.equals(peer)) {
                return true;
            }
        }
        return false;
    }

    /** {@code from} asks to be introduced to a peer of ours: tell both to punch, each with the other's mapping. */
    private void introduce(PeerSession from, PeerMessage.PunchAsk ask, long nowNanos) {
        PerPeer p = perPeer.computeIfAbsent(from, k -> new PerPeer());
        if (!p.count(true, nowNanos, MAX_ASKS_PER_MINUTE)) {
            from.send(new PeerMessage.PunchFail(ask.target(), PunchFailure.TOO_MANY.code()));
            return;
        }
        PeerSession target = null;
        for (PeerSession s : swarm.sessions()) {
            if (s.peerId().equals(ask.target())) {
                target = s;
            }
        }
        if (target == null || target == from) {
            from.send(new PeerMessage.PunchFail(ask.target(), PunchFailure.NOT_CONNECTED.code()));
            return;
        }
        PeerMessage.NatEndpoints asker = from.peerEndpoints();
        PeerMessage.NatEndpoints other = target.peerEndpoints();
        if (asker == null || asker.client() == null || other == null || other.server() == null) {
            from.send(new PeerMessage.PunchFail(ask.target(), PunchFailure.NO_MAPPING.code()));
            return;
        }
        log.info("{}: introducing peer {} to peer {} for a punch", swarm.name(), from.peerId().shortHex(),
                target.peerId().shortHex());
        target.send(new PeerMessage.PunchGo(from.peerId(), ask.nonce(), asker.client(), false));
        from.send(new PeerMessage.PunchGo(target.peerId(), ask.nonce(), other.server(), true));
    }

    /** The introducer says: punch now. */
    private void go(PeerSession via, PeerMessage.PunchGo go, long nowNanos) {
        if (!go.dial()) {
            // We are the target: probe the dialler's mapping so our NAT lets its QUIC in.
            PerPeer p = perPeer.computeIfAbsent(via, k -> new PerPeer());
            if (!p.count(false, nowNanos, MAX_TARGET_PUNCHES_PER_MINUTE) || swarm.isBanned(go.peer())
                    || swarm.isConnected(go.peer()) || !swarm.wantsPeers()) {
                return;
            }
            log.debug("{}: peer {} introduces peer {}, who punches to us from {}", swarm.name(),
                    via.peerId().shortHex(), go.peer().shortHex(), go.endpoint());
            dialling.nat().acceptIntroduced(go.nonce(), go.endpoint());
            return;
        }
        Asked a = asked.remove(go.nonce());
        if (a == null || a.via != via || !a.target.equals(go.peer())) {
            return; // not an introduction we asked of this peer
        }
        PeerId peer = go.peer();
        if (swarm.isConnected(peer) || !intake.reserve(peer)) {
            return;
        }
        dialling.nat().punchIntroduced(go.nonce(), go.endpoint())
                .thenCompose(address -> dialling.nat().dial(address, peer))
                .thenCompose(connection -> dialling.channels().openStream(connection, swarm, peer, PeerPath.QUIC_PUNCHED))
                .whenComplete((stream, failure) -> dialling.loop().execute(() -> {
                    if (failure != null) {
                        intake.release(peer);
                        log.info("{}: the punch to peer {}, introduced by peer {}, failed: {}", swarm.name(),
                                peer.shortHex(), via.peerId().shortHex(), PeerDialer.rootMessage(failure));
                    } else {
                        stream.closeFuture().addListener(f -> dialling.loop().execute(() -> intake.release(peer)));
                    }
                }));
    }
}
