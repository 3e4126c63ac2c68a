package org.peerit.daemon.discovery;

import io.netty.channel.EventLoop;
import org.peerit.daemon.dht.PeerLookups;
import org.peerit.protocol.manifest.SwarmId;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The DHT lookups of the swarms this daemon is in, and only those: each looks up its peers (get_peers) and then
 * announces us, at once when it joins, then every {@value #DOWNLOAD_INTERVAL_SECONDS} s while it downloads and every
 * {@value #SEED_INTERVAL_MINUTES} minutes once it seeds (announces expire from the DHT within the hour). At most
 * {@value #MAX_IN_FLIGHT} lookups run at once over all swarms and one per swarm, so a daemon resuming a thousand
 * shares does not flood the DHT. Engine thread; the node's answers hop to it.
 */
final class DhtLookups {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DhtLookups.class);
    static final long DOWNLOAD_INTERVAL_SECONDS = 60;
    static final long SEED_INTERVAL_MINUTES = 15;
    static final int MAX_IN_FLIGHT = 4;
    /** Lookups nobody answered that are tried again after a second, before the backoff starts. */
    static final int QUICK_RETRIES = 5;
    /** While the node has not heard from the DHT yet, a lookup is tried again this soon (a check, no traffic). */
    private static final long NOT_READY_RETRY_MILLIS = 250;

    private final PeerLookups dht;
    private final EventLoop loop;
    private final IntSupplier tcpPort;
    private final Map<SwarmId, Lookup> swarms = new LinkedHashMap<>();
    private int inFlight;
    private boolean retryScheduled;

    DhtLookups(PeerLookups dht, EventLoop loop, IntSupplier tcpPort) {
        this.dht = dht;
        this.loop = loop;
        this.tcpPort = tcpPort;
    }

    void join(Discovery.Swarm swarm) {
        Lookup existing = swarms.get(swarm.swarmId());
        if (existing == null || existing.swarm != swarm) {
            swarms.put(swarm.swarmId(), new Lookup(swarm));
        }
        tick(System.nanoTime());
    }

    void leave(SwarmId id) {
        swarms.remove(id);
    }

    /** The swarm has just become a seed: announce it as one soon rather than in a minute. */
    void becameSeed(SwarmId id) {
        Lookup l = swarms.get(id);
        if (l != null && !l.running) {
            l.dueNanos = System.nanoTime();
        }
    }

    void tick(long now) {
        for (Lookup l : swarms.values()) {
            if (inFlight >= MAX_IN_FLIGHT) {
                return;
            }
            if (!l.running && now - l.dueNanos >= 0) {
                start(l, now);
            }
        }
    }

    private void start(Lookup l, long now) {
        Set<InetSocketAddress> found = new HashSet<>();
        boolean started = dht.lookup(l.swarm.swarmId(), l.swarm.seed(), tcpPort.getAsInt(), true,
                address -> loop.execute(() -> {
                    if (swarms.get(l.swarm.swarmId()) == l && found.add(address)) {
                        l.swarm.addressFound(PeerSource.DHT, address);
                    }
                }),
                nodes -> loop.execute(() -> {
                    inFlight--;
                    l.running = false;
                    l.lookups++;
                    l.lastDoneNanos = System.nanoTime();
                    l.lastNodes = nodes;
                    l.lastPeers = found.size();
                    log.debug("{}: DHT lookup done: {} nodes answered, {} peers", l.swarm.name(), nodes, found.size());
                    // Nobody answered (no node known yet: we just joined, or the DHT is small), or a download found no
                    // peer yet (its seed may be announcing this very second): again soon, each second for the first
                    // few tries, then backing off, instead of waiting a minute (or announcing to nobody for the next
                    // quarter of an hour).
                    boolean empty = nodes == 0 || (found.isEmpty() && !l.swarm.seed());
                    l.unanswered = empty ? l.unanswered + 1 : 0;
                    long interval = l.swarm.seed() ? TimeUnit.MINUTES.toNanos(SEED_INTERVAL_MINUTES)
                            : TimeUnit.SECONDS.toNanos(DOWNLOAD_INTERVAL_SECONDS);
                    if (l.unanswered > 0) {
                        long seconds = l.unanswered <= QUICK_RETRIES ? 1 : 1L << Math.min(l.unanswered - QUICK_RETRIES, 8);
                        interval = Math.min(interval, TimeUnit.SECONDS.toNanos(seconds));
                    }
                    l.dueNanos = l.lastDoneNanos + interval;
                }));
        if (started) {
            l.running = true;
            inFlight++;
            log.debug("{}: DHT lookup started ({} nodes known)", l.swarm.name(), dht.routingTableSize());
        } else {
            l.dueNanos = now + TimeUnit.MILLISECONDS.toNanos(NOT_READY_RETRY_MILLIS);
            if (!retryScheduled) { // the engine ticks once a second; a node about to be ready is worth checking sooner
                retryScheduled = true;
                loop.schedule(() -> {
                    retryScheduled = false;
                    tick(System.nanoTime());
                }, NOT_READY_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** What status says of a swarm's DHT lookups. */
    String status(SwarmId id) {
        Lookup l = swarms.get(id);
        if (l == null) {
            return null;
        }
        if (l.lookups == 0) {
            return l.running ? "looking up peers" : "waiting to join the DHT (" + dht.routingTableSize() + " nodes known)";
        }
        long ago = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - l.lastDoneNanos);
        return (l.running ? "looking up peers; " : "") + "last lookup " + ago + " s ago: " + l.lastNodes
                + (l.lastNodes == 1 ? " node" : " nodes") + " answered, " + l.lastPeers + (l.lastPeers == 1 ? " peer" : " peers");
    }

    private static final class Lookup {
        final Discovery.Swarm swarm;
        long dueNanos = System.nanoTime();
        boolean running;
        int lookups;
        long lastDoneNanos;
        int lastNodes;
        int lastPeers;
        int unanswered;

        Lookup(Discovery.Swarm swarm) {
            this.swarm = swarm;
        }
    }
}
