package org.peerit.daemon.connect;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PeerMessageEncoder;
import org.peerit.protocol.wire.WireLimits;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Queued uploads count toward the channel's water mark: a peer that stops reading stops being served. */
class UploadBackpressureTest {
    @Test
    void queuedBlocksMakeThePeerChannelUnwritable() {
        EmbeddedChannel channel = new EmbeddedChannel(new PeerMessageEncoder());
        channel.config().setWriteBufferWaterMark(PeerChannels.WATER_MARK);
        for (int i = 0; i < 8; i++) {
            channel.write(new PeerMessage.Piece(0, i * WireLimits.BLOCK, Unpooled.directBuffer(WireLimits.BLOCK)
                    .writeZero(WireLimits.BLOCK)));
        }
        assertTrue(channel.isWritable(), "1 MiB queued is under the high water mark");
        for (int i = 8; i < 24; i++) {
            channel.write(new PeerMessage.Piece(0, i * WireLimits.BLOCK, Unpooled.directBuffer(WireLimits.BLOCK)
                    .writeZero(WireLimits.BLOCK)));
        }
        assertFalse(channel.isWritable(), "3 MiB of queued blocks is over it: the session stops serving");
        channel.flush();
        channel.releaseOutbound();
        assertTrue(channel.isWritable());
        channel.finishAndReleaseAll();
    }
}
