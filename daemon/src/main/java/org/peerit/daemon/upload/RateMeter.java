package org.peerit.daemon.upload;

/**
 * Bytes per second, smoothed over a few seconds; {@link #tick} is called once a second by the engine. A second in
 * which nothing moved makes it 0 at once: a transfer that ended is idle, not still "64 MiB/s" decaying for half a
 * minute.
 */
public final class RateMeter {
    private long total;
    private long lastTotal;
    private double rate;

    public void add(long bytes) {
        total += bytes;
    }

    public long total() {
        return total;
    }

    public void tick(double seconds) {
        double instant = (total - lastTotal) / seconds;
        lastTotal = total;
        rate = rate == 0 || instant == 0 ? instant : rate * 0.6 + instant * 0.4;
        if (rate < 1) {
            rate = 0;
        }
    }

    public long bytesPerSecond() {
        return (long) rate;
    }
}
