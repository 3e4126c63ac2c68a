package org.peerit.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Splits the byte stream into frames: a 4-byte big-endian length, then that many bytes. A length above
 * {@link WireLimits#MAX_FRAME} fails at once (TooLongFrameException) instead of buffering an attacker's gigabytes.
 * On a new connection ({@link #forNewConnection}) the first frame must be a handshake, so it is capped at
 * {@link WireLimits#MAX_HANDSHAKE_FRAME}: a stranger who never completes a handshake can make us hold a hundred bytes,
 * not a 128 KiB block.
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

    /** Until the first frame (the handshake) has arrived, frames are capped at {@link WireLimits#MAX_HANDSHAKE_FRAME}. */
    private boolean firstFrame;

    /** For a connection whose first frame is the handshake; see {@link #PeerFrameDecoder(boolean)} for largeReads. */
    public static PeerFrameDecoder forNewConnection(boolean largeReads) {
        PeerFrameDecoder decoder = new PeerFrameDecoder(largeReads);
        decoder.firstFrame = true;
        return decoder;
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

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (firstFrame && in.readableBytes() >= 4) {
            long length = in.getUnsignedInt(in.readerIndex());
            if (length > WireLimits.MAX_HANDSHAKE_FRAME) {
                in.skipBytes(in.readableBytes());
                throw new TooLongFrameException("first frame of " + length + " bytes; a handshake is at most "
                        + WireLimits.MAX_HANDSHAKE_FRAME);
            }
        }
        Object frame = super.decode(ctx, in);
        if (frame != null) {
            firstFrame = false;
        }
        return frame;
    }
}
