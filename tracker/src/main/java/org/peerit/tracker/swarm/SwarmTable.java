package org.peerit.tracker.swarm;

import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;
import org.peerit.protocol.tracker.TrackerPeer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Which peers are in which swarm. All methods are called from the tracker's single UDP event-loop thread (and the
 * HTTP thread only reads through {@link #snapshot()}), so the table needs no finer locking than one monitor.
 */
public final class SwarmTable {
    private final int maxSwarms;
    private final int maxPeersPerSwarm;
    private final int maxPeersPerAddress;
    private final Map<SwarmId, Map<PeerId, PeerEntry>> swarms = new HashMap<>();
    private final Map<InetAddress, Integer> entriesPerAddress = new HashMap<>();
    private final SplittableRandom random = new SplittableRandom();
    private long peerCount;

    public SwarmTable(int maxSwarms, int maxPeersPerSwarm, int maxPeersPerAddress) {
        this.maxSwarms = maxSwarms;
        this.maxPeersPerSwarm = maxPeersPerSwarm;
        this.maxPeersPerAddress = maxPeersPerAddress;
    }

    /** The outcome of an announce: either peers for the announcer, or the limit it ran into. */
    public sealed interface Result {
        record Peers(List<TrackerPeer> peers, int seeders, int leechers) implements Result {
        }

        record Refused(String reason) implements Result {
        }
    }

    public synchronized Result announce(SwarmId swarmId, PeerId peerId, InetSocketAddress source, AnnounceEvent event,
                                        boolean seed, int tcpPort, List<InetSocketAddress> candidates, int numWant,
                                        long nowMillis) {
        Map<PeerId, PeerEntry> swarm = swarms.get(swarmId);
        if (event == AnnounceEvent.STOPPED) {
            if (swarm != null) {
                remove(swarmId, swarm, peerId);
            }
            return new Result.Peers(List.of(), 0, 0);
        }
        if (swarm == null) {
            if (swarms.size() >= maxSwarms) {
                return new Result.Refused("tracker holds its maximum of " + maxSwarms + " swarms");
            }
            swarm = new LinkedHashMap<>();
            swarms.put(swarmId, swarm);
        }
        PeerEntry existing = swarm.get(peerId);
        InetAddress address = source.getAddress();
        if (existing == null || !existing.address().equals(address)) {
            if (swarm.size() >= maxPeersPerSwarm && existing == null) {
                dropIfEmpty(swarmId, swarm);
                return new Result.Refused("swarm is full (" + maxPeersPerSwarm + " peers)");
            }
            if (entriesPerAddress.getOrDefault(address, 0) >= maxPeersPerAddress) {
                dropIfEmpty(swarmId, swarm);
                return new Result.Refused("address " + address.getHostAddress() + " already holds "
                        + maxPeersPerAddress + " peer entries");
            }
            if (existing != null) {
                release(existing.address());
            } else {
                peerCount++;
            }
            entriesPerAddress.merge(address, 1, Integer::sum);
        }
        PeerEntry entry = new PeerEntry(peerId, address, new InetSocketAddress(address, tcpPort), seed, candidates, nowMillis);
        swarm.put(peerId, entry);
        int seeders = 0;
        for (PeerEntry e : swarm.values()) {
            if (e.seed()) {
                seeders++;
            }
        }
        return new Result.Peers(sample(swarm, entry, numWant), seeders, swarm.size() - seeders);
    }

    /** A random selection of other peers; a seed is not sent other seeds, which have nothing for it. */
    private List<TrackerPeer> sample(Map<PeerId, PeerEntry> swarm, PeerEntry self, int numWant) {
        List<PeerEntry> candidates = new ArrayList<>(swarm.size());
        for (PeerEntry e : swarm.values()) {
            if (e != self && !(self.seed() && e.seed())) {
                candidates.add(e);
            }
        }
        if (candidates.size() > numWant) {
            Collections.shuffle(candidates, new Random(random.nextLong()));
            candidates = candidates.subList(0, numWant);
        }
        List<TrackerPeer> out = new ArrayList<>(candidates.size());
        for (PeerEntry e : candidates) {
            out.add(new TrackerPeer(e.peerId(), e.seed(), e.endpoint(), e.candidates()));
        }
        return out;
    }

    /** Drops peers not heard from since {@code cutoffMillis}; returns how many went. */
    public synchronized int expire(long cutoffMillis) {
        int removed = 0;
        for (var swarmIt = swarms.entrySet().iterator(); swarmIt.hasNext(); ) {
            Map<PeerId, PeerEntry> swarm = swarmIt.next().getValue();
            for (var it = swarm.values().iterator(); it.hasNext(); ) {
                PeerEntry e = it.next();
                if (e.lastSeenMillis() < cutoffMillis) {
                    it.remove();
                    release(e.address());
                    peerCount--;
                    removed++;
                }
            }
            if (swarm.isEmpty()) {
                swarmIt.remove();
            }
        }
        return removed;
    }

    private void remove(SwarmId swarmId, Map<PeerId, PeerEntry> swarm, PeerId peerId) {
        PeerEntry e = swarm.remove(peerId);
        if (e != null) {
            release(e.address());
            peerCount--;
        }
        dropIfEmpty(swarmId, swarm);
    }

    private void dropIfEmpty(SwarmId swarmId, Map<PeerId, PeerEntry> swarm) {
        if (swarm.isEmpty()) {
            swarms.remove(swarmId);
        }
    }

    private void release(InetAddress address) {
        entriesPerAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    public synchronized long peerCount() {
        return peerCount;
    }

    public synchronized int swarmCount() {
        return swarms.size();
    }

    /** A copy of the table for the stats pages. */
    public synchronized List<SwarmSnapshot> snapshot() {
        List<SwarmSnapshot> out = new ArrayList<>(swarms.size());
        for (var e : swarms.entrySet()) {
            out.add(new SwarmSnapshot(e.getKey(), List.copyOf(e.getValue().values())));
        }
        return out;
    }

    public record SwarmSnapshot(SwarmId swarmId, List<PeerEntry> peers) {
        public long seeders() {
            return peers.stream().filter(PeerEntry::seed).count();
        }
    }
}
