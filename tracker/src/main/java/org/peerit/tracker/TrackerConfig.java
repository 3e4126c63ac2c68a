package org.peerit.tracker;

import org.peerit.tracker.http.StatsAccess;
import org.peerit.tracker.relay.RelayConfig;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * Everything a {@link Tracker} can be told at start.
 *
 * @param maxPeersPerSource  peer entries (over all swarms) one announcing socket, ip:port, may hold: one daemon's
 *                           shares. Past it, that socket's own oldest entry makes room
 * @param maxPeersPerAddress peer entries one IP may hold, over all its sockets; high, because many honest daemons
 *                           share one address behind a NAT. Past it, the oldest entry of its heaviest socket goes
 * @param newPeersPerSecond  new entries a second one socket may add (bursts of 10 s of them; ten times as many per
 *                           IP); re-announces are not counted. 0 for no limit
 * @param statsAllow         networks (CIDR) that may see which peer shares which swarm on the HTTP pages
 */
public record TrackerConfig(InetAddress bind, int port, Duration interval, int maxSwarms, int maxPeersPerSwarm,
                            int maxPeersPerSource, int maxPeersPerAddress, int newPeersPerSecond, int defaultNumWant,
                            RelayConfig relay, List<String> statsAllow) {

    public static TrackerConfig defaults(InetAddress bind, int port) {
        return new TrackerConfig(bind, port, Duration.ofMinutes(2), 100_000, 10_000, 1_000, 10_000, 50, 30,
                RelayConfig.defaults(), StatsAccess.DEFAULT);
    }

    public TrackerConfig withInterval(Duration newInterval) {
        return new TrackerConfig(bind, port, newInterval, maxSwarms, maxPeersPerSwarm, maxPeersPerSource,
                maxPeersPerAddress, newPeersPerSecond, defaultNumWant, relay, statsAllow);
    }

    public TrackerConfig withLimits(int swarms, int peersPerSwarm, int peersPerSource, int peersPerAddress,
                                    int newPerSecond) {
        return new TrackerConfig(bind, port, interval, swarms, peersPerSwarm, peersPerSource, peersPerAddress,
                newPerSecond, defaultNumWant, relay, statsAllow);
    }

    public TrackerConfig withStatsAllow(List<String> cidrs) {
        return new TrackerConfig(bind, port, interval, maxSwarms, maxPeersPerSwarm, maxPeersPerSource,
                maxPeersPerAddress, newPeersPerSecond, defaultNumWant, relay, List.copyOf(cidrs));
    }

    public TrackerConfig withRelay(RelayConfig newRelay) {
        return new TrackerConfig(bind, port, interval, maxSwarms, maxPeersPerSwarm, maxPeersPerSource,
                maxPeersPerAddress, newPeersPerSecond, defaultNumWant, newRelay, statsAllow);
    }
}
