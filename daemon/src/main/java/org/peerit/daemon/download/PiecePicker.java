package org.peerit.daemon.download;

import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.wire.WireLimits;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Decides which blocks to ask which peer for: chunks already started first (so a chunk tends to come whole from one
 * peer and a bad one can be blamed), then the rarest chunk the peer has (random among equals; fully random for the
 * first few chunks, to have something to trade quickly), and in endgame the blocks still outstanding elsewhere.
 *
 * <p>Pure bookkeeping without I/O; used only from the daemon's engine thread.
 */
public final class PiecePicker<P> {
    /** Until we hold this many chunks, pick at random instead of rarest-first. */
    private static final int RANDOM_FIRST = 4;
    /** In endgame a block is outstanding at most this many peers at once. */
    private static final int ENDGAME_DUPLICATES = 2;
    /**
     * In endgame a block is asked of a second peer only once its first request is this old: the last blocks are not
     * left waiting on a slow or silent peer, but fast peers' answers are not duplicated for nothing.
     */
    private static final long ENDGAME_DELAY_NANOS = 1_000_000_000L;

    private final Manifest manifest;
    private final BitSet have;
    /** Chunks the user does not want (they hold only files left out with --only): never picked. */
    private final BitSet unwanted;
    private final int wantedCount;
    private final int[] availability;
    private final Map<Integer, ChunkProgress<P>> inProgress = new HashMap<>();
    /** Chunks whose blocks all arrived and are being hashed: neither wanted nor held yet. */
    private final BitSet verifying = new BitSet();
    /** Peers that sent blocks of each chunk being verified, to blame if its hash fails. */
    private final Map<Integer, Set<P>> contributorsOfVerifying = new HashMap<>();
    private final SplittableRandom random = new SplittableRandom();

    public PiecePicker(Manifest manifest, BitSet have) {
        this(manifest, have, null);
    }

    /** {@code wanted}: the chunks to fetch; null for all of them. */
    public PiecePicker(Manifest manifest, BitSet have, BitSet wanted) {
        this.manifest = manifest;
        this.have = have;
        this.unwanted = new BitSet();
        this.unwanted.set(0, manifest.chunkCount());
        if (wanted == null) {
            this.unwanted.clear();
        } else {
            this.unwanted.andNot(wanted);
        }
        this.wantedCount = manifest.chunkCount() - unwanted.cardinality();
        this.availability = new int[manifest.chunkCount()];
    }

    public BitSet have() {
        return have;
    }

    /** Whether every wanted chunk is held. */
    public boolean isComplete() {
        return heldWanted() == wantedCount;
    }

    private int heldWanted() {
        if (unwanted.isEmpty()) {
            return have.cardinality();
        }
        BitSet held = (BitSet) have.clone();
        held.andNot(unwanted);
        return held.cardinality();
    }

    /** Whether chunk {@code i} needs no fetching: held already, or not wanted. */
    private boolean needless(int i) {
        return have.get(i) || unwanted.get(i);
    }

    public int availability(int chunk) {
        return availability[chunk];
    }

    public void peerHas(BitSet bits) {
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
            availability[i]++;
        }
    }

    public void peerHas(int chunk) {
        availability[chunk]++;
    }

    public void peerGone(BitSet bits) {
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
            availability[i]--;
        }
    }

    /** Whether the peer holds any chunk we still want. */
    public boolean wantsFrom(BitSet peerBits) {
        for (int i = peerBits.nextSetBit(0); i >= 0; i = peerBits.nextSetBit(i + 1)) {
            if (!needless(i) && !verifying.get(i)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds up to {@code max} new requests for a peer with chunks {@code peerBits} to {@code out}, skipping blocks in
     * {@code alreadyAsked} (those outstanding at this peer).
     */
    public void pick(P peer, BitSet peerBits, Set<Block> alreadyAsked, int max, List<Block> out, long nowNanos) {
        // 1. Unrequested blocks of chunks this peer is already sending us, then of any started chunk it has.
        for (int pass = 0; pass < 2 && out.size() < max; pass++) {
            for (ChunkProgress<P> p : inProgress.values()) {
                if (out.size() >= max) {
                    return;
                }
                boolean mine = p.owner == peer;
                if ((pass == 0) != mine || !peerBits.get(p.chunk)) {
                    continue;
                }
                p.takeUnrequested(max - out.size(), out, nowNanos);
            }
        }
        // 2. New chunks, rarest first.
        while (out.size() < max) {
            int chunk = chooseNewChunk(peerBits);
            if (chunk < 0) {
                break;
            }
            ChunkProgress<P> p = new ChunkProgress<>(chunk, manifest.chunkLength(chunk), peer);
            inProgress.put(chunk, p);
            p.takeUnrequested(max - out.size(), out, nowNanos);
        }
        // 3. Endgame: everything we still want is requested somewhere; ask this peer too.
        if (out.size() < max && allRequested()) {
            for (ChunkProgress<P> p : inProgress.values()) {
                if (out.size() >= max) {
                    break;
                }
                if (peerBits.get(p.chunk)) {
                    p.takeDuplicates(alreadyAsked, max - out.size(), out, nowNanos);
                }
            }
        }
    }

    private boolean allRequested() {
        int open = wantedCount - heldWanted() - verifying.cardinality() - inProgress.size();
        if (open > 0) {
            return false;
        }
        for (ChunkProgress<P> p : inProgress.values()) {
            if (p.hasUnrequested()) {
                return false;
            }
        }
        return true;
    }

    private int chooseNewChunk(BitSet peerBits) {
        boolean randomFirst = have.cardinality() < RANDOM_FIRST;
        int best = -1;
        int bestAvailability = Integer.MAX_VALUE;
        int ties = 0;
        for (int i = peerBits.nextSetBit(0); i >= 0; i = peerBits.nextSetBit(i + 1)) {
            if (needless(i) || verifying.get(i) || inProgress.containsKey(i)) {
                continue;
            }
            int a = randomFirst ? 0 : availability[i];
            if (a < bestAvailability) {
                best = i;
                bestAvailability = a;
                ties = 1;
            } else if (a == bestAvailability && random.nextInt(++ties) == 0) {
                best = i; // reservoir sampling: each of the equally rare chunks is equally likely
            }
        }
        return best;
    }

    /**
     * Records an arrived block: UNWANTED (a duplicate or unasked: drop it), WANTED (write it), or CHUNK_DONE (write
     * it, then verify the chunk, which has moved from in-progress to verifying).
     */
    public Arrival received(Block block, P peer) {
        ChunkProgress<P> p = inProgress.get(block.chunk());
        if (p == null) {
            return Arrival.UNWANTED;
        }
        int index = block.offset() / WireLimits.BLOCK;
        if (p.received.get(index)) {
            return Arrival.UNWANTED;
        }
        p.received.set(index);
        p.outstanding[index] = 0;
        p.contributors.add(peer);
        if (p.received.cardinality() == p.blockCount) {
            inProgress.remove(block.chunk());
            verifying.set(block.chunk());
            contributorsOfVerifying.put(block.chunk(), p.contributors);
            return Arrival.CHUNK_DONE;
        }
        return Arrival.WANTED;
    }

    public enum Arrival { UNWANTED, WANTED, CHUNK_DONE }

    public Set<P> contributors(int chunk) {
        return contributorsOfVerifying.getOrDefault(chunk, Set.of());
    }

    /** A request that will not be answered (timeout, choke, disconnect, cancel). */
    public void abandoned(Block block) {
        ChunkProgress<P> p = inProgress.get(block.chunk());
        if (p == null) {
            return;
        }
        int index = block.offset() / WireLimits.BLOCK;
        if (!p.received.get(index) && p.outstanding[index] > 0) {
            p.outstanding[index]--;
            if (p.outstanding[index] == 0) {
                p.requested.clear(index);
            }
        }
        if (p.requested.isEmpty() && p.received.isEmpty()) {
            inProgress.remove(block.chunk()); // nobody is on it: let rarest-first choose again
        }
    }

    public void verified(int chunk) {
        verifying.clear(chunk);
        contributorsOfVerifying.remove(chunk);
        have.set(chunk);
    }

    public void failed(int chunk) {
        verifying.clear(chunk);
        contributorsOfVerifying.remove(chunk);
    }

    public long bytesInProgress() {
        long total = 0;
        for (ChunkProgress<P> p : inProgress.values()) {
            for (int i = p.received.nextSetBit(0); i >= 0; i = p.received.nextSetBit(i + 1)) {
                total += Math.min(WireLimits.BLOCK, p.length - (long) i * WireLimits.BLOCK);
            }
        }
        return total;
    }

    /** Request state of one chunk being downloaded. */
    private static final class ChunkProgress<P> {
        final int chunk;
        final int length;
        final int blockCount;
        final P owner;
        final BitSet requested = new BitSet();
        final BitSet received = new BitSet();
        final int[] outstanding;
        final long[] firstRequestNanos;
        final Set<P> contributors = new java.util.HashSet<>();

        ChunkProgress(int chunk, int length, P owner) {
            this.chunk = chunk;
            this.length = length;
            this.blockCount = (length + WireLimits.BLOCK - 1) / WireLimits.BLOCK;
            this.owner = owner;
            this.outstanding = new int[blockCount];
            this.firstRequestNanos = new long[blockCount];
        }

        boolean hasUnrequested() {
            return requested.cardinality() < blockCount;
        }

        void takeUnrequested(int max, List<Block> out, long nowNanos) {
            for (int i = requested.nextClearBit(0); i < blockCount && max > 0; i = requested.nextClearBit(i + 1)) {
                requested.set(i);
                outstanding[i]++;
                firstRequestNanos[i] = nowNanos;
                out.add(block(i));
                max--;
            }
        }

        void takeDuplicates(Set<Block> alreadyAsked, int max, List<Block> out, long nowNanos) {
            for (int i = received.nextClearBit(0); i < blockCount && max > 0; i = received.nextClearBit(i + 1)) {
                Block b = block(i);
                boolean waitedLongEnough = outstanding[i] == 0 || nowNanos - firstRequestNanos[i] >= ENDGAME_DELAY_NANOS;
                if (outstanding[i] < ENDGAME_DUPLICATES && waitedLongEnough && !alreadyAsked.contains(b)) {
                    if (outstanding[i] == 0) {
                        firstRequestNanos[i] = nowNanos;
                    }
                    requested.set(i);
                    outstanding[i]++;
                    out.add(b);
                    max--;
                }
            }
        }

        private Block block(int index) {
            int offset = index * WireLimits.BLOCK;
            return new Block(chunk, offset, Math.min(WireLimits.BLOCK, length - offset));
        }
    }
}
