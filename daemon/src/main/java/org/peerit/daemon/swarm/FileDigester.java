package org.peerit.daemon.swarm;

import org.peerit.protocol.manifest.ManifestFactory;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Computes a download's whole-file SHA-256 while it downloads: whenever the verified chunks form a longer prefix
 * of the file, that part is read back (from the page cache, as a rule) and fed to the digest on the hashing pool.
 * When the last chunk is verified little is left to hash, so the final check does not re-read the whole file.
 * {@link #advance} runs on the engine thread; the digest is only touched by one hashing task at a time.
 */
final class FileDigester {
    private final Share share;
    private final Executor hashing;
    private final Executor engine;
    private final MessageDigest digest = ManifestFactory.sha256();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private int next;
    private boolean running;

    FileDigester(Share share, Executor hashing, Executor engine) {
        this.share = share;
        this.hashing = hashing;
        this.engine = engine;
    }

    /** The file's SHA-256, once every chunk has been fed. */
    CompletableFuture<byte[]> result() {
        return result;
    }

    /** Feeds the newly verified prefix, if any. Engine thread. */
    void advance() {
        int chunks = share.manifest().chunkCount();
        if (running || result.isDone()) {
            return;
        }
        int end = share.have().nextClearBit(next);
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
                share.file().feed(digest, from, to);
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
