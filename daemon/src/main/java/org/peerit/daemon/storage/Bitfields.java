package org.peerit.daemon.storage;

import java.util.BitSet;

/** Converts between {@link BitSet} and the wire layout: bit i is the most significant bit first of byte i/8. */
public final class Bitfields {
    private Bitfields() {
    }

    public static byte[] toBytes(BitSet bits, int count) {
        byte[] out = new byte[(count + 7) / 8];
        for (int i = bits.nextSetBit(0); i >= 0 && i < count; i = bits.nextSetBit(i + 1)) {
            out[i >>> 3] |= (byte) (0x80 >>> (i & 7));
        }
        return out;
    }

    /** Returns null when the bytes do not describe exactly {@code count} chunks (wrong length or spare bits set). */
    public static BitSet fromBytes(byte[] bytes, int count) {
        if (bytes.length != (count + 7) / 8) {
            return null;
        }
        BitSet out = new BitSet(count);
        for (int i = 0; i < bytes.length * 8; i++) {
            if ((bytes[i >>> 3] & (0x80 >>> (i & 7))) != 0) {
                if (i >= count) {
                    return null;
                }
                out.set(i);
            }
        }
        return out;
    }
}
