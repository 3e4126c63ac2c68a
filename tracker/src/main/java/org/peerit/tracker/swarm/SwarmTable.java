package org.peerit.tracker.swarm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;
import org.peerit.protocol.tracker.TrackerCodec;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Which peers are in which swarm. All methods are called from the tracker's single UDP event-loop thread (and the
 * HTTP thread only reads through {@link #snapshot}), so the table needs no finer locking than one monitor.
 */
public final class SwarmTable {
    private final int maxSwarms;
    private final int maxPeersPerSwarm;
    private final Map<SwarmId, Swarm> swarms = new HashMap<>();
    private final SourceLoad load;
    private final SplittableRandom random = new SplittableRandom();
    /** Where an announce's reply form is made, to compare with what the peer announced before. */
    private final ByteBuf scratch = Unpooled.buffer(512);
    private long peerCount;
    private long evicted;

    /**
     * @param maxPeersPerSource  entries one announcing socket (ip:port) may hold; past it, its own oldest goes
     * @param maxPeersPerAddress entries one IP may hold; past it, the oldest of its heaviest source goes
     * @param newPeersPerSecond  new entries a second one source may add (ten times that per IP); 0 for no limit
     */
    public SwarmTable(int maxSwarms, int maxPeersPerSwarm, int maxPeersPerSource, int maxPeersPerAddress,
                      int newPeersPerSecond) {
        this.maxSwarms = maxSwarms;
        this.maxPeersPerSwarm = maxPeersPerSwarm;
        this.load = new SourceLoad(maxPeersPerSource, maxPeersPerAddress, newPeersPerSecond);
    }

    /** The outcome of an announce: either peers for the announcer, or the limit it ran into. */
    public sealed interface Result {
        /** {@code count} peers were appended to the reply, each as {@code TrackerCodec.encodePeer} writes it. */
        record Peers(int count, int seeders, int leechers) implements Result {
        }

        record Refused(String reason) implements Result {
        }
    }

    /**
     * Records an announce and, unless it is refused, appends up to {@code numWant} other peers of the swarm to
     * {@code reply} (the announce reply's peer list; see {@link #sample}).
     */
    public synchronized Result announce(SwarmId swarmId, PeerId peerId, InetSocketAddress source, AnnounceEvent event,
                                        boolean seed, int tcpPort, int quicPort, List<InetSocketAddress> candidates, int numWant,
                                        long nowMillis, ByteBuf reply) {
        Swarm swarm = swarms.get(swarmId);
        if (event == AnnounceEvent.STOPPED) {
            if (swarm != null) {
                remove(swarmId, swarm, peerId);
            }
            return new Result.Peers(0, 0, 0);
        }
        PeerEntry existing = swarm == null ? null : swarm.get(peerId);
        InetAddress address = source.getAddress();
        // Daemons announce from their QUIC server socket: the source is that socket's public mapping.
        int quicMappedPort = quicPort == 0 ? 0 : source.getPort();
        scratch.clear();
        TrackerCodec.encodePeer(peerId, seed, new InetSocketAddress(address, tcpPort), quicMappedPort, quicPort,
                candidates, scratch);
        boolean sameSource = existing != null && SourceLoad.isFrom(existing, source);
        if (sameSource && swarm.sameWire(existing, scratch)) {
            existing.seen(nowMillis); // the common re-announce: nothing changed
            return peers(swarm, existing, numWant, reply);
        }
        if (!sameSource) {
            // A new entry for this source: the limits apply, and fall on whoever exceeds them.
            if (existing == null && swarm != null && swarm.size() >= maxPeersPerSwarm) {
                return new Result.Refused("swarm is full (" + maxPeersPerSwarm + " peers)");
            }
            if (swarm == null && swarms.size() >= maxSwarms) {
                return new Result.Refused("tracker holds its maximum of " + maxSwarms + " swarms");
            }
            String refusal = load.refuseNew(source, nowMillis);
            if (refusal != null) {
                return new Result.Refused(refusal);
            }
            if (existing != null) {
                load.remove(existing); // moved to another socket (a new NAT mapping): counted there from now on
            }
            for (PeerEntry victim; (victim = load.victimFor(source)) != null; ) {
                evict(victim);
            }
            swarm = swarms.get(swarmId); // an eviction may have emptied and dropped it
            if (swarm == null) {
                swarm = new Swarm();
                swarms.put(swarmId, swarm);
            }
            if (existing == null) {
                peerCount++;
            }
        }
        PeerEntry self = new PeerEntry(swarmId, peerId, address, seed, tcpPort, quicMappedPort,
                quicMappedPort == quicPort, nowMillis);
        if (sameSource) {
            load.replace(existing, self);
        } else {
            load.add(self, source, nowMillis);
        }
        swarm.put(self, scratch);
        return peers(swarm, self, numWant, reply);
    }

    /** The answer to {@code self}'s announce: a sample of its swarm written to {@code reply}, and the swarm's counts. */
    private Result.Peers peers(Swarm swarm, PeerEntry self, int numWant, ByteBuf reply) {
        return new Result.Peers(sample(swarm, self, numWant, reply), swarm.seeders(), swarm.size() - swarm.seeders());
    }

    /**
     * Appends up to {@code numWant} other peers to {@code out} and returns how many: a run from a random starting
     * point (enough mixing, since the list order changes with every departure), never the announcer, and for a seed
     * no other seeds, which have nothing for it.
     */
    private int sample(Swarm swarm, PeerEntry self, int numWant, ByteBuf out) {
        int size = swarm.size();
        int start = size == 0 ? 0 : random.nextInt(size);
        boolean seed = self.seed();
        int listed = 0;
        for (int k = 0; k < size && listed < numWant; k++) {
            int i = (start + k) % size;
            if (i != self.slot && !(seed && swarm.isSeed(i))) {
                swarm.copyWire(i, out);
                listed++;
            }
        }
        return listed;
    }

    /** The entry of {@code peerId} in {@code swarmId}, or null. */
    public synchronized PeerEntry find(SwarmId swarmId, PeerId peerId) {
        Swarm swarm = swarms.get(swarmId);
        return swarm == null ? null : swarm.get(peerId);
    }

    /** Drops peers not heard from since {@code cutoffMillis}; returns how many went. */
    public synchronized int expire(long cutoffMillis) {
        int removed = 0;
        for (var swarmIt = swarms.entrySet().iterator(); swarmIt.hasNext(); ) {
            Swarm swarm = swarmIt.next().getValue();
            for (int i = swarm.size() - 1; i >= 0; i--) {
                PeerEntry e = swarm.at(i);
                if (e.lastSeenMillis() < cutoffMillis) {
                    swarm.remove(e.peerId());
                    load.remove(e);
                    peerCount--;
                    removed++;
                }
            }
            if (swarm.size() == 0) {
                swarmIt.remove();
            }
        }
        return removed;
    }

    private void remove(SwarmId swarmId, Swarm swarm, PeerId peerId) {
        PeerEntry e = swarm.remove(peerId);
        if (e != null) {
            load.remove(e);
            peerCount--;
        }
        dropIfEmpty(swarmId, swarm);
    }

    /** Drops an entry to make room for one more from the same source or address. */
    private void evict(PeerEntry victim) {
        evicted++;
        remove(victim.swarmId(), swarms.get(victim.swarmId()), victim.peerId());
    }

    private void dropIfEmpty(SwarmId swarmId, Swarm swarm) {
        if (swarm.size() == 0) {
            swarms.remove(swarmId);
        }
    }

    public synchronized long peerCount() {
        return peerCount;
    }

    /** Entries dropped to make room for newer ones of the same source or address. */
    public synchronized long evictedCount() {
        return evicted;
    }

    public synchronized int swarmCount() {
        return swarms.size();
    }

    /**
     * A copy of part of the table for the stats pages: up to {@code maxSwarms} swarms with up to {@code maxPeers}
     * peers each, so that a page costs the announcing thread (which waits on this monitor) the same at any size.
     */
    public synchronized List<SwarmSnapshot> snapshot(int maxSwarms, int maxPeers) {
        List<SwarmSnapshot> out = new ArrayList<>(Math.min(maxSwarms, swarms.size()));
        for (var e : swarms.entrySet()) {
            if (out.size() >= maxSwarms) {
                break;
            }
            Swarm s = e.getValue();
            List<PeerEntry> peers = s.entries();
            out.add(new SwarmSnapshot(e.getKey(), List.copyOf(peers.subList(0, Math.min(maxPeers, peers.size()))),
                    s.seeders(), s.size() - s.seeders()));
        }
        return out;
    }

    /** Part of a swarm: some of its peers, and its counts. */
    public record SwarmSnapshot(SwarmId swarmId, List<PeerEntry> peers, int seeders, int leechers) {
    }
}
