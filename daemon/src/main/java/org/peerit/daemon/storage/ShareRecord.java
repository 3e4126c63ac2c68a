package org.peerit.daemon.storage;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

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
 * @param stamps    per file of the manifest, its size and modification time when it was verified in place, or null
 *                  where it is not in place yet; null in records from before folders (then {@code fileSize} and
 *                  {@code fileModifiedMillis}, which still hold the first file's, say it)
 * @param only      the --only patterns the download was started with; null or empty: every file
 */
public record ShareRecord(int version, JsonNode manifest, String path, boolean complete, String have,
                          long fileSize, long fileModifiedMillis, boolean downloaded, String written,
                          List<FileStamp> stamps, List<String> only) {
    public static final int VERSION = 1;

    /** The stamp of each file, in manifest order, from whichever fields this record has. */
    public FileStamp[] stampsFor(int files) {
        FileStamp[] out = new FileStamp[files];
        if (stamps != null && stamps.size() == files) {
            return stamps.toArray(FileStamp[]::new);
        }
        if (complete && files == 1) {
            out[0] = new FileStamp(fileSize, fileModifiedMillis);
        }
        return out;
    }
}
