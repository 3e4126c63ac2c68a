package org.peerit.protocol.manifest;

/** Picks the chunk size for a file: the smallest power of two that keeps the file at about 4096 chunks. */
public final class ChunkSizing {
    public static final int TARGET_CHUNKS = 4096;

    private ChunkSizing() {
    }

    public static int chunkSizeFor(long fileSize) {
        long wanted = Math.max(1, (fileSize + TARGET_CHUNKS - 1) / TARGET_CHUNKS);
        long size = Long.highestOneBit(wanted);
        if (size < wanted) {
            size <<= 1;
        }
        return (int) Math.min(ManifestRules.MAX_CHUNK_SIZE, Math.max(ManifestRules.MIN_CHUNK_SIZE, size));
    }
}
