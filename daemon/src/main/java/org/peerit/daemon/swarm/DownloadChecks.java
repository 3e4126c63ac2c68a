package org.peerit.daemon.swarm;

import io.netty.buffer.ByteBuf;
import org.peerit.daemon.download.FileDigester;
import org.peerit.daemon.download.ReceivedBlocks;
import org.peerit.daemon.storage.ChunkFile;
import org.peerit.daemon.storage.FileStamp;
import org.peerit.daemon.storage.FinalRename;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The checks a download's data passes, off the engine thread: each whole chunk against its hash, then the whole file
 * against the manifest's, which is computed along the way, and the move of the verified file into place. The share
 * hears each verdict back on the engine thread.
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
                // From the received buffers when they were kept (small chunks), else read back from the file.
                ok = blocks != null ? ReceivedBlocks.hashAndRelease(blocks, share.manifest().chunkDigest(chunk))
                        : share.file().verifyChunk(chunk);
            } catch (IOException e) {
                workers.loop().execute(() -> share.fail("cannot read back chunk " + chunk + ": " + e.getMessage()));
                return;
            }
            workers.loop().execute(() -> share.chunkChecked(chunk, ok));
        });
    }

    FileDigester newDigester(Share share) {
        return new FileDigester(share.manifest(), share.have(), share.file(), workers.hashing(), workers.loop());
    }

    /** Every chunk is verified: check the whole file's hash (mostly computed already), then move it into place. */
    void finish(Share share) {
        share.fileDigest().whenCompleteAsync((digest, failure) -> {
            try {
                if (failure != null) {
                    throw failure instanceof IOException io ? io : new IOException(failure.getMessage(), failure);
                }
                share.file().force();
                if (!Arrays.equals(digest, share.manifest().fileDigest())) {
                    workers.loop().execute(() -> share.fail("every chunk matched but the whole-file SHA-256 did not:"
                            + " the manifest is inconsistent; ask its author for a correct one"));
                    return;
                }
                Path target = share.finalPath();
                if (!FinalRename.moveIntoPlace(share.partPath(), target)) {
                    workers.loop().execute(() -> share.fail(target + " appeared while downloading; the verified"
                            + " data stays in " + share.partPath()));
                    return;
                }
                ChunkFile complete = ChunkFile.openComplete(share.manifest(), target);
                FileStamp stamp = FileStamp.of(target);
                ChunkFile old = share.file();
                workers.loop().execute(() -> {
                    if (!engine.holds(share) || share.state() != ShareState.VERIFYING) {
                        complete.close(); // removed, or failed, while its last hash ran: it does not come back
                        return;
                    }
                    share.finished(complete);
                    share.verifiedAs(stamp);
                    saver.save(share);
                    engine.announce(share, AnnounceEvent.COMPLETED);
                    workers.saving().execute(() -> old.close()); // after pending saves that force it
                });
            } catch (IOException e) {
                workers.loop().execute(() -> share.fail("cannot finish " + share.finalPath() + ": " + e.getMessage()));
            }
        }, workers.hashing());
    }
}
