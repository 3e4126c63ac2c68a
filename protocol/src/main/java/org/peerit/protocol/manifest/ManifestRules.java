package org.peerit.protocol.manifest;

import java.util.List;

/** The invariants of a version-1 manifest, shared by the parser and the record's constructor. */
public final class ManifestRules {
    public static final int MIN_CHUNK_SIZE = 64 * 1024;
    public static final int MAX_CHUNK_SIZE = 16 * 1024 * 1024;
    /** Bounds the memory a manifest can make us allocate (bitfields, hash lists). */
    public static final int MAX_CHUNKS = 1 << 18;
    public static final long MAX_SIZE = (long) MAX_CHUNKS * MAX_CHUNK_SIZE;
    public static final int MAX_NAME_BYTES = 255;
    public static final int MAX_TRACKERS = 16;
    public static final int MAX_TRACKER_LENGTH = 255;

    private ManifestRules() {
    }

    static void check(int version, String name, long size, int chunkSize, String sha256,
                      List<String> chunks, List<String> trackers) {
        try {
            validate(version, name, size, chunkSize, sha256, chunks, trackers);
        } catch (ManifestException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public static void validate(int version, String name, long size, int chunkSize, String sha256,
                                List<String> chunks, List<String> trackers) throws ManifestException {
        if (version != Manifest.VERSION) {
            throw new ManifestException("unsupported manifest version " + version + " (this peerit reads version "
                    + Manifest.VERSION + "; upgrade peerit)");
        }
        validateName(name);
        if (size < 0 || size > MAX_SIZE) {
            throw new ManifestException("size " + size + " is outside 0.." + MAX_SIZE);
        }
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1) {
            throw new ManifestException("chunkSize " + chunkSize + " must be a power of two between "
                    + MIN_CHUNK_SIZE + " and " + MAX_CHUNK_SIZE);
        }
        long expectedChunks = expectedChunkCount(size, chunkSize);
        if (expectedChunks > MAX_CHUNKS) {
            throw new ManifestException("size " + size + " needs " + expectedChunks + " chunks of " + chunkSize
                    + " bytes; at most " + MAX_CHUNKS + " are allowed");
        }
        if (chunks.size() != expectedChunks) {
            throw new ManifestException("chunks has " + chunks.size() + " hashes but size " + size
                    + " with chunkSize " + chunkSize + " needs " + expectedChunks);
        }
        validateHash("sha256", sha256);
        for (int i = 0; i < chunks.size(); i++) {
            validateHash("chunks[" + i + "]", chunks.get(i));
        }
        if (trackers.size() > MAX_TRACKERS) {
            throw new ManifestException("too many trackers: " + trackers.size() + " (at most " + MAX_TRACKERS + ")");
        }
        for (String tracker : trackers) {
            validateTracker(tracker);
        }
    }

    public static long expectedChunkCount(long size, int chunkSize) {
        return (size + chunkSize - 1) / chunkSize;
    }

    /** A name must be one path segment that is safe to create in any directory. */
    public static void validateName(String name) throws ManifestException {
        if (name == null || name.isEmpty()) {
            throw new ManifestException("name is empty");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new ManifestException("name '" + name + "' is not a file name");
        }
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new ManifestException("name is longer than " + MAX_NAME_BYTES + " bytes");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                throw new ManifestException("name '" + printable(name) + "' contains a path separator");
            }
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw new ManifestException("name '" + printable(name) + "' contains a control character");
            }
        }
        if (name.endsWith(".part")) {
            throw new ManifestException("name '" + name + "' ends in .part, which peerit uses for downloads in progress");
        }
    }

    private static void validateHash(String field, String hex) throws ManifestException {
        if (hex == null || hex.length() != 64) {
            throw new ManifestException(field + " must be 64 hex digits (a SHA-256)");
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            if (!ok) {
                throw new ManifestException(field + " has a character that is not lowercase hex: '" + printable(String.valueOf(c)) + "'");
            }
        }
    }

    private static void validateTracker(String tracker) throws ManifestException {
        if (tracker == null || tracker.isEmpty() || tracker.length() > MAX_TRACKER_LENGTH) {
            throw new ManifestException("tracker entry must be host:port");
        }
        try {
            TrackerAddress.parse(tracker);
        } catch (IllegalArgumentException e) {
            throw new ManifestException("tracker '" + printable(tracker) + "': " + e.getMessage());
        }
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
