package org.peerit.tracker.swarm;

import org.peerit.protocol.PeerId;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The peers of one swarm: a list for O(1) random sampling plus an index by peer id; removal swaps with the last.
 * Beside the entries, the list of their reply bytes and a bit set of which are seeds: a reply picks and copies up to
 * 50 peers, and reading those from two compact structures instead of 50 scattered entries halves its cache misses.
 */
final class Swarm {
    private final List<PeerEntry> peers = new ArrayList<>();
    private final List<byte[]> wires = new ArrayList<>();
    private final BitSet seeds = new BitSet();
    private final Map<PeerId, PeerEntry> byId = new HashMap<>();
    private int seeders;

    int size() {
        return peers.size();
    }

    int seeders() {
        return seeders;
    }

    PeerEntry get(PeerId id) {
        return byId.get(id);
    }

    PeerEntry at(int i) {
        return peers.get(i);
    }

    boolean isSeed(int i) {
        return seeds.get(i);
    }

    /** The reply bytes of the peer at {@code i}. */
    byte[] wireAt(int i) {
        return wires.get(i);
    }

    /** Adds or replaces the entry for its peer id. */
    void put(PeerEntry entry) {
        PeerEntry old = byId.put(entry.peerId(), entry);
        if (old == null) {
            entry.slot = peers.size();
            peers.add(entry);
            wires.add(entry.wire());
        } else {
            entry.slot = old.slot;
            peers.set(entry.slot, entry);
            wires.set(entry.slot, entry.wire());
            if (old.seed()) {
                seeders--;
            }
        }
        seeds.set(entry.slot, entry.seed());
        if (entry.seed()) {
            seeders++;
        }
    }

    PeerEntry remove(PeerId id) {
        PeerEntry removed = byId.remove(id);
        if (removed == null) {
            return null;
        }
        int lastSlot = peers.size() - 1;
        PeerEntry last = peers.remove(lastSlot);
        byte[] lastWire = wires.remove(lastSlot);
        boolean lastSeed = seeds.get(lastSlot);
        seeds.clear(lastSlot);
        if (last != removed) {
            last.slot = removed.slot;
            peers.set(last.slot, last);
            wires.set(last.slot, lastWire);
            seeds.set(last.slot, lastSeed);
        }
        if (removed.seed()) {
            seeders--;
        }
        return removed;
    }

    List<PeerEntry> entries() {
        return peers;
    }
}
