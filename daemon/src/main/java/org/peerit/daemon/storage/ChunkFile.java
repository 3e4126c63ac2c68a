package org.peerit.daemon.storage;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import org.peerit.protocol.manifest.Manifest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The file a share reads chunks from and (while downloading) writes blocks into, with positional I/O only: the file
 * is never held in memory. Thread-safe, as {@link FileChannel}'s positional operations are.
 * <p>
 * Reference counted: the share holds one reference until {@link #close}; a reader that may outlive the share's hold
 * (a hash on a worker thread while a finished download moves to its final name) can {@link #retain} its own.
 */
public final class ChunkFile extends AbstractReferenceCounted implements AutoCloseable {
    private static final int HASH_BUFFER = 1 << 20;

    private final Manifest manifest;
    private final FileChannel channel;
    private final boolean writable;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChunkFile(Manifest manifest, FileChannel channel, boolean writable) {
        this.manifest = manifest;
        this.channel = channel;
        this.writable = writable;
    }

    /** A complete file, only read. */
    public static ChunkFile openComplete(Manifest manifest, Path path) throws IOException {
        return new ChunkFile(manifest, FileChannel.open(path, StandardOpenOption.READ), false);
    }

    /**
     * A new download: the {@code .part} is created here, exclusively (an existing file or link of that name, ours or
     * not, is never opened, followed or truncated), and sized to the final length at once (sparse).
     */
    public static ChunkFile createPartial(Manifest manifest, Path path) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(path + " already exists and is not a download peerit knows of;"
                    + " move it away or choose another --dir");
        }
        return sized(manifest, ch, path);
    }

    /**
     * A download this daemon started (its resume state says so): the existing {@code .part} is opened without
     * following a link, and only if it is a regular file.
     */
    public static ChunkFile resumePartial(Manifest manifest, Path path) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
            if (Files.isSymbolicLink(path)) {
                throw new IOException(path + " has been replaced by a symbolic link; peerit will not write through it."
                        + " Remove the link to download again");
            }
            throw e;
        }
        if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
            ch.close();
            throw new IOException(path + " is not a regular file; move it away to download again");
        }
        return sized(manifest, ch, path);
    }

    private static ChunkFile sized(Manifest manifest, FileChannel ch, Path path) throws IOException {
        try {
            if (ch.size() > manifest.size()) {
                ch.truncate(manifest.size()); // ours (created or resumed by record), grown by a crash or a hand
            }
            if (ch.size() < manifest.size()) {
                // Extending by one byte at the end makes a sparse file of the full length.
                ch.write(ByteBuffer.wrap(new byte[1]), manifest.size() - 1);
            }
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new ChunkFile(manifest, ch, true);
    }

    public long size() throws IOException {
        return channel.size();
    }

    /** Reads {@code length} bytes of chunk {@code chunk} at {@code offset} into {@code dst}. */
    public void read(int chunk, int offset, int length, ByteBuf dst) throws IOException {
        long position = manifest.chunkOffset(chunk) + offset;
        int remaining = length;
        while (remaining > 0) {
            int n = dst.writeBytes(channel, position, remaining);
            if (n < 0) {
                throw new IOException("file is shorter than the manifest says (ended at " + position + ")");
            }
            position += n;
            remaining -= n;
        }
    }

    public void write(int chunk, int offset, ByteBuf src) throws IOException {
        if (!writable) {
            throw new IOException("file is open read-only");
        }
        long position = manifest.chunkOffset(chunk) + offset;
        while (src.isReadable()) {
            position += src.readBytes(channel, position, src.readableBytes());
        }
    }

    /**
     * Whether chunk {@code chunk} may hold received data: its first 8 bytes are not all zero. Never-written parts of
     * a sparse {@code .part} read as zeros without touching the disk, so this tells in one small read which chunks
     * are worth hashing after a crash. A chunk whose real content starts with zeros reads as empty: it is fetched
     * again, never trusted unverified.
     */
    public boolean mayHoldData(int chunk) throws IOException {
        ByteBuffer probe = ByteBuffer.allocate((int) Math.min(8, manifest.chunkLength(chunk)));
        long position = manifest.chunkOffset(chunk);
        while (probe.hasRemaining()) {
            if (channel.read(probe, position + probe.position()) < 0) {
                return false;
            }
        }
        for (int i = 0; i < probe.limit(); i++) {
            if (probe.get(i) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether chunk {@code chunk} as stored matches the manifest's hash. */
    public boolean verifyChunk(int chunk) throws IOException {
        MessageDigest digest = org.peerit.protocol.manifest.ManifestFactory.sha256();
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(HASH_BUFFER, manifest.chunkLength(chunk)));
        long position = manifest.chunkOffset(chunk);
        long end = position + manifest.chunkLength(chunk);
        hashRange(digest, buffer, position, end);
        return Arrays.equals(digest.digest(), manifest.chunkDigest(chunk));
    }

    /** Whether the whole file matches the manifest's file hash. */
    public boolean verifyFile() throws IOException {
        if (channel.size() != manifest.size()) {
            return false;
        }
        MessageDigest digest = org.peerit.protocol.manifest.ManifestFactory.sha256();
        hashRange(digest, ByteBuffer.allocateDirect(HASH_BUFFER), 0, manifest.size());
        return Arrays.equals(digest.digest(), manifest.fileDigest());
    }

    /** Feeds chunks {@code from} (inclusive) to {@code to} (exclusive), as stored, into {@code digest}. */
    public void feed(MessageDigest digest, int from, int to) throws IOException {
        if (from < to) {
            long end = manifest.chunkOffset(to - 1) + manifest.chunkLength(to - 1);
            hashRange(digest, ByteBuffer.allocateDirect(HASH_BUFFER), manifest.chunkOffset(from), end);
        }
    }

    private void hashRange(MessageDigest digest, ByteBuffer buffer, long position, long end) throws IOException {
        while (position < end) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), end - position));
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw new IOException("file ended at " + position + " bytes; the manifest says " + manifest.size());
            }
            buffer.flip();
            digest.update(buffer);
            position += n;
        }
    }

    /** Makes written blocks durable, so a saved bitfield never claims data a crash could lose. */
    public void force() throws IOException {
        if (writable) {
            channel.force(false);
        }
    }

    /** Gives up the share's reference; the file closes once other holders are done with it too. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release();
        }
    }

    @Override
    protected void deallocate() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // writes were forced before the share let go; a failing close loses nothing
        }
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        return this;
    }
}
