package org.peerit.daemon.upload;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SuperSeederTest {
    private static final int CHUNK = 1 << 20; // four offers per peer

    @Test
    void firstRoundOffersEveryChunkToOnePeerOnly() {
        SuperSeeder seeder = new SuperSeeder(64, CHUNK);
        Set<Integer> seen = new HashSet<>();
        for (int peer = 0; peer < 16; peer++) {
            List<Integer> offers = new ArrayList<>();
            seeder.fill(new BitSet(), new BitSet(), new BitSet(), c -> 0, 0, 0, offers::add);
            assertEquals(4, offers.size());
            for (int c : offers) {
                assertTrue(seen.add(c), "chunk " + c + " offered twice in the first round");
            }
        }
        assertEquals(64, seen.size());
    }

    @Test
    void laterRoundsOfferOnlyChunksNobodyHasOrIsGetting() {
        SuperSeeder seeder = new SuperSeeder(4, CHUNK);
        BitSet aOffered = new BitSet();
        BitSet aPending = new BitSet();
        List<Integer> toA = new ArrayList<>();
        seeder.fill(new BitSet(), aOffered, aPending, c -> 0, 0, 0, toA::add);
        assertEquals(4, toA.size());
        // B arrives; A has confirmed chunk 0 and 1 (availability 1), chunk 2 and 3 are still in flight to A.
        seeder.settled(toA.get(0));
        seeder.settled(toA.get(1));
        BitSet availableAtA = new BitSet();
        availableAtA.set(toA.get(0));
        availableAtA.set(toA.get(1));
        List<Integer> toB = new ArrayList<>();
        seeder.fill(new BitSet(), new BitSet(), new BitSet(), c -> availableAtA.get(c) ? 1 : 0, 1000, 0, toB::add);
        assertTrue(toB.isEmpty(), "B can get everything from A: " + toB);
        // A leaves before confirming chunk 2 and 3: they are offered to B.
        seeder.settled(toA.get(2));
        seeder.settled(toA.get(3));
        seeder.fill(new BitSet(), new BitSet(), new BitSet(), c -> availableAtA.get(c) ? 1 : 0, 2000, 0, toB::add);
        assertEquals(Set.of(toA.get(2), toA.get(3)), new HashSet<>(toB));
    }

    @Test
    void offersToASlowPeerGoStale() {
        SuperSeeder seeder = new SuperSeeder(4, CHUNK);
        List<Integer> toA = new ArrayList<>();
        seeder.fill(new BitSet(), new BitSet(), new BitSet(), c -> 0, 0, 0, toA::add);
        List<Integer> toB = new ArrayList<>();
        seeder.fill(new BitSet(), new BitSet(), new BitSet(), c -> 0, SuperSeeder.STALE_OFFER_NANOS - 1, 0, toB::add);
        assertTrue(toB.isEmpty(), "A's offers are still fresh");
        seeder.fill(new BitSet(), new BitSet(), new BitSet(), c -> 0, SuperSeeder.STALE_OFFER_NANOS + 1, 0, toB::add);
        assertEquals(new HashSet<>(toA), new HashSet<>(toB), "A never confirmed them: B is offered them too");
    }

    /**
     * Issue 10, case 5: a seed that thinks a peer can get the rest elsewhere (two super-seeding seeds showed each other
     * their offers, or the holders are out of the peer's reach) must not leave it waiting for ever.
     */
    @Test
    void aPeerLeftWithoutOffersIsOfferedWhatItLacksEvenIfOthersHoldIt() {
        SuperSeeder seeder = new SuperSeeder(256, CHUNK);
        BitSet has = new BitSet();
        has.set(0, 200); // it got those; the rest the seed believes are held by others
        BitSet offered = new BitSet();
        offered.set(0, 200);
        BitSet pending = new BitSet();
        for (int c = 0; c < 256; c++) {
            seeder.fill(new BitSet(), new BitSet(), new BitSet(), x -> 1, 0, 0, x -> { }); // the first round goes elsewhere
        }
        List<Integer> offers = new ArrayList<>();
        seeder.fill(has, offered, pending, c -> 1, 10, SuperSeeder.STARVED_NANOS - 1, offers::add);
        assertTrue(offers.isEmpty(), "not starved yet: the others may serve it " + offers);
        seeder.fill(has, offered, pending, c -> c == 250 ? 0 : 1, 20, SuperSeeder.STARVED_NANOS, offers::add);
        assertEquals(4, offers.size(), "starved: a round of offers");
        assertEquals(250, offers.get(0), "rarest first");
        assertTrue(offers.stream().allMatch(c -> c >= 200), "only chunks it lacks");
    }

    @Test
    void aPeerNearTheEndIsShownEveryChunkItLacks() {
        SuperSeeder seeder = new SuperSeeder(256, CHUNK);
        for (int c = 0; c < 256; c++) {
            seeder.fill(new BitSet(), new BitSet(), new BitSet(), x -> 1, 0, 0, x -> { });
        }
        BitSet has = new BitSet();
        has.set(0, 253);
        BitSet pending = new BitSet();
        pending.set(100); // something still pending: not starved, but its last chunks are shown anyway
        List<Integer> offers = new ArrayList<>();
        seeder.fill(has, (BitSet) has.clone(), pending, c -> 1, 10, 0, offers::add);
        assertEquals(Set.of(253, 254, 255), new HashSet<>(offers));
    }

    /**
     * Near its end a peer is not shown the chunks still on their way to another peer and held by nobody yet: that
     * peer passes them on, and sending one twice now would take the seed's upload from chunks nobody has. Once such an
     * offer goes stale, or someone holds the chunk, it is shown.
     */
    @Test
    void aPeerNearTheEndIsNotShownChunksOnTheirWayToAnother() {
        SuperSeeder seeder = new SuperSeeder(256, CHUNK);
        for (int c = 0; c < 256; c++) {
            seeder.fill(new BitSet(), new BitSet(), new BitSet(), x -> 0, 0, 0, x -> { }); // in flight elsewhere
        }
        BitSet has = new BitSet();
        has.set(0, 253);
        List<Integer> offers = new ArrayList<>();
        seeder.fill(has, (BitSet) has.clone(), new BitSet(), c -> c == 254 ? 1 : 0, 10, 0, offers::add);
        assertEquals(List.of(254), offers, "only the one another peer holds");
        List<Integer> later = new ArrayList<>();
        BitSet shown = (BitSet) has.clone();
        shown.set(254);
        seeder.fill(has, shown, new BitSet(), c -> 0, SuperSeeder.STALE_OFFER_NANOS + 1, 0, later::add);
        assertEquals(Set.of(253, 255), new HashSet<>(later), "stale offers are shown");
    }
}
