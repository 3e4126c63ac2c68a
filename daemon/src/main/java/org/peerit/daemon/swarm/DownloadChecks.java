package org.peerit.daemon.swarm;

import io.netty.buffer.ByteBuf;
import org.peerit.daemon.download.FileDigests;
import org.peerit.daemon.download.ReceivedBlocks;
import org.peerit.daemon.storage.ChunkStore;
import org.peerit.daemon.storage.FileStamp;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The checks a download's data passes, off the engine thread: each whole chunk against its hash, then each file
 * against its own (computed along the way), and the move of each verified file into place. The share hears each
 * verdict back on the engine thread.
 */
final class DownloadChecks {
    private final SwarmEngine engine;
    private final Workers workers;
    private final ShareSaver saver;

    DownloadChecks(SwarmEngine engine, Workers workers, ShareSaver saver) {
        this.engine = engine;
        this.workers = workers;
        this.saver = saver;
    }

    /**
     * Hashes a fully received chunk off the engine thread; the share hears the verdict on the engine thread.
     * A rejected hashing task (engine stopping) must still release the kept blocks: the pool is only shut down after
     * the shares are closed, so this does not happen while blocks are in flight.
     */
    void verify(Share share, int chunk, List<ByteBuf> blocks) {
        workers.hashing().execute(() -> {
            boolean ok;
            try {
                // From the received buffers when they were kept (small chunks), else read back from the files.
                ok = blocks != null ? ReceivedBlocks.hashAndRelease(blocks, share.manifest().chunkDigest(chunk))
                        : share.store().verifyChunk(chunk);
            } catch (IOException e) {
                workers.loop().execute(() -> share.fail("cannot read back chunk " + chunk + ": " + e.getMessage()));
                return;
            }
            workers.loop().execute(() -> share.chunkChecked(chunk, ok));
        });
    }

    FileDigests newDigests(Share share) {
        return new FileDigests(share.store(), share.have(), workers.hashing(), workers.loop(), share::fileChecked,
                e -> share.fail("cannot read back what was downloaded: " + e.getMessage()));
    }

    /**
     * Moves a verified file to its name, never over something that appeared there: a link and an unlink, on the
     * landing thread. Not forced first: a landed file is trusted after a restart only once a saved record says so,
     * and the saver forces the data before it writes the record.
     */
    void land(Share share, int file) {
        ChunkStore store = share.store();
        workers.landing().execute(() -> {
            try {
                boolean moved = store.land(file);
                FileStamp stamp = moved ? FileStamp.of(store.finalPath(file)) : null;
                workers.loop().execute(() -> share.fileLanded(file, moved, stamp));
            } catch (IOException e) {
                Path target = store.finalPath(file);
                workers.loop().execute(() -> share.fail("cannot move " + ChunkStore.partOf(target) + " to " + target
                        + ": " + e.getMessage()));
            }
        });
    }

    /** Every wanted file is in place: the empty folders are made, then the share seeds. */
    void complete(Share share) {
        ChunkStore store = share.store();
        boolean everything = share.only().isEmpty();
        workers.blocking().execute(() -> {
            try {
                if (share.manifest().isFolder()) {
                    store.createFolder(List.of(share.manifest().name())); // even a folder with nothing in it
                }
                if (everything) {
                    for (List<String> folder : share.manifest().emptyFolders()) {
                        store.createFolder(folder);
                    }
                }
            } catch (IOException e) {
                workers.loop().execute(() -> share.fail("cannot create a folder of " + share.name() + ": "
                        + e.getMessage()));
                return;
            }
            workers.loop().execute(() -> {
                if (!engine.holds(share) || share.state() != ShareState.VERIFYING) {
                    return; // removed, or failed, meanwhile
                }
                share.finished();
                saver.save(share);
                engine.announce(share, AnnounceEvent.COMPLETED);
            });
        });
    }
}
