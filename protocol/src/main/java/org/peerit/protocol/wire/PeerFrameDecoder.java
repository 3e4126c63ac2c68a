package org.peerit.protocol.wire;

import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Splits the byte stream into frames: a 4-byte big-endian length, then that many bytes. A length above
 * {@link WireLimits#MAX_FRAME} fails at once (TooLongFrameException) instead of buffering an attacker's gigabytes.
 */
public final class PeerFrameDecoder extends LengthFieldBasedFrameDecoder {
    /** Reads below this are copied in even over TCP, so a sender cannot make one frame of a myriad of tiny reads. */
    private static final int MIN_READ_KEPT = 1024;

    private static final Cumulator LARGE_READS_AS_THEY_ARE = (alloc, cumulation, in) ->
            in.readableBytes() >= MIN_READ_KEPT ? COMPOSITE_CUMULATOR.cumulate(alloc, cumulation, in)
                    : MERGE_CUMULATOR.cumulate(alloc, cumulation, in);

    /** For a byte stream read in large pieces, as TCP's are. */
    public PeerFrameDecoder() {
        this(true);
    }

    /**
     * @param largeReads whether reads are large (TCP: up to 64 KiB and more) rather than a packet each (a QUIC
     *                   stream: ~1.3 KB). A 128 KiB block spans several reads either way. Over TCP, merging them
     *                   copied every received byte into a fresh buffer (the old one is still held by the blocks
     *                   sliced from it), so a frame is kept as a composite of the reads; over QUIC a composite would
     *                   be a hundred pieces, each a separate write to the file, so small reads are merged.
     */
    public PeerFrameDecoder(boolean largeReads) {
        super(4 + WireLimits.MAX_FRAME, 0, 4, 0, 4, true); // Netty's limit counts the length field too
        if (largeReads) {
            setCumulator(LARGE_READS_AS_THEY_ARE);
        }
    }
}
