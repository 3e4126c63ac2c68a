package org.peerit.tracker;

import java.net.InetAddress;
import java.time.Duration;

/**
 * Everything a {@link Tracker} can be told at start.
 *
 * @param maxPeersPerAddress peer entries (over all swarms) one source IP may hold; bounds what a single host can
 *                           make the tracker store
 */
public record TrackerConfig(InetAddress bind, int port, Duration interval, int maxSwarms, int maxPeersPerSwarm,
                            int maxPeersPerAddress, int defaultNumWant) {

    public static TrackerConfig defaults(InetAddress bind, int port) {
        return new TrackerConfig(bind, port, Duration.ofMinutes(2), 100_000, 10_000, 1_000, 30);
    }

    public TrackerConfig withInterval(Duration newInterval) {
        return new TrackerConfig(bind, port, newInterval, maxSwarms, maxPeersPerSwarm, maxPeersPerAddress, defaultNumWant);
    }

    public TrackerConfig withLimits(int swarms, int peersPerSwarm, int peersPerAddress) {
        return new TrackerConfig(bind, port, interval, swarms, peersPerSwarm, peersPerAddress, defaultNumWant);
    }
}
