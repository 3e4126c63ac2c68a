package org.peerit.daemon.swarm;

import org.peerit.daemon.storage.Bitfields;
import org.peerit.daemon.storage.ChunkStore;
import org.peerit.daemon.storage.FileStamp;
import org.peerit.daemon.storage.ShareRecord;
import org.peerit.daemon.storage.StateStore;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.SwarmId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Writes each share's record to the state store, so that a restart resumes it: data first, then the record, in order
 * on the saving thread, and the saves of many verified chunks coalesced into one a second. Engine thread.
 */
final class ShareSaver {
    private static final Logger log = LoggerFactory.getLogger(ShareSaver.class);

    /** Files a record may leave out as not yet durable before a save forces them all. */
    static final int MAX_LEFT_OUT = 4096;

    private final StateStore store;
    private final Workers workers;
    private final ManifestCodec codec;
    /** Whether a share is still the engine's: a removed one is never saved again. */
    private final Predicate<Share> held;
    private final Set<SwarmId> pending = new HashSet<>();

    ShareSaver(StateStore store, Workers workers, ManifestCodec codec, Predicate<Share> held) {
        this.store = store;
        this.workers = workers;
        this.codec = codec;
        this.held = held;
    }

    StateStore store() {
        return store;
    }

    /** What a record says, taken on the engine thread; made a record on the saving thread, once data is forced. */
    private record Snapshot(String manifestPath, com.fasterxml.jackson.databind.JsonNode manifest, boolean complete,
                            BitSet have, BitSet written, FileStamp[] stamps, boolean downloaded, List<String> only,
                            int chunks) {
        /** The record, claiming nothing of the files in {@code notDurable}: their chunks are to be checked again. */
        ShareRecord toRecord(ChunkStore store, Set<Integer> notDurable) {
            BitSet claimed = (BitSet) have.clone();
            BitSet recheck = (BitSet) written.clone();
            FileStamp[] placed = stamps.clone();
            for (int key : notDurable) {
                BitSet chunksOf = store.chunksOf(key);
                chunksOf.and(claimed);
                claimed.andNot(chunksOf);
                recheck.or(chunksOf);
                if (key >= 0) {
                    placed[key] = null; // at its name, but maybe not on disk: checked again after a restart
                }
            }
            FileStamp first = placed.length > 0 ? placed[0] : null;
            long size = complete && first != null ? first.size() : 0;
            long modified = complete && first != null ? first.modifiedMillis() : 0;
            return new ShareRecord(ShareRecord.VERSION, manifest, manifestPath, complete,
                    Base64.getEncoder().encodeToString(Bitfields.toBytes(claimed, chunks)), size, modified, downloaded,
                    complete ? null : Base64.getEncoder().encodeToString(Bitfields.toBytes(recheck, chunks)),
                    Arrays.asList(placed), only);
        }
    }

    private Snapshot snapshot(Share share) {
        // As verified, not as it is now: a save after an edit must not make the edit look verified.
        return new Snapshot(share.finalPath().toString(), codec.toTree(share.manifest()), share.isComplete(),
                (BitSet) share.have().clone(), (BitSet) share.written().clone(), share.verifiedAs(),
                share.origin() == Share.Origin.DOWNLOADED, share.only(), share.manifest().chunkCount());
    }

    /** Saves soon, coalescing the saves of many verified chunks into one write a second. */
    void saveSoon(Share share) {
        if (pending.add(share.id())) {
            workers.loop().schedule(() -> {
                pending.remove(share.id());
                if (held.test(share)) {
                    save(share);
                }
            }, 1, TimeUnit.SECONDS);
        }
    }

    /** A removed share: a save scheduled for it does not happen. */
    void cancel(SwarmId id) {
        pending.remove(id);
    }

    /**
     * Flushes the share's data, then writes its record, in order, on the saving thread. Data first: the record never
     * claims chunks or files a crash could lose. While downloading, files the descriptor pool closed since are not
     * forced; the record leaves them out instead (a restart checks them again). A complete share forces everything.
     */
    void save(Share share) {
        save(share, false);
    }

    /**
     * {@code durably}: force everything, even while downloading (the daemon stops cleanly: its restart should trust
     * the record, not hash again what it wrote). Also when the files left out pass {@value #MAX_LEFT_OUT}: what a
     * crash makes a restart hash again stays bounded.
     */
    void save(Share share, boolean durably) {
        Snapshot snapshot = snapshot(share);
        ChunkStore files = share.store();
        workers.saving().execute(() -> {
            try {
                Set<Integer> notDurable = Set.of();
                if (files != null && (snapshot.complete() || durably)) {
                    files.force();
                } else if (files != null) {
                    notDurable = files.forceOpen();
                    if (notDurable.size() > MAX_LEFT_OUT) {
                        files.force();
                        notDurable = Set.of();
                    }
                }
                store.save(share.id(), snapshot.toRecord(files, notDurable));
            } catch (java.io.IOException e) {
                log.warn("{}: cannot save state: {}", share.name(), e.getMessage());
            }
        });
    }
}
