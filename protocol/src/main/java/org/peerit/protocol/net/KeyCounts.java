package org.peerit.protocol.net;

import java.util.HashMap;
import java.util.Map;

/**
 * How many of something each key holds, such as connections per remote address. A key leaves the map when its count
 * drops to zero, so the map is never larger than what is held. Not thread-safe: one event loop owns it.
 */
public final class KeyCounts<K> {
    private final Map<K, int[]> counts = new HashMap<>();

    public int get(K key) {
        int[] c = counts.get(key);
        return c == null ? 0 : c[0];
    }

    public void increment(K key) {
        counts.computeIfAbsent(key, k -> new int[1])[0]++;
    }

    public void decrement(K key) {
        int[] c = counts.get(key);
        if (c != null && --c[0] <= 0) {
            counts.remove(key);
        }
    }
}
