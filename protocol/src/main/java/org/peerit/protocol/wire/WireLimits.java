package org.peerit.protocol.wire;

import org.peerit.protocol.manifest.ManifestRules;

/** Sizes that bound what a peer can make us allocate. */
public final class WireLimits {
    /** The block size we request; peers may ask for up to {@link #MAX_BLOCK}. */
    public static final int BLOCK = 128 * 1024;
    public static final int MAX_BLOCK = 128 * 1024;
    public static final int MAX_PEX_PEERS = 50;
    /** The metadata exchange moves a manifest in pieces of this size (the last may be shorter). */
    public static final int METADATA_PIECE = 64 * 1024;
    /** The largest manifest a peer may offer in the metadata exchange. */
    public static final int MAX_METADATA = (int) org.peerit.protocol.manifest.ManifestCodec.MAX_MANIFEST_BYTES;
    /** The largest frame body: a PIECE with a full block, or a bitfield for the most chunks a manifest may have. */
    public static final int MAX_FRAME = Math.max(1 + 8 + MAX_BLOCK, 1 + ManifestRules.MAX_CHUNKS / 8);

    /** The first frame of a connection must be a handshake: its type byte and body. */
    public static final int MAX_HANDSHAKE_FRAME = 1 + MessageType.HANDSHAKE_BODY;

    private WireLimits() {
    }
}
