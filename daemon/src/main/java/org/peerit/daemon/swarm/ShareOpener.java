package org.peerit.daemon.swarm;

import org.peerit.daemon.storage.Bitfields;
import org.peerit.daemon.storage.ChunkFile;
import org.peerit.daemon.storage.DiskSpace;
import org.peerit.daemon.storage.FileStamp;
import org.peerit.daemon.storage.ShareRecord;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ManifestException;
import org.peerit.protocol.manifest.ManifestFactory;
import org.peerit.protocol.manifest.ManifestRules;
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
 * Brings shares into the engine: a file the user registers (hashed, then seeded), a download (refused before
 * anything is written if it cannot be done safely), and every share the state store recorded, each rechecked as far
 * as its record leaves any doubt. Nothing unverified is ever served or trusted.
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

    static Path partOf(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /**
     * Hashes {@code file} (reporting progress), makes its manifest and starts seeding it. If the same content is
     * already shared, returns that share.
     */
    CompletableFuture<Share> register(Path file, ManifestFactory.Progress progress) {
        record Hashed(Manifest manifest, FileStamp stamp) {
        }
        CompletableFuture<Hashed> hashed = new CompletableFuture<>();
        workers.blocking().execute(() -> {
            try {
                if (!Files.isRegularFile(file)) {
                    throw new IOException(file + " is not a regular file");
                }
                if (!Files.isReadable(file)) {
                    throw new IOException(file + " is not readable by the daemon");
                }
                String name = file.getFileName().toString();
                try {
                    ManifestRules.validateName(name);
                } catch (ManifestException e) {
                    throw new IOException("cannot share " + file + ": " + e.getMessage() + "; rename the file");
                }
                FileStamp before = FileStamp.of(file);
                hashed.complete(new Hashed(ManifestFactory.create(file, name, List.of(config.tracker().toString()),
                        progress), before));
            } catch (Throwable t) {
                hashed.completeExceptionally(t);
            }
        });
        return hashed.thenCompose(h -> engine.call(() -> {
            Manifest m = h.manifest();
            Share existing = engine.share(m.swarmId());
            if (existing != null && existing.state() != ShareState.ERROR) {
                return existing;
            }
            if (existing != null) {
                engine.forget(existing); // say, its file had gone missing and is back: share it afresh
            }
            Share share = openSeed(m, file, Share.Origin.REGISTERED, h.stamp());
            saver.save(share);
            engine.announce(share, AnnounceEvent.STARTED);
            log.info("{}: sharing {} ({} bytes, {} chunks), swarm {}", share.name(), file, m.size(), m.chunkCount(),
                    share.id().shortHex());
            return share;
        }));
    }

    private Share openSeed(Manifest m, Path file, Share.Origin origin, FileStamp verifiedAs) throws IOException {
        ChunkFile chunks = ChunkFile.openComplete(m, file);
        BitSet all = new BitSet(m.chunkCount());
        all.set(0, m.chunkCount());
        Share share = new Share(engine.services(), m, file, chunks, all, ShareState.SEEDING, origin);
        share.verifiedAs(verifiedAs);
        engine.put(share);
        return share;
    }

    /**
     * Starts downloading {@code manifest} into {@code dir}, or returns the share already downloading or seeding it
     * there. Fails, before anything is written, if the share lives elsewhere, if the destination or a {@code .part}
     * that is not ours is in the way, or if the disk cannot hold the file.
     */
    CompletableFuture<Share> download(Manifest manifest, Path dir) {
        return engine.call(() -> {
            Path target = dir.resolve(manifest.name());
            Share existing = engine.share(manifest.swarmId());
            BitSet have = new BitSet();
            BitSet written = null;
            boolean partIsOurs = false;
            if (existing != null) {
                boolean here = existing.finalPath().equals(target);
                if (existing.state() != ShareState.ERROR) {
                    if (here) {
                        return existing;
                    }
                    throw new IOException("this daemon already " + (existing.isComplete() ? "shares " : "downloads ")
                            + existing.finalPath() + "; to have it in " + dir + " instead, remove it first (peerit remove)");
                }
                if (here) {
                    // A retry after an error (say, a full disk): into the same place, go on from what was verified.
                    have = (BitSet) existing.have().clone();
                    written = (BitSet) existing.written().clone();
                    partIsOurs = true;
                }
                engine.forget(existing);
            }
            if (!Files.isDirectory(dir)) {
                throw new IOException(dir + " is not a directory");
            }
            if (!Files.isWritable(dir)) {
                throw new IOException(dir + " is not writable by the daemon");
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(target + " already exists; move it away or choose another --dir");
            }
            Path part = partOf(target);
            boolean partExists = Files.exists(part, LinkOption.NOFOLLOW_LINKS);
            if (partExists && !partIsOurs) {
                throw new IOException(part + " already exists and is not a download peerit knows of; move it away or"
                        + " choose another --dir");
            }
            DiskSpace.require(dir, manifest.name(), manifest.size() - manifest.bytesIn(have));
            ChunkFile chunks = partExists ? ChunkFile.resumePartial(manifest, part) : ChunkFile.createPartial(manifest, part);
            Share share = new Share(engine.services(), manifest, target, chunks, have, ShareState.CHECKING,
                    Share.Origin.DOWNLOADED);
            engine.put(share);
            log.info("{}: downloading {} bytes into {}, swarm {}", share.name(), manifest.size(), dir, share.id().shortHex());
            saver.save(share);
            recheckThenStart(share, partExists, written);
            return share;
        });
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
        if (r.complete()) {
            FileStamp recorded = new FileStamp(r.fileSize(), r.fileModifiedMillis());
            try {
                if (FileStamp.of(path).equals(recorded)) {
                    Share share = openSeed(m, path, origin, recorded);
                    engine.announce(share, AnnounceEvent.STARTED);
                    log.info("{}: seeding {}", share.name(), path);
                    return;
                }
            } catch (NoSuchFileException e) {
                failed(m, path, origin, path + " is gone; register or download it again to share it");
                return;
            }
            // Changed since we verified it: check every chunk before serving a byte.
            ChunkFile file = ChunkFile.openComplete(m, path);
            Share share = new Share(engine.services(), m, path, file, new BitSet(), ShareState.CHECKING, origin);
            engine.put(share);
            recheckSeed(share);
            return;
        }
        BitSet have = Bitfields.fromBytes(Base64.getDecoder().decode(r.have()), m.chunkCount());
        BitSet written = r.written() == null ? null : Bitfields.fromBytes(Base64.getDecoder().decode(r.written()), m.chunkCount());
        Path part = partOf(path);
        boolean partExisted = Files.exists(part, LinkOption.NOFOLLOW_LINKS);
        ChunkFile chunks;
        try {
            if (!partExisted || have == null
                    || Files.readAttributes(part, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size() != m.size()) {
                have = new BitSet(); // the data is gone or was changed, or the record is damaged: trust nothing saved
                written = null;
            }
            // The record says this .part is ours; it is still opened without following links.
            chunks = partExisted ? ChunkFile.resumePartial(m, part) : ChunkFile.createPartial(m, part);
        } catch (IOException e) {
            failed(m, path, origin, "cannot resume: " + e.getMessage());
            return;
        }
        Share share = new Share(engine.services(), m, path, chunks, have, ShareState.CHECKING, origin);
        engine.put(share);
        recheckThenStart(share, partExisted, written);
    }

    /** A recorded share that cannot resume: kept, failed, so that status says why (and a retry replaces it). */
    private void failed(Manifest m, Path path, Share.Origin origin, String why) {
        Share share = new Share(engine.services(), m, path, null, new BitSet(), ShareState.ERROR, origin);
        engine.put(share);
        share.fail(why);
    }

    private void recheckSeed(Share share) {
        workers.hashing().execute(() -> {
            boolean ok;
            FileStamp before = null;
            try {
                before = FileStamp.of(share.finalPath());
                ok = share.file().verifyFile();
            } catch (IOException e) {
                ok = false;
            }
            boolean verified = ok;
            FileStamp stamp = before;
            workers.loop().execute(() -> {
                if (!engine.holds(share)) {
                    return; // removed while its recheck ran
                }
                if (verified) {
                    share.verifiedAs(stamp);
                    share.have().set(0, share.manifest().chunkCount());
                    share.seedVerified();
                    saver.save(share);
                    engine.announce(share, AnnounceEvent.STARTED);
                } else {
                    share.fail(share.finalPath() + " changed since it was shared; register it again to share the new content");
                }
            });
        });
    }

    /**
     * Before downloading an existing {@code .part}, hashes the unverified chunks that may hold data: those the saved
     * record says were written into, and those whose first bytes are not zero (written after the last save, say
     * just before a crash). Chunks written that way are recovered instead of fetched again, nothing unverified is
     * trusted, and a restart costs one small read per chunk plus the hashing of the few chunks in flight, not a pass
     * over the whole, mostly sparse, file. A new, empty {@code .part} has nothing to check.
     */
    private void recheckThenStart(Share share, boolean partExisted, BitSet written) {
        if (!partExisted) {
            startDownloading(share, new BitSet());
            return;
        }
        Manifest m = share.manifest();
        BitSet known = (BitSet) share.have().clone();
        BitSet recorded = written == null ? new BitSet() : written;
        share.written().or(recorded);
        workers.hashing().execute(() -> {
            BitSet recovered = new BitSet();
            try {
                for (int i = known.nextClearBit(0); i < m.chunkCount(); i = known.nextClearBit(i + 1)) {
                    if ((recorded.get(i) || share.file().mayHoldData(i)) && share.file().verifyChunk(i)) {
                        recovered.set(i);
                    }
                }
            } catch (IOException e) {
                workers.loop().execute(() -> share.fail("cannot read " + share.partPath() + ": " + e.getMessage()));
                return;
            }
            workers.loop().execute(() -> startDownloading(share, recovered));
        });
    }

    private void startDownloading(Share share, BitSet recovered) {
        if (!engine.holds(share) || share.state() != ShareState.CHECKING) {
            return; // removed, or failed, while its recheck ran
        }
        share.have().or(recovered);
        if (!recovered.isEmpty()) {
            log.info("{}: recovered {} verified chunks from {}", share.name(), recovered.cardinality(), share.partPath());
        }
        share.startDownloading();
        saver.save(share);
        if (share.isDownloading()) { // else it had every chunk and is being checked whole
            engine.announce(share, AnnounceEvent.STARTED);
        }
    }
}
