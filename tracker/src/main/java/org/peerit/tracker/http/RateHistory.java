package org.peerit.tracker.http;

import java.util.function.LongSupplier;

/**
 * A counter's rate, one sample a second over the last {@value #SECONDS} seconds, for the live page's graph: a ring of
 * longs, fixed in size whatever the load. Sampled and read on the HTTP event loop.
 */
final class RateHistory {
    static final int SECONDS = 120;

    private final LongSupplier counter;
    private final long[] perSecond = new long[SECONDS];
    private int next;
    private int filled;
    private long last;

    RateHistory(LongSupplier counter) {
        this.counter = counter;
        this.last = counter.getAsLong();
    }

    /** Once a second. */
    void sample() {
        long now = counter.getAsLong();
        perSecond[next] = now - last;
        last = now;
        next = (next + 1) % SECONDS;
        filled = Math.min(SECONDS, filled + 1);
    }

    /** The samples, oldest first. */
    long[] values() {
        long[] out = new long[filled];
        for (int i = 0; i < filled; i++) {
            out[i] = perSecond[(next - filled + i + SECONDS) % SECONDS];
        }
        return out;
    }
}
