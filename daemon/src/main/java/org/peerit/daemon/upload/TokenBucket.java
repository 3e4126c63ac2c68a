package org.peerit.daemon.upload;

/**
 * A token-bucket rate limit in bytes per second. Bytes are always taken (a block already on the wire cannot be
 * refused), so the balance can go negative; callers wait {@link #nanosUntilAvailable} before sending or asking for
 * more. The burst is a tenth of a second of traffic, so the rate holds over any second.
 * Used only from the engine thread.
 */
public final class TokenBucket {
    private final long bytesPerSecond;
    private final long burst;
    private double tokens;
    private long lastNanos;

    /** {@code bytesPerSecond <= 0} means unlimited. */
    public TokenBucket(long bytesPerSecond, long nowNanos) {
        this.bytesPerSecond = bytesPerSecond;
        this.burst = Math.max(bytesPerSecond / 10, 128 * 1024);
        this.tokens = 0;
        this.lastNanos = nowNanos;
    }

    public boolean unlimited() {
        return bytesPerSecond <= 0;
    }

    public long rate() {
        return bytesPerSecond;
    }

    public void take(long bytes, long nowNanos) {
        if (unlimited()) {
            return;
        }
        refill(nowNanos);
        tokens -= bytes;
    }

    /** 0 if sending may go on now, else how long until the balance is back above zero. */
    public long nanosUntilAvailable(long nowNanos) {
        if (unlimited()) {
            return 0;
        }
        refill(nowNanos);
        if (tokens >= 0) {
            return 0;
        }
        return (long) Math.ceil(-tokens * 1e9 / bytesPerSecond);
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * (double) bytesPerSecond / 1e9);
            lastNanos = nowNanos;
        }
    }
}
