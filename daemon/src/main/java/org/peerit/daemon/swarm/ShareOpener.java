package org.peerit.daemon.swarm;

import org.peerit.daemon.storage.Bitfields;
import org.peerit.daemon.storage.ChunkStore;
import org.peerit.daemon.storage.DiskSpace;
import org.peerit.daemon.storage.FileStamp;
import org.peerit.daemon.storage.ShareRecord;
import org.peerit.protocol.manifest.ContentFile;
import org.peerit.protocol.manifest.FolderScan;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ManifestException;
import org.peerit.protocol.manifest.ManifestFactory;
import org.peerit.protocol.manifest.ManifestRules;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Brings shares into the engine: a file or folder the user registers (hashed, then seeded), a download (refused
 * before anything is written if it cannot be done safely), and every share the state store recorded, each rechecked
 * as far as its record leaves any doubt. Nothing unverified is ever served or trusted.
 */
final class ShareOpener {
    private static final Logger log = LoggerFactory.getLogger(ShareOpener.class);

    private final SwarmEngine engine;
    private final Workers workers;
    private final ShareSaver saver;
    private final EngineConfig config;
    private final ManifestCodec codec;

    ShareOpener(SwarmEngine engine, Workers workers, ShareSaver saver, EngineConfig config, ManifestCodec codec) {
        this.engine = engine;
        this.workers = workers;
        this.saver = saver;
        this.config = config;
        this.codec = codec;
    }

    /**
     * Hashes {@code path} (a file, or a folder: its regular files, links and special files skipped and named in the
     * result), reporting progress, makes its manifest and starts seeding it. If the same content is already shared,
     * returns that share.
     */
    CompletableFuture<Registration> register(Path path, ManifestFactory.Progress progress) {
        record Hashed(Manifest manifest, FileStamp[] stamps, List<String> skipped) {
        }
        CompletableFuture<Hashed> hashed = new CompletableFuture<>();
        workers.blocking().execute(() -> {
            try {
                Path fileName = path.getFileName();
                if (fileName == null) {
                    throw new IOException("cannot share " + path + ": it has no name");
                }
                String name = fileName.toString();
                try {
                    ManifestRules.validateName(name);
                } catch (ManifestException e) {
                    throw new IOException("cannot share " + path + ": " + e.getMessage() + "; rename it");
                }
                List<String> trackers = config.trackers().stream().map(TrackerAddress::toString).toList();
                if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    FolderScan scan = FolderScan.of(path);
                    FileStamp[] stamps = new FileStamp[scan.files().size()];
                    for (int i = 0; i < stamps.length; i++) {
                        stamps[i] = FileStamp.of(scan.files().get(i).source());
                    }
                    for (String skipped : scan.skipped()) {
                        log.warn("{}: skipped {}", name, skipped);
                    }
                    Manifest m;
                    try {
                        m = ManifestFactory.createFolder(scan, name, trackers, progress);
                    } catch (IllegalArgumentException e) {
                        throw new IOException("cannot share " + path + ": " + e.getMessage() + "; rename it");
                    }
                    hashed.complete(new Hashed(m, stamps, scan.skipped()));
                    return;
                }
                if (Files.isDirectory(path)) {
                    throw new IOException(path + " is a symbolic link to a folder; share the folder itself");
                }
                if (!Files.isRegularFile(path)) {
                    throw new IOException(path + " is not a regular file or a folder");
                }
                if (!Files.isReadable(path)) {
                    throw new IOException(path + " is not readable by the daemon");
                }
                FileStamp before = FileStamp.of(path);
                hashed.complete(new Hashed(ManifestFactory.create(path, name, trackers, progress),
                        new FileStamp[] {before}, List.of()));
            } catch (Throwable t) {
                hashed.completeExceptionally(t);
            }
        });
        return hashed.thenCompose(h -> engine.call(() -> {
            Manifest m = h.manifest();
            Share existing = engine.share(m.swarmId());
            if (existing != null && existing.state() != ShareState.ERROR) {
                return new Registration(existing, h.skipped());
            }
            if (existing != null) {
                engine.forget(existing); // say, its file had gone missing and is back: share it afresh
            }
            Share share = openSeed(m, path, Share.Origin.REGISTERED, h.stamps());
            saver.save(share);
            engine.announce(share, AnnounceEvent.STARTED);
            log.info("{}: sharing {} ({} bytes, {} files, {} chunks), swarm {}", share.name(), path, m.size(),
                    m.fileCount(), m.chunkCount(), share.id().shortHex());
            return new Registration(share, h.skipped());
        }));
    }

    private Share openSeed(Manifest m, Path path, Share.Origin origin, FileStamp[] verifiedAs) {
        ChunkStore store = ChunkStore.seed(m, path, origin == Share.Origin.REGISTERED);
        Share share = new Share(engine.services(), m, path, store, all(m), ShareState.SEEDING, origin, List.of());
        for (int i = 0; i < verifiedAs.length; i++) {
            share.verifiedAs(i, verifiedAs[i]);
        }
        engine.put(share);
        return share;
    }

    private static BitSet all(Manifest m) {
        BitSet all = new BitSet(m.chunkCount());
        all.set(0, m.chunkCount());
        return all;
    }

    /**
     * Starts downloading {@code manifest} into {@code dir} (of a folder, only the files {@code only} matches, if
     * any), or returns the share already downloading or seeding it there. Fails, before anything is written, if the
     * share lives elsewhere, if the destination or a {@code .part} that is not ours is in the way, or if the disk
     * cannot hold it.
     */
    CompletableFuture<Share> download(Manifest manifest, Path dir, List<String> only) {
        return engine.call(() -> {
            Path target = dir.resolve(manifest.name());
            Share existing = engine.share(manifest.swarmId());
            BitSet have = new BitSet();
            BitSet written = null;
            FileStamp[] landed = new FileStamp[manifest.fileCount()];
            boolean ours = false;
            if (existing != null) {
                boolean here = existing.finalPath().equals(target);
                if (existing.state() != ShareState.ERROR) {
                    boolean hasAll = existing.only().isEmpty() && existing.isComplete();
                    if (here && !existing.only().equals(only) && !hasAll) {
                        throw new IOException("this daemon already downloads " + existing.finalPath()
                                + (existing.only().isEmpty() ? " whole" : " with --only " + String.join(" --only ",
                                existing.only())) + "; to choose other files, remove it first (peerit remove)");
                    }
                    if (here) {
                        return existing;
                    }
                    throw new IOException("this daemon already " + (existing.isComplete() ? "shares " : "downloads ")
                            + existing.finalPath() + "; to have it in " + dir + " instead, remove it first (peerit remove)");
                }
                if (here && existing.only().equals(only)) {
                    // A retry after an error (say, a full disk): into the same place, go on from what was verified.
                    have = (BitSet) existing.have().clone();
                    written = (BitSet) existing.written().clone();
                    landed = existing.verifiedAs();
                    ours = true;
                }
                engine.forget(existing);
            }
            if (!Files.isDirectory(dir)) {
                throw new IOException(dir + " is not a directory");
            }
            if (!Files.isWritable(dir)) {
                throw new IOException(dir + " is not writable by the daemon");
            }
            BitSet wanted = FileSelection.wanted(manifest, only);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !(ours && manifest.isFolder())) {
                throw new IOException(target + " already exists; move it away or choose another --dir");
            }
            Path part = ChunkStore.partOf(target);
            if (!manifest.isFolder() && !ours && Files.exists(part, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(part + " already exists and is not a download peerit knows of; move it away or"
                        + " choose another --dir");
            }
            ChunkStore store = ChunkStore.download(manifest, target, wanted, landedSet(landed),
                    saver.store().sideFile(manifest.swarmId()));
            Share share = new Share(engine.services(), manifest, target, store, have, ShareState.CHECKING,
                    Share.Origin.DOWNLOADED, only);
            BitSet held = (BitSet) have.clone();
            held.and(share.wantedChunks());
            DiskSpace.require(dir, manifest.name(), manifest.bytesIn(share.wantedChunks()) - manifest.bytesIn(held));
            for (int i = 0; i < landed.length; i++) {
                share.verifiedAs(i, landed[i]);
            }
            engine.put(share);
            log.info("{}: downloading {} bytes into {}, swarm {}", share.name(), manifest.bytesIn(share.wantedChunks()),
                    dir, share.id().shortHex());
            saver.save(share);
            recheckThenStart(share, anyPart(store), written, new BitSet());
            return share;
        });
    }

    private static BitSet landedSet(FileStamp[] stamps) {
        BitSet landed = new BitSet(stamps.length);
        for (int i = 0; i < stamps.length; i++) {
            if (stamps[i] != null) {
                landed.set(i);
            }
        }
        return landed;
    }

    /** Whether anything of the download is on disk already: a {@code .part}, or the side file. */
    private static boolean anyPart(ChunkStore store) {
        for (ContentFile f : store.files()) {
            if (store.partExists(f.index())) {
                return true;
            }
        }
        return Files.exists(store.sideFile(), LinkOption.NOFOLLOW_LINKS);
    }

    void resumeAll() throws IOException {
        for (ShareRecord r : saver.store().loadAll()) {
            Manifest m;
            try {
                m = codec.fromTree(r.manifest());
            } catch (ManifestException e) {
                log.warn("skipping a saved share with a bad manifest: {}", e.getMessage());
                continue;
            }
            Path path = Path.of(r.path());
            engine.call(() -> {
                resume(m, path, r);
                return null;
            }).exceptionally(t -> {
                log.warn("{}: cannot resume: {}", m.name(), t.getMessage());
                return null;
            });
        }
    }

    private void resume(Manifest m, Path path, ShareRecord r) throws IOException {
        Share.Origin origin = r.downloaded() || !r.complete() ? Share.Origin.DOWNLOADED : Share.Origin.REGISTERED;
        List<String> only = r.only() == null ? List.of() : r.only();
        int fileCount = m.fileCount();
        FileStamp[] recorded = r.stampsFor(fileCount);
        BitSet wanted;
        try {
            wanted = FileSelection.wanted(m, only);
        } catch (IOException e) {
            failed(m, path, origin, only, "cannot resume: " + e.getMessage());
            return;
        }
        BitSet have = r.have() == null ? null : Bitfields.fromBytes(Base64.getDecoder().decode(r.have()), m.chunkCount());
        if (r.complete()) {
            resumeComplete(m, path, r, origin, only, wanted, recorded, have);
            return;
        }
        BitSet written = r.written() == null ? null : Bitfields.fromBytes(Base64.getDecoder().decode(r.written()), m.chunkCount());
        if (have == null) {
            have = new BitSet(); // a damaged record: trust nothing saved
            written = null;
        }
        ChunkStore store = ChunkStore.download(m, path, wanted, new BitSet(), saver.store().sideFile(m.swarmId()));
        FileStamp[] landed = new FileStamp[fileCount];
        BitSet orphans = new BitSet();
        boolean sideFileGone = !Files.exists(store.sideFile(), LinkOption.NOFOLLOW_LINKS);
        for (ContentFile f : store.files()) {
            int i = f.index();
            int from = store.firstChunk(i);
            int to = store.endChunk(i);
            if (!wanted.get(i)) {
                if (sideFileGone) {
                    have.clear(from, to); // the bytes of unwanted files in shared chunks were in the side file
                }
                continue;
            }
            if (recorded[i] != null && stampMatches(store.finalPath(i), recorded[i])) {
                landed[i] = recorded[i];
                store.inPlace(i);
                continue;
            }
            boolean partGone = !store.partExists(i);
            if (partGone && Files.isRegularFile(store.finalPath(i), LinkOption.NOFOLLOW_LINKS)) {
                orphans.set(i); // moved into place just before a crash, maybe: checked below
            }
            if (f.size() > 0 && (partGone || Files.readAttributes(store.partPath(i), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).size() != f.size())) {
                have.clear(from, to); // the data is gone or was changed: fetch it again
            }
        }
        Share share = new Share(engine.services(), m, path, store, have, ShareState.CHECKING, origin, only);
        for (int i = 0; i < fileCount; i++) {
            share.verifiedAs(i, landed[i]);
        }
        engine.put(share);
        recheckThenStart(share, anyPart(store) || !orphans.isEmpty(), written, orphans);
    }

    /**
     * A complete share: files unchanged since they were verified are served at once; any that changed are hashed
     * again first, and a missing one fails the share, saying so.
     */
    private void resumeComplete(Manifest m, Path path, ShareRecord r, Share.Origin origin, List<String> only,
                                BitSet wanted, FileStamp[] recorded, BitSet savedHave) throws IOException {
        ChunkStore store = only.isEmpty() ? ChunkStore.seed(m, path, origin == Share.Origin.REGISTERED)
                : ChunkStore.download(m, path, wanted, wanted, saver.store().sideFile(m.swarmId()));
        BitSet changed = new BitSet();
        for (int i = wanted.nextSetBit(0); i >= 0; i = wanted.nextSetBit(i + 1)) {
            Path file = store.finalPath(i);
            try {
                if (recorded[i] == null || !FileStamp.of(file).equals(recorded[i])) {
                    changed.set(i);
                }
            } catch (NoSuchFileException e) {
                store.close();
                failed(m, path, origin, only, file + " is gone; register or download it again to share it");
                return;
            }
        }
        BitSet have = only.isEmpty() || savedHave == null ? all(m) : savedHave;
        Share share = new Share(engine.services(), m, path, store, have,
                changed.isEmpty() ? ShareState.SEEDING : ShareState.CHECKING, origin, only);
        for (int i = 0; i < recorded.length; i++) {
            share.verifiedAs(i, recorded[i]);
        }
        engine.put(share);
        if (changed.isEmpty()) {
            engine.announce(share, AnnounceEvent.STARTED);
            log.info("{}: seeding {}", share.name(), path);
        } else {
            recheckSeed(share, changed); // changed since we verified it: check it before serving a byte
        }
    }

    private static boolean stampMatches(Path file, FileStamp stamp) {
        try {
            return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && FileStamp.of(file).equals(stamp);
        } catch (IOException e) {
            return false;
        }
    }

    /** A recorded share that cannot resume: kept, failed, so that status says why (and a retry replaces it). */
    private void failed(Manifest m, Path path, Share.Origin origin, List<String> only, String why) {
        Share share = new Share(engine.services(), m, path, null, new BitSet(), ShareState.ERROR, origin, only);
        engine.put(share);
        share.fail(why);
    }

    private void recheckSeed(Share share, BitSet changed) {
        ChunkStore store = share.store();
        workers.hashing().execute(() -> {
            FileStamp[] stamps = new FileStamp[store.files().size()];
            String bad = null;
            for (int i = changed.nextSetBit(0); i >= 0 && bad == null; i = changed.nextSetBit(i + 1)) {
                try {
                    stamps[i] = FileStamp.of(store.finalPath(i));
                    if (!store.verifyFile(i)) {
                        bad = store.finalPath(i).toString();
                    }
                } catch (IOException e) {
                    bad = store.finalPath(i).toString();
                }
            }
            String changedFile = bad;
            workers.loop().execute(() -> {
                if (!engine.holds(share)) {
                    return; // removed while its recheck ran
                }
                if (changedFile == null) {
                    for (int i = changed.nextSetBit(0); i >= 0; i = changed.nextSetBit(i + 1)) {
                        share.verifiedAs(i, stamps[i]);
                    }
                    share.seedVerified();
                    saver.save(share);
                    engine.announce(share, AnnounceEvent.STARTED);
                } else {
                    share.fail(changedFile + " changed since it was shared; register it again to share the new content");
                }
            });
        });
    }

    /**
     * Before downloading into existing {@code .part}s, hashes the unverified wanted chunks that may hold data: those
     * the saved record says were written into, and those whose first bytes are not zero (written after the last
     * save, say just before a crash). Chunks written that way are recovered instead of fetched again, nothing
     * unverified is trusted, and a restart costs one small read per chunk plus the hashing of the few chunks in
     * flight, not a pass over the whole, mostly sparse, content. A new download has nothing to check. {@code orphans}:
     * wanted files at their names with no {@code .part} (moved there before a crash let the record say so), taken as
     * in place if they match.
     */
    private void recheckThenStart(Share share, boolean partExisted, BitSet written, BitSet orphans) {
        if (!partExisted) {
            startDownloading(share, new BitSet());
            return;
        }
        Manifest m = share.manifest();
        BitSet unknown = share.wantedChunks();
        unknown.andNot(share.have());
        BitSet recorded = written == null ? new BitSet() : written;
        share.written().or(recorded);
        ChunkStore store = share.store();
        workers.hashing().execute(() -> {
            BitSet recovered = new BitSet();
            FileStamp[] adopted = new FileStamp[store.files().size()];
            try {
                for (int i = orphans.nextSetBit(0); i >= 0; i = orphans.nextSetBit(i + 1)) {
                    FileStamp before = FileStamp.of(store.finalPath(i));
                    if (store.adopt(i)) {
                        adopted[i] = before;
                    }
                }
                for (int i = unknown.nextSetBit(0); i >= 0 && i < m.chunkCount(); i = unknown.nextSetBit(i + 1)) {
                    if ((recorded.get(i) || store.mayHoldData(i)) && store.verifyChunk(i)) {
                        recovered.set(i);
                    }
                }
            } catch (IOException e) {
                workers.loop().execute(() -> share.fail("cannot read what was downloaded of " + share.name() + ": "
                        + e.getMessage()));
                return;
            }
            workers.loop().execute(() -> {
                for (int i = 0; i < adopted.length; i++) {
                    if (adopted[i] != null) {
                        share.adopted(i, adopted[i]);
                    }
                }
                startDownloading(share, recovered);
            });
        });
    }

    private void startDownloading(Share share, BitSet recovered) {
        if (!engine.holds(share) || share.state() != ShareState.CHECKING) {
            return; // removed, or failed, while its recheck ran
        }
        share.have().or(recovered);
        if (!recovered.isEmpty()) {
            log.info("{}: recovered {} verified chunks", share.name(), recovered.cardinality());
        }
        share.startDownloading();
        saver.save(share);
        if (share.isDownloading()) { // else it had every chunk and is being checked whole
            engine.announce(share, AnnounceEvent.STARTED);
        }
    }
}
