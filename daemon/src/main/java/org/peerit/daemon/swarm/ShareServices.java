package org.peerit.daemon.swarm;

import io.netty.buffer.ByteBuf;
import org.peerit.daemon.connect.Dialling;
import org.peerit.daemon.download.FileDigests;
import org.peerit.daemon.upload.TokenBucket;
import org.peerit.protocol.manifest.SwarmId;

import java.util.List;

/**
 * What a share asks of the engine that holds it: the work that runs off the engine thread (hashing, saving, the
 * final check and rename) and the daemon-wide settings and limits. Engine thread.
 */
interface ShareServices {
    EngineConfig config();

    TokenBucket downloadLimit();

    Dialling dialling();

    /** Whether {@code share} is still the engine's share for its swarm (not removed, not replaced). */
    boolean holds(Share share);

    /** Hashes a whole received chunk off the engine thread; the share hears {@link Share#chunkChecked}. */
    void verify(Share share, int chunk, List<ByteBuf> keptBlocks);

    /** Computes each wanted file's hash along the way; the share hears {@link Share#fileChecked}. */
    FileDigests newDigests(Share share);

    /** Saves the share's record soon, many verified chunks in one write. */
    void saveSoon(Share share);

    /** A file's hash matched: move it into place; the share hears {@link Share#fileLanded}. */
    void land(Share share, int file);

    /** Every wanted file is in place: create the empty folders, then seed. */
    void complete(Share share);

    /** What status says of the swarm's DHT lookups (null without the DHT). */
    String dhtStatus(SwarmId id);
}
