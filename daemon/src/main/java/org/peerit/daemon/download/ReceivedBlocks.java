package org.peerit.daemon.download;

import io.netty.buffer.ByteBuf;
import org.peerit.protocol.manifest.ManifestFactory;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the received blocks of small chunks in memory until the chunk is whole, so it can be hashed from the very
 * buffers that were written instead of being read back from disk. Chunks above {@link #MAX_KEPT_CHUNK} are read
 * back instead, which bounds the memory held to (chunks in progress) x 1 MiB. Engine thread only.
 */
public final class ReceivedBlocks {
    public static final int MAX_KEPT_CHUNK = 1 << 20;

    private record Kept(int offset, ByteBuf data) {
    }

    private final Map<Integer, List<Kept>> chunks = new HashMap<>();

    /** Keeps a duplicate of {@code data} (taken before it is written, so its bytes are all there). */
    public void keep(int chunk, int offset, ByteBuf data) {
        chunks.computeIfAbsent(chunk, c -> new ArrayList<>(4)).add(new Kept(offset, data.retainedDuplicate()));
    }

    /** The kept blocks of a whole chunk in offset order; the caller releases them through {@link #hashAndRelease}. */
    public List<ByteBuf> take(int chunk) {
        List<Kept> kept = chunks.remove(chunk);
        if (kept == null) {
            return null;
        }
        kept.sort(Comparator.comparingInt(Kept::offset));
        List<ByteBuf> out = new ArrayList<>(kept.size());
        for (Kept k : kept) {
            out.add(k.data());
        }
        return out;
    }

    /** Whether the blocks hash to {@code expected}; releases them either way. Any thread. */
    public static boolean hashAndRelease(List<ByteBuf> blocks, byte[] expected) {
        try {
            MessageDigest digest = ManifestFactory.sha256();
            for (ByteBuf b : blocks) {
                for (ByteBuffer part : b.nioBuffers()) { // a block may span two socket reads: hash both, unmerged
                    digest.update(part);
                }
            }
            return Arrays.equals(digest.digest(), expected);
        } finally {
            for (ByteBuf b : blocks) {
                b.release();
            }
        }
    }

    public void releaseAll() {
        for (List<Kept> list : chunks.values()) {
            for (Kept k : list) {
                k.data().release();
            }
        }
        chunks.clear();
    }
}
