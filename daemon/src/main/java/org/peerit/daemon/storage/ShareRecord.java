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
 * @param written   chunks of the {@code .part} that any block was written into, base64 of the wire bitfield: after
 *                  a crash, those not yet verified are hashed again, with any whose first bytes are not zero (written
 *                  after the last save), instead of the whole, mostly sparse, file. Null in records from before it
 */
public record ShareRecord(int version, JsonNode manifest, String path, boolean complete, String have,
                          long fileSize, long fileModifiedMillis, boolean downloaded, String written) {
    public static final int VERSION = 1;
}
