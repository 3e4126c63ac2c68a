package org.peerit.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Where daemon N keeps its data and its control socket, from the environment:
 * data in {@code $PEERIT_HOME/daemon-N} (default {@code $XDG_DATA_HOME/peerit}, i.e. {@code ~/.local/share/peerit}),
 * the socket in {@code $XDG_RUNTIME_DIR/peerit/daemon-N.sock} (fallback {@code /tmp/peerit-<uid>/}).
 */
public record DaemonPaths(Path dataDir, Path socketDir, Path socket) {
    /** The kernel's limit for a Unix socket path (sun_path), less the terminating NUL. */
    private static final int MAX_SOCKET_PATH = 107;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    public static DaemonPaths of(int index, Map<String, String> env) {
        if (index < 1 || index > 999) {
            throw new IllegalArgumentException("daemon index must be between 1 and 999, got " + index);
        }
        Path dataRoot;
        if (nonEmpty(env.get("PEERIT_HOME"))) {
            dataRoot = Path.of(env.get("PEERIT_HOME"));
        } else if (nonEmpty(env.get("XDG_DATA_HOME"))) {
            dataRoot = Path.of(env.get("XDG_DATA_HOME"), "peerit");
        } else {
            dataRoot = Path.of(System.getProperty("user.home"), ".local", "share", "peerit");
        }
        Path socketDir = nonEmpty(env.get("XDG_RUNTIME_DIR"))
                ? Path.of(env.get("XDG_RUNTIME_DIR"), "peerit")
                : Path.of(System.getProperty("java.io.tmpdir"), "peerit-" + currentUid());
        return new DaemonPaths(dataRoot.resolve("daemon-" + index).toAbsolutePath(), socketDir.toAbsolutePath(),
                socketDir.resolve("daemon-" + index + ".sock").toAbsolutePath());
    }

    /** Creates the data and socket directories, private to this user; refuses a socket directory someone else owns. */
    public void prepare() throws IOException {
        createPrivate(dataDir);
        createPrivate(socketDir);
        Object owner = Files.getAttribute(socketDir, "unix:uid");
        if (((Integer) owner) != currentUid()) {
            throw new IOException(socketDir + " belongs to another user; set XDG_RUNTIME_DIR to a directory of yours");
        }
        if (!Files.getPosixFilePermissions(socketDir).equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(socketDir, OWNER_ONLY);
        }
        if (socket.toString().length() > MAX_SOCKET_PATH) {
            throw new IOException("control socket path " + socket + " is longer than " + MAX_SOCKET_PATH
                    + " bytes; set XDG_RUNTIME_DIR to a shorter directory");
        }
    }

    private static void createPrivate(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (java.nio.file.FileAlreadyExistsException ignored) {
                // another daemon made it at the same moment
            }
        }
    }

    public static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return Integer.parseInt(System.getProperty("peerit.uid", "0"));
        }
    }

    private static boolean nonEmpty(String s) {
        return s != null && !s.isBlank();
    }
}
