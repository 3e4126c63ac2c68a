package org.peerit.protocol.manifest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hashes a file or a folder into a manifest.
 *
 * <p>The file digests and the chunk digests are computed by two threads reading the files independently, so on
 * a machine with two cores registering costs about one SHA-256 pass of wall time, not two.
 */
public final class ManifestFactory {
    private static final int READ_BUFFER = 1 << 20;

    /**
     * Receives how many of the file's bytes have been hashed so far. Reports from the two hashing threads may
     * interleave; the last call is always {@code (size, size)}.
     */
    @FunctionalInterface
    public interface Progress {
        void hashed(long bytes, long total);
    }

    private ManifestFactory() {
    }

    /** A version-1 manifest of one file (a link to a file is followed: the user named it). */
    public static Manifest create(Path file, String name, List<String> trackers, Progress progress) throws IOException {
        long size = Files.size(file);
        int chunkSize = ChunkSizing.chunkSizeFor(size);
        Hashes h = hash(List.of(file), new long[] {size}, chunkSize, progress, false);
        return new Manifest(Manifest.VERSION, name, size, chunkSize, h.files().get(0), h.chunks(), trackers);
    }

    /** A version-2 manifest of a scanned folder; its files are opened without following links. */
    public static Manifest createFolder(FolderScan scan, String name, List<String> trackers, Progress progress)
            throws IOException {
        List<Path> sources = scan.files().stream().map(FolderScan.Entry::source).toList();
        long[] sizes = scan.files().stream().mapToLong(FolderScan.Entry::size).toArray();
        long size = scan.totalSize();
        int chunkSize = ChunkSizing.chunkSizeFor(size);
        Hashes h = hash(sources, sizes, chunkSize, progress, true);
        List<FileEntry> files = new ArrayList<>(sources.size());
        for (int i = 0; i < sources.size(); i++) {
            files.add(new FileEntry(scan.files().get(i).path(), sizes[i], h.files().get(i)));
        }
        return new Manifest(Manifest.FOLDER_VERSION, name, size, chunkSize, null, h.chunks(), trackers, files,
                scan.emptyFolders());
    }

    private record Hashes(List<String> files, List<String> chunks) {
    }

    /**
     * Each file's SHA-256 on one thread and the chunks' SHA-256s over the files laid end to end on another, each
     * reading the files on its own: on two cores, about one pass of wall time.
     */
    private static Hashes hash(List<Path> sources, long[] sizes, int chunkSize, Progress progress, boolean noFollow)
            throws IOException {
        long total = 0;
        for (long s : sizes) {
            total += s;
        }
        long size = total;
        AtomicLong filesDone = new AtomicLong();
        AtomicLong chunksDone = new AtomicLong();
        Runnable report = () -> progress.hashed((filesDone.get() + chunksDone.get()) / 2, size);
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "peerit-hash");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletableFuture<List<String>> files = CompletableFuture.supplyAsync(
                    () -> hashFiles(sources, sizes, noFollow, filesDone, report), pool);
            CompletableFuture<List<String>> chunks = CompletableFuture.supplyAsync(
                    () -> hashChunks(sources, sizes, noFollow, size, chunkSize, chunksDone, report), pool);
            Hashes h = new Hashes(files.join(), chunks.join());
            progress.hashed(size, size); // the threads' own reports may arrive out of order; this one is last
            return h;
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIo io) {
                throw io.getCause();
            }
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    private static FileChannel open(Path file, boolean noFollow) {
        try {
            return noFollow ? FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)
                    : FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIo(new IOException("cannot read " + file + ": " + e.getMessage(), e));
        }
    }

    private static void sameSize(FileChannel channel, Path file, long size) throws IOException {
        if (channel.size() != size) {
            throw new IOException(file + " changed size while it was being hashed; try again when it is complete");
        }
    }

    private static List<String> hashFiles(List<Path> sources, long[] sizes, boolean noFollow, AtomicLong done,
                                          Runnable report) {
        MessageDigest digest = sha256();
        HexFormat hex = HexFormat.of();
        ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
        List<String> out = new ArrayList<>(sources.size());
        long base = 0;
        for (int f = 0; f < sources.size(); f++) {
            try (FileChannel channel = open(sources.get(f), noFollow)) {
                long position = 0;
                while (position < sizes[f]) {
                    buffer.clear();
                    int n = read(channel, buffer, position, sizes[f]);
                    buffer.flip();
                    digest.update(buffer);
                    position += n;
                    done.set(base + position);
                    report.run();
                }
                sameSize(channel, sources.get(f), sizes[f]);
            } catch (IOException e) {
                throw new UncheckedIo(e);
            }
            out.add(hex.formatHex(digest.digest()));
            base += sizes[f];
        }
        return out;
    }

    private static List<String> hashChunks(List<Path> sources, long[] sizes, boolean noFollow, long size,
                                           int chunkSize, AtomicLong done, Runnable report) {
        MessageDigest digest = sha256();
        HexFormat hex = HexFormat.of();
        ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
        List<String> out = new ArrayList<>((int) ManifestRules.expectedChunkCount(size, chunkSize));
        long inChunk = 0; // bytes of the current chunk fed so far, which may have begun in earlier files
        long base = 0;
        for (int f = 0; f < sources.size(); f++) {
            try (FileChannel channel = open(sources.get(f), noFollow)) {
                long position = 0;
                while (position < sizes[f]) {
                    long end = Math.min(sizes[f], position + (chunkSize - inChunk));
                    while (position < end) {
                        buffer.clear();
                        buffer.limit((int) Math.min(buffer.capacity(), end - position));
                        int n = read(channel, buffer, position, end);
                        buffer.flip();
                        digest.update(buffer);
                        position += n;
                        inChunk += n;
                    }
                    if (inChunk == chunkSize) {
                        out.add(hex.formatHex(digest.digest()));
                        inChunk = 0;
                        done.set(base + position);
                        report.run();
                    }
                }
                sameSize(channel, sources.get(f), sizes[f]);
            } catch (IOException e) {
                throw new UncheckedIo(e);
            }
            base += sizes[f];
        }
        if (inChunk > 0) {
            out.add(hex.formatHex(digest.digest()));
        }
        done.set(size);
        report.run();
        return out;
    }

    private static int read(FileChannel channel, ByteBuffer buffer, long position, long end) {
        try {
            int total = 0;
            while (buffer.hasRemaining() && position + total < end) {
                int n = channel.read(buffer, position + total);
                if (n < 0) {
                    throw new IOException("file ended at " + (position + total) + " bytes while being hashed; was it truncated?");
                }
                total += n;
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIo(e);
        }
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Carries an IOException across the hashing threads; unwrapped before {@link #create} returns. */
    private static final class UncheckedIo extends RuntimeException {
        UncheckedIo(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
