package org.peerit.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Files for the process-level tests. */
public final class TestFiles {
    private TestFiles() {
    }

    /** Writes {@code size} pseudo-random bytes (the same for the same size) to {@code file}. */
    public static Path random(Path file, long size) throws IOException {
        Random random = new Random(size);
        byte[] buffer = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= buffer.length) {
                random.nextBytes(buffer);
                out.write(buffer, 0, (int) Math.min(buffer.length, left));
            }
        }
        return file;
    }
}
