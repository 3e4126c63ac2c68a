package org.peerit.daemon.storage;

import io.netty.buffer.ByteBuf;
import org.peerit.protocol.manifest.ContentFile;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * Where a share's chunks live: the files of its manifest, laid end to end in one chunk space, read and written with
 * positional I/O only (nothing is held in memory). A download writes each wanted file into its own {@code .part},
 * created when its first block arrives and never through a link, and moves it to its name once its SHA-256 matched
 * ({@link #land}). Bytes of unwanted files that share a chunk with wanted ones go to one sparse side file, so such
 * chunks can be verified and served without creating the files the user left out.
 *
 * <p>Open files are pooled ({@link FilePool}), so a folder of 100,000 files does not hold 100,000 descriptors.
 * Thread-safe: the pool and the landing state are locked, the I/O itself is positional.
 */
public final class ChunkStore implements AutoCloseable {
    private static final int HASH_BUFFER = 1 << 20;
    /** The key of the side file, where the bytes of unwanted files go. */
    public static final int SIDE_FILE = -1;

    private final Manifest manifest;
    private final List<ContentFile> files;
    private final long[] offsets;
    private final Path[] finals;
    /** The directory the content lands in: the file's, or the folder's parent. */
    private final Path base;
    private final boolean download;
    private final boolean followFirst;
    private final BitSet wanted;
    private final Path sideFile;
    /** Guards landed and created; taken inside the pool's lock (when it opens a file), never around it. */
    private final Object lock = new Object();
    private final BitSet landed;
    private final BitSet created;
    private final FilePool pool = new FilePool(new FilePool.Opener() {
        @Override
        public FileChannel open(int key, boolean forWrite) throws IOException {
            return openChannel(key, forWrite);
        }

        @Override
        public Path pathOf(int key) {
            return key == SIDE_FILE ? sideFile : isLanded(key) ? finals[key] : partPath(key);
        }
    });

    private ChunkStore(Manifest manifest, Path target, boolean download, boolean followFirst, BitSet wanted,
                       BitSet landed, Path sideFile) {
        this.manifest = manifest;
        this.files = manifest.contentFiles();
        this.offsets = files.stream().mapToLong(ContentFile::offset).toArray();
        this.finals = new Path[files.size()];
        Path dir = target.getParent();
        this.base = dir;
        for (ContentFile f : files) {
            Path p = dir;
            for (String segment : f.path()) {
                p = p.resolve(segment);
            }
            finals[f.index()] = p;
        }
        this.download = download;
        this.followFirst = followFirst;
        this.wanted = wanted;
        this.landed = landed;
        this.sideFile = sideFile;
        this.created = new BitSet(files.size());
    }

    /**
     * Complete content at {@code target} (the file, or the folder): read only. A registered single file may be a link
     * the user named; inside a folder, no link is followed.
     */
    public static ChunkStore seed(Manifest manifest, Path target, boolean followLink) {
        BitSet all = new BitSet();
        all.set(0, manifest.fileCount());
        return new ChunkStore(manifest, target, false, followLink && !manifest.isFolder(), all, (BitSet) all.clone(),
                null);
    }

    /**
     * A download landing at {@code target}: {@code wanted} files are written to their {@code .part}s (those that
     * exist already must be this daemon's, as its record says), {@code landed} ones are in place already, and bytes
     * of the others go to {@code sideFile}.
     */
    public static ChunkStore download(Manifest manifest, Path target, BitSet wanted, BitSet landed, Path sideFile)
            throws IOException {
        ChunkStore store = new ChunkStore(manifest, target, true, false, (BitSet) wanted.clone(),
                (BitSet) landed.clone(), sideFile);
        for (ContentFile f : store.files) {
            if (Files.exists(store.partPath(f.index()), LinkOption.NOFOLLOW_LINKS)) {
                store.created.set(f.index());
            }
        }
        return store;
    }

    public static Path partOf(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    public Manifest manifest() {
        return manifest;
    }

    public List<ContentFile> files() {
        return files;
    }

    public Path finalPath(int file) {
        return finals[file];
    }

    public Path partPath(int file) {
        return partOf(finals[file]);
    }

    public Path sideFile() {
        return sideFile;
    }

    public boolean isWanted(int file) {
        return wanted.get(file);
    }

    public boolean isLanded(int file) {
        synchronized (lock) {
            return landed.get(file);
        }
    }

    /** Whether the file's {@code .part} exists (this store created it, or it did when the store opened). */
    public boolean partExists(int file) {
        synchronized (lock) {
            return created.get(file);
        }
    }

    /** The first and last (exclusive) chunk that hold bytes of {@code file}; equal for an empty file. */
    public int firstChunk(int file) {
        return manifest.chunkAt(files.get(file).offset());
    }

    public int endChunk(int file) {
        ContentFile f = files.get(file);
        return f.size() == 0 ? firstChunk(file) : manifest.chunkAt(f.end() - 1) + 1;
    }

    /** The files with bytes in {@code chunk}, as indexes from {@code [0]} to {@code [1]} (exclusive). */
    public int[] filesIn(int chunk) {
        long start = manifest.chunkOffset(chunk);
        long end = start + manifest.chunkLength(chunk);
        int first = fileAt(start);
        int last = first;
        while (last < files.size() && files.get(last).offset() < end) {
            last++;
        }
        return new int[] {first, last};
    }

    /** The first file with a byte at or after {@code position} (empty files have none). */
    private int fileAt(long position) {
        int i = Arrays.binarySearch(offsets, position);
        i = Math.max(0, i < 0 ? -i - 2 : i);
        while (i > 0 && offsets[i - 1] == offsets[i]) {
            i--;
        }
        while (i < files.size() && files.get(i).end() <= position) {
            i++;
        }
        return i;
    }

    /** Reads {@code length} bytes of chunk {@code chunk} at {@code offset} into {@code dst}. */
    public void read(int chunk, int offset, int length, ByteBuf dst) throws IOException {
        long position = manifest.chunkOffset(chunk) + offset;
        long end = position + length;
        for (int i = fileAt(position); position < end; i++) {
            ContentFile f = files.get(i);
            if (f.size() == 0) {
                continue;
            }
            int n = (int) (Math.min(end, f.end()) - position);
            int key = keyFor(i);
            FilePool.Handle h = pool.acquire(key, false);
            try {
                long at = key == SIDE_FILE ? position : position - f.offset();
                if (h == null) {
                    dst.writeZero(n); // not written yet
                } else {
                    for (int left = n; left > 0; ) {
                        int read = dst.writeBytes(h.channel, at + (n - left), left);
                        if (read < 0) {
                            throw new IOException(describe(i) + " is shorter than the manifest says");
                        }
                        left -= read;
                    }
                }
            } finally {
                pool.release(h);
            }
            position += n;
        }
    }

    public void write(int chunk, int offset, ByteBuf src) throws IOException {
        if (!download) {
            throw new IOException("the content is open read-only");
        }
        long position = manifest.chunkOffset(chunk) + offset;
        for (int i = fileAt(position); src.isReadable(); i++) {
            ContentFile f = files.get(i);
            if (f.size() == 0) {
                continue;
            }
            int n = (int) Math.min(src.readableBytes(), f.end() - position);
            if (isLanded(i)) {
                src.skipBytes(n); // in place and verified already: a chunk it shares with others changes nothing of it
                position += n;
                continue;
            }
            int key = keyFor(i);
            FilePool.Handle h = pool.acquire(key, true);
            try {
                long at = key == SIDE_FILE ? position : position - f.offset();
                ByteBuf part = src.readSlice(n);
                while (part.isReadable()) {
                    at += part.readBytes(h.channel, at, part.readableBytes());
                }
                pool.written(h);
            } finally {
                pool.release(h);
            }
            position += n;
        }
    }

    /**
     * Whether chunk {@code chunk} may hold received data: its first 8 bytes are not all zero. Never-written parts of
     * a sparse {@code .part} read as zeros without touching the disk, so this tells in one small read which chunks
     * are worth hashing after a crash. A chunk whose real content starts with zeros reads as empty: it is fetched
     * again, never trusted unverified.
     */
    public boolean mayHoldData(int chunk) throws IOException {
        int n = Math.min(8, manifest.chunkLength(chunk));
        ByteBuf probe = io.netty.buffer.Unpooled.buffer(n);
        read(chunk, 0, n, probe);
        for (int i = 0; i < n; i++) {
            if (probe.getByte(i) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether chunk {@code chunk} as stored matches the manifest's hash. */
    public boolean verifyChunk(int chunk) throws IOException {
        MessageDigest digest = ManifestFactory.sha256();
        int length = manifest.chunkLength(chunk);
        ByteBuf buffer = io.netty.buffer.Unpooled.buffer(Math.min(HASH_BUFFER, length));
        for (int done = 0; done < length; ) {
            int n = Math.min(buffer.capacity(), length - done);
            buffer.clear();
            read(chunk, done, n, buffer);
            digest.update(buffer.nioBuffer());
            done += n;
        }
        return Arrays.equals(digest.digest(), manifest.chunkDigest(chunk));
    }

    /** Feeds bytes {@code from} to {@code to} of file {@code file}, as stored, into {@code digest}. */
    public void feed(MessageDigest digest, int file, long from, long to) throws IOException {
        if (from >= to) {
            return;
        }
        FilePool.Handle h = pool.acquire(file, false);
        try {
            if (h == null) {
                throw new IOException(describe(file) + " is missing");
            }
            ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.min(HASH_BUFFER, to - from));
            for (long position = from; position < to; ) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), to - position));
                int n = h.channel.read(buffer, position);
                if (n < 0) {
                    throw new IOException(describe(file) + " ended at " + position + " bytes; the manifest says "
                            + files.get(file).size());
                }
                buffer.flip();
                digest.update(buffer);
                position += n;
            }
        } finally {
            pool.release(h);
        }
    }

    /** Whether the stored file {@code file} matches its SHA-256 in the manifest (and has its size). */
    public boolean verifyFile(int file) throws IOException {
        ContentFile f = files.get(file);
        Path path = isLanded(file) ? finals[file] : partPath(file);
        if (f.size() == 0) {
            return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && Files.size(path) == 0;
        }
        FilePool.Handle h = pool.acquire(file, false);
        try {
            if (h == null || h.channel.size() != f.size()) {
                return false;
            }
        } finally {
            pool.release(h);
        }
        MessageDigest digest = ManifestFactory.sha256();
        feed(digest, file, 0, f.size());
        return Arrays.equals(digest.digest(), f.digest());
    }

    /**
     * Moves file {@code file}, verified, from its {@code .part} to its name: forced to disk first, never replacing
     * something that appeared there (false then, and the {@code .part} stays). An empty file is created there.
     */
    public boolean land(int file) throws IOException {
        Path target = finals[file];
        if (files.get(file).size() == 0) {
            ensureParents(file);
            try {
                Files.createFile(target);
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        } else if (!FinalRename.moveIntoPlace(partPath(file), target)) {
            // Not forced first: the record that makes a landed file trusted after a restart is written only after
            // force() made its data durable; until then a restart checks it again (ShareOpener's orphans).
            return false;
        }
        synchronized (lock) {
            landed.set(file); // an open channel stays valid: it is the same file under its new name
            created.clear(file);
        }
        return true;
    }

    /** File {@code file} is in place as its record says (its size and time as verified): it is read from there. */
    public void inPlace(int file) {
        synchronized (lock) {
            landed.set(file);
            created.clear(file);
        }
    }

    /**
     * Takes a wanted file that is at its name already, with no {@code .part}, as in place if its content matches the
     * manifest: a download that moved it there just before a crash, before its record said so.
     */
    public boolean adopt(int file) throws IOException {
        Path target = finals[file];
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) || isLanded(file)) {
            return false;
        }
        synchronized (lock) {
            landed.set(file);
        }
        boolean matches;
        try {
            matches = verifyFile(file);
        } catch (IOException e) {
            matches = false;
        }
        if (!matches) {
            synchronized (lock) {
                landed.clear(file);
            }
            pool.discard(file);
        }
        return matches;
    }

    /** Creates the empty folder at {@code path} (from the download directory) and those above it, never via links. */
    public void createFolder(List<String> path) throws IOException {
        mkdirs(base, path);
    }

    private void ensureParents(int file) throws IOException {
        List<String> path = files.get(file).path();
        mkdirs(base, path.subList(0, path.size() - 1));
    }

    private static void mkdirs(Path base, List<String> segments) throws IOException {
        Path p = base;
        for (String segment : segments) {
            p = p.resolve(segment);
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException(p + " is in the way (" + (Files.isSymbolicLink(p) ? "a symbolic link,"
                            + " which peerit will not write through" : "not a folder") + "); move it away");
                }
            }
        }
    }

    /** Makes written blocks durable, so a saved record never claims data a crash could lose. */
    public void force() throws IOException {
        pool.force();
    }

    /**
     * Forces the open files only; returns the files (indexes; {@link #SIDE_FILE} for the side file) written and closed
     * since the last {@link #force}, which a record made now must not claim.
     */
    public Set<Integer> forceOpen() throws IOException {
        return pool.forceOpen();
    }

    /** The chunks a file's bytes lie in; for {@link #SIDE_FILE}, those of every file not wanted. */
    public BitSet chunksOf(int key) {
        BitSet out = new BitSet(manifest.chunkCount());
        for (ContentFile f : files) {
            if (key == SIDE_FILE ? !wanted.get(f.index()) : f.index() == key) {
                out.set(firstChunk(f.index()), endChunk(f.index()));
            }
        }
        return out;
    }

    private int keyFor(int file) {
        return download && !wanted.get(file) ? SIDE_FILE : file;
    }

    private String describe(int key) {
        return key == SIDE_FILE ? sideFile.toString() : (isLanded(key) || !download ? finals[key] : partPath(key)).toString();
    }

    private FileChannel openChannel(int key, boolean forWrite) throws IOException {
        if (key == SIDE_FILE) {
            if (!forWrite && !Files.exists(sideFile, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            Files.createDirectories(sideFile.getParent());
            return FileChannel.open(sideFile, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS);
        }
        if (!download || isLanded(key)) {
            Path path = finals[key];
            if (key == 0 && followFirst) {
                return FileChannel.open(path, StandardOpenOption.READ);
            }
            return openRegular(path, StandardOpenOption.READ);
        }
        Path part = partPath(key);
        if (!partExists(key)) {
            if (!forWrite) {
                return null;
            }
            ensureParents(key);
            FileChannel ch;
            try {
                ch = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS);
            } catch (FileAlreadyExistsException e) {
                throw new FileAlreadyExistsException(part + " already exists and is not a download peerit knows of;"
                        + " move it away or choose another --dir");
            }
            synchronized (lock) {
                created.set(key);
            }
            return sized(ch, files.get(key).size());
        }
        // The record says this .part is ours; it is still opened without following links.
        return sized(openRegular(part, StandardOpenOption.READ, StandardOpenOption.WRITE), files.get(key).size());
    }

    private static FileChannel openRegular(Path path, OpenOption... modes) throws IOException {
        List<OpenOption> options = new ArrayList<>(List.of(modes));
        options.add(LinkOption.NOFOLLOW_LINKS);
        FileChannel ch;
        try {
            ch = FileChannel.open(path, options.toArray(OpenOption[]::new));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path + " is gone");
        } catch (FileSystemException e) {
            if (Files.isSymbolicLink(path)) {
                throw new IOException(path + " has been replaced by a symbolic link; peerit will not follow it."
                        + " Remove the link to share or download again");
            }
            throw e;
        }
        if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
            ch.close();
            throw new IOException(path + " is not a regular file; move it away");
        }
        return ch;
    }

    /** A {@code .part} at its final length: truncated if a crash or a hand grew it, extended (sparse) if short. */
    private static FileChannel sized(FileChannel ch, long size) throws IOException {
        try {
            if (ch.size() > size) {
                ch.truncate(size);
            }
            if (ch.size() < size) {
                ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    /** Closes every open file, after forcing what was written. */
    @Override
    public void close() {
        pool.close();
    }
}
