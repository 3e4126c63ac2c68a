package org.peerit.cli;

import org.peerit.protocol.ByteSize;
import org.peerit.protocol.manifest.TrackerAddress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A daemon's optional settings file, {@code $XDG_CONFIG_HOME/peerit/daemon-N.conf} (else
 * {@code ~/.config/peerit/daemon-N.conf}): what would otherwise be flags, one {@code key = value} a line, {@code #}
 * comments. {@code tracker} and {@code dht-bootstrap} may repeat. A flag given on the command line wins over the
 * file. Every error names the file and the line.
 * <pre>
 * tracker = tracker.example.org:59000
 * tracker = backup.example.org:59000
 * port = 51413
 * dht = off
 * max-upload-rate = 2M
 * </pre>
 */
final class DaemonConfigFile {
    static final Set<String> KEYS = Set.of("tracker", "port", "quic-port", "dht", "dht-port", "dht-bootstrap", "lan",
            "max-upload-rate", "max-download-rate");
    private static final Set<String> REPEATABLE = Set.of("tracker", "dht-bootstrap");

    private final Path file;
    private final Map<String, List<String>> values;

    private DaemonConfigFile(Path file, Map<String, List<String>> values) {
        this.file = file;
        this.values = values;
    }

    /** Where daemon {@code index}'s file is looked for. */
    static Path defaultPath(int index, Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(env.getOrDefault("HOME", "."), ".config");
        return base.resolve("peerit").resolve("daemon-" + index + ".conf");
    }

    static DaemonConfigFile none() {
        return new DaemonConfigFile(null, Map.of());
    }

    /** Reads {@code file}; a missing file is no settings. Throws with {@code file:line: what is wrong}. */
    static DaemonConfigFile read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return none();
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IOException(where + "expected 'key = value', got '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw new IOException(where + "unknown setting '" + key + "' (known: " + String.join(", ",
                        KEYS.stream().sorted().toList()) + ")");
            }
            if (values.containsKey(key) && !REPEATABLE.contains(key)) {
                throw new IOException(where + "'" + key + "' is set twice");
            }
            check(where, key, value);
            values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return new DaemonConfigFile(file, values);
    }

    private static void check(String where, String key, String value) throws IOException {
        try {
            switch (key) {
                case "tracker", "dht-bootstrap" -> TrackerAddress.parse(value);
                case "port", "quic-port", "dht-port" -> {
                    int port = Integer.parseInt(value);
                    if (port < 0 || port > 65535 || (port == 0 && key.equals("dht-port"))) {
                        throw new IllegalArgumentException("port " + value + " is outside "
                                + (key.equals("dht-port") ? "1" : "0") + "..65535");
                    }
                }
                case "dht", "lan" -> {
                    if (!value.equals("on") && !value.equals("off")) {
                        throw new IllegalArgumentException("give on or off, not '" + value + "'");
                    }
                }
                default -> ByteSize.parse(value); // the rates
            }
        } catch (NumberFormatException e) {
            throw new IOException(where + key + ": '" + value + "' is not a number");
        } catch (IllegalArgumentException e) {
            throw new IOException(where + key + ": " + e.getMessage());
        }
    }

    /** The file's values for {@code key}, in order (empty if it does not set it). */
    List<String> all(String key) {
        return values.getOrDefault(key, List.of());
    }

    /** The file's value for {@code key}, or null. */
    String get(String key) {
        List<String> v = values.get(key);
        return v == null ? null : v.get(0);
    }

    /** The file read, or null when there was none. */
    Path file() {
        return file;
    }
}
