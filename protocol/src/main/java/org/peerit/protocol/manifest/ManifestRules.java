package org.peerit.protocol.manifest;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The invariants of a manifest, shared by the parser and the record's constructor. */
public final class ManifestRules {
    public static final int MIN_CHUNK_SIZE = 64 * 1024;
    public static final int MAX_CHUNK_SIZE = 16 * 1024 * 1024;
    /** Bounds the memory a manifest can make us allocate (bitfields, hash lists). */
    public static final int MAX_CHUNKS = 1 << 18;
    public static final long MAX_SIZE = (long) MAX_CHUNKS * MAX_CHUNK_SIZE;
    /** A file system's 255-byte name limit, less the {@code .part} suffix a download carries until it is verified. */
    public static final int MAX_NAME_BYTES = 255 - ".part".length();
    public static final int MAX_TRACKERS = 16;
    public static final int MAX_TRACKER_LENGTH = 255;
    /** Files and empty folders of one folder manifest, together: bounds its size (about 150 bytes each). */
    public static final int MAX_ENTRIES = 100_000;
    public static final int MAX_DEPTH = 32;
    /** Linux's PATH_MAX is 4096 bytes with its NUL; leave room for the download directory's own path. */
    public static final int MAX_PATH_BYTES = 3072;

    private ManifestRules() {
    }

    static void check(int version, String name, long size, int chunkSize, String sha256,
                      List<String> chunks, List<String> trackers, List<FileEntry> files, List<List<String>> folders) {
        try {
            validate(version, name, size, chunkSize, sha256, chunks, trackers, files, folders);
        } catch (ManifestException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public static void validate(int version, String name, long size, int chunkSize, String sha256,
                                List<String> chunks, List<String> trackers, List<FileEntry> files,
                                List<List<String>> folders) throws ManifestException {
        if (version != Manifest.VERSION && version != Manifest.FOLDER_VERSION) {
            throw new ManifestException("unsupported manifest version " + version + " (this peerit reads versions "
                    + Manifest.VERSION + " and " + Manifest.FOLDER_VERSION + "; upgrade peerit)");
        }
        validateName(name);
        if (version == Manifest.VERSION) {
            if (!files.isEmpty() || !folders.isEmpty()) {
                throw new ManifestException("a version-1 manifest holds one file; a folder needs version 2");
            }
            validateHash("sha256", sha256);
        } else {
            if (sha256 != null) {
                throw new ManifestException("a folder manifest has no top-level sha256; each file has its own");
            }
            validateFolder(name, size, files, folders);
        }
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

    /**
     * A folder's files and empty folders: every path segment passes the rules of a name; paths are bounded in depth
     * and length; no two paths are equal once case-folded and in NFC (they would be one file on macOS and Windows);
     * no file is also a folder of another path; an empty folder holds nothing else; the sizes add up.
     */
    private static void validateFolder(String name, long size, List<FileEntry> files, List<List<String>> folders)
            throws ManifestException {
        if (files.size() + folders.size() > MAX_ENTRIES) {
            throw new ManifestException("the folder has " + files.size() + " files and " + folders.size()
                    + " empty folders; at most " + MAX_ENTRIES + " entries are allowed");
        }
        int rootBytes = name.getBytes(StandardCharsets.UTF_8).length;
        Map<String, String> taken = new HashMap<>(); // folded path -> path as written
        Set<String> parents = new HashSet<>(); // folded paths of every folder some entry lies in
        long total = 0;
        for (int i = 0; i < files.size(); i++) {
            FileEntry f = files.get(i);
            String where = "files[" + i + "]";
            validatePath(where, f.path(), rootBytes);
            if (f.size() < 0) {
                throw new ManifestException(where + " '" + printablePath(f.joined()) + "': size " + f.size() + " is negative");
            }
            validateHash(where + " '" + printablePath(f.joined()) + "': sha256", f.sha256());
            total += f.size();
            if (total > MAX_SIZE || total < 0) {
                throw new ManifestException("the files add up to more than " + MAX_SIZE + " bytes");
            }
            claim(where, f.path(), taken, parents);
        }
        for (int i = 0; i < folders.size(); i++) {
            String where = "folders[" + i + "]";
            validatePath(where, folders.get(i), rootBytes);
            claim(where, folders.get(i), taken, parents);
        }
        for (Map.Entry<String, String> e : taken.entrySet()) {
            if (parents.contains(e.getKey())) {
                throw new ManifestException("path '" + printablePath(e.getValue()) + "' is listed as a file or an empty"
                        + " folder but other paths lie inside it");
            }
        }
        if (total != size) {
            throw new ManifestException("the files add up to " + total + " bytes but size says " + size);
        }
    }

    private static void validatePath(String where, List<String> path, int rootBytes) throws ManifestException {
        String joined = String.join("/", path);
        if (path.isEmpty()) {
            throw new ManifestException(where + ": path is empty");
        }
        if (path.size() > MAX_DEPTH) {
            throw new ManifestException(where + " '" + printablePath(joined) + "': " + path.size()
                    + " segments deep; at most " + MAX_DEPTH + " are allowed");
        }
        for (String segment : path) {
            try {
                validateName(segment);
            } catch (ManifestException e) {
                throw new ManifestException(where + " '" + printablePath(joined) + "': " + e.getMessage());
            }
        }
        int bytes = rootBytes + 1 + joined.getBytes(StandardCharsets.UTF_8).length + ".part".length();
        if (bytes > MAX_PATH_BYTES) {
            throw new ManifestException(where + " '" + printablePath(joined) + "': the path is " + bytes
                    + " bytes long; at most " + MAX_PATH_BYTES + " are allowed");
        }
    }

    /** Records {@code path} as taken, refusing one that equals an earlier path once case-folded. */
    private static void claim(String where, List<String> path, Map<String, String> taken, Set<String> parents)
            throws ManifestException {
        String joined = String.join("/", path);
        String folded = fold(joined);
        String earlier = taken.putIfAbsent(folded, joined);
        if (earlier != null) {
            throw new ManifestException(where + " '" + printablePath(joined) + "' is the same path as '"
                    + printablePath(earlier) + "' on file systems that ignore case (macOS, Windows)");
        }
        for (int cut = folded.indexOf('/'); cut >= 0; cut = folded.indexOf('/', cut + 1)) {
            parents.add(folded.substring(0, cut));
        }
    }

    /** A path as case-insensitive file systems compare it: NFC, then full case folding (ß and SS are one). */
    static String fold(String path) {
        String nfc = Normalizer.normalize(path, Normalizer.Form.NFC);
        return nfc.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    }

    public static long expectedChunkCount(long size, int chunkSize) {
        return (size + chunkSize - 1) / chunkSize;
    }

    /**
     * A name must be one path segment that is safe to create in any directory and shows what it is: no separators,
     * no control characters, no invisible formatting characters (a right-to-left override (U+202E) before
     * {@code gpj.exe} displays it as {@code exe.jpg}; zero-width ones make two different names look alike), valid
     * Unicode in NFC form (so one name is one sequence of bytes on every system), no leading or trailing white space,
     * and short enough that its {@code .part} fits in a file system's 255 bytes.
     */
    public static void validateName(String name) throws ManifestException {
        if (name == null || name.isEmpty()) {
            throw new ManifestException("name is empty");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new ManifestException("name '" + name + "' is not a file name");
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            String why = forbidden(cp);
            if (why != null) {
                throw new ManifestException("name '" + printable(name) + "' contains " + why
                        + String.format(" (U+%04X at character %d)", cp, i));
            }
            i += Character.charCount(cp);
        }
        if (isBlank(name.codePointAt(0)) || isBlank(name.codePointBefore(name.length()))) {
            throw new ManifestException("name '" + printable(name) + "' starts or ends with white space");
        }
        if (!Normalizer.isNormalized(name, Normalizer.Form.NFC)) {
            throw new ManifestException("name '" + printable(name) + "' is not in Unicode NFC form (accents as"
                    + " separate marks); rename it, most tools write NFC");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new ManifestException("name is " + bytes + " bytes long in UTF-8; at most " + MAX_NAME_BYTES
                    + " fit, with the .part suffix of a download, in a file system's 255");
        }
        if (name.endsWith(".part")) {
            throw new ManifestException("name '" + name + "' ends in .part, which peerit uses for downloads in progress");
        }
    }

    /** White space by either of Java's definitions (one misses U+00A0, the other tabs). */
    private static boolean isBlank(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    /** Why code point {@code cp} may not appear in a name, or null if it may. */
    private static String forbidden(int cp) {
        if (cp == '/' || cp == '\\') {
            return "a path separator";
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL -> "a control character";
            case Character.SURROGATE -> "a lone surrogate, which is not valid Unicode";
            case Character.FORMAT -> "an invisible formatting character (such as a bidi override), which can disguise"
                    + " a name";
            case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> "a line break";
            case Character.UNASSIGNED -> "a character Unicode does not define";
            case Character.PRIVATE_USE -> "a private-use character";
            default -> null;
        };
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

    /** A path joined with {@code /}, each segment {@linkplain #printable printable}: the separators stay as they are. */
    public static String printablePath(String path) {
        return String.join("/", java.util.Arrays.stream(path.split("/", -1)).map(ManifestRules::printable).toList());
    }

    /** {@code s} safe to print on one line: anything that is not a plain visible character as {@code \\u{XXXX}}. */
    public static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 120; ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean plain = forbidden(cp) == null; // control characters are forbidden too
            out.append(plain ? new String(Character.toChars(cp)) : String.format("\\u{%04X}", cp));
        }
        return out.toString();
    }
}
