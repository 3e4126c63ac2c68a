package org.peerit.tracker.swarm;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * The reply bytes of a swarm's peers, one record per slot at a fixed stride in one array: a one-byte length, then
 * the peer as announce replies list it. A reply lists a run of consecutive slots, so it copies from consecutive
 * memory; with one array per peer, each reply read ~30 arrays scattered over the heap, which at 100,000 peers cost
 * a cache miss each. The stride is the longest record so far; a longer one re-lays the array out (rare: the longest
 * record, an IPv6 peer with all its candidates, is 210 bytes).
 */
final class WireArena {
    private static final int MAX_WIRE = 255;

    private byte[] records = new byte[0];
    private int stride;

    /** Stores {@code wire} (its readable bytes) as slot {@code slot}'s record; {@code slot} is at most the count. */
    void set(int slot, ByteBuf wire) {
        int length = wire.readableBytes();
        if (length > MAX_WIRE) {
            throw new IllegalArgumentException("a peer's reply form is " + length + " bytes, at most " + MAX_WIRE);
        }
        if (length + 1 > stride) {
            relayout(length + 1);
        }
        int needed = (slot + 1) * stride;
        if (needed > records.length) {
            records = Arrays.copyOf(records, Math.max(needed, records.length + records.length / 2));
        }
        int at = slot * stride;
        records[at] = (byte) length;
        wire.getBytes(wire.readerIndex(), records, at + 1, length);
    }

    /** Moves slot {@code from}'s record to slot {@code to} (a removal fills its hole with the last slot). */
    void move(int from, int to) {
        System.arraycopy(records, from * stride, records, to * stride, stride);
    }

    /** Appends slot {@code slot}'s peer to a reply. */
    void copyTo(int slot, ByteBuf out) {
        int at = slot * stride;
        out.writeBytes(records, at + 1, records[at] & 0xff);
    }

    /** Whether slot {@code slot} holds exactly {@code wire}'s readable bytes. */
    boolean holds(int slot, ByteBuf wire) {
        int at = slot * stride;
        int length = records[at] & 0xff;
        if (length != wire.readableBytes()) {
            return false;
        }
        if (wire.hasArray()) {
            int from = wire.arrayOffset() + wire.readerIndex();
            return Arrays.equals(records, at + 1, at + 1 + length, wire.array(), from, from + length);
        }
        for (int i = 0; i < length; i++) {
            if (records[at + 1 + i] != wire.getByte(wire.readerIndex() + i)) {
                return false;
            }
        }
        return true;
    }

    /** Gives memory back once a swarm has shrunk to a quarter of what the array holds. */
    void trim(int count) {
        if (stride > 0 && count * stride * 4 < records.length && records.length > 4096) {
            records = Arrays.copyOf(records, count * stride * 2);
        }
    }

    private void relayout(int newStride) {
        int count = stride == 0 ? 0 : records.length / stride;
        byte[] out = new byte[Math.max(count, 4) * newStride];
        for (int slot = 0; slot < count; slot++) {
            System.arraycopy(records, slot * stride, out, slot * newStride, stride);
        }
        records = out;
        stride = newStride;
    }
}
