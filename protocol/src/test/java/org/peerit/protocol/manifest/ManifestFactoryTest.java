package org.peerit.protocol.manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestFactoryTest {
    @Test
    void hashesChunksAndWholeFile(@TempDir Path dir) throws Exception {
        byte[] data = new byte[3 * 65536 + 123];
        new Random(7).nextBytes(data);
        Path file = dir.resolve("data.bin");
        Files.write(file, data);
        AtomicLong last = new AtomicLong();
        Manifest m = ManifestFactory.create(file, "data.bin", List.of("t:1"), (done, total) -> {
            assertTrue(done <= total);
            last.set(done);
        });
        assertEquals(data.length, last.get());
        assertEquals(4, m.chunkCount());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertEquals(HexFormat.of().formatHex(sha.digest(data)), m.sha256());
        byte[] lastChunk = Arrays.copyOfRange(data, 3 * 65536, data.length);
        assertEquals(HexFormat.of().formatHex(sha.digest(lastChunk)), m.chunks().get(3));
        assertEquals(123, m.chunkLength(3));
    }

    @Test
    void hashesAnEmptyFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("empty");
        Files.write(file, new byte[0]);
        Manifest m = ManifestFactory.create(file, "empty", List.of(), (d, t) -> { });
        assertEquals(0, m.chunkCount());
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", m.sha256());
    }
}
