package org.peerit.protocol.wire;

import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Splits the byte stream into frames: a 4-byte big-endian length, then that many bytes. A length above
 * {@link WireLimits#MAX_FRAME} fails at once (TooLongFrameException) instead of buffering an attacker's gigabytes.
 */
public final class PeerFrameDecoder extends LengthFieldBasedFrameDecoder {
    public PeerFrameDecoder() {
        super(4 + WireLimits.MAX_FRAME, 0, 4, 0, 4, true); // Netty's limit counts the length field too
        // A 64 KiB block always spans socket reads. Merging reads copied every received byte into a fresh buffer
        // (the old one is still held by the blocks sliced from it); a composite keeps the read buffers as they are.
        setCumulator(COMPOSITE_CUMULATOR);
    }
}
