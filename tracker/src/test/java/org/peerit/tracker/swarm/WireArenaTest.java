package org.peerit.tracker.swarm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireArenaTest {
    private final SplittableRandom random = new SplittableRandom(1);

    @Test
    void recordsOfGrowingLengthSurviveEachReLayout() {
        WireArena arena = new WireArena();
        List<byte[]> stored = new ArrayList<>();
        for (int slot = 0; slot < 300; slot++) {
            byte[] wire = bytes(10 + slot % 200); // longer records keep arriving: the stride grows many times
            arena.set(slot, Unpooled.wrappedBuffer(wire));
            stored.add(wire);
        }
        for (int slot = 0; slot < stored.size(); slot++) {
            assertArrayEquals(stored.get(slot), copied(arena, slot), "slot " + slot);
            assertTrue(arena.holds(slot, Unpooled.wrappedBuffer(stored.get(slot))));
        }
    }

    @Test
    void aMovedRecordFillsTheHoleAndAReplacedOneIsUpdated() {
        WireArena arena = new WireArena();
        byte[] a = bytes(45);
        byte[] b = bytes(120);
        byte[] c = bytes(7);
        arena.set(0, Unpooled.wrappedBuffer(a));
        arena.set(1, Unpooled.wrappedBuffer(b));
        arena.set(2, Unpooled.wrappedBuffer(c));
        arena.move(2, 0);
        assertArrayEquals(c, copied(arena, 0));
        assertArrayEquals(b, copied(arena, 1));
        assertFalse(arena.holds(0, Unpooled.wrappedBuffer(a)));
        byte[] changed = b.clone();
        changed[119]++;
        assertFalse(arena.holds(1, Unpooled.wrappedBuffer(changed)), "same length, one byte different");
        arena.set(1, Unpooled.wrappedBuffer(changed));
        assertTrue(arena.holds(1, Unpooled.wrappedBuffer(changed)));
    }

    @Test
    void shrinkingGivesMemoryBackAndKeepsTheRemainingRecords() {
        WireArena arena = new WireArena();
        List<byte[]> stored = new ArrayList<>();
        for (int slot = 0; slot < 1000; slot++) {
            stored.add(bytes(45));
            arena.set(slot, Unpooled.wrappedBuffer(stored.get(slot)));
        }
        arena.trim(10);
        for (int slot = 0; slot < 10; slot++) {
            assertArrayEquals(stored.get(slot), copied(arena, slot));
        }
        arena.set(10, Unpooled.wrappedBuffer(stored.get(10))); // and it grows again
        assertArrayEquals(stored.get(10), copied(arena, 10));
    }

    @Test
    void aRecordLongerThanItsLengthByteCanSayIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new WireArena().set(0, Unpooled.wrappedBuffer(bytes(256))));
    }

    private byte[] bytes(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    private static byte[] copied(WireArena arena, int slot) {
        ByteBuf out = Unpooled.buffer();
        arena.copyTo(slot, out);
        return ByteBufUtil.getBytes(out);
    }
}
