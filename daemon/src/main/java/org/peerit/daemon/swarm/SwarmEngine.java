package org.peerit.daemon.swarm;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.ScheduledFuture;
import org.peerit.daemon.connect.Dialling;
import org.peerit.daemon.control.DaemonInfo;
import org.peerit.daemon.dht.DhtNode;
import org.peerit.daemon.discovery.Discovery;
import org.peerit.daemon.connect.InboundGate;
import org.peerit.daemon.connect.LocalAddresses;
import org.peerit.daemon.connect.PeerChannels;
import org.peerit.daemon.download.FileDigests;
import org.peerit.daemon.download.HashWarmUp;
import org.peerit.daemon.identity.Identity;
import org.peerit.daemon.identity.PeerTls;
import org.peerit.daemon.nat.NatTraversal;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.daemon.storage.ChunkStore;
import org.peerit.daemon.storage.StateStore;
import org.peerit.daemon.tracker.TrackerClient;
import org.peerit.daemon.upload.TokenBucket;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ManifestFactory;
import org.peerit.protocol.manifest.ShareLink;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.net.Transport;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The swarm engine of one daemon: the registry of shares, the peer listener, the tracker client and NAT traversal,
 * and the threads. All swarm state lives on one event loop thread, so none of it needs locks; hashing and file-system
 * work that can block run on small worker pools and report back to that thread. Bringing shares in, checking
 * downloads, saving and removing are each their own class; this one wires them and owns their lifecycle.
 */
public final class SwarmEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SwarmEngine.class);

    private final EngineConfig config;
    private final PeerId peerId;
    private final Transport transport;
    private final EventLoopGroup group;
    private final Workers workers;
    private final Channel server;
    private final NatTraversal nat;
    private final TrackerClient trackers;
    private final Discovery discovery;
    private final TokenBucket uploadLimit;
    private final TokenBucket downloadLimit;
    private final Map<SwarmId, Share> shares = new HashMap<>();
    /** Downloads started from a link that are fetching their manifest: each becomes a share when it arrives. */
    private final Map<SwarmId, ManifestFetch> fetches = new HashMap<>();
    private final ManifestCodec codec = new ManifestCodec();
    private final ScheduledFuture<?> ticker;
    private final LocalAddresses local;
    private final PeerChannels channels;
    private final InboundGate gate;
    private final Dialling dialling;
    private final ShareSaver saver;
    private final ShareOpener opener;
    private final DownloadChecks checks;
    private final ShareRemoval removal;
    private final Services services = new Services();
    private long lastTickNanos = System.nanoTime();
    private int ticks;

    private SwarmEngine(EngineConfig config, Identity identity, StateStore store) throws IOException, InterruptedException {
        this.config = config;
        this.peerId = identity.peerId();
        this.transport = Transport.best();
        this.group = transport.newGroup(1, "peerit-engine");
        EventLoop loop = group.next();
        this.workers = new Workers(loop,
                Executors.newFixedThreadPool(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())),
                        daemonThreads("peerit-hash")),
                Executors.newCachedThreadPool(daemonThreads("peerit-io")),
                Executors.newSingleThreadExecutor(daemonThreads("peerit-save")),
                Executors.newSingleThreadExecutor(daemonThreads("peerit-land")));
        workers.hashing().execute(new HashWarmUp());
        long now = System.nanoTime();
        this.uploadLimit = new TokenBucket(config.maxUploadRate(), now);
        this.downloadLimit = new TokenBucket(config.maxDownloadRate(), now);
        this.gate = new InboundGate(config.inboundLimits());
        EngineHost host = new EngineHost(peerId, this::listenPort, this::handshakeSwarm, gate, uploadLimit, downloadLimit, loop,
                this::listener);
        this.channels = new PeerChannels(host, new PeerTls(identity), gate, loop, transport);
        try {
            this.server = new ServerBootstrap().group(loop).channel(transport.serverChannel())
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, PeerChannels.WATER_MARK)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            channels.installInbound(ch, (InetSocketAddress) ch.remoteAddress(), PeerPath.TCP, null);
                        }
                    })
                    .bind(config.bind() == null ? new InetSocketAddress(config.listenPort())
                            : new InetSocketAddress(config.bind(), config.listenPort())).sync().channel();
        } catch (Exception e) {
            shutdownExecutors();
            throw new IOException("cannot listen for peers on port " + config.listenPort() + ": " + e.getMessage()
                    + " (choose another --port)", e);
        }
        this.local = LocalAddresses.withPort(listenPort());
        try {
            this.nat = new NatTraversal(loop, transport, identity, config.bind(), config.quicPort(), this::listenPort,
                    local.candidates(), workers.blocking(), new NatEvents());
        } catch (IOException e) {
            server.close();
            shutdownExecutors();
            throw e;
        }
        this.trackers = nat.trackers();
        DhtNode dht = null;
        try {
            if (config.dht().enabled()) {
                dht = DhtNode.start(config.dht(), config.bind(), store.dataDir().resolve("dht"));
            }
            this.discovery = new Discovery(loop, trackers, config.trackers(), dht, config.lanPort(), peerId.shortHex(),
                    this::listenPort, workers.blocking());
        } catch (IOException e) {
            if (dht != null) {
                dht.close();
            }
            nat.close();
            server.close();
            shutdownExecutors();
            throw e;
        }
        this.dialling = new Dialling(loop, channels, nat, peerId, listenPort(), config.tcp(), config.maxPeersPerShare(),
                local::isLocal);
        this.saver = new ShareSaver(store, workers, codec, this::holds);
        this.opener = new ShareOpener(this, workers, saver, config, codec);
        this.checks = new DownloadChecks(this, workers, saver);
        this.removal = new ShareRemoval(this, workers, saver);
        this.ticker = loop.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /** Starts the engine and resumes every share recorded in the state store. */
    public static SwarmEngine start(EngineConfig config, Identity identity, StateStore store)
            throws IOException, InterruptedException {
        SwarmEngine engine = new SwarmEngine(config, identity, store);
        engine.opener.resumeAll();
        return engine;
    }

    private static ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public PeerId peerId() {
        return peerId;
    }

    private Channel listener() {
        return server;
    }

    public int listenPort() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The UDP port of the QUIC server socket. */
    public int quicPort() {
        return nat.quicPort();
    }

    /** The public mappings of the QUIC sockets learned by STUN, by name, for status (only those known). */
    public Map<String, String> publicMappings() {
        Map<String, String> out = new LinkedHashMap<>();
        InetSocketAddress server = nat.serverMapping();
        InetSocketAddress client = nat.clientMapping();
        if (server != null) {
            out.put("quicServerMapping", ShareStatus.endpoint(server));
        }
        if (client != null) {
            out.put("quicClientMapping", ShareStatus.endpoint(client));
        }
        return out;
    }

    /** The DHT node as status shows it, or null without one. */
    public DaemonInfo.Dht dhtInfo() {
        DhtNode dht = discovery.dht();
        if (dht == null) {
            return null;
        }
        long[] traffic = dht.traffic();
        return new DaemonInfo.Dht(dht.port(), dht.routingTableSize(), traffic[0], traffic[1]);
    }

    /** Inbound connections held now (waiting for a handshake, and established) and refused so far. */
    public CompletableFuture<InboundGate.Stats> inboundStats() {
        return call(gate::stats);
    }

    /** Runs {@code task} on the engine thread. */
    public <T> CompletableFuture<T> call(Callable<T> task) {
        CompletableFuture<T> out = new CompletableFuture<>();
        workers.loop().execute(() -> {
            try {
                out.complete(task.call());
            } catch (Throwable t) {
                out.completeExceptionally(t);
            }
        });
        return out;
    }

    // ---- shares --------------------------------------------------------------------------------------------------

    /**
     * Hashes {@code file} (reporting progress), makes its manifest and starts seeding it. If the same content is
     * already shared, returns that share.
     */
    public CompletableFuture<Share> register(Path file, ManifestFactory.Progress progress) {
        return opener.register(file, progress).thenApply(Registration::share);
    }

    /** As {@link #register}, also saying what of a folder was skipped (links, special files). */
    public CompletableFuture<Registration> registration(Path path, ManifestFactory.Progress progress) {
        return opener.register(path, progress);
    }

    /**
     * Starts downloading {@code manifest} into {@code dir}, or returns the share already downloading or seeding it
     * there. Fails, before anything is written, if the share lives elsewhere, if the destination or a {@code .part}
     * that is not ours is in the way, or if the disk cannot hold the file.
     */
    public CompletableFuture<Share> download(Manifest manifest, Path dir) {
        return opener.download(manifest, dir, List.of());
    }

    /** As {@link #download(Manifest, Path)}, of a folder only the files the {@code only} glob patterns match. */
    public CompletableFuture<Share> download(Manifest manifest, Path dir, List<String> only) {
        return opener.download(manifest, dir, only);
    }

    /**
     * Starts a download from a link: joins the swarm and fetches the manifest from its peers (see
     * {@link ManifestFetch}); the fetch's result is the download's share. A swarm this daemon already has goes
     * straight to {@link #download(Manifest, Path, List)} with the manifest it holds.
     */
    public CompletableFuture<LinkDownload> download(ShareLink link, Path dir, List<String> only) {
        return call(() -> {
            Share existing = shares.get(link.swarm());
            if (existing != null && existing.state() != ShareState.ERROR) {
                return new LinkDownload(null, opener.download(existing.manifest(), dir, only));
            }
            ManifestFetch running = fetches.get(link.swarm());
            if (running != null) {
                if (!running.dir().equals(dir)) {
                    throw new IOException("this daemon is already fetching " + link.name() + " for " + running.dir()
                            + "; remove it first (peerit remove " + link.swarm().shortHex() + ")");
                }
                return new LinkDownload(running, running.result());
            }
            if (!java.nio.file.Files.isDirectory(dir)) {
                throw new IOException(dir + " is not a directory");
            }
            if (!java.nio.file.Files.isWritable(dir)) {
                throw new IOException(dir + " is not writable by the daemon");
            }
            ManifestFetch fetch = new ManifestFetch(fetchHost, link, dir, only, codec);
            fetches.put(link.swarm(), fetch);
            discovery.join(fetch.announcing(), link.trackers(), AnnounceEvent.STARTED);
            log.info("{}: fetching the manifest of swarm {} from peers", link.name(), link.swarm().shortHex());
            return new LinkDownload(fetch, fetch.result());
        });
    }

    /** A link download: the fetch while the manifest is being fetched (null if it was known), and the share. */
    public record LinkDownload(ManifestFetch fetch, CompletableFuture<Share> share) {
    }

    /** What link downloads ask of the engine. */
    private final ManifestFetch.FetchHost fetchHost = new ManifestFetch.FetchHost() {
        @Override
        public Dialling dialling() {
            return dialling;
        }

        @Override
        public boolean holds(ManifestFetch fetch) {
            return fetches.get(fetch.id()) == fetch;
        }

        @Override
        public String dhtStatus(SwarmId id) {
            return discovery.dhtStatus(id);
        }

        /** The trackers go on announcing for the download the fetch becomes. */
        @Override
        public CompletableFuture<Share> fetched(ManifestFetch fetch, Manifest manifest, List<String> only) {
            discovery.handOver(fetch.id());
            // The fetch stays findable until the share is in place: status never finds neither.
            return opener.download(manifest, fetch.dir(), only)
                    .whenComplete((share, failure) -> fetches.remove(fetch.id(), fetch));
        }
    };

    /**
     * Stops sharing or downloading {@code id} and forgets it. With {@code delete}, also deletes what peerit wrote for
     * it: a download's {@code .part}, or a finished download's file if it is as peerit verified it (same size and
     * modification time); never a registered file, which is the user's own, and never through a link.
     */
    public CompletableFuture<Removal> remove(SwarmId id, boolean delete) {
        return call(() -> {
            ManifestFetch fetch = shares.containsKey(id) ? null : fetches.remove(id);
            if (fetch != null) {
                discovery.leave(id);
                fetch.cancel("removed");
                log.info("{}: removed while fetching its manifest", fetch.name());
            }
            return fetch;
        }).thenCompose(fetch -> fetch != null
                ? CompletableFuture.completedFuture(new Removal(fetch.name(), id, List.of(), List.of()))
                : removal.remove(id, delete));
    }

    /** For tests in this package: the inbound caps, and the NAT traversal. */
    InboundGate gate() {
        return gate;
    }

    NatTraversal nat() {
        return nat;
    }

    Share share(SwarmId id) {
        return shares.get(id);
    }

    boolean holds(Share share) {
        return shares.get(share.id()) == share;
    }

    void put(Share share) {
        shares.put(share.id(), share);
    }

    void forget(Share share) {
        share.closeAll();
        discovery.leave(share.id());
        shares.remove(share.id());
        ChunkStore store = share.store();
        if (store != null) {
            store.close();
        }
    }

    ShareServices services() {
        return services;
    }

    /**
     * Joins {@code share} to every source of peers (the daemon's trackers and its manifest's, the DHT, the LAN), or
     * tells its trackers of {@code event} if it has joined already.
     */
    void announce(Share share, AnnounceEvent event) {
        discovery.join(share.announcing(), share.manifest().trackers(), event);
    }

    /** What shares ask of the engine. */
    private final class Services implements ShareServices {
        @Override
        public EngineConfig config() {
            return config;
        }

        @Override
        public TokenBucket downloadLimit() {
            return downloadLimit;
        }

        @Override
        public Dialling dialling() {
            return dialling;
        }

        @Override
        public boolean holds(Share share) {
            return SwarmEngine.this.holds(share);
        }

        @Override
        public void verify(Share share, int chunk, List<ByteBuf> keptBlocks) {
            checks.verify(share, chunk, keptBlocks);
        }

        @Override
        public FileDigests newDigests(Share share) {
            return checks.newDigests(share);
        }

        @Override
        public void saveSoon(Share share) {
            saver.saveSoon(share);
        }

        @Override
        public void land(Share share, int file) {
            checks.land(share, file);
        }

        @Override
        public void complete(Share share) {
            checks.complete(share);
        }

        @Override
        public String dhtStatus(SwarmId id) {
            return discovery.dhtStatus(id);
        }
    }

    // ---- peers ---------------------------------------------------------------------------------------------------

    /** What the NAT traversal tells the engine. Engine thread. */
    private final class NatEvents implements NatTraversal.Events {
        @Override
        public void inboundStream(QuicStreamChannel stream, PeerId certified, PeerPath path) {
            // Relayed peers all arrive from the tracker's address, each pair on its own port: the gate counts them so.
            InetSocketAddress remote = (InetSocketAddress) stream.parent().remoteSocketAddress();
            channels.installInbound(stream, remote, path, certified);
        }

        @Override
        public void relayClosed(InetSocketAddress relay, String reason) {
            for (Share share : shares.values()) {
                share.relayClosed(relay, reason);
            }
        }

        @Override
        public void birthdayConnected(QuicChannel connection, SwarmId swarm, PeerId peer) {
            Share share = shares.get(swarm);
            if (share == null || !share.wantsPeers() || share.isConnectedDirectly(peer) || share.isBanned(peer)) {
                connection.close();
                return;
            }
            channels.openStream(connection, share, peer, PeerPath.QUIC_PUNCHED).whenComplete((stream, failure) -> {
                if (failure != null) {
                    log.debug("{}: the birthday-punched path to peer {} failed: {}", share.name(), peer.shortHex(),
                            failure.getMessage());
                }
            });
        }
    }

    // ---- status and time -----------------------------------------------------------------------------------------

    public CompletableFuture<List<ShareStatus>> status() {
        return status(false);
    }

    /** {@code withFiles}: each folder's files with their progress, too. */
    public CompletableFuture<List<ShareStatus>> status(boolean withFiles) {
        return call(() -> {
            List<ShareStatus> out = new ArrayList<>();
            for (Share s : shares.values()) {
                out.add(s.status(withFiles));
            }
            for (ManifestFetch f : fetches.values()) {
                if (!shares.containsKey(f.id())) { // else the share it just became says it all
                    out.add(f.status());
                }
            }
            return out;
        });
    }

    public CompletableFuture<ShareStatus> status(SwarmId id) {
        return call(() -> {
            Share s = shares.get(id);
            if (s == null) {
                ManifestFetch f = fetches.get(id);
                return f == null ? null : f.status();
            }
            return s.status(false);
        });
    }

    private void tick() {
        long now = System.nanoTime();
        double seconds = Math.max(0.001, (now - lastTickNanos) / 1e9);
        lastTickNanos = now;
        ticks++;
        for (Share s : shares.values()) {
            s.tick(seconds, now, ticks);
        }
        for (ManifestFetch f : new ArrayList<>(fetches.values())) {
            f.tick(now);
        }
        discovery.tick(now);
    }

    /** The swarm an inbound handshake names: a share, or a link download still fetching its manifest. */
    private org.peerit.daemon.session.HandshakeSwarm handshakeSwarm(SwarmId id) {
        Share share = shares.get(id);
        return share != null ? share : fetches.get(id);
    }

    @Override
    public void close() {
        try {
            call(() -> {
                ticker.cancel(false);
                discovery.leaveAll();
                for (ManifestFetch f : fetches.values()) {
                    f.cancel("daemon stopping");
                }
                fetches.clear();
                for (Share s : shares.values()) {
                    s.closeAll();
                    if (s.state().acceptsPeers()) {
                        saver.save(s, true); // a clean stop: the restart trusts what was written
                    }
                }
                return null;
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("engine did not stop cleanly: {}", e.toString());
        }
        discovery.close();
        nat.close();
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        shutdownExecutors();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        for (Share s : shares.values()) {
            if (s.store() != null) {
                s.store().close();
            }
        }
    }

    private void shutdownExecutors() {
        workers.saving().shutdown();
        try {
            if (!workers.saving().awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("state saves did not finish in 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.hashing().shutdownNow();
        workers.blocking().shutdownNow();
        workers.landing().shutdownNow();
    }
}
