package org.peerit.protocol.manifest;

import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A parsed and validated {@code .p2p} manifest (version 1: one file).
 *
 * <p>Instances are only created through {@link ManifestCodec#parse} or {@link ManifestFactory}, both of which
 * validate every field, so code holding a {@code Manifest} may trust its invariants: the name is one safe path
 * segment, the chunk list matches the size and chunk size, and every hash is 64 lowercase hex digits.
 */
public record Manifest(int version, String name, long size, int chunkSize, String sha256,
                       List<String> chunks, List<String> trackers) {

    public static final int VERSION = 1;

    public Manifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        chunks = List.copyOf(chunks);
        trackers = List.copyOf(trackers);
        ManifestRules.check(version, name, size, chunkSize, sha256, chunks, trackers);
    }

    public int chunkCount() {
        return chunks.size();
    }

    /** Length in bytes of chunk {@code index}: the last chunk may be short. */
    public int chunkLength(int index) {
        Objects.checkIndex(index, chunks.size());
        long start = (long) index * chunkSize;
        return (int) Math.min(chunkSize, size - start);
    }

    public long chunkOffset(int index) {
        return (long) index * chunkSize;
    }

    /** How many bytes the chunks set in {@code chunks} hold (every chunk is full size but the last). */
    public long bytesIn(java.util.BitSet chunks) {
        long total = (long) chunks.cardinality() * chunkSize;
        int last = chunkCount() - 1;
        if (last >= 0 && chunks.get(last)) {
            total -= chunkSize - chunkLength(last);
        }
        return total;
    }

    public byte[] chunkDigest(int index) {
        return HexFormat.of().parseHex(chunks.get(index));
    }

    public byte[] fileDigest() {
        return HexFormat.of().parseHex(sha256);
    }

    /** The swarm this content belongs to, independent of the tracker list. */
    public SwarmId swarmId() {
        return SwarmId.of(this);
    }

    public Manifest withTrackers(List<String> newTrackers) {
        return new Manifest(version, name, size, chunkSize, sha256, chunks, newTrackers);
    }
}
