package org.peerit.protocol.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reads and writes the {@code .p2p} JSON format, strictly: anything unexpected is a {@link ManifestException}. */
public final class ManifestCodec {
    /** A manifest at the largest chunk count is about 18 MB, a folder at the most entries about 20 MB more. */
    public static final long MAX_MANIFEST_BYTES = 48L * 1024 * 1024;
    private static final Set<String> FIELDS = Set.of("peerit", "name", "size", "chunkSize", "sha256", "chunks", "trackers");
    private static final Set<String> FOLDER_FIELDS = Set.of("peerit", "name", "size", "chunkSize", "files", "folders",
            "chunks", "trackers");
    private static final Set<String> FILE_FIELDS = Set.of("path", "size", "sha256");

    private final ObjectMapper mapper;

    public ManifestCodec() {
        JsonMapper m = JsonMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .build();
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(8).maxStringLength(4096).maxNumberLength(32).build());
        this.mapper = m;
    }

    public Manifest read(Path file) throws ManifestException {
        try {
            long length = Files.size(file);
            if (length > MAX_MANIFEST_BYTES) {
                throw new ManifestException(file + " is " + length + " bytes, too large for a manifest");
            }
            try (InputStream in = Files.newInputStream(file)) {
                return parse(in.readAllBytes());
            }
        } catch (NoSuchFileException e) {
            throw new ManifestException(file + " does not exist");
        } catch (IOException e) {
            throw new ManifestException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public Manifest parse(String json) throws ManifestException {
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    public Manifest parse(byte[] json) throws ManifestException {
        if (json.length > MAX_MANIFEST_BYTES) {
            throw new ManifestException("manifest is " + json.length + " bytes, too large");
        }
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ManifestException("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ManifestException("cannot read manifest: " + e.getMessage(), e);
        }
        return fromTree(root);
    }

    public Manifest fromTree(JsonNode root) throws ManifestException {
        if (root == null || !root.isObject()) {
            throw new ManifestException("a manifest must be a JSON object");
        }
        int version = intField(root, "peerit");
        if (version != Manifest.VERSION && version != Manifest.FOLDER_VERSION) {
            throw new ManifestException("unsupported manifest version " + version + " (this peerit reads versions "
                    + Manifest.VERSION + " and " + Manifest.FOLDER_VERSION + "; upgrade peerit)");
        }
        boolean folder = version == Manifest.FOLDER_VERSION;
        onlyFields(root, folder ? FOLDER_FIELDS : FIELDS, "");
        String name = textField(root, "name");
        long size = longField(root, "size");
        int chunkSize = intField(root, "chunkSize");
        String sha256 = folder ? null : textField(root, "sha256");
        List<FileEntry> files = folder ? files(root) : List.of();
        List<List<String>> folders = folder && root.has("folders") ? paths(field(root, "folders"), "folders") : List.of();
        List<String> chunks = textArray(root, "chunks", ManifestRules.MAX_CHUNKS);
        List<String> trackers = root.has("trackers") ? textArray(root, "trackers", ManifestRules.MAX_TRACKERS) : List.of();
        try {
            return new Manifest(version, name, size, chunkSize, sha256, chunks, trackers, files, folders);
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof ManifestException cause) {
                throw cause;
            }
            throw new ManifestException(e.getMessage());
        }
    }

    private static void onlyFields(JsonNode node, Set<String> allowed, String where) throws ManifestException {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new ManifestException("unknown field '" + where + name + "'");
            }
        }
    }

    private static List<FileEntry> files(JsonNode root) throws ManifestException {
        JsonNode node = array(field(root, "files"), "field 'files'", "an array", ManifestRules.MAX_ENTRIES, "entries");
        List<FileEntry> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode f = node.get(i);
            String where = "files[" + i + "]";
            if (!f.isObject()) {
                throw new ManifestException(where + " must be an object");
            }
            onlyFields(f, FILE_FIELDS, where + ".");
            List<String> path = segments(field(f, "path"), where + ".path");
            out.add(new FileEntry(path, longField(f, "size"), textField(f, "sha256")));
        }
        return out;
    }

    private static List<List<String>> paths(JsonNode node, String name) throws ManifestException {
        array(node, "field '" + name + "'", "an array", ManifestRules.MAX_ENTRIES, "entries");
        List<List<String>> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(segments(node.get(i), name + "[" + i + "]"));
        }
        return out;
    }

    private static List<String> segments(JsonNode node, String where) throws ManifestException {
        return strings(array(node, where, "an array of path segments", ManifestRules.MAX_DEPTH, "segments"), where);
    }

    /**
     * The bytes peers exchange when one has only a link (the metadata exchange): the manifest without trackers, as
     * compact JSON. One content gives the same bytes on every peer, so pieces from several peers fit together, and
     * their parse must hash to the link's swarm id.
     */
    public byte[] metadataBytes(Manifest m) {
        try {
            return mapper.writer().without(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(toTree(m.withTrackers(List.of())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode manifest", e);
        }
    }

    public byte[] toBytes(Manifest m) {
        try {
            byte[] json = mapper.writeValueAsBytes(toTree(m));
            byte[] out = new byte[json.length + 1];
            System.arraycopy(json, 0, out, 0, json.length);
            out[json.length] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode manifest", e);
        }
    }

    public ObjectNode toTree(Manifest m) {
        ObjectNode root = mapper.createObjectNode();
        root.put("peerit", m.version());
        root.put("name", m.name());
        root.put("size", m.size());
        root.put("chunkSize", m.chunkSize());
        if (m.isFolder()) {
            ArrayNode files = root.putArray("files");
            for (FileEntry f : m.files()) {
                ObjectNode file = files.addObject();
                ArrayNode path = file.putArray("path");
                f.path().forEach(path::add);
                file.put("size", f.size());
                file.put("sha256", f.sha256());
            }
            ArrayNode folders = root.putArray("folders");
            for (List<String> folder : m.folders()) {
                ArrayNode path = folders.addArray();
                folder.forEach(path::add);
            }
        } else {
            root.put("sha256", m.sha256());
        }
        ArrayNode chunks = root.putArray("chunks");
        m.chunks().forEach(chunks::add);
        ArrayNode trackers = root.putArray("trackers");
        m.trackers().forEach(trackers::add);
        return root;
    }

    private static JsonNode field(JsonNode root, String name) throws ManifestException {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            throw new ManifestException("missing field '" + name + "'");
        }
        return node;
    }

    private static int intField(JsonNode root, String name) throws ManifestException {
        JsonNode node = field(root, name);
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new ManifestException("field '" + name + "' must be a whole number");
        }
        return node.intValue();
    }

    private static long longField(JsonNode root, String name) throws ManifestException {
        JsonNode node = field(root, name);
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new ManifestException("field '" + name + "' must be a whole number");
        }
        return node.longValue();
    }

    private static String textField(JsonNode root, String name) throws ManifestException {
        JsonNode node = field(root, name);
        if (!node.isTextual()) {
            throw new ManifestException("field '" + name + "' must be a string");
        }
        return node.textValue();
    }

    private static List<String> textArray(JsonNode root, String name, int max) throws ManifestException {
        return strings(array(field(root, name), "field '" + name + "'", "an array", max, "entries"), name);
    }

    /** {@code node}, if it is an array of at most {@code max} items; else what it should be, as {@code label}'s. */
    private static JsonNode array(JsonNode node, String label, String kind, int max, String items)
            throws ManifestException {
        if (!node.isArray()) {
            throw new ManifestException(label + " must be " + kind);
        }
        if (node.size() > max) {
            throw new ManifestException(label + " has " + node.size() + " " + items + "; at most " + max
                    + " are allowed");
        }
        return node;
    }

    /** The array's strings; an item that is not one is named as {@code where[i]}. */
    private static List<String> strings(JsonNode array, String where) throws ManifestException {
        List<String> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            if (!item.isTextual()) {
                throw new ManifestException(where + "[" + i + "] must be a string");
            }
            out.add(item.textValue());
        }
        return out;
    }
}
