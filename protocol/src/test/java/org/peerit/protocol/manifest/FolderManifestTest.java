package org.peerit.protocol.manifest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Folder manifests (version 2): made from a tree, read back strictly, and every hostile path refused. */
class FolderManifestTest {
    private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private final ManifestCodec codec = new ManifestCodec();

    @TempDir
    Path dir;

    private Path tree() throws IOException {
        Path root = Files.createDirectories(dir.resolve("album"));
        Files.createDirectories(root.resolve("b/empty"));
        Files.write(root.resolve("b/two.bin"), new byte[70_000]);
        Files.write(root.resolve("a.txt"), "first".getBytes());
        Files.write(root.resolve("zero"), new byte[0]);
        Files.write(root.resolve("Ünï.txt"), "é".getBytes());
        Files.createSymbolicLink(root.resolve("link"), root.resolve("a.txt"));
        return root;
    }

    @Test
    void aTreeBecomesFilesOverOneChunkSpaceInPathOrder() throws Exception {
        Path root = tree();
        Process mkfifo = new ProcessBuilder("mkfifo", root.resolve("b/pipe").toString()).start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo");
        FolderScan scan = FolderScan.of(root);
        assertEquals(java.util.Set.of("link (a symbolic link: not followed)", "b/pipe (not a regular file)"),
                java.util.Set.copyOf(scan.skipped()), "a pipe is never opened: reading it would hang the hash");
        Manifest m = ManifestFactory.createFolder(scan, "album", List.of("t.example:59000"), (d, t) -> { });
        assertEquals(2, m.version());
        assertEquals(List.of("a.txt", "b/two.bin", "zero", "Ünï.txt"), m.files().stream().map(FileEntry::joined).toList());
        assertEquals(List.of(List.of("b", "empty")), m.folders());
        assertEquals(5 + 70_000 + 0 + 2, m.size());
        assertEquals(EMPTY, m.files().get(2).sha256());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertEquals(HexFormat.of().formatHex(sha.digest("first".getBytes())), m.files().get(0).sha256());
        // Chunk 0 is a.txt then the first 65531 bytes of two.bin: chunks span files.
        byte[] chunk0 = new byte[65536];
        System.arraycopy("first".getBytes(), 0, chunk0, 0, 5);
        assertEquals(HexFormat.of().formatHex(sha.digest(chunk0)), m.chunks().get(0));
        assertEquals(2, m.chunkCount());
        List<ContentFile> layout = m.contentFiles();
        assertEquals(List.of("album", "b", "two.bin"), layout.get(1).path());
        assertEquals(5, layout.get(1).offset());
    }

    @Test
    void itRoundTripsAndItsSwarmIdIgnoresTrackersButNotPaths() throws Exception {
        Manifest m = ManifestFactory.createFolder(FolderScan.of(tree()), "album", List.of("t.example:59000"), (d, t) -> { });
        Manifest back = codec.parse(codec.toBytes(m));
        assertEquals(m, back);
        assertEquals(m.swarmId(), back.swarmId());
        assertEquals(m.swarmId(), m.withTrackers(List.of()).swarmId());
        List<FileEntry> renamed = new ArrayList<>(m.files());
        FileEntry first = renamed.get(0);
        renamed.set(0, new FileEntry(List.of("a2.txt"), first.size(), first.sha256()));
        Manifest other = new Manifest(2, "album", m.size(), m.chunkSize(), null, m.chunks(), m.trackers(), renamed,
                m.folders());
        assertNotEquals(m.swarmId(), other.swarmId());
        // The metadata bytes the exchange moves parse back to the same swarm, with no trackers.
        Manifest exchanged = codec.parse(codec.metadataBytes(m));
        assertEquals(m.swarmId(), exchanged.swarmId());
        assertEquals(List.of(), exchanged.trackers());
        assertArrayEquals(codec.metadataBytes(m), codec.metadataBytes(back), "one content, the same bytes everywhere");
    }

    @Test
    void versionOneManifestsStillReadAndKeepTheirSwarmId() throws Exception {
        Path file = Files.write(dir.resolve("f.bin"), new byte[100_000]);
        Manifest m = ManifestFactory.create(file, "f.bin", List.of(), (d, t) -> { });
        assertEquals(1, m.version());
        assertEquals(List.of(new ContentFile(0, List.of("f.bin"), 0, 100_000, m.sha256())), m.contentFiles());
        assertEquals(m.swarmId(), codec.parse(codec.toBytes(m)).swarmId());
    }

    /** A folder manifest as JSON with one file at {@code path}, changed by {@code edit}; parsed. */
    private ManifestException refusedPath(Consumer<ArrayNode> files) {
        ObjectNode root = codec.toTree(new Manifest(2, "album", 0, 65536, null, List.of(), List.of(),
                List.of(new FileEntry(List.of("ok"), 0, EMPTY)), List.of()));
        ArrayNode list = root.putArray("files");
        files.accept(list);
        return assertThrows(ManifestException.class, () -> codec.fromTree(root));
    }

    private static void file(ArrayNode files, String... path) {
        ObjectNode f = files.addObject();
        ArrayNode segments = f.putArray("path");
        for (String s : path) {
            segments.add(s);
        }
        f.put("size", 0);
        f.put("sha256", EMPTY);
    }

    @Test
    void everyHostilePathIsRefusedNamingThePathAndTheRule() {
        record Case(String[] path, String says) {
        }
        List<Case> cases = List.of(
                new Case(new String[]{"..", "etc", "passwd"}, "not a file name"),
                new Case(new String[]{"a", ".", "b"}, "not a file name"),
                new Case(new String[]{""}, "empty"),
                new Case(new String[]{"a/b"}, "path separator"),
                new Case(new String[]{"a\\b"}, "path separator"),
                new Case(new String[]{"nul\0byte"}, "control character"),
                new Case(new String[]{"bell\u0007"}, "control character"),
                new Case(new String[]{"gpj\u202Eexe"}, "formatting character"),
                new Case(new String[]{"e\u0301"}, "NFC"),
                new Case(new String[]{" lead"}, "white space"),
                new Case(new String[]{"x.part"}, ".part"),
                new Case(new String[]{}, "path is empty"));
        for (Case c : cases) {
            ManifestException e = refusedPath(files -> file(files, c.path()));
            assertTrue(e.getMessage().contains(c.says()) && e.getMessage().startsWith("files[0]"),
                    String.join("/", c.path()) + ": " + e.getMessage());
        }
    }

    @Test
    void pathsThatCollideOnCaseInsensitiveSystemsAreRefused() {
        ManifestException e = refusedPath(files -> {
            file(files, "Readme.TXT");
            file(files, "readme.txt");
        });
        assertTrue(e.getMessage().contains("same path as 'Readme.TXT'"), e.getMessage());
        e = refusedPath(files -> {
            file(files, "straße");
            file(files, "STRASSE");
        });
        assertTrue(e.getMessage().contains("same path"), e.getMessage());
    }

    @Test
    void aFileThatIsAlsoAFolderIsRefused() {
        ManifestException e = refusedPath(files -> {
            file(files, "a");
            file(files, "A", "b");
        });
        assertTrue(e.getMessage().contains("other paths lie inside it"), e.getMessage());
    }

    @Test
    void depthLengthCountAndSizesAreBounded() {
        String[] deep = new String[ManifestRules.MAX_DEPTH + 1];
        java.util.Arrays.fill(deep, "d");
        assertTrue(refusedPath(files -> file(files, deep)).getMessage().contains("at most " + ManifestRules.MAX_DEPTH));
        String[] longPath = new String[20];
        java.util.Arrays.fill(longPath, "x".repeat(200));
        assertTrue(refusedPath(files -> file(files, longPath)).getMessage().contains("bytes long"));
        ManifestException sizes = assertThrows(ManifestException.class, () -> {
            ObjectNode root = codec.toTree(new Manifest(2, "album", 0, 65536, null, List.of(), List.of(),
                    List.of(new FileEntry(List.of("ok"), 0, EMPTY)), List.of()));
            root.put("size", 5);
            codec.fromTree(root);
        });
        assertTrue(sizes.getMessage().contains("add up to 0 bytes but size says 5"), sizes.getMessage());
        ManifestException many = refusedPath(files -> {
            for (int i = 0; i <= ManifestRules.MAX_ENTRIES; i++) {
                files.addObject();
            }
        });
        assertTrue(many.getMessage().contains("at most " + ManifestRules.MAX_ENTRIES), many.getMessage());
    }

    @Test
    void unknownFieldsInAFileEntryAndAStraySha256AreRefused() {
        ManifestException e = refusedPath(files -> {
            file(files, "a");
            ((ObjectNode) files.get(0)).put("mode", 755);
        });
        assertTrue(e.getMessage().contains("unknown field 'files[0].mode'"), e.getMessage());
        ObjectNode root = codec.toTree(new Manifest(2, "album", 0, 65536, null, List.of(), List.of(),
                List.of(new FileEntry(List.of("ok"), 0, EMPTY)), List.of()));
        root.put("sha256", EMPTY);
        assertTrue(assertThrows(ManifestException.class, () -> codec.fromTree(root)).getMessage()
                .contains("unknown field 'sha256'"));
    }
}
