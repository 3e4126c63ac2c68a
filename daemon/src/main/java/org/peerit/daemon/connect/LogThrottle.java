package org.peerit.daemon.connect;

/**
 * At most one log line per interval for something strangers can make happen at will (refused connections, memory
 * running short under a flood), so that they cannot flood the log; the occurrences in between are counted for the next
 * line. Engine thread only.
 */
public final class LogThrottle {
    private static final long INTERVAL_NANOS = 10_000_000_000L;

    private long lastNanos;
    private boolean logged;
    private long skipped;

    /**
     * Whether this occurrence may be logged now; if so, {@link #skipped()} says how many were not since the last one.
     */
    public boolean due(long nowNanos) {
        if (logged && nowNanos - lastNanos <= INTERVAL_NANOS) {
            skipped++;
            return false;
        }
        logged = true;
        lastNanos = nowNanos;
        return true;
    }

    /** How many occurrences went unlogged before the one {@link #due} just allowed; resets the count. */
    public long skipped() {
        long n = skipped;
        skipped = 0;
        return n;
    }
}
