package org.peerit.daemon.download;

import org.junit.jupiter.api.Test;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.wire.WireLimits;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PiecePickerTest {
    private static final String HASH = "00".repeat(32);
    private static final long SECOND = 1_000_000_000L;

    private static Manifest manifest(int chunks, int chunkSize) {
        return new Manifest(1, "f", (long) chunks * chunkSize, chunkSize, HASH, Collections.nCopies(chunks, HASH), List.of());
    }

    private static BitSet bits(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return b;
    }

    @Test
    void picksTheRarestChunkOnceItHasSomeToTrade() {
        Manifest m = manifest(10, 64 * 1024);
        PiecePicker picker = new PiecePicker(m, bits(0, 1, 2, 3)); // past random-first
        BitSet everything = new BitSet();
        everything.set(0, 10);
        picker.peerHas(everything);
        picker.peerHas(everything);
        BitSet rareHolder = bits(4, 5, 7);
        picker.peerHas(rareHolder);
        picker.peerHas(bits(4, 5)); // chunk 7 is now rarer than 4 and 5 for this peer
        List<Block> out = new ArrayList<>();
        picker.pick("p", rareHolder, Set.of(), 1, out, 0);
        assertEquals(List.of(new Block(7, 0, 65536)), out);
    }

    @Test
    void keepsAChunkWithThePeerThatStartedIt() {
        Manifest m = manifest(4, 4 * WireLimits.BLOCK); // four blocks per chunk
        PiecePicker picker = new PiecePicker(m, new BitSet());
        BitSet all = bits(0, 1, 2, 3);
        picker.peerHas(all);
        List<Block> first = new ArrayList<>();
        picker.pick("a", all, Set.of(), 2, first, 0);
        List<Block> more = new ArrayList<>();
        picker.pick("a", all, Set.of(), 2, more, 0);
        assertEquals(first.get(0).chunk(), more.get(0).chunk(), "the rest of the started chunk comes first");
        assertEquals(4, new HashSet<>(concat(first, more)).size());
    }

    @Test
    void endgameDuplicatesOnlyBlocksThatWaitTooLong() {
        Manifest m = manifest(2, 64 * 1024);
        PiecePicker picker = new PiecePicker(m, new BitSet());
        BitSet all = bits(0, 1);
        picker.peerHas(all);
        picker.peerHas(all);
        List<Block> slow = new ArrayList<>();
        picker.pick("slow", all, Set.of(), 10, slow, 0);
        assertEquals(2, slow.size());
        List<Block> fast = new ArrayList<>();
        picker.pick("fast", all, Set.of(), 10, fast, SECOND / 2);
        assertTrue(fast.isEmpty(), "young requests are not duplicated");
        picker.pick("fast", all, Set.of(), 10, fast, 2 * SECOND);
        assertEquals(2, fast.size(), "old requests are asked of a second peer");
        assertEquals(PiecePicker.Arrival.CHUNK_DONE, picker.received(fast.get(0), "fast"));
        assertEquals(PiecePicker.Arrival.UNWANTED, picker.received(fast.get(0), "slow"), "the duplicate is dropped");
    }

    @Test
    void abandonedBlocksAreOfferedAgainAndFailedChunksRefetched() {
        Manifest m = manifest(1, WireLimits.BLOCK);
        PiecePicker picker = new PiecePicker(m, new BitSet());
        BitSet all = bits(0);
        picker.peerHas(all);
        List<Block> out = new ArrayList<>();
        picker.pick("a", all, Set.of(), 4, out, 0);
        picker.abandoned(out.get(0));
        List<Block> again = new ArrayList<>();
        picker.pick("b", all, Set.of(), 4, again, 0);
        assertEquals(out, again);
        assertEquals(PiecePicker.Arrival.CHUNK_DONE, picker.received(again.get(0), "b"));
        assertEquals(Set.of("b"), picker.contributors(0));
        assertFalse(picker.wantsFrom(all), "a chunk being verified is not wanted");
        picker.failed(0);
        assertTrue(picker.wantsFrom(all), "a chunk that failed its hash is wanted again");
        List<Block> third = new ArrayList<>();
        picker.pick("c", all, Set.of(), 4, third, 0);
        assertEquals(1, third.size());
        picker.received(third.get(0), "c");
        picker.verified(0);
        assertTrue(picker.isComplete());
        assertEquals(WireLimits.BLOCK, third.get(0).length());
    }

    private static List<Block> concat(List<Block> a, List<Block> b) {
        List<Block> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
