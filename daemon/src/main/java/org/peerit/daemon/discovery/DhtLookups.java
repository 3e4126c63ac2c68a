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
    /** While the node has not heard from the DHT yet, a lookup is tried again this soon. */
    private static final long NOT_READY_RETRY_MILLIS = 1000;

    private final PeerLookups dht;
    private final EventLoop loop;
    private final IntSupplier tcpPort;
    private final Map<SwarmId, Lookup> swarms = new LinkedHashMap<>();
    private int inFlight;

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
                    // Nobody answered (the table was empty: we just joined, or the DHT is small): again soon, backing
                    // off from 2 s, instead of announcing to nobody for the next quarter of an hour.
                    l.unanswered = nodes == 0 ? l.unanswered + 1 : 0;
                    long interval = l.swarm.seed() ? TimeUnit.MINUTES.toNanos(SEED_INTERVAL_MINUTES)
                            : TimeUnit.SECONDS.toNanos(DOWNLOAD_INTERVAL_SECONDS);
                    if (l.unanswered > 0) {
                        interval = Math.min(interval, TimeUnit.SECONDS.toNanos(1L << Math.min(l.unanswered, 8)));
                    }
                    l.dueNanos = l.lastDoneNanos + interval;
                }));
        if (started) {
            l.running = true;
            inFlight++;
            log.debug("{}: DHT lookup started ({} nodes known)", l.swarm.name(), dht.routingTableSize());
        } else {
            l.dueNanos = now + TimeUnit.MILLISECONDS.toNanos(NOT_READY_RETRY_MILLIS);
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
