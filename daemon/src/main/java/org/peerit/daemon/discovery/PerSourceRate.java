package org.peerit.daemon.discovery;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * At most {@code perSecond} datagrams a second from one address are looked at; the addresses counted are bounded
 * too (the least recently heard forgotten first), so a flood from many spoofed sources costs a fixed amount of
 * memory. One thread.
 */
final class PerSourceRate {
    private final int perSecond;
    private final int maxSources;
    /** Per source address: the second being counted and the datagrams in it. */
    private final Map<InetAddress, long[]> counts;

    PerSourceRate(int perSecond, int maxSources) {
        this.perSecond = perSecond;
        this.maxSources = maxSources;
        this.counts = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, long[]> eldest) {
                return size() > PerSourceRate.this.maxSources;
            }
        };
    }

    boolean admit(InetAddress source, long nowNanos) {
        long second = TimeUnit.NANOSECONDS.toSeconds(nowNanos);
        long[] count = counts.computeIfAbsent(source, a -> new long[]{second, 0});
        if (count[0] != second) {
            count[0] = second;
            count[1] = 0;
        }
        return ++count[1] <= perSecond;
    }

    int sourcesCounted() {
        return counts.size();
    }
}
