package org.peerit.tracker.swarm;

import org.peerit.protocol.PeerId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The peers of one swarm: a list for O(1) random sampling plus an index by peer id; removal swaps with the last. */
final class Swarm {
    private final List<PeerEntry> peers = new ArrayList<>();
    private final Map<PeerId, Integer> index = new HashMap<>();
    private int seeders;

    int size() {
        return peers.size();
    }

    int seeders() {
        return seeders;
    }

    PeerEntry get(PeerId id) {
        Integer i = index.get(id);
        return i == null ? null : peers.get(i);
    }

    PeerEntry at(int i) {
        return peers.get(i);
    }

    /** Adds or replaces the entry for its peer id. */
    void put(PeerEntry entry) {
        Integer i = index.get(entry.peerId());
        if (i == null) {
            index.put(entry.peerId(), peers.size());
            peers.add(entry);
        } else {
            if (peers.get(i).seed()) {
                seeders--;
            }
            peers.set(i, entry);
        }
        if (entry.seed()) {
            seeders++;
        }
    }

    PeerEntry remove(PeerId id) {
        Integer i = index.remove(id);
        if (i == null) {
            return null;
        }
        PeerEntry removed = peers.get(i);
        PeerEntry last = peers.remove(peers.size() - 1);
        if (last != removed) {
            peers.set(i, last);
            index.put(last.peerId(), i);
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
