package org.peerit.daemon.swarm;

import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import java.util.function.IntUnaryOperator;

/**
 * Super-seeding (after BEP 16): a seed does not show its full bitfield to a new peer but offers it a few chunks at a
 * time, each to one peer only, so that every byte leaves the seed once and the leechers hold different chunks to
 * trade. When a peer has an offered chunk (its last block is sent, or it got it elsewhere), it is offered another.
 * After a first round over every chunk, only chunks that no peer holds and none is receiving are offered again
 * (a peer that left with offers pending gives them back), or chunks whose offer has gone unconfirmed for
 * {@link #STALE_OFFER_NANOS} (a slow peer must not hold a chunk back from the others).
 */
final class SuperSeeder {
    static final long STALE_OFFER_NANOS = 5_000_000_000L;

    private final int chunkCount;
    private final int offersPerPeer;
    /** Per chunk: how many peers were offered it and have not confirmed it with a HAVE. */
    private final int[] pending;
    private final long[] offeredAtNanos;
    /**
     * The first round of offers walks the chunks in file order: each goes to one peer either way, and in order the
     * downloaders' whole-file hashes (see FileDigester) can advance while they download.
     */
    private final int[] firstRound;
    private int firstRoundNext;
    private final SplittableRandom random = new SplittableRandom();

    SuperSeeder(int chunkCount, int chunkSize) {
        this.chunkCount = chunkCount;
        this.offersPerPeer = (int) Math.max(4, Math.min(32, (4L << 20) / chunkSize));
        this.pending = new int[chunkCount];
        this.offeredAtNanos = new long[chunkCount];
        this.firstRound = new int[chunkCount];
        for (int i = 0; i < chunkCount; i++) {
            firstRound[i] = i;
        }
    }

    /**
     * Tops up the offers to a peer holding {@code peerHas}: marks new offers in {@code offered} and
     * {@code peerPending} and calls {@code offer} for each. {@code availability} says how many peers hold a chunk.
     */
    void fill(BitSet peerHas, BitSet offered, BitSet peerPending, IntUnaryOperator availability, long nowNanos,
              IntConsumer offer) {
        while (peerPending.cardinality() < offersPerPeer) {
            int chunk = next(peerHas, offered, availability, nowNanos);
            if (chunk < 0) {
                return;
            }
            pending[chunk]++;
            offeredAtNanos[chunk] = nowNanos;
            offered.set(chunk);
            peerPending.set(chunk);
            offer.accept(chunk);
        }
    }

    /** A peer offered {@code chunk} confirmed it, or left before it did. */
    void settled(int chunk) {
        pending[chunk]--;
    }

    private int next(BitSet peerHas, BitSet offered, IntUnaryOperator availability, long nowNanos) {
        while (firstRoundNext < chunkCount) {
            int c = firstRound[firstRoundNext++];
            if (!peerHas.get(c)) {
                return c; // never offered to anyone; a chunk the peer already has is in the swarm anyway
            }
        }
        // Later rounds: only chunks nobody can get elsewhere, so the seed never sends a byte twice in vain.
        int best = -1;
        int ties = 0;
        for (int c = 0; c < chunkCount; c++) {
            boolean inFlight = pending[c] > 0 && nowNanos - offeredAtNanos[c] < STALE_OFFER_NANOS;
            if (peerHas.get(c) || offered.get(c) || inFlight || availability.applyAsInt(c) > 0) {
                continue;
            }
            if (random.nextInt(++ties) == 0) {
                best = c;
            }
        }
        return best;
    }
}
