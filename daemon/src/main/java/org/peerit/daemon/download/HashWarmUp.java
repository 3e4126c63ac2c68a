package org.peerit.daemon.download;

import org.peerit.protocol.manifest.ManifestFactory;

import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * Hashes 8 MiB of zeros once when the engine starts, on the hashing pool. Only compiled code uses the CPU's SHA
 * instructions, so until the JIT has compiled the JDK's SHA-256 the first hashes run interpreted, many times
 * slower: a daemon's first {@code register} of 256 MiB took 0.5 s where later ones take 0.38 s. This costs about
 * 50 ms of CPU once per start, off the engine thread, through the same calls that registering (direct buffers) and
 * verifying received blocks (heap and direct buffers) make.
 */
public final class HashWarmUp implements Runnable {
    private static final int PIECE = 64 * 1024;
    private static final int ROUNDS = 64;

    @Override
    public void run() {
        MessageDigest digest = ManifestFactory.sha256();
        ByteBuffer direct = ByteBuffer.allocateDirect(PIECE);
        byte[] heap = new byte[PIECE];
        for (int i = 0; i < ROUNDS; i++) {
            digest.update(direct.clear());
            digest.update(heap);
        }
        digest.digest();
    }
}
