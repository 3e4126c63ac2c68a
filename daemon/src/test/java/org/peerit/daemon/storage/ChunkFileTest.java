package org.peerit.daemon.storage;

import io.netty.channel.FileRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChunkFileTest {
    @TempDir
    Path dir;

    @Test
    void aRegionHoldsTheBytesOfItsBlock() throws IOException {
        byte[] content = randomContent(3 << 20);
        Manifest manifest = manifestOf(content);
        try (ChunkFile file = ChunkFile.openComplete(manifest, dir.resolve("f.bin"))) {
            int chunk = manifest.chunkCount() - 1;
            FileRegion region = file.region(chunk, 100, 5000);
            byte[] sent = send(region);
            int from = (int) manifest.chunkOffset(chunk) + 100;
            assertArrayEquals(Arrays.copyOfRange(content, from, from + 5000), sent);
            region.release();
        }
    }

    @Test
    void theFileStaysOpenForQueuedRegionsAndClosesAfterTheLast() throws IOException {
        byte[] content = randomContent(1 << 20);
        Manifest manifest = manifestOf(content);
        ChunkFile file = ChunkFile.openComplete(manifest, dir.resolve("f.bin"));
        FileRegion first = file.region(0, 0, 1000);
        FileRegion second = file.region(0, 1000, 1000);
        file.close(); // the share lets go, as when a finished download moves to its final name
        file.close(); // twice does no harm

        assertArrayEquals(Arrays.copyOfRange(content, 0, 1000), send(first));
        first.release();
        assertEquals(1, file.refCnt(), "one region still holds the file");
        assertArrayEquals(Arrays.copyOfRange(content, 1000, 2000), send(second));
        second.release();

        assertEquals(0, file.refCnt());
        assertThrows(IOException.class, () -> file.region(0, 0, 10), "a closed file gives no regions");
    }

    private Manifest manifestOf(byte[] content) throws IOException {
        Path path = dir.resolve("f.bin");
        Files.write(path, content);
        return ManifestFactory.create(path, "f.bin", List.of("127.0.0.1:59000"), (done, size) -> { });
    }

    private static byte[] send(FileRegion region) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (WritableByteChannel target = Channels.newChannel(out)) {
            while (region.transferred() < region.count()) {
                region.transferTo(target, region.transferred());
            }
        }
        return out.toByteArray();
    }

    private static byte[] randomContent(int size) {
        byte[] content = new byte[size];
        new Random(7).nextBytes(content);
        return content;
    }
}
