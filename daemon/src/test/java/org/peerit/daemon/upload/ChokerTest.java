package org.peerit.daemon.upload;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChokerTest {
    private static final int SLOTS = 3;

    private final List<Peer> peers = new ArrayList<>();
    private boolean downloading = true;
    private final Choker choker = new Choker(() -> peers, () -> downloading, SLOTS, new SplittableRandom(7));

    @Test
    void interestedPeersAreServedAtOnceWhileASlotIsFree() {
        List<Peer> interested = interested(6);
        // The regular slots and the optimistic one are given without waiting for the next re-ranking.
        assertEquals(SLOTS + 1, interested.stream().filter(p -> !p.choked).count());
        assertTrue(interested.get(SLOTS + 1).choked);
    }

    @Test
    void aPeerThatLosesInterestIsChokedAndItsSlotGoesToOneThatWaits() {
        List<Peer> interested = interested(SLOTS + 2);
        Peer waiting = interested.get(SLOTS + 1);
        assertTrue(waiting.choked);
        interested.get(0).interested = false;
        choker.interestChanged(interested.get(0));
        assertTrue(interested.get(0).choked);
        assertFalse(waiting.choked);
    }

    @Test
    void aDepartedPeersSlotGoesToOneThatWaits() {
        List<Peer> interested = interested(SLOTS + 2);
        Peer gone = interested.get(0);
        peers.remove(gone);
        choker.peerGone(gone);
        assertFalse(interested.get(SLOTS + 1).choked);
    }

    @Test
    void whileDownloadingTheRegularSlotsGoToThePeersThatGiveTheMost() {
        List<Peer> interested = interested(8);
        for (int i = 0; i < interested.size(); i++) {
            interested.get(i).fromIt = i * 1000L; // the last ones give the most
            interested.get(i).toIt = (interested.size() - i) * 1000L;
        }
        Peer notInterested = add(false);
        notInterested.choked = false;
        choker.rechoke();
        for (int i = interested.size() - SLOTS; i < interested.size(); i++) {
            assertFalse(interested.get(i).choked, "peer " + i + " gives the most");
        }
        assertEquals(SLOTS + 1, peers.stream().filter(p -> !p.choked).count(), "regular slots plus one optimistic");
        assertTrue(notInterested.choked);
    }

    /**
     * A seed super-seeds: each chunk leaves it once, for one peer, which passes it on, so it serves four times the
     * regular slots at once (an offer to a choked peer would wait for the next rechoke), the ones taking most first.
     */
    @Test
    void aSeedServesFourTimesAsManyPeersAtOnce() {
        downloading = false;
        List<Peer> interested = interested(SLOTS * Choker.SEEDING_SLOT_FACTOR + 3);
        assertEquals(SLOTS * Choker.SEEDING_SLOT_FACTOR + 1, interested.stream().filter(p -> !p.choked).count(),
                "served at once while a slot is free");
        for (int i = 0; i < interested.size(); i++) {
            interested.get(i).toIt = i * 1000L;
        }
        choker.rechoke();
        assertEquals(SLOTS * Choker.SEEDING_SLOT_FACTOR + 1, interested.stream().filter(p -> !p.choked).count(),
                "the seeding slots plus one optimistic");
        for (int i = interested.size() - SLOTS * Choker.SEEDING_SLOT_FACTOR; i < interested.size(); i++) {
            assertFalse(interested.get(i).choked, "peer " + i + " takes the most");
        }
    }

    @Test
    void whileSeedingTheRegularSlotsGoToThePeersThatTakeTheMost() {
        downloading = false;
        List<Peer> interested = interested(8);
        for (int i = 0; i < interested.size(); i++) {
            interested.get(i).toIt = i * 1000L;
        }
        choker.rechoke();
        for (int i = interested.size() - SLOTS; i < interested.size(); i++) {
            assertFalse(interested.get(i).choked, "peer " + i + " takes the most");
        }
    }

    @Test
    void theOptimisticSlotRotatesSoEveryOtherPeerGetsATurn() {
        List<Peer> interested = interested(8);
        for (int i = 0; i < interested.size(); i++) {
            interested.get(i).fromIt = i * 1000L;
        }
        List<Peer> others = interested.subList(0, interested.size() - SLOTS);
        Set<Peer> hadTheSlot = new HashSet<>();
        for (int round = 0; round < 60; round++) {
            choker.rechoke();
            List<Peer> unchokedOthers = others.stream().filter(p -> !p.choked).toList();
            assertEquals(1, unchokedOthers.size(), "exactly one optimistic unchoke in round " + round);
            hadTheSlot.addAll(unchokedOthers);
        }
        assertEquals(Set.copyOf(others), hadTheSlot);
    }

    private List<Peer> interested(int n) {
        List<Peer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Peer p = add(true);
            choker.interestChanged(p);
            out.add(p);
        }
        return out;
    }

    private Peer add(boolean interested) {
        Peer p = new Peer();
        p.interested = interested;
        peers.add(p);
        return p;
    }

    /** A connected peer reduced to what the choker reads and sets. */
    private static final class Peer implements UploadCandidate {
        boolean interested;
        boolean choked = true;
        long fromIt;
        long toIt;

        @Override
        public boolean wantsUpload() {
            return interested;
        }

        @Override
        public boolean choked() {
            return choked;
        }

        @Override
        public void choke() {
            choked = true;
        }

        @Override
        public void unchoke() {
            choked = false;
        }

        @Override
        public long rateFromIt() {
            return fromIt;
        }

        @Override
        public long rateToIt() {
            return toIt;
        }
    }
}
