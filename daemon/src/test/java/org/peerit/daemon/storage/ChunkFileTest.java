package org.peerit.daemon.storage;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestFactory;

import java.io.IOException;
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
    void readsTheBytesOfABlock() throws IOException {
        byte[] content = randomContent(3 << 20);
        Manifest manifest = manifestOf(content);
        try (ChunkFile file = ChunkFile.openComplete(manifest, dir.resolve("f.bin"))) {
            int chunk = manifest.chunkCount() - 1;
            ByteBuf block = Unpooled.buffer(5000);
            file.read(chunk, 100, 5000, block);
            int from = (int) manifest.chunkOffset(chunk) + 100;
            byte[] got = new byte[5000];
            block.readBytes(got);
            assertArrayEquals(Arrays.copyOfRange(content, from, from + 5000), got);
        }
    }

    @Test
    void theFileStaysOpenForAnotherHolderAndClosesAfterTheLast() throws IOException {
        byte[] content = randomContent(1 << 20);
        Manifest manifest = manifestOf(content);
        ChunkFile file = ChunkFile.openComplete(manifest, dir.resolve("f.bin"));
        file.retain(); // a hash still running on a worker
        file.close(); // the share lets go, as when a finished download moves to its final name
        file.close(); // twice does no harm
        assertEquals(1, file.refCnt());
        assertEquals(true, file.verifyChunk(0), "still readable by its other holder");
        file.release();
        assertEquals(0, file.refCnt());
        assertThrows(IOException.class, () -> file.verifyChunk(0), "closed after the last");
    }

    private Manifest manifestOf(byte[] content) throws IOException {
        Path path = dir.resolve("f.bin");
        Files.write(path, content);
        return ManifestFactory.create(path, "f.bin", List.of("127.0.0.1:59000"), (done, size) -> { });
    }

    private static byte[] randomContent(int size) {
        byte[] content = new byte[size];
        new Random(7).nextBytes(content);
        return content;
    }
}
