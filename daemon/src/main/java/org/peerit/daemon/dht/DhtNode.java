package org.peerit.daemon.dht;

import lbms.plugins.mldht.DHTConfiguration;
import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.DHTLogger;
import lbms.plugins.mldht.kad.RPCStats;
import lbms.plugins.mldht.kad.tasks.AnnounceTask;
import lbms.plugins.mldht.kad.tasks.PeerLookupTask;
import org.peerit.protocol.manifest.SwarmId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * This daemon's node of the Mainline DHT (BEP 5), on the8472's mldht as bt-dht ships it. It owns the library's
 * threads (its own scheduler: the library's default one is shared by every DHT in the JVM) and its state directory,
 * where the node id and the routing table persist, so a restart rejoins from the nodes it knew. Lookups and announces
 * are asked for by {@link DhtLookups}; their results arrive on the library's threads.
 */
public final class DhtNode implements PeerLookups, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DhtNode.class);
    /** BEP 5 keys are 20 bytes: a swarm's is the first 20 bytes of its 32-byte id, as BEP 52 truncates. */
    public static final int KEY_LENGTH = 20;
    /** While the routing table is this small, the bootstrap nodes are asked again (a node may have started later). */
    private static final int REBOOTSTRAP_BELOW = 8;

    static {
        // The library's logging is process-wide; its messages go to one logger of ours, quietly unless asked for.
        DHT.setLogger(new DHTLogger() {
            private final Logger mldht = LoggerFactory.getLogger("org.peerit.daemon.dht.mldht");

            @Override
            public void log(String message, DHT.LogLevel level) {
                if (level == DHT.LogLevel.Fatal) {
                    mldht.warn("{}", message);
                } else {
                    mldht.debug("{}", message);
                }
            }

            @Override
            public void log(Throwable error, DHT.LogLevel level) {
                if (level == DHT.LogLevel.Fatal) {
                    mldht.warn("DHT: {}", error.toString());
                } else {
                    mldht.debug("DHT: {}", error.toString());
                }
            }
        });
        DHT.setLogLevel(DHT.LogLevel.Info);
    }

    private final DHT dht = new DHT(DHT.DHTtype.IPV4_DHT);
    private final ScheduledExecutorService scheduler;
    private final DhtSettings settings;
    private final ScheduledFuture<?> rebootstrap;
    /** Only the DHT's scheduler thread reads and writes it. */
    private volatile long lastBootstrapNanos;

    private DhtNode(DhtSettings settings, InetAddress bind, Path storage) throws IOException {
        this.settings = settings;
        Files.createDirectories(storage);
        // Three threads: at start the library resolves the public routers' names on one (seconds where DNS is slow).
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(3, r -> {
            Thread t = new Thread(r, "peerit-dht");
            t.setDaemon(true);
            return t;
        });
        pool.setRemoveOnCancelPolicy(true);
        this.scheduler = pool;
        dht.setScheduler(scheduler);
        try {
            dht.start(configuration(settings, bind, storage));
        } catch (SocketException | RuntimeException e) {
            scheduler.shutdownNow();
            throw new IOException("cannot start the DHT: " + e.getMessage(), e);
        }
        this.rebootstrap = scheduler.scheduleWithFixedDelay(this::bootstrapIfAlone, 0, 1, TimeUnit.SECONDS);
    }

    /**
     * Joins the DHT on {@code settings.port()} (checked free first, so a clash is one clear error, not a node that
     * silently never binds), keeping its state in {@code storage}.
     */
    public static DhtNode start(DhtSettings settings, InetAddress bind, Path storage) throws IOException {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(bind, settings.port()))) {
            probe.setReuseAddress(false);
        } catch (SocketException e) {
            throw new IOException("cannot use UDP port " + settings.port() + " for the DHT: " + e.getMessage()
                    + " (choose another --dht-port, or --no-dht)", e);
        }
        return new DhtNode(settings, bind, storage);
    }

    private static DHTConfiguration configuration(DhtSettings settings, InetAddress bind, Path storage) {
        boolean routers = settings.bootstrap().isEmpty();
        Predicate<InetAddress> bindFilter = bind == null ? a -> true : a -> a.equals(bind);
        return new DHTConfiguration() {
            @Override
            public boolean isPersistingID() {
                return true;
            }

            @Override
            public Path getStoragePath() {
                return storage;
            }

            @Override
            public int getListeningPort() {
                return settings.port();
            }

            @Override
            public boolean noRouterBootstrap() {
                return !routers;
            }

            @Override
            public boolean allowMultiHoming() {
                return false;
            }

            @Override
            public Predicate<InetAddress> filterBindAddress() {
                return bindFilter;
            }
        };
    }

    /**
     * Pings the bootstrap nodes while we know almost nobody: every second while we know nobody at all (the socket
     * binds in the background, so the first pings may find it not yet open; a bootstrap node may start later), every
     * 15 s while we know fewer than {@value #REBOOTSTRAP_BELOW}. Name lookups block, so this runs on the DHT's threads.
     */
    private void bootstrapIfAlone() {
        if (dht.isRunning() && dht.getServerManager().getActiveServerCount() == 0) {
            // The library first asks which sockets have heard from the DHT 5 s after it starts: a download right
            // after the daemon starts would wait that long for its first lookup.
            dht.getServerManager().updateReachableEndpoints(System.currentTimeMillis());
        }
        int known = routingTableSize();
        long now = System.nanoTime();
        if (settings.bootstrap().isEmpty() || !dht.isRunning() || known >= REBOOTSTRAP_BELOW
                || (known > 0 && now - lastBootstrapNanos < TimeUnit.SECONDS.toNanos(15))) {
            return;
        }
        lastBootstrapNanos = now;
        for (String node : settings.bootstrap()) {
            int colon = node.lastIndexOf(':');
            try {
                dht.addDHTNode(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1)));
            } catch (RuntimeException e) {
                log.debug("DHT bootstrap node {}: {}", node, e.toString());
            }
        }
    }

    public int port() {
        return settings.port();
    }

    @Override
    public int routingTableSize() {
        lbms.plugins.mldht.kad.Node node = dht.getNode();
        return node == null ? 0 : node.getNumEntriesInRoutingTable();
    }

    /** Bytes this node has sent and received since it started. */
    public long[] traffic() {
        RPCStats stats = dht.getStats().getRpcStats();
        return stats == null ? new long[2] : new long[]{stats.getSentBytes(), stats.getReceivedBytes()};
    }

    public static byte[] key(SwarmId swarm) {
        return Arrays.copyOf(swarm.bytes(), KEY_LENGTH);
    }

    /**
     * Looks up the peers of {@code swarm} (get_peers), calling {@code peer} for each address a node returns, then
     * announces us (announce_peer with our TCP port) to the closest nodes that answered, unless {@code announce} is
     * false; {@code done} gets how many nodes answered. Returns false if the node cannot look up yet (no socket has
     * heard from the DHT). Callbacks run on the library's threads.
     */
    @Override
    public boolean lookup(SwarmId swarm, boolean seed, int tcpPort, boolean announce, Consumer<InetSocketAddress> peer,
                          Consumer<Integer> done) {
        if (!dht.isRunning()) {
            return false;
        }
        if (dht.getServerManager().getActiveServerCount() == 0) {
            dht.getServerManager().updateReachableEndpoints(System.currentTimeMillis()); // a ping may just have answered
            if (dht.getServerManager().getActiveServerCount() == 0) {
                return false;
            }
        }
        PeerLookupTask lookup = dht.createPeerLookup(key(swarm));
        if (lookup == null) {
            return false;
        }
        storeSelf(lookup, swarm, seed, tcpPort);
        lookup.setResultHandler((node, item) -> {
            if (item.getPort() > 0) {
                peer.accept(new InetSocketAddress(item.getInetAddress(), item.getPort()));
            }
        });
        lookup.addListener(task -> {
            if (announce && dht.isRunning()) {
                AnnounceTask a = dht.announce(lookup, seed, tcpPort);
                if (a != null) {
                    dht.getTaskManager().addTask(a);
                    dht.getTaskManager().dequeue();
                }
            }
            done.accept(task.getRecvResponses());
        });
        // addTask only queues: the library starts queued tasks on a timer whose first run is 5 s after it started.
        dht.getTaskManager().addTask(lookup);
        dht.getTaskManager().dequeue();
        return true;
    }

    /**
     * Keeps us in our own node's table of peers for {@code swarm}, as bt does: a node never asks itself, so in a small
     * DHT (two nodes, the other one just joined) the only node that could name us is us. Our address is the one the
     * DHT's answers agree they see, or the socket's own if it is bound to a public one.
     */
    private void storeSelf(PeerLookupTask lookup, SwarmId swarm, boolean seed, int tcpPort) {
        lbms.plugins.mldht.kad.RPCServer server = lookup.getRPC();
        InetSocketAddress seen = server.getConsensusExternalAddress();
        InetAddress address = seen != null ? seen.getAddress() : server.getBindAddress();
        if (address != null && !address.isAnyLocalAddress() && tcpPort > 0) {
            dht.getDatabase().store(new lbms.plugins.mldht.kad.Key(key(swarm)),
                    lbms.plugins.mldht.kad.PeerAddressDBItem.createFromAddress(address, tcpPort, seed));
        }
    }

    /** Leaves the DHT, writing the routing table for the next start. */
    @Override
    public void close() {
        rebootstrap.cancel(false);
        try {
            dht.stop();
        } catch (RuntimeException e) {
            log.debug("DHT stop: {}", e.toString());
        }
        scheduler.shutdownNow();
    }
}
