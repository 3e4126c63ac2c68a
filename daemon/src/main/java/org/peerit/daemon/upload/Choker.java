package org.peerit.daemon.upload;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Decides which interested peers we upload to: a few regular slots for the peers that give us the most (or, once we
 * seed, take the most), plus one optimistic slot that rotates so newcomers get a chance. A free slot is given at
 * once when a peer becomes interested; the full re-ranking runs every ten seconds.
 */
public final class Choker {
    private static final int OPTIMISTIC_EVERY_RECHOKES = 3;
    static final int SEEDING_SLOT_FACTOR = 4;

    private final Supplier<? extends Collection<? extends UploadCandidate>> peers;
    private final BooleanSupplier downloading;
    private final int regularSlots;
    private final SplittableRandom random;
    private UploadCandidate optimistic;
    private int rechokes;

    /**
     * @param peers       the share's connected peers
     * @param downloading whether the share still downloads (peers are ranked by what they give us) or seeds (by
     *                    what they take)
     */
    public Choker(Supplier<? extends Collection<? extends UploadCandidate>> peers, BooleanSupplier downloading,
           int regularSlots, SplittableRandom random) {
        this.peers = peers;
        this.downloading = downloading;
        this.regularSlots = regularSlots;
        this.random = random;
    }

    public void interestChanged(UploadCandidate peer) {
        if (peer.wantsUpload() && peer.choked() && unchokedCount() < slots() + 1) {
            peer.unchoke();
        } else if (!peer.wantsUpload() && !peer.choked()) {
            peer.choke();
            promoteOne();
        }
    }

    /** {@code peer} has disconnected (and is no longer among the peers). */
    public void peerGone(UploadCandidate peer) {
        if (optimistic == peer) {
            optimistic = null;
        }
        if (!peer.choked()) {
            promoteOne();
        }
    }

    private void promoteOne() {
        for (UploadCandidate p : peers.get()) {
            if (p.wantsUpload() && p.choked() && unchokedCount() < slots() + 1) {
                p.unchoke();
                return;
            }
        }
    }

    /**
     * Regular slots now. A seed super-seeds: each chunk leaves it for one peer, which passes it on, so the more peers
     * it serves at once the sooner every chunk is in the swarm, and an offer made to a choked peer would wait for a
     * rechoke. It serves {@value #SEEDING_SLOT_FACTOR} times as many.
     */
    private int slots() {
        return downloading.getAsBoolean() ? regularSlots : regularSlots * SEEDING_SLOT_FACTOR;
    }

    private int unchokedCount() {
        int n = 0;
        for (UploadCandidate p : peers.get()) {
            if (!p.choked()) {
                n++;
            }
        }
        return n;
    }

    /** The periodic re-ranking. */
    public void rechoke() {
        List<UploadCandidate> interested = new ArrayList<>();
        for (UploadCandidate p : peers.get()) {
            if (p.wantsUpload()) {
                interested.add(p);
            } else {
                p.choke();
            }
        }
        boolean seeding = !downloading.getAsBoolean();
        interested.sort(Comparator.comparingLong((UploadCandidate p) -> seeding ? p.rateToIt() : p.rateFromIt())
                .reversed());
        if (rechokes++ % OPTIMISTIC_EVERY_RECHOKES == 0 || optimistic == null || !optimistic.wantsUpload()) {
            List<UploadCandidate> candidates = interested.size() > slots()
                    ? interested.subList(slots(), interested.size()) : List.of();
            optimistic = candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
        }
        for (int i = 0; i < interested.size(); i++) {
            UploadCandidate p = interested.get(i);
            if (i < slots() || p == optimistic) {
                p.unchoke();
            } else {
                p.choke();
            }
        }
    }
}
