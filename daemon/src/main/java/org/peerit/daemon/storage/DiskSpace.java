package org.peerit.daemon.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Refuses a download the disk cannot hold, before its {@code .part} is allocated. */
public final class DiskSpace {
    private DiskSpace() {
    }

    public static void require(Path dir, String name, long bytes) throws IOException {
        long free = Files.getFileStore(dir).getUsableSpace();
        if (bytes > free) {
            throw new IOException(name + " needs " + human(bytes) + " but " + dir + " has " + human(free)
                    + " free; free some space or choose another --dir");
        }
    }

    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format("%.1f %s", v, units[u]);
    }
}
