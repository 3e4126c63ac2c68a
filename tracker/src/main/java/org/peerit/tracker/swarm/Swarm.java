package org.peerit.tracker.swarm;

import io.netty.buffer.ByteBuf;
import org.peerit.protocol.PeerId;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The peers of one swarm: a list for O(1) random sampling plus an index by peer id; removal swaps with the last.
 * Beside the entries, slot by slot, their reply bytes ({@link WireArena}) and a bit set of which are seeds, so a
 * reply that lists a run of peers reads two compact structures instead of up to 50 scattered objects.
 */
final class Swarm {
    private final List<PeerEntry> peers = new ArrayList<>();
    private final WireArena wires = new WireArena();
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

    /** Appends the reply bytes of the peer at {@code i} to {@code out}. */
    void copyWire(int i, ByteBuf out) {
        wires.copyTo(i, out);
    }

    /** Whether {@code entry}'s reply bytes are exactly {@code wire}'s readable bytes. */
    boolean sameWire(PeerEntry entry, ByteBuf wire) {
        return wires.holds(entry.slot, wire);
    }

    /** Adds or replaces the entry for its peer id; {@code wire} holds its reply bytes. */
    void put(PeerEntry entry, ByteBuf wire) {
        PeerEntry old = byId.put(entry.peerId(), entry);
        if (old == null) {
            entry.slot = peers.size();
            peers.add(entry);
        } else {
            entry.slot = old.slot;
            peers.set(entry.slot, entry);
            if (old.seed()) {
                seeders--;
            }
        }
        wires.set(entry.slot, wire);
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
        boolean lastSeed = seeds.get(lastSlot);
        seeds.clear(lastSlot);
        if (last != removed) {
            last.slot = removed.slot;
            peers.set(last.slot, last);
            wires.move(lastSlot, last.slot);
            seeds.set(last.slot, lastSeed);
        }
        wires.trim(peers.size());
        if (removed.seed()) {
            seeders--;
        }
        return removed;
    }

    List<PeerEntry> entries() {
        return peers;
    }
}
