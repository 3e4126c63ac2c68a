package org.peerit.protocol.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestCodecTest {
    private static final String HASH = "ab".repeat(32);
    private final ManifestCodec codec = new ManifestCodec();
    private final ObjectMapper json = new ObjectMapper();

    private ObjectNode valid() {
        ObjectNode root = json.createObjectNode();
        root.put("peerit", 1);
        root.put("name", "file.txt");
        root.put("size", 200_000);
        root.put("chunkSize", 65536);
        root.put("sha256", HASH);
        ArrayNode chunks = root.putArray("chunks");
        for (int i = 0; i < 4; i++) {
            chunks.add(HASH);
        }
        root.putArray("trackers").add("tracker.example.org:59000");
        return root;
    }

    private ManifestException refused(Consumer<ObjectNode> edit) {
        ObjectNode root = valid();
        edit.accept(root);
        return assertThrows(ManifestException.class, () -> codec.parse(root.toString()));
    }

    @Test
    void roundTripsThroughJson() throws Exception {
        Manifest m = codec.parse(valid().toString());
        Manifest again = codec.parse(codec.toBytes(m));
        assertEquals(m, again);
        assertEquals(4, again.chunkCount());
        assertEquals(200_000 - 3 * 65536, again.chunkLength(3));
        assertEquals(m.swarmId(), again.swarmId());
    }

    @Test
    void swarmIdIgnoresTrackersButNotContent() throws Exception {
        Manifest m = codec.parse(valid().toString());
        assertEquals(m.swarmId(), m.withTrackers(List.of("other:1")).swarmId());
        ObjectNode renamed = valid();
        renamed.put("name", "other.txt");
        assertNotEquals(m.swarmId(), codec.parse(renamed.toString()).swarmId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "/etc/passwd", "..", ".", "", "a\\b", "nul\u0000byte", "tab\tname",
            "new\nline", "x.part"})
    void refusesHostileNames(String name) {
        ManifestException e = refused(r -> r.put("name", name));
        assertTrue(e.getMessage().contains("name"), e.getMessage());
    }

    /** Issue 10, case 6: names that pass the old rules and then fail for ever, or show as something they are not. */
    @ParameterizedTest
    @ValueSource(strings = {"\u202Egpj.exe", "a\u200Bb.txt", "a\u2066b", "\uFEFFbom.txt", "line\u2028sep", "e\u0301.txt", " lead.txt", "trail.txt ", "\u00A0nbsp", "pua\uE000"})
    void refusesNamesThatDisguiseThemselvesOrAreNotValidUnicode(String name) {
        ManifestException e = refused(r -> r.put("name", name));
        assertTrue(e.getMessage().startsWith("name '"), e.getMessage());
        assertFalse(e.getMessage().contains("\u202E") || e.getMessage().contains("\uD800"),
                "the message itself shows the hidden character as an escape: " + e.getMessage());
    }

    @Test
    void refusesLoneSurrogates() {
        for (String name : List.of("lone\uD800.txt", "\uDC00", "x\uDBFF")) {
            ManifestException e = assertThrows(ManifestException.class, () -> ManifestRules.validateName(name));
            assertTrue(e.getMessage().contains("lone surrogate"), e.getMessage());
        }
    }

    @Test
    void aLoneSurrogateInTheJsonTextIsRefusedWithOneLine() {
        String text = valid().toString().replace("\"file.txt\"", "\"bad\\ud800.txt\"");
        ManifestException e = assertThrows(ManifestException.class, () -> codec.parse(text));
        assertTrue(e.getMessage().contains("lone surrogate"), e.getMessage());
        assertTrue(e.getMessage().contains("U+D800"), e.getMessage());
    }

    @Test
    void aNameIsAtMost250BytesSoThatItsPartFitsIn255() throws Exception {
        assertEquals("x".repeat(250), codec.parse(valid().put("name", "x".repeat(250)).toString()).name());
        ManifestException e = refused(r -> r.put("name", "x".repeat(251)));
        assertTrue(e.getMessage().contains("251 bytes"), e.getMessage());
        // Characters count as their UTF-8 bytes: 126 two-byte characters are 252 bytes.
        assertTrue(refused(r -> r.put("name", "\u00e9".repeat(126))).getMessage().contains("252 bytes"));
    }

    @Test
    void namesInAnyScriptInNfcAreAccepted() throws Exception {
        for (String name : List.of("r\u00e9sum\u00e9.pdf", "\u5199\u771f.jpg", "\u0444\u043e\u0442\u043e.png",
                "family \uD83D\uDC68.txt", "\u0645\u0644\u0641.txt")) {
            assertEquals(name, codec.parse(valid().put("name", name).toString()).name());
        }
    }

    @Test
    void refusesWrongChunkCount() {
        ManifestException e = refused(r -> ((ArrayNode) r.get("chunks")).remove(0));
        assertTrue(e.getMessage().contains("needs 4"), e.getMessage());
    }

    @Test
    void refusesBadHex() {
        assertTrue(refused(r -> r.put("sha256", "zz".repeat(32))).getMessage().contains("hex"));
        assertTrue(refused(r -> r.put("sha256", "AB".repeat(32))).getMessage().contains("hex"));
        assertTrue(refused(r -> r.put("sha256", "ab")).getMessage().contains("64 hex"));
        assertTrue(refused(r -> ((ArrayNode) r.get("chunks")).set(2, json.getNodeFactory().textNode("00")))
                .getMessage().contains("chunks[2]"));
    }

    @Test
    void refusesHugeAndNegativeSizes() {
        assertTrue(refused(r -> r.put("size", Long.MAX_VALUE)).getMessage().contains("size"));
        assertTrue(refused(r -> r.put("size", -1)).getMessage().contains("size"));
        assertTrue(refused(r -> r.put("size", "12")).getMessage().contains("whole number"));
        assertTrue(refused(r -> r.put("size", 1e30)).getMessage().contains("whole number"));
        // Within the size limit but needing more chunks than allowed at this chunk size.
        assertTrue(refused(r -> r.put("size", 1L << 40)).getMessage().contains("chunks"));
    }

    @Test
    void refusesBadChunkSizes() {
        assertTrue(refused(r -> r.put("chunkSize", 65535)).getMessage().contains("power of two"));
        assertTrue(refused(r -> r.put("chunkSize", 1024)).getMessage().contains("power of two"));
        assertTrue(refused(r -> r.put("chunkSize", 1 << 30)).getMessage().contains("power of two"));
    }

    @Test
    void refusesUnknownVersionFieldsAndTypes() {
        assertTrue(refused(r -> r.put("peerit", 3)).getMessage().contains("version 3"));
        // A version-1 manifest relabelled as a folder lacks the folder's fields.
        assertTrue(refused(r -> r.put("peerit", 2)).getMessage().contains("unknown field 'sha256'"));
        assertTrue(refused(r -> r.put("extra", 1)).getMessage().contains("unknown field 'extra'"));
        assertTrue(refused(r -> r.remove("sha256")).getMessage().contains("missing field 'sha256'"));
        assertTrue(refused(r -> r.put("chunks", "x")).getMessage().contains("array"));
        assertTrue(refused(r -> r.putArray("trackers").add("bad host:1")).getMessage().contains("tracker"));
        assertTrue(refused(r -> r.putArray("trackers").add("host:99999")).getMessage().contains("port"));
    }

    @Test
    void refusesTooManyChunkEntriesBeforeCheckingThem() {
        ManifestException e = refused(r -> {
            ArrayNode chunks = r.putArray("chunks");
            for (String h : Collections.nCopies(ManifestRules.MAX_CHUNKS + 1, "x")) {
                chunks.add(h);
            }
        });
        assertTrue(e.getMessage().contains("at most"), e.getMessage());
    }

    @Test
    void refusesMalformedJson() {
        for (String text : List.of("", "[]", "{", "{\"peerit\":1}}", "{\"peerit\":1,\"peerit\":1}", "null", "\"x\"")) {
            assertThrows(ManifestException.class, () -> codec.parse(text), text);
        }
    }

    @Test
    void readsFilesAndReportsMissingOnes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("f.p2p");
        Files.write(file, codec.toBytes(codec.parse(valid().toString())));
        assertEquals("file.txt", codec.read(file).name());
        ManifestException e = assertThrows(ManifestException.class, () -> codec.read(dir.resolve("missing.p2p")));
        assertTrue(e.getMessage().contains("does not exist"));
    }

    @Test
    void chunkSizeKeepsAboutAThousandChunks() {
        assertEquals(64 * 1024, ChunkSizing.chunkSizeFor(0));
        assertEquals(64 * 1024, ChunkSizing.chunkSizeFor(64L << 20));
        assertEquals(256 * 1024, ChunkSizing.chunkSizeFor(256L << 20));
        assertEquals(512 * 1024, ChunkSizing.chunkSizeFor((256L << 20) + 1));
        assertEquals(4 << 20, ChunkSizing.chunkSizeFor(4L << 30));
        assertEquals(16 << 20, ChunkSizing.chunkSizeFor(1L << 42));
        List<Long> sizes = new ArrayList<>(List.of(1L, 1000L, 1L << 30, 3L << 32));
        for (long size : sizes) {
            int cs = ChunkSizing.chunkSizeFor(size);
            assertTrue(ManifestRules.expectedChunkCount(size, cs) <= ChunkSizing.TARGET_CHUNKS);
        }
    }

    @Test
    void bytesInCountsTheShortLastChunkAtItsLength() throws Exception {
        Manifest m = codec.parse(valid().toString());
        java.util.BitSet all = new java.util.BitSet();
        all.set(0, m.chunkCount());
        assertEquals(m.size(), m.bytesIn(all));
        assertEquals(0, m.bytesIn(new java.util.BitSet()));
        java.util.BitSet last = new java.util.BitSet();
        last.set(m.chunkCount() - 1);
        assertEquals(m.chunkLength(m.chunkCount() - 1), m.bytesIn(last));
        java.util.BitSet first = new java.util.BitSet();
        first.set(0);
        assertEquals(m.chunkSize(), m.bytesIn(first));
    }
}
