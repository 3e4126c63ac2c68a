package org.peerit.daemon.discovery;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bound on what LAN discovery looks at from strangers. */
class PerSourceRateTest {
    @Test
    void aFloodFromOneAddressIsCutToItsRateAndOthersStillGetThrough() throws Exception {
        PerSourceRate rate = new PerSourceRate(10, 256);
        InetAddress flooder = InetAddress.getByName("198.19.1.9");
        long now = System.nanoTime();
        int admitted = 0;
        for (int i = 0; i < 1000; i++) {
            admitted += rate.admit(flooder, now) ? 1 : 0;
        }
        assertEquals(10, admitted);
        assertTrue(rate.admit(InetAddress.getByName("198.19.1.2"), now), "a neighbour is not punished");
        assertTrue(rate.admit(flooder, now + TimeUnit.SECONDS.toNanos(1)), "the next second counts anew");
    }

    @Test
    void manySpoofedSourcesCostBoundedMemory() throws Exception {
        PerSourceRate rate = new PerSourceRate(10, 256);
        long now = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            rate.admit(InetAddress.getByAddress(new byte[]{(byte) 198, 19, (byte) (i >> 8), (byte) i}), now);
        }
        assertEquals(256, rate.sourcesCounted());
    }
}
