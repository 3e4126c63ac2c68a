package org.peerit.protocol.manifest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 * Hashes a file into a manifest.
 *
 * <p>The whole-file digest and the chunk digests are computed by two threads reading the file independently, so on
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

    public static Manifest create(Path file, String name, List<String> trackers, Progress progress) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            int chunkSize = ChunkSizing.chunkSizeFor(size);
            AtomicLong wholeDone = new AtomicLong();
            AtomicLong chunksDone = new AtomicLong();
            Runnable report = () -> progress.hashed((wholeDone.get() + chunksDone.get()) / 2, size);
            ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "peerit-hash");
                t.setDaemon(true);
                return t;
            });
            try {
                CompletableFuture<byte[]> whole = CompletableFuture.supplyAsync(
                        () -> hashWhole(channel, size, wholeDone, report), pool);
                CompletableFuture<List<String>> chunks = CompletableFuture.supplyAsync(
                        () -> hashChunks(channel, size, chunkSize, chunksDone, report), pool);
                byte[] digest = whole.join();
                List<String> chunkHashes = chunks.join();
                if (channel.size() != size) {
                    throw new IOException(file + " changed size while it was being hashed; try again when it is complete");
                }
                progress.hashed(size, size); // the threads' own reports may arrive out of order; this one is last
                return new Manifest(Manifest.VERSION, name, size, chunkSize, HexFormat.of().formatHex(digest),
                        chunkHashes, trackers);
            } catch (CompletionException e) {
                if (e.getCause() instanceof UncheckedIo io) {
                    throw io.getCause();
                }
                throw e;
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static byte[] hashWhole(FileChannel channel, long size, AtomicLong done, Runnable report) {
        MessageDigest digest = sha256();
        ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
        long position = 0;
        while (position < size) {
            buffer.clear();
            int n = read(channel, buffer, position, size);
            buffer.flip();
            digest.update(buffer);
            position += n;
            done.set(position);
            report.run();
        }
        return digest.digest();
    }

    private static List<String> hashChunks(FileChannel channel, long size, int chunkSize, AtomicLong done, Runnable report) {
        MessageDigest digest = sha256();
        HexFormat hex = HexFormat.of();
        ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
        List<String> out = new ArrayList<>((int) ManifestRules.expectedChunkCount(size, chunkSize));
        long position = 0;
        while (position < size) {
            long chunkEnd = Math.min(size, position + chunkSize);
            while (position < chunkEnd) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), chunkEnd - position));
                int n = read(channel, buffer, position, chunkEnd);
                buffer.flip();
                digest.update(buffer);
                position += n;
            }
            out.add(hex.formatHex(digest.digest()));
            done.set(position);
            report.run();
        }
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
