package org.peerit.protocol.manifest;

/**
 * Picks the chunk size for a file: the smallest power of two (64 KiB .. 16 MiB) that keeps it at about 1024 chunks,
 * close to libtorrent's table (256 KiB for a 256 MiB file). Fewer chunks mean a smaller manifest and fewer HAVEs and
 * hash tasks per file; blocks stay 128 KiB (or the chunk, if smaller) on the wire either way.
 */
public final class ChunkSizing {
    public static final int TARGET_CHUNKS = 1024;

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
