package org.peerit.protocol.manifest;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The 32-byte id of a swarm: SHA-256 of the canonical binary encoding of a manifest without its trackers,
 * so the same content is one swarm whichever trackers list it.
 *
 * <p>Canonical encoding, big-endian: ASCII {@code "peerit-swarm\0"}, version (u32), name (u16 length + UTF-8),
 * size (u64), chunk size (u32); then for version 1 the file's SHA-256 (32 bytes), for version 2 the file count (u32)
 * and each file as its path (u16 segment count, each segment u16 length + UTF-8), size (u64) and SHA-256, then the
 * empty-folder count (u32) and each folder's path; then the chunk count (u32) and the chunk SHA-256s (32 bytes each).
 */
public final class SwarmId {
    public static final int LENGTH = 32;
    private static final byte[] DOMAIN = "peerit-swarm\0".getBytes(StandardCharsets.US_ASCII);

    private final byte[] bytes;

    private SwarmId(byte[] bytes) {
        this.bytes = bytes;
    }

    public static SwarmId wrap(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("swarm id must be " + LENGTH + " bytes");
        }
        return new SwarmId(bytes.clone());
    }

    public static SwarmId fromHex(String hex) {
        return wrap(HexFormat.of().parseHex(hex));
    }

    static SwarmId of(Manifest m) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 + 32 * m.chunkCount() + 64 * m.files().size());
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.write(DOMAIN);
            out.writeInt(m.version());
            byte[] name = m.name().getBytes(StandardCharsets.UTF_8);
            out.writeShort(name.length);
            out.write(name);
            out.writeLong(m.size());
            out.writeInt(m.chunkSize());
            if (m.isFolder()) {
                out.writeInt(m.files().size());
                for (FileEntry f : m.files()) {
                    writePath(out, f.path());
                    out.writeLong(f.size());
                    out.write(f.digest());
                }
                out.writeInt(m.folders().size());
                for (List<String> folder : m.folders()) {
                    writePath(out, folder);
                }
            } else {
                out.write(m.fileDigest());
            }
            out.writeInt(m.chunkCount());
            for (int i = 0; i < m.chunkCount(); i++) {
                out.write(m.chunkDigest(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SwarmId(ManifestFactory.sha256().digest(buffer.toByteArray()));
    }

    private static void writePath(DataOutputStream out, List<String> path) throws IOException {
        out.writeShort(path.size());
        for (String segment : path) {
            byte[] bytes = segment.getBytes(StandardCharsets.UTF_8);
            out.writeShort(bytes.length);
            out.write(bytes);
        }
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** The first 8 hex digits: enough to tell swarms apart in logs and status output. */
    public String shortHex() {
        return hex().substring(0, 8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SwarmId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
