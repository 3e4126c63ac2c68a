package org.peerit.tracker.swarm;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * How much of the table each source holds, so that limits fall on whoever exceeds them and not on their neighbours.
 * A source is one announcing socket (ip:port: one daemon); an address is one IP, which behind a home or carrier-grade
 * NAT many honest daemons share. When a source reaches its cap, its own oldest entry makes room; when an address
 * reaches its cap, the oldest entry of the source holding most of it does (of equally busy sources, the one asking,
 * else the one that added last). New entries (not re-announces, which cost
 * nothing) are rate-limited per source and, ten times looser, per address; a refused announce is answered with a
 * LIMIT error and retried at the next interval. Entries of one source form a list, oldest first, threaded through the
 * entries themselves (two references each, instead of a collection node). Called under the table's monitor.
 */
final class SourceLoad {
    /** How long a burst of new entries may run at the steady rate: a daemon starting with its shares fits in it. */
    private static final int BURST_SECONDS = 10;
    private static final int ADDRESS_RATE_FACTOR = 10;

    private final int maxPerSource;
    private final int maxPerAddress;
    private final int newPerSecond;
    private final Map<InetSocketAddress, Source> sources = new HashMap<>();
    private final Map<InetAddress, Address> addresses = new HashMap<>();
    private long additions;

    /** @param newPerSecond new entries a second one source may add (0: no rate limit) */
    SourceLoad(int maxPerSource, int maxPerAddress, int newPerSecond) {
        this.maxPerSource = maxPerSource;
        this.maxPerAddress = maxPerAddress;
        this.newPerSecond = newPerSecond;
    }

    /** One announcing socket and the entries it holds, oldest first. */
    static final class Source {
        final InetSocketAddress endpoint;
        final Address address;
        int count;
        PeerEntry oldest;
        PeerEntry newest;
        /** When it last added an entry, in the order of all additions: floods add all the time, neighbours rarely. */
        long lastAdded;
        final Bucket bucket;

        Source(InetSocketAddress endpoint, Address address, Bucket bucket) {
            this.endpoint = endpoint;
            this.address = address;
            this.bucket = bucket;
        }
    }

    /** One IP address: its entries over all its sources. */
    static final class Address {
        final InetAddress ip;
        final Set<Source> sources = new HashSet<>();
        int count;
        final Bucket bucket;

        Address(InetAddress ip, Bucket bucket) {
            this.ip = ip;
            this.bucket = bucket;
        }
    }

    /** Why a new entry from {@code endpoint} may not be added now, or null if it may. */
    String refuseNew(InetSocketAddress endpoint, long nowMillis) {
        if (newPerSecond == 0) {
            return null;
        }
        Source source = sources.get(endpoint);
        Address address = addresses.get(endpoint.getAddress());
        if (source != null && !source.bucket.available(nowMillis)) {
            return "too many new announces from " + endpoint.getAddress().getHostAddress() + ":" + endpoint.getPort()
                    + " (at most " + newPerSecond + " a second); retried at the next interval";
        }
        if (address != null && !address.bucket.available(nowMillis)) {
            return "too many new announces from " + endpoint.getAddress().getHostAddress() + " (at most "
                    + newPerSecond * ADDRESS_RATE_FACTOR + " a second); retried at the next interval";
        }
        return null;
    }

    /**
     * The entry to drop so that one more from {@code endpoint} fits within the caps: its own oldest, or the oldest of
     * the source holding most of its address; null if it fits already.
     */
    PeerEntry victimFor(InetSocketAddress endpoint) {
        Source source = sources.get(endpoint);
        if (source != null && source.count >= maxPerSource) {
            return source.oldest;
        }
        Address address = addresses.get(endpoint.getAddress());
        if (address != null && address.count >= maxPerAddress) {
            // The busiest source pays; of equally busy ones, the one asking, else the one that added last.
            Source heaviest = null;
            for (Source s : address.sources) {
                if (heaviest == null || s.count > heaviest.count
                        || (s.count == heaviest.count && heaviest != source
                        && (s == source || s.lastAdded > heaviest.lastAdded))) {
                    heaviest = s;
                }
            }
            return heaviest.oldest;
        }
        return null;
    }

    /** A new entry from {@code endpoint}: counted, and appended as its source's newest. */
    void add(PeerEntry entry, InetSocketAddress endpoint, long nowMillis) {
        Source source = sources.get(endpoint);
        if (source == null) {
            Address address = addresses.computeIfAbsent(endpoint.getAddress(),
                    ip -> new Address(ip, new Bucket(newPerSecond * ADDRESS_RATE_FACTOR, nowMillis)));
            source = new Source(endpoint, address, new Bucket(newPerSecond, nowMillis));
            sources.put(endpoint, source);
            address.sources.add(source);
        }
        source.bucket.take(nowMillis);
        source.address.bucket.take(nowMillis);
        source.lastAdded = ++additions;
        entry.source = source;
        entry.older = source.newest;
        entry.newer = null;
        if (source.newest != null) {
            source.newest.newer = entry;
        } else {
            source.oldest = entry;
        }
        source.newest = entry;
        source.count++;
        source.address.count++;
    }

    /** {@code replacement} takes {@code old}'s place (same peer, same source, changed fields). */
    void replace(PeerEntry old, PeerEntry replacement) {
        Source source = old.source;
        replacement.source = source;
        replacement.older = old.older;
        replacement.newer = old.newer;
        if (old.older != null) {
            old.older.newer = replacement;
        } else {
            source.oldest = replacement;
        }
        if (old.newer != null) {
            old.newer.older = replacement;
        } else {
            source.newest = replacement;
        }
        old.source = null;
    }

    /** The entry left the table. */
    void remove(PeerEntry entry) {
        Source source = entry.source;
        if (source == null) {
            return;
        }
        if (entry.older != null) {
            entry.older.newer = entry.newer;
        } else {
            source.oldest = entry.newer;
        }
        if (entry.newer != null) {
            entry.newer.older = entry.older;
        } else {
            source.newest = entry.older;
        }
        entry.source = null;
        entry.older = null;
        entry.newer = null;
        source.count--;
        source.address.count--;
        // Idle sources are forgotten, buckets included: the table stays bounded by what it holds.
        if (source.count == 0) {
            sources.remove(source.endpoint);
            source.address.sources.remove(source);
            if (source.address.count == 0) {
                addresses.remove(source.address.ip);
            }
        }
    }

    /** Whether {@code entry} was announced from {@code endpoint}. */
    static boolean isFrom(PeerEntry entry, InetSocketAddress endpoint) {
        return entry.source != null && entry.source.endpoint.equals(endpoint);
    }

    int sourceCount() {
        return sources.size();
    }

    /** New entries a second, with a burst of {@link #BURST_SECONDS} of them; millisecond resolution. */
    static final class Bucket {
        private final long perSecond;
        private long tokensMilli;
        private long lastMillis;

        Bucket(long perSecond, long nowMillis) {
            this.perSecond = perSecond;
            this.tokensMilli = perSecond * BURST_SECONDS * 1000;
            this.lastMillis = nowMillis;
        }

        boolean available(long nowMillis) {
            refill(nowMillis);
            return tokensMilli >= 1000;
        }

        void take(long nowMillis) {
            refill(nowMillis);
            tokensMilli = Math.max(0, tokensMilli - 1000);
        }

        private void refill(long nowMillis) {
            long elapsed = nowMillis - lastMillis;
            if (elapsed > 0) {
                tokensMilli = Math.min(perSecond * BURST_SECONDS * 1000, tokensMilli + elapsed * perSecond);
                lastMillis = nowMillis;
            }
        }
    }
}
