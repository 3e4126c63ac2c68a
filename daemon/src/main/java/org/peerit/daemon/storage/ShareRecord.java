package org.peerit.daemon.storage;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the daemon remembers about one share across restarts (one JSON file per share).
 *
 * @param manifest  the manifest, as JSON
 * @param path      the complete file's path (for a download: where it lands when done)
 * @param complete  whether {@code path} holds the whole verified file
 * @param have      verified chunks of the {@code .part} file, base64 of the wire bitfield (downloads only)
 * @param fileSize  size and modification time of the complete file when last verified, to notice later edits
 * @param downloaded whether peerit wrote the file (a download) rather than the user (a registered file): only what
 *                  peerit wrote may {@code peerit remove --delete} delete. Records from before it read as false
 */
public record ShareRecord(int version, JsonNode manifest, String path, boolean complete, String have,
                          long fileSize, long fileModifiedMillis, boolean downloaded) {
    public static final int VERSION = 1;
}
