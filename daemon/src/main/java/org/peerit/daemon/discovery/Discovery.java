package org.peerit.daemon.discovery;

import io.netty.channel.EventLoop;
import org.peerit.daemon.dht.DhtNode;
import org.peerit.daemon.tracker.TrackerClient;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * How a swarm finds its peers, behind one interface: {@link #join} starts every source this daemon has (its own
 * trackers and the swarm's, the DHT, the LAN) and each source hands what it finds to the swarm's one intake (PEX
 * does so from within the sessions). A source that is down or switched off costs the others nothing: a swarm with
 * no tracker at all is found through the DHT or the LAN alone. Engine thread.
 */
public final class Discovery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Discovery.class);
    /** BEP 14: each swarm announced on the LAN every 5 minutes, and never more than once a minute. */
    static final long LAN_INTERVAL_SECONDS = 300;
    static final long LAN_MIN_INTERVAL_SECONDS = 60;

    /** A swarm as discovery sees it: what the trackers need, and where found addresses go. */
    public interface Swarm extends TrackerClient.Announcing {
        String name();

        /** A peer's TCP address, from the DHT or the LAN. */
        void addressFound(PeerSource source, InetSocketAddress address);
    }

    private final EventLoop loop;
    private final TrackerClient trackers;
    private final List<TrackerAddress> ownTrackers;
    private final DhtNode dht;
    private final DhtLookups lookups;
    private final LanDiscovery lan;
    private final Executor blocking;
    private final Map<SwarmId, Swarm> joined = new HashMap<>();
    private final Map<String, SwarmId> byKey = new HashMap<>();
    private final Map<SwarmId, Long> lanAnnouncedNanos = new HashMap<>();
    private final Set<SwarmId> lanPending = new LinkedHashSet<>();

    /**
     * @param dht     null when the daemon runs without the DHT; closed with this
     * @param lanPort the LAN discovery group's UDP port, 0 for none
     * @param cookie  tells our own LAN announces from others'
     */
    public Discovery(EventLoop loop, TrackerClient trackers, List<TrackerAddress> ownTrackers, DhtNode dht,
                     int lanPort, String cookie, IntSupplier tcpPort, Executor blocking) throws IOException {
        this.blocking = blocking;
        this.loop = loop;
        this.trackers = trackers;
        this.ownTrackers = List.copyOf(ownTrackers);
        this.dht = dht;
        this.lookups = dht == null ? null : new DhtLookups(dht, loop, tcpPort);
        this.lan = lanPort == 0 ? null : new LanDiscovery(lanPort, cookie, tcpPort.getAsInt(), this::heardOnLan);
        for (TrackerAddress t : this.ownTrackers) {
            loop.execute(() -> trackers.prepare(t));
        }
    }

    /**
     * Joins {@code swarm} to every source, telling its trackers (the daemon's and {@code swarmTrackers}) about
     * {@code event}; joining again only re-announces to the trackers, as when a download completes.
     */
    public void join(Swarm swarm, Collection<String> swarmTrackers, AnnounceEvent event) {
        for (TrackerAddress t : trackersOf(swarmTrackers)) {
            trackers.announce(swarm, t, event);
        }
        SwarmId id = swarm.swarmId();
        boolean fresh = joined.put(id, swarm) != swarm;
        if (lookups != null) {
            if (event == AnnounceEvent.COMPLETED) {
                lookups.becameSeed(id);
            }
            lookups.join(swarm);
        }
        if (fresh) {
            byKey.put(HexFormat.of().formatHex(DhtNode.key(id)), id);
            if (lan != null) {
                lanPending.add(id);
                loop.schedule(this::announceOnLan, 50, TimeUnit.MILLISECONDS); // gathers a burst of joins
            }
        }
    }

    private Set<TrackerAddress> trackersOf(Collection<String> swarmTrackers) {
        Set<TrackerAddress> targets = new LinkedHashSet<>(ownTrackers);
        for (String t : swarmTrackers) {
            try {
                targets.add(TrackerAddress.parse(t));
            } catch (IllegalArgumentException e) {
                log.debug("skipping tracker '{}': {}", t, e.getMessage()); // manifests and links are checked on entry
            }
        }
        return targets;
    }

    /** Stops every source for {@code id}, telling the trackers we leave. */
    public void leave(SwarmId id) {
        trackers.stop(id);
        forget(id);
    }

    /**
     * A link download became a share of the same swarm: its sources stop without telling the trackers we left, and
     * the share joins at once.
     */
    public void handOver(SwarmId id) {
        trackers.handOver(id);
        forget(id);
    }

    private void forget(SwarmId id) {
        joined.remove(id);
        byKey.remove(HexFormat.of().formatHex(DhtNode.key(id)));
        lanAnnouncedNanos.remove(id);
        lanPending.remove(id);
        if (lookups != null) {
            lookups.leave(id);
        }
    }

    /** A LAN peer announced {@code key} from {@code peer}; called on the LAN receiver's thread. */
    private void heardOnLan(byte[] key, InetSocketAddress peer) {
        String hex = HexFormat.of().formatHex(key);
        loop.execute(() -> {
            SwarmId id = byKey.get(hex);
            Swarm swarm = id == null ? null : joined.get(id);
            if (swarm != null) {
                swarm.addressFound(PeerSource.LAN, peer);
            }
        });
    }

    public void tick(long now) {
        if (lookups != null) {
            lookups.tick(now);
        }
        if (lan != null) {
            for (SwarmId id : joined.keySet()) {
                Long last = lanAnnouncedNanos.get(id);
                if (last != null && now - last > TimeUnit.SECONDS.toNanos(LAN_INTERVAL_SECONDS)) {
                    lanPending.add(id);
                }
            }
            if (!lanPending.isEmpty()) {
                announceOnLan();
            }
        }
    }

    private void announceOnLan() {
        long now = System.nanoTime();
        List<byte[]> keys = new ArrayList<>();
        for (var it = lanPending.iterator(); it.hasNext(); ) {
            SwarmId id = it.next();
            Long last = lanAnnouncedNanos.get(id);
            if (last != null && now - last < TimeUnit.SECONDS.toNanos(LAN_MIN_INTERVAL_SECONDS)) {
                continue; // stays pending until a minute has passed
            }
            it.remove();
            lanAnnouncedNanos.put(id, now);
            keys.add(DhtNode.key(id));
        }
        if (!keys.isEmpty()) {
            // A send blocks only briefly, but it is a system call per interface: off the engine thread.
            blocking.execute(() -> lan.announce(keys));
        }
    }

    /** What status says of the swarm's DHT lookups; null without the DHT. */
    public String dhtStatus(SwarmId id) {
        return lookups == null ? null : lookups.status(id);
    }

    /** The DHT node for the daemon's status, or null without one. */
    public DhtNode dht() {
        return dht;
    }

    public List<TrackerAddress> ownTrackers() {
        return ownTrackers;
    }

    public boolean lanEnabled() {
        return lan != null;
    }

    /** Leaves every swarm (the daemon stops). Engine thread. */
    public void leaveAll() {
        for (SwarmId id : new ArrayList<>(joined.keySet())) {
            leave(id);
        }
    }

    /** Closes the DHT node (writing its routing table) and the LAN socket. Any thread but the engine's. */
    @Override
    public void close() {
        if (lan != null) {
            lan.close();
        }
        if (dht != null) {
            dht.close();
        }
    }
}
