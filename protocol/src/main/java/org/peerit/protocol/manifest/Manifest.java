package org.peerit.protocol.manifest;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A parsed and validated {@code .p2p} manifest: version 1 holds one file, version 2 a folder.
 *
 * <p>Instances are only created through {@link ManifestCodec#parse} or {@link ManifestFactory}, both of which
 * validate every field, so code holding a {@code Manifest} may trust its invariants: the name and every path
 * segment are safe to create in any directory, the chunk list matches the size and chunk size, and every hash is 64
 * lowercase hex digits.
 *
 * <p>A folder's files lie end to end in one chunk space, in manifest order, so a chunk may span the end of one file
 * and the start of the next (as in BitTorrent v1): a folder of 10,000 files of 1 KiB is 160 chunks, not 10,000.
 * Each file carries its own SHA-256, checked before it takes its name.
 *
 * @param sha256  version 1: the file's SHA-256; version 2: null (each file has its own)
 * @param files   version 2: the folder's files; version 1: empty
 * @param folders version 2: the folder's empty folders (those no file implies); version 1: empty
 */
public record Manifest(int version, String name, long size, int chunkSize, String sha256,
                       List<String> chunks, List<String> trackers, List<FileEntry> files,
                       List<List<String>> folders) {

    public static final int VERSION = 1;
    public static final int FOLDER_VERSION = 2;

    public Manifest {
        Objects.requireNonNull(name, "name");
        chunks = List.copyOf(chunks);
        trackers = List.copyOf(trackers);
        files = List.copyOf(files);
        folders = folders.stream().map(List::copyOf).toList();
        ManifestRules.check(version, name, size, chunkSize, sha256, chunks, trackers, files, folders);
    }

    /** A version-1 manifest: one file. */
    public Manifest(int version, String name, long size, int chunkSize, String sha256, List<String> chunks,
                    List<String> trackers) {
        this(version, name, size, chunkSize, sha256, chunks, trackers, List.of(), List.of());
    }

    public boolean isFolder() {
        return version == FOLDER_VERSION;
    }

    /** How many files: one, or the folder's (without building {@link #contentFiles}). */
    public int fileCount() {
        return isFolder() ? files.size() : 1;
    }

    /** Every file with its path from the download directory and its place in the chunk space. */
    public List<ContentFile> contentFiles() {
        if (!isFolder()) {
            return List.of(new ContentFile(0, List.of(name), 0, size, sha256));
        }
        List<ContentFile> out = new ArrayList<>(files.size());
        long offset = 0;
        for (int i = 0; i < files.size(); i++) {
            FileEntry f = files.get(i);
            List<String> path = new ArrayList<>(f.path().size() + 1);
            path.add(name);
            path.addAll(f.path());
            out.add(new ContentFile(i, path, offset, f.size(), f.sha256()));
            offset += f.size();
        }
        return out;
    }

    /** The empty folders, each with its path from the download directory (the folder's name first). */
    public List<List<String>> emptyFolders() {
        List<List<String>> out = new ArrayList<>(folders.size());
        for (List<String> f : folders) {
            List<String> path = new ArrayList<>(f.size() + 1);
            path.add(name);
            path.addAll(f);
            out.add(List.copyOf(path));
        }
        return out;
    }

    public int chunkCount() {
        return chunks.size();
    }

    /** Length in bytes of chunk {@code index}: the last chunk may be short. */
    public int chunkLength(int index) {
        Objects.checkIndex(index, chunks.size());
        long start = (long) index * chunkSize;
        return (int) Math.min(chunkSize, size - start);
    }

    public long chunkOffset(int index) {
        return (long) index * chunkSize;
    }

    /** The chunk that holds byte {@code offset} of the content. */
    public int chunkAt(long offset) {
        return (int) (offset / chunkSize);
    }

    /** How many bytes the chunks set in {@code chunks} hold (every chunk is full size but the last). */
    public long bytesIn(BitSet chunks) {
        long total = (long) chunks.cardinality() * chunkSize;
        int last = chunkCount() - 1;
        if (last >= 0 && chunks.get(last)) {
            total -= chunkSize - chunkLength(last);
        }
        return total;
    }

    public byte[] chunkDigest(int index) {
        return HexFormat.of().parseHex(chunks.get(index));
    }

    /** The one file's SHA-256 (version 1 only). */
    public byte[] fileDigest() {
        if (isFolder()) {
            throw new IllegalStateException("a folder has no single file digest; each file has its own");
        }
        return HexFormat.of().parseHex(sha256);
    }

    /** The swarm this content belongs to, independent of the tracker list. */
    public SwarmId swarmId() {
        return SwarmId.of(this);
    }

    public Manifest withTrackers(List<String> newTrackers) {
        return new Manifest(version, name, size, chunkSize, sha256, chunks, newTrackers, files, folders);
    }
}
