package org.peerit.tracker.nat;

import java.util.HashMap;
import java.util.Map;

/**
 * A token bucket per key (a peer asking for punches or relays): {@code burst} requests at once, then one per
 * {@code refillMillis}. Idle keys are forgotten once the table grows past {@code maxKeys}, so it stays bounded.
 */
final class RequestLimiter<K> {
    private final int burst;
    private final long refillMillis;
    private final int maxKeys;
    private final Map<K, long[]> buckets = new HashMap<>(); // {tokens, last refill millis}

    RequestLimiter(int burst, long refillMillis, int maxKeys) {
        this.burst = burst;
        this.refillMillis = refillMillis;
        this.maxKeys = maxKeys;
    }

    boolean allow(K key, long nowMillis) {
        if (buckets.size() >= maxKeys && !buckets.containsKey(key)) {
            buckets.values().removeIf(b -> b[0] + (nowMillis - b[1]) / refillMillis >= burst);
            if (buckets.size() >= maxKeys) {
                return false;
            }
        }
        long[] b = buckets.computeIfAbsent(key, k -> new long[]{burst, nowMillis});
        long refill = (nowMillis - b[1]) / refillMillis;
        if (refill > 0) {
            b[0] = Math.min(burst, b[0] + refill);
            b[1] += refill * refillMillis;
        }
        if (b[0] == 0) {
            return false;
        }
        b[0]--;
        return true;
    }
}
