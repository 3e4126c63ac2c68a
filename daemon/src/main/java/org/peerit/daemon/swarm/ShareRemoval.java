package org.peerit.daemon.swarm;

import org.peerit.daemon.storage.ChunkStore;
import org.peerit.daemon.storage.FileStamp;
import org.peerit.daemon.storage.ShareRecord;
import org.peerit.protocol.manifest.ContentFile;
import org.peerit.protocol.manifest.SwarmId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;
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
                Files.deleteIfExists(saver.store().sideFile(id)); // ours, and of no use to anyone now
                if (delete) {
                    deleteWhatWeWrote(share, record, deleted, kept);
                } else if (share.isComplete()) {
                    kept.add(share.finalPath().toString());
                } else {
                    long parts = partsOf(share).size();
                    if (parts == 1 && !share.manifest().isFolder()) {
                        kept.add(partsOf(share).get(0) + " (the download so far, now yours: peerit no longer resumes it)");
                    } else if (parts > 0) {
                        kept.add(share.finalPath() + " (the download so far, " + parts + " .part files: now yours;"
                                + " peerit no longer resumes it)");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Removal(share.name(), id, deleted, kept);
        }, workers.saving());
    }

    /** The {@code .part} files of a download that exist now. */
    private static List<Path> partsOf(Share share) {
        List<Path> out = new ArrayList<>();
        ChunkStore store = share.store();
        if (store == null) {
            return out;
        }
        for (ContentFile f : store.files()) {
            Path part = store.partPath(f.index());
            if (Files.isRegularFile(part, LinkOption.NOFOLLOW_LINKS)) {
                out.add(part);
            }
        }
        return out;
    }

    private static void deleteWhatWeWrote(Share share, ShareRecord record, List<Path> deleted, List<String> kept)
            throws IOException {
        if (share.origin() != Share.Origin.DOWNLOADED) {
            if (share.isComplete() || record != null && record.complete()) {
                kept.add(share.finalPath() + " (registered: your own " + (share.manifest().isFolder() ? "folder" : "file")
                        + ", never deleted by peerit)");
            }
            return;
        }
        for (Path part : partsOf(share)) {
            Files.delete(part); // ours: created exclusively by this daemon, or resumed by its own record
            deleted.add(part);
        }
        ChunkStore store = share.store();
        FileStamp[] stamps = record != null ? record.stampsFor(share.manifest().fileCount())
                : share.verifiedAs();
        for (ContentFile f : share.manifest().contentFiles()) {
            Path file = store == null ? share.finalPath() : store.finalPath(f.index());
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) || stamps[f.index()] == null) {
                continue; // never in place, or not by us
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    || !FileStamp.of(file).equals(stamps[f.index()])) {
                kept.add(file + " (changed since peerit verified it)");
                continue;
            }
            Files.delete(file);
            deleted.add(file);
        }
        if (share.manifest().isFolder()) {
            deleteEmptyFolders(share, deleted);
        }
    }

    /** The folders of the tree that are empty now, deepest first: those peerit made and nothing else fills. */
    private static void deleteEmptyFolders(Share share, List<Path> deleted) {
        Set<Path> folders = new TreeSet<>(Comparator.comparingInt(Path::getNameCount).reversed()
                .thenComparing(Comparator.naturalOrder()));
        Path dir = share.finalPath().getParent();
        List<List<String>> paths = new ArrayList<>(share.manifest().emptyFolders());
        share.manifest().contentFiles().forEach(f -> paths.add(f.path().subList(0, f.path().size() - 1)));
        for (List<String> path : paths) {
            Path p = dir;
            for (String segment : path) {
                p = p.resolve(segment);
                folders.add(p);
            }
        }
        for (Path folder : folders) {
            try {
                if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(folder);
                    deleted.add(folder);
                }
            } catch (IOException e) {
                // not empty (the user's own files are there) or not ours to delete: left as it is
            }
        }
    }
}
