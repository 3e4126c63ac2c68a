package org.peerit.daemon.swarm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decides which interested peers we upload to: a few regular slots for the peers that give us the most (or, once we
 * seed, take the most), plus one optimistic slot that rotates so newcomers get a chance. A free slot is given at
 * once when a peer becomes interested; the full re-ranking runs every ten seconds.
 */
final class Choker {
    private static final int OPTIMISTIC_EVERY_RECHOKES = 3;

    private final Share share;
    private final int regularSlots;
    private final SplittableRandom random = new SplittableRandom();
    private PeerSession optimistic;
    private int rechokes;

    Choker(Share share, int regularSlots) {
        this.share = share;
        this.regularSlots = regularSlots;
    }

    void interestChanged(PeerSession session) {
        if (session.peerInterested && session.amChoking && unchokedCount() < regularSlots + 1) {
            session.unchoke();
        } else if (!session.peerInterested && !session.amChoking) {
            session.choke();
            promoteOne();
        }
    }

    void sessionGone(PeerSession session) {
        if (optimistic == session) {
            optimistic = null;
        }
        if (!session.amChoking) {
            promoteOne();
        }
    }

    private void promoteOne() {
        for (PeerSession s : share.sessions()) {
            if (s.peerInterested && s.amChoking && unchokedCount() < regularSlots + 1) {
                s.unchoke();
                return;
            }
        }
    }

    private int unchokedCount() {
        int n = 0;
        for (PeerSession s : share.sessions()) {
            if (!s.amChoking) {
                n++;
            }
        }
        return n;
    }

    /** The periodic re-ranking. */
    void rechoke() {
        List<PeerSession> interested = new ArrayList<>();
        for (PeerSession s : share.sessions()) {
            if (s.peerInterested) {
                interested.add(s);
            } else {
                s.choke();
            }
        }
        boolean seeding = !share.isDownloading();
        interested.sort(Comparator.comparingLong((PeerSession s) ->
                seeding ? s.up.bytesPerSecond() : s.down.bytesPerSecond()).reversed());
        if (rechokes++ % OPTIMISTIC_EVERY_RECHOKES == 0 || optimistic == null || !optimistic.peerInterested) {
            List<PeerSession> candidates = interested.size() > regularSlots
                    ? interested.subList(regularSlots, interested.size()) : List.of();
            optimistic = candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
        }
        for (int i = 0; i < interested.size(); i++) {
            PeerSession s = interested.get(i);
            if (i < regularSlots || s == optimistic) {
                s.unchoke();
            } else {
                s.choke();
            }
        }
    }
}
