package org.peerit.protocol.manifest;

import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One file of a folder manifest (version 2): its path below the folder, as segments, its size and its SHA-256.
 * Validated with the manifest that holds it ({@link ManifestRules}).
 */
public record FileEntry(List<String> path, long size, String sha256) {
    public FileEntry {
        path = List.copyOf(path);
        Objects.requireNonNull(sha256, "sha256");
    }

    /** The path as a user reads it, with {@code /} between segments. */
    public String joined() {
        return String.join("/", path);
    }

    public byte[] digest() {
        return HexFormat.of().parseHex(sha256);
    }
}
