package org.peerit.daemon.download;

import org.peerit.daemon.storage.ChunkFile;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestFactory;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Computes a download's whole-file SHA-256 while it downloads: whenever the verified chunks form a longer prefix
 * of the file, that part is read back (from the page cache, as a rule) and fed to the digest on the hashing pool.
 * When the last chunk is verified little is left to hash, so the final check does not re-read the whole file.
 * {@link #advance} runs on the engine thread; the digest is only touched by one hashing task at a time.
 */
public final class FileDigester {
    private final Manifest manifest;
    private final BitSet have;
    private final ChunkFile file;
    private final Executor hashing;
    private final Executor engine;
    private final MessageDigest digest = ManifestFactory.sha256();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private int next;
    private boolean running;

    /** {@code have}: the download's verified chunks, read as they grow; {@code file}: its {@code .part}. */
    public FileDigester(Manifest manifest, BitSet have, ChunkFile file, Executor hashing, Executor engine) {
        this.manifest = manifest;
        this.have = have;
        this.file = file;
        this.hashing = hashing;
        this.engine = engine;
    }

    /** The file's SHA-256, once every chunk has been fed. */
    public CompletableFuture<byte[]> result() {
        return result;
    }

    /** Feeds the newly verified prefix, if any. Engine thread. */
    public void advance() {
        int chunks = manifest.chunkCount();
        if (running || result.isDone()) {
            return;
        }
        int end = have.nextClearBit(next);
        if (end > chunks) {
            end = chunks;
        }
        if (end == next) {
            if (next == chunks) {
                result.complete(digest.digest());
            }
            return;
        }
        int from = next;
        int to = end;
        running = true;
        hashing.execute(() -> {
            try {
                file.feed(digest, from, to);
            } catch (IOException e) {
                result.completeExceptionally(e);
                return;
            }
            engine.execute(() -> {
                running = false;
                next = to;
                advance(); // more may have been verified meanwhile, or this was the last part
            });
        });
    }
}
