package org.peerit.protocol;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/** A peer's 32-byte identity (the SHA-256 of its public key). */
public final class PeerId implements Comparable<PeerId> {
    public static final int LENGTH = 32;

    private final byte[] bytes;

    private PeerId(byte[] bytes) {
        this.bytes = bytes;
    }

    public static PeerId wrap(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("peer id must be " + LENGTH + " bytes, got " + bytes.length);
        }
        return new PeerId(bytes.clone());
    }

    public static PeerId random(SecureRandom random) {
        byte[] b = new byte[LENGTH];
        random.nextBytes(b);
        return new PeerId(b);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** Writes the id's bytes (without the copy {@link #bytes()} makes). */
    public void writeTo(io.netty.buffer.ByteBuf out) {
        out.writeBytes(bytes);
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    public String shortHex() {
        return hex().substring(0, 8);
    }

    @Override
    public int compareTo(PeerId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerId p && Arrays.equals(bytes, p.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return shortHex();
    }
}
