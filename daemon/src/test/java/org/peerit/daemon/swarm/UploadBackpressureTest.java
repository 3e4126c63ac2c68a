package org.peerit.daemon.swarm;

import io.netty.channel.DefaultFileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Uploads sent with sendfile are queued as file regions; they must count toward the channel's water mark. */
class UploadBackpressureTest {
    @TempDir
    Path dir;

    @Test
    void queuedFileRegionsMakeThePeerChannelUnwritable() throws IOException {
        Path file = dir.resolve("f.bin");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(4 << 20);
        }
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setWriteBufferWaterMark(PeerChannels.WATER_MARK);
        channel.config().setMessageSizeEstimator(PeerChannels.SIZES);

        channel.write(new DefaultFileRegion(file.toFile(), 0, 1 << 20));
        assertTrue(channel.isWritable(), "1 MiB queued is under the high water mark");
        channel.write(new DefaultFileRegion(file.toFile(), 1 << 20, 2 << 20));
        assertFalse(channel.isWritable(), "3 MiB of queued regions is over it: the session stops serving");

        channel.flush();
        channel.releaseOutbound();
        assertTrue(channel.isWritable());
        channel.finishAndReleaseAll();
    }
}
