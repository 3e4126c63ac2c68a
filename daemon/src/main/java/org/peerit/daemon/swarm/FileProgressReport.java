package org.peerit.daemon.swarm;

import org.peerit.daemon.storage.ChunkStore;
import org.peerit.protocol.manifest.ContentFile;
import org.peerit.protocol.manifest.Manifest;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** A folder's files as status shows them: how much of each is verified, whether it is wanted and in place. */
final class FileProgressReport {
    private FileProgressReport() {
    }

    /** The chunks holding bytes of wanted files: every chunk, but for a download limited with --only. */
    static BitSet wantedChunks(Manifest manifest, ChunkStore store) {
        BitSet wanted = new BitSet(manifest.chunkCount());
        if (store == null) {
            wanted.set(0, manifest.chunkCount());
            return wanted;
        }
        boolean all = true;
        for (ContentFile f : store.files()) {
            if (store.isWanted(f.index())) {
                wanted.set(store.firstChunk(f.index()), store.endChunk(f.index()));
            } else {
                all = false;
            }
        }
        if (all) {
            wanted.set(0, manifest.chunkCount());
        }
        return wanted;
    }

    /** Each file: its path below the folder, size, verified bytes (of chunks in {@code have}), wanted, in place. */
    static List<ShareStatus.FileProgress> of(Manifest manifest, ChunkStore store, BitSet have, boolean complete) {
        List<ShareStatus.FileProgress> out = new ArrayList<>();
        for (ContentFile f : store != null ? store.files() : manifest.contentFiles()) {
            long verified = 0;
            if (store != null) {
                for (int c = store.firstChunk(f.index()); c < store.endChunk(f.index()); c++) {
                    if (have.get(c)) {
                        long from = Math.max(f.offset(), manifest.chunkOffset(c));
                        long to = Math.min(f.end(), manifest.chunkOffset(c) + manifest.chunkLength(c));
                        verified += to - from;
                    }
                }
            }
            boolean wanted = store != null && store.isWanted(f.index());
            boolean placed = store != null && (complete && wanted || store.isLanded(f.index()));
            out.add(new ShareStatus.FileProgress(String.join("/", f.path().subList(1, f.path().size())), f.size(),
                    verified, wanted, placed));
        }
        return out;
    }
}
