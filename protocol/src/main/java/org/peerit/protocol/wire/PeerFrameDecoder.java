package org.peerit.protocol.wire;

import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Splits the byte stream into frames: a 4-byte big-endian length, then that many bytes. A length above
 * {@link WireLimits#MAX_FRAME} fails at once (TooLongFrameException) instead of buffering an attacker's gigabytes.
 */
public final class PeerFrameDecoder extends LengthFieldBasedFrameDecoder {
    public PeerFrameDecoder() {
        super(WireLimits.MAX_FRAME, 0, 4, 0, 4, true);
    }
}
