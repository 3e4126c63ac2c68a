package org.peerit.tracker;

import org.peerit.tracker.relay.RelayConfig;

import java.net.InetAddress;
import java.time.Duration;

/**
 * Everything a {@link Tracker} can be told at start.
 *
 * @param maxPeersPerAddress peer entries (over all swarms) one source IP may hold; bounds what a single host can
 *                           make the tracker store
 */
public record TrackerConfig(InetAddress bind, int port, Duration interval, int maxSwarms, int maxPeersPerSwarm,
                            int maxPeersPerAddress, int defaultNumWant, RelayConfig relay) {

    public static TrackerConfig defaults(InetAddress bind, int port) {
        return new TrackerConfig(bind, port, Duration.ofMinutes(2), 100_000, 10_000, 1_000, 30, RelayConfig.defaults());
    }

    public TrackerConfig withInterval(Duration newInterval) {
        return new TrackerConfig(bind, port, newInterval, maxSwarms, maxPeersPerSwarm, maxPeersPerAddress, defaultNumWant,
                relay);
    }

    public TrackerConfig withLimits(int swarms, int peersPerSwarm, int peersPerAddress) {
        return new TrackerConfig(bind, port, interval, swarms, peersPerSwarm, peersPerAddress, defaultNumWant, relay);
    }

    public TrackerConfig withRelay(RelayConfig newRelay) {
        return new TrackerConfig(bind, port, interval, maxSwarms, maxPeersPerSwarm, maxPeersPerAddress, defaultNumWant,
                newRelay);
    }
}
