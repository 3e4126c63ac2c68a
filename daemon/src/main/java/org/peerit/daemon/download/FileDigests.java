package org.peerit.daemon.download;

import org.peerit.daemon.storage.ChunkStore;
import org.peerit.protocol.manifest.ContentFile;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestFactory;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Executor;

/**
 * Computes each wanted file's SHA-256 while the download runs: whenever a file's verified chunks reach further into
 * it, that part is read back (from the page cache, as a rule) and fed to the file's digest on the hashing pool. So
 * when a file's last chunk is verified little of it is left to hash, and its final check does not re-read it whole.
 * The engine thread calls; one hashing task runs at a time, so each digest is only touched by one thread at once.
 */
public final class FileDigests {
    /** A file's digest is complete: whether it matched the manifest. Engine thread. */
    @FunctionalInterface
    public interface Verdict {
        void fileChecked(int file, boolean matches);
    }

    /** Reading the file back failed. Engine thread. */
    @FunctionalInterface
    public interface Failure {
        void cannotRead(IOException e);
    }

    private record Span(int file, long from, long to) {
    }

    private final ChunkStore store;
    private final Manifest manifest;
    private final List<ContentFile> files;
    private final BitSet have;
    private final Executor hashing;
    private final Executor engine;
    private final Verdict verdict;
    private final Failure failure;
    private final long[] fed;
    private final MessageDigest[] digests;
    private final BitSet checked = new BitSet();
    private final TreeSet<Integer> pending = new TreeSet<>();
    private boolean running;
    private boolean stopped;

    /** {@code have}: the download's verified chunks, read as they grow. */
    public FileDigests(ChunkStore store, BitSet have, Executor hashing, Executor engine, Verdict verdict,
                       Failure failure) {
        this.store = store;
        this.manifest = store.manifest();
        this.files = store.files();
        this.have = have;
        this.hashing = hashing;
        this.engine = engine;
        this.verdict = verdict;
        this.failure = failure;
        this.fed = new long[files.size()];
        this.digests = new MessageDigest[files.size()];
    }

    /** Starts with every wanted file not yet in place (a resumed download may have some in place already). */
    public void start() {
        for (ContentFile f : files) {
            if (store.isWanted(f.index()) && !store.isLanded(f.index())) {
                pending.add(f.index());
            }
        }
        advance();
    }

    /** {@code chunk} was verified: the files it holds bytes of may move on. */
    public void chunkVerified(int chunk) {
        int[] range = store.filesIn(chunk);
        for (int i = range[0]; i < range[1]; i++) {
            if (store.isWanted(i) && !checked.get(i) && !store.isLanded(i)) {
                pending.add(i);
            }
        }
        advance();
    }

    /** The share stopped: nothing more is hashed. */
    public void stop() {
        stopped = true;
        pending.clear();
    }

    /** Feeds each pending file's newly verified part, if any, and gives the verdict on files fed whole. */
    public void advance() {
        if (running || stopped) {
            return;
        }
        List<Span> batch = new ArrayList<>();
        for (Integer file : new ArrayList<>(pending)) {
            ContentFile f = files.get(file);
            long reach = verifiedReach(f);
            if (reach > fed[file]) {
                batch.add(new Span(file, fed[file], reach));
            } else {
                pending.remove(file);
                if (fed[file] == f.size()) {
                    conclude(f);
                }
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        running = true;
        hashing.execute(() -> {
            try {
                for (Span s : batch) {
                    store.feed(digest(s.file()), s.file(), s.from(), s.to());
                }
            } catch (IOException e) {
                engine.execute(() -> {
                    running = false;
                    if (!stopped) {
                        failure.cannotRead(e);
                    }
                });
                return;
            }
            engine.execute(() -> {
                running = false;
                for (Span s : batch) {
                    fed[s.file()] = s.to();
                    pending.add(s.file()); // to conclude it, or feed what was verified meanwhile
                }
                advance();
            });
        });
    }

    private void conclude(ContentFile f) {
        if (checked.get(f.index())) {
            return;
        }
        checked.set(f.index());
        byte[] digest = digest(f.index()).digest();
        digests[f.index()] = null;
        verdict.fileChecked(f.index(), Arrays.equals(digest, f.digest()));
    }

    /** How far into {@code f} (in bytes) every chunk is verified. */
    private long verifiedReach(ContentFile f) {
        if (fed[f.index()] == f.size()) {
            return f.size(); // fed whole (an empty file from the start)
        }
        int end = store.endChunk(f.index());
        int firstMissing = have.nextClearBit(manifest.chunkAt(f.offset() + fed[f.index()]));
        if (firstMissing >= end) {
            return f.size();
        }
        return Math.max(fed[f.index()], manifest.chunkOffset(firstMissing) - f.offset());
    }

    private MessageDigest digest(int file) {
        if (digests[file] == null) {
            digests[file] = ManifestFactory.sha256();
        }
        return digests[file];
    }
}
