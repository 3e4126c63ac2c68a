package org.peerit.daemon.upload;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
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
 * <p>
 * That economy must never stall a download: what the seed counts as available elsewhere may not be reachable by
 * the peer (it is not connected to the holders, they choke it, or the holder is another super-seeding seed that only
 * showed its offers). So a peer that has had no offer pending for {@link #STARVED_NANOS} is offered chunks it lacks
 * even if others hold them, rarest first; and a peer near its end is shown every chunk it lacks, so that its endgame
 * can ask every seed at once.
 */
public final class SuperSeeder {
    static final long STALE_OFFER_NANOS = 5_000_000_000L;
    /** A peer with no offer pending for this long, and chunks still to get, is offered what it lacks regardless. */
    static final long STARVED_NANOS = 1_000_000_000L;

    private final int chunkCount;
    private final int offersPerPeer;
    private final int chunkSize;
    static final int MAX_OFFERS = 32;
    /** Per chunk: how many peers were offered it and have not confirmed it with a HAVE. */
    private final int[] pending;
    private final long[] offeredAtNanos;
    /**
     * The first round of offers walks the chunks in file order, this being the next: each goes to one peer either
     * way, and in order the downloaders' whole-file hashes (see FileDigester) can advance while they download.
     */
    private int firstRoundNext;
    private final SplittableRandom random = new SplittableRandom();

    public SuperSeeder(int chunkCount, int chunkSize) {
        this.chunkCount = chunkCount;
        // Few offers at a time: an offer commits a chunk to one peer until its last block is sent, and a chunk
        // committed to a peer that takes it slowly is held back from the others (half a MiB each, 4 to 32 chunks;
        // more for a fast peer, see fill).
        this.chunkSize = chunkSize;
        this.offersPerPeer = (int) Math.max(4, Math.min(MAX_OFFERS, (512L << 10) / chunkSize));
        this.pending = new int[chunkCount];
        this.offeredAtNanos = new long[chunkCount];
    }

    /**
     * Tops up the offers to a peer holding {@code peerHas}: marks new offers in {@code offered} and
     * {@code peerPending} and calls {@code offer} for each. {@code availability} says how many peers hold a chunk;
     * {@code starvedNanos} is how long the peer has had no offer pending.
     */
    public void fill(BitSet peerHas, BitSet offered, BitSet peerPending, IntUnaryOperator availability, long nowNanos,
              long starvedNanos, IntConsumer offer) {
        fill(peerHas, offered, peerPending, availability, nowNanos, starvedNanos, 0, offer);
    }

    /**
     * As above, for a peer we upload to at {@code bytesPerSecond}: it is offered half a second of that rate at a
     * time if that is more than the usual (up to {@value #MAX_OFFERS} chunks), so that a fast peer is never left
     * waiting for its next offer.
     */
    public void fill(BitSet peerHas, BitSet offered, BitSet peerPending, IntUnaryOperator availability, long nowNanos,
              long starvedNanos, long bytesPerSecond, IntConsumer offer) {
        int offers = (int) Math.max(offersPerPeer, Math.min(MAX_OFFERS, bytesPerSecond / 2 / chunkSize));
        while (peerPending.cardinality() < offers) {
            int chunk = next(peerHas, offered, availability, nowNanos);
            if (chunk < 0) {
                break;
            }
            offer(chunk, offered, peerPending, nowNanos, offer);
        }
        int lacking = chunkCount - peerHas.cardinality();
        boolean nearTheEnd = lacking <= Math.min(offersPerPeer, Math.max(1, chunkCount / 64));
        if (lacking == 0 || !(nearTheEnd || (peerPending.isEmpty() && starvedNanos >= STARVED_NANOS))) {
            return;
        }
        // Chunks it lacks and was never shown, rarest first (ties in file order: its whole-file hash advances). Near
        // the end, not those on their way to another peer and held by nobody yet, unless that offer went stale: that
        // peer will pass them on, and sending one twice now would take the seed's upload from the chunks nobody has
        // (in a home swarm this made the seed send 9-14% of the file twice). A starved peer gets them, so that no
        // download waits.
        boolean starved = peerPending.isEmpty() && starvedNanos >= STARVED_NANOS;
        List<Integer> unseen = new ArrayList<>();
        for (int c = 0; c < chunkCount; c++) {
            boolean inFlightOnly = inFlight(c, nowNanos) && availability.applyAsInt(c) == 0;
            if (!peerHas.get(c) && !offered.get(c) && (starved || !inFlightOnly)) {
                unseen.add(c);
            }
        }
        unseen.sort(Comparator.comparingInt(availability::applyAsInt));
        int limit = nearTheEnd ? unseen.size() : Math.min(unseen.size(), offersPerPeer);
        for (int i = 0; i < limit; i++) {
            offer(unseen.get(i), offered, peerPending, nowNanos, offer);
        }
    }

    private void offer(int chunk, BitSet offered, BitSet peerPending, long nowNanos, IntConsumer offer) {
        pending[chunk]++;
        offeredAtNanos[chunk] = nowNanos;
        offered.set(chunk);
        peerPending.set(chunk);
        offer.accept(chunk);
    }

    /** A peer offered {@code chunk} confirmed it, or left before it did. */
    public void settled(int chunk) {
        pending[chunk]--;
    }

    /** Whether {@code chunk} is offered to a peer that has not confirmed it, and the offer is not stale yet. */
    private boolean inFlight(int chunk, long nowNanos) {
        return pending[chunk] > 0 && nowNanos - offeredAtNanos[chunk] < STALE_OFFER_NANOS;
    }

    private int next(BitSet peerHas, BitSet offered, IntUnaryOperator availability, long nowNanos) {
        while (firstRoundNext < chunkCount) {
            int c = firstRoundNext++;
            if (!peerHas.get(c)) {
                return c; // never offered to anyone; a chunk the peer already has is in the swarm anyway
            }
        }
        // Later rounds: only chunks nobody can get elsewhere, so the seed never sends a byte twice in vain.
        int best = -1;
        int ties = 0;
        for (int c = 0; c < chunkCount; c++) {
            if (peerHas.get(c) || offered.get(c) || inFlight(c, nowNanos) || availability.applyAsInt(c) > 0) {
                continue;
            }
            if (random.nextInt(++ties) == 0) {
                best = c;
            }
        }
        return best;
    }
}
