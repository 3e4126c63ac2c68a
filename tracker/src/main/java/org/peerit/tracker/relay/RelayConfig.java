package org.peerit.tracker.relay;

import java.time.Duration;

/**
 * Bounds of the relay, which forwards datagrams for peers that cannot reach each other directly.
 *
 * @param enabled          whether the tracker relays at all ({@code --no-relay})
 * @param bytesPerSecond   forwarding rate of one pair, both directions together ({@code --relay-rate})
 * @param bytesPerPair     bytes one pair may move before its allocation is closed ({@code --relay-bytes})
 * @param lifetime         how long one allocation may live ({@code --relay-lifetime})
 * @param maxAllocations   allocations at once, over all pairs
 * @param maxPerAddress    allocations one IP address may be part of at once, so one host cannot take the relay
 */
public record RelayConfig(boolean enabled, long bytesPerSecond, long bytesPerPair, Duration lifetime,
                          int maxAllocations, int maxPerAddress) {
    /** An allocation nobody sends through for this long is closed. */
    public static final Duration IDLE = Duration.ofSeconds(60);

    public static RelayConfig defaults() {
        return new RelayConfig(true, 2L << 20, 1L << 30, Duration.ofHours(1), 256, 8);
    }
}
