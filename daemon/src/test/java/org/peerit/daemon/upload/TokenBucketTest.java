package org.peerit.daemon.upload;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int BLOCK = 128 * 1024;

    @Test
    void anUnlimitedBucketNeverMakesAnyoneWait() {
        TokenBucket bucket = new TokenBucket(0, 0);
        bucket.take(1L << 40, 0);
        assertTrue(bucket.unlimited());
        assertEquals(0, bucket.nanosUntilAvailable(0));
    }

    @Test
    void aSenderThatWaitsAsToldSendsTheRateOverEverySecond() {
        long rate = 20L << 20;
        TokenBucket bucket = new TokenBucket(rate, 0);
        long now = 0;
        long[] perSecond = new long[10];
        while (now < 10 * SECOND) {
            long wait = bucket.nanosUntilAvailable(now);
            if (wait > 0) {
                now += wait;
                continue;
            }
            bucket.take(BLOCK, now);
            perSecond[(int) (now / SECOND)] += BLOCK;
        }
        for (int s = 0; s < perSecond.length; s++) {
            // Within one block of the rate in every single second, not only on average.
            assertTrue(Math.abs(perSecond[s] - rate) <= BLOCK, "second " + s + ": " + perSecond[s] + " bytes");
        }
    }

    @Test
    void idleTimeBuysAtMostATenthOfASecondOfBurst() {
        long rate = 10L << 20;
        TokenBucket bucket = new TokenBucket(rate, 0);
        long now = 60 * SECOND;
        long sentAtOnce = 0;
        while (bucket.nanosUntilAvailable(now) == 0) {
            bucket.take(BLOCK, now);
            sentAtOnce += BLOCK;
        }
        assertTrue(sentAtOnce <= rate / 10 + BLOCK, sentAtOnce + " bytes after a minute idle");
        assertTrue(sentAtOnce >= rate / 10, sentAtOnce + " bytes after a minute idle");
    }

    @Test
    void aBlockLargerThanTheBalanceIsTakenAndPaidForByWaiting() {
        long rate = 1L << 20;
        TokenBucket bucket = new TokenBucket(rate, 0);
        bucket.take(rate / 2, 0); // half a second's worth, from an empty bucket
        assertEquals(SECOND / 2, bucket.nanosUntilAvailable(0));
        assertEquals(SECOND / 4, bucket.nanosUntilAvailable(SECOND / 4));
        assertEquals(0, bucket.nanosUntilAvailable(SECOND / 2));
    }
}
