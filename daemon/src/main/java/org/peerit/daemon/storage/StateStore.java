package org.peerit.daemon.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.peerit.protocol.manifest.SwarmId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Keeps {@link ShareRecord}s in {@code <data dir>/shares/<swarm id>.json}, each replaced atomically. */
public final class StateStore {
    private static final Logger log = LoggerFactory.getLogger(StateStore.class);

    private final Path dataDir;
    private final Path dir;
    private final ObjectMapper json;

    public StateStore(Path dataDir, ObjectMapper json) throws IOException {
        this.dataDir = dataDir;
        this.dir = dataDir.resolve("shares");
        this.json = json;
        Files.createDirectories(dir);
    }

    /** The daemon's data directory, which holds this store (and, beside it, the DHT's state). */
    public Path dataDir() {
        return dataDir;
    }

    /** Writes to a temporary file, fsyncs it, renames it over the old one, and fsyncs the directory. */
    public void save(SwarmId swarm, ShareRecord record) throws IOException {
        Path target = dir.resolve(swarm.hex() + ".json");
        Path temp = dir.resolve(swarm.hex() + ".json.tmp");
        byte[] bytes = json.writeValueAsBytes(record);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            var buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot fsync a directory; the rename is still atomic.
        }
    }

    /**
     * Where a download limited with --only keeps the bytes of unwanted files that share chunks with wanted ones:
     * beside the records, never in the user's folder.
     */
    public Path sideFile(SwarmId swarm) {
        return dir.resolveSibling("parts").resolve(swarm.hex() + ".unwanted");
    }

    /** The saved record of {@code swarm}, or null if there is none or it cannot be read. */
    public ShareRecord load(SwarmId swarm) {
        Path file = dir.resolve(swarm.hex() + ".json");
        try {
            return Files.exists(file) ? json.readValue(file.toFile(), ShareRecord.class) : null;
        } catch (IOException e) {
            log.warn("unreadable share state {}: {}", file, e.getMessage());
            return null;
        }
    }

    public void delete(SwarmId swarm) throws IOException {
        Files.deleteIfExists(dir.resolve(swarm.hex() + ".json"));
    }

    /** Every readable record; unreadable ones are logged and skipped, never deleted. */
    public List<ShareRecord> loadAll() throws IOException {
        List<ShareRecord> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                try {
                    ShareRecord r = json.readValue(file.toFile(), ShareRecord.class);
                    if (r.version() != ShareRecord.VERSION) {
                        log.warn("skipping {}: state version {} is not {}", file, r.version(), ShareRecord.VERSION);
                        continue;
                    }
                    out.add(r);
                } catch (IOException e) {
                    log.warn("skipping unreadable share state {}: {}", file, e.getMessage());
                }
            }
        }
        return out;
    }
}
