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

    ShareRecord record(Share share) {
        boolean complete = share.isComplete();
        // As verified, not as it is now: a save after an edit must not make the edit look verified.
        FileStamp[] stamps = share.verifiedAs();
        FileStamp first = stamps.length > 0 ? stamps[0] : null;
        long size = complete && first != null ? first.size() : 0;
        long modified = complete && first != null ? first.modifiedMillis() : 0;
        int chunks = share.manifest().chunkCount();
        String have = Base64.getEncoder().encodeToString(Bitfields.toBytes(share.have(), chunks));
        return new ShareRecord(ShareRecord.VERSION, codec.toTree(share.manifest()), share.finalPath().toString(),
                complete, have, size, modified, share.origin() == Share.Origin.DOWNLOADED,
                complete ? null : Base64.getEncoder().encodeToString(Bitfields.toBytes(share.written(), chunks)),
                Arrays.asList(stamps), share.only());
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

    /** Flushes the share's data, then writes its record, in order, on the saving thread. */
    void save(Share share) {
        ShareRecord record = record(share);
        ChunkStore files = share.store();
        workers.saving().execute(() -> {
            try {
                if (files != null) {
                    files.force(); // data first: the record must never claim chunks a crash could lose
                }
                store.save(share.id(), record);
            } catch (java.io.IOException e) {
                log.warn("{}: cannot save state: {}", share.name(), e.getMessage());
            }
        });
    }
}
