package org.peerit.daemon.upload;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateMeterTest {
    @Test
    void aTransferThatEndedIsIdleAfterOneQuietSecond() {
        RateMeter meter = new RateMeter();
        for (int i = 0; i < 5; i++) {
            meter.add(64L << 20);
            meter.tick(1);
        }
        assertEquals(64L << 20, meter.bytesPerSecond());
        meter.add(32L << 20);
        meter.tick(1);
        assertTrue(meter.bytesPerSecond() > 32L << 20 && meter.bytesPerSecond() < 64L << 20, "smoothed while it moves");
        meter.tick(1);
        assertEquals(0, meter.bytesPerSecond(), "nothing moved for a second: idle, not a decaying 64 MiB/s");
        assertEquals(5 * (64L << 20) + (32L << 20), meter.total());
    }
}
