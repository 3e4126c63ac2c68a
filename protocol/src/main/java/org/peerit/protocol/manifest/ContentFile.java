package org.peerit.protocol.manifest;

import java.util.HexFormat;
import java.util.List;

/**
 * A file of a manifest's content where it lies: its path from the download directory (for version 1 the name
 * alone, for a folder the folder's name and then the file's path), and its place in the one chunk space that every
 * manifest's files share, laid end to end in manifest order.
 */
public record ContentFile(int index, List<String> path, long offset, long size, String sha256) {
    public ContentFile {
        path = List.copyOf(path);
    }

    public long end() {
        return offset + size;
    }

    /** The path below the download directory, with {@code /} between segments. */
    public String joined() {
        return String.join("/", path);
    }

    public byte[] digest() {
        return HexFormat.of().parseHex(sha256);
    }
}
