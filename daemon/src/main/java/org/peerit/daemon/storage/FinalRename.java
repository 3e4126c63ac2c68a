package org.peerit.daemon.storage;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Moves a verified {@code .part} to its final name without ever replacing a file that appeared there meanwhile:
 * rename(2) would silently replace it, so the file is hard-linked to its name (which fails if the name is taken, by a
 * file or a link alike) and the {@code .part} name removed. Only where hard links are not supported does it fall
 * back to a checked rename, with the small window that leaves.
 */
public final class FinalRename {
    private FinalRename() {
    }

    /** Whether the file is now at {@code target}; false if something else is there (the .part is left as it is). */
    public static boolean moveIntoPlace(Path part, Path target) throws IOException {
        try {
            Files.createLink(target, part);
            Files.delete(part);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException e) {
            // no hard links on this file system provider: the checked rename below
        } catch (FileSystemException e) {
            if (!isLinkUnsupported(e)) {
                throw e;
            }
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target);
        }
        return true;
    }

    /** EPERM or EOPNOTSUPP from link(2): a file system without hard links (FAT, some network mounts). */
    private static boolean isLinkUnsupported(FileSystemException e) {
        String reason = e.getReason() == null ? "" : e.getReason();
        return reason.contains("not permitted") || reason.contains("not supported");
    }
}
