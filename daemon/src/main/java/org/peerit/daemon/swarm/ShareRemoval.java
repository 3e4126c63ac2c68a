package org.peerit.daemon.swarm;

import org.peerit.daemon.storage.FileStamp;
import org.peerit.daemon.storage.ShareRecord;
import org.peerit.protocol.manifest.SwarmId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Takes a share out of the engine and its state store, and, if asked, deletes what peerit wrote for it. */
final class ShareRemoval {
    private static final Logger log = LoggerFactory.getLogger(ShareRemoval.class);

    private final SwarmEngine engine;
    private final Workers workers;
    private final ShareSaver saver;

    ShareRemoval(SwarmEngine engine, Workers workers, ShareSaver saver) {
        this.engine = engine;
        this.workers = workers;
        this.saver = saver;
    }

    /**
     * Stops sharing or downloading {@code id} and forgets it. With {@code delete}, also deletes what peerit wrote for
     * it: a download's {@code .part}, or a finished download's file if it is as peerit verified it (same size and
     * modification time); never a registered file, which is the user's own, and never through a link.
     */
    CompletableFuture<Removal> remove(SwarmId id, boolean delete) {
        return engine.call(() -> {
            Share share = engine.share(id);
            if (share == null) {
                throw new IOException("this daemon has no share " + id.shortHex());
            }
            engine.forget(share);
            saver.cancel(id);
            log.info("{}: removed{}", share.name(), delete ? ", deleting what peerit wrote" : "");
            return share;
        }).thenApplyAsync(share -> {
            // On the saving thread, after any save of this share still queued, so no record comes back.
            List<Path> deleted = new ArrayList<>();
            List<String> kept = new ArrayList<>();
            ShareRecord record = saver.store().load(id);
            try {
                saver.store().delete(id);
                if (delete) {
                    deleteWhatWeWrote(share, record, deleted, kept);
                } else if (share.isComplete()) {
                    kept.add(share.finalPath().toString());
                } else if (Files.exists(share.partPath(), LinkOption.NOFOLLOW_LINKS)) {
                    kept.add(share.partPath() + " (the download so far, now yours: peerit no longer resumes it)");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Removal(share.name(), id, deleted, kept);
        }, workers.saving());
    }

    private static void deleteWhatWeWrote(Share share, ShareRecord record, List<Path> deleted, List<String> kept)
            throws IOException {
        Path part = share.partPath();
        if (share.origin() == Share.Origin.DOWNLOADED && Files.isRegularFile(part, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(part); // ours: created exclusively by this daemon, or resumed by its own record
            deleted.add(part);
        }
        Path file = share.finalPath();
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) || !(share.isComplete() || record != null && record.complete())) {
            return;
        }
        if (share.origin() != Share.Origin.DOWNLOADED) {
            kept.add(file + " (registered: your own file, never deleted by peerit)");
            return;
        }
        if (record == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                || !FileStamp.of(file).equals(new FileStamp(record.fileSize(), record.fileModifiedMillis()))) {
            kept.add(file + " (changed since peerit verified it)");
            return;
        }
        Files.delete(file);
        deleted.add(file);
    }
}
