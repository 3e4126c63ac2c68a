package org.peerit.daemon.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A complete file's size and modification time as they were when its content was verified: a later difference means
 * it was edited, so it is hashed again before a byte of it is served (or, by {@code remove --delete}, deleted).
 * Taken before hashing, so an edit while hashing shows too. Of the file a link points to, if the user shared one
 * through a link: that file's content is what was verified.
 */
public record FileStamp(long size, long modifiedMillis) {
    public static FileStamp of(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileStamp(a.size(), a.lastModifiedTime().toMillis());
    }
}
