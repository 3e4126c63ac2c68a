package org.peerit.daemon.swarm;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.ScheduledFuture;
import org.peerit.daemon.identity.Identity;
import org.peerit.daemon.identity.PeerTls;
import org.peerit.daemon.nat.NatTraversal;
import org.peerit.daemon.storage.Bitfields;
import org.peerit.daemon.storage.ChunkFile;
import org.peerit.daemon.storage.FileStamp;
import org.peerit.daemon.storage.ShareRecord;
import org.peerit.daemon.storage.StateStore;
import org.peerit.daemon.tracker.TrackerClient;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ManifestException;
import org.peerit.protocol.manifest.ManifestFactory;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.protocol.net.Transport;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The swarm engine of one daemon: the shares, the peer listener, outgoing connections, the tracker client and the
 * workers that hash and persist. All swarm state lives on one event loop thread, so none of it needs locks; hashing
 * and file-system work that can block run on small worker pools and report back to that thread.
 */
public final class SwarmEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SwarmEngine.class);

    private final EngineConfig config;
    private final PeerId peerId;
    private final StateStore store;
    private final ManifestCodec codec = new ManifestCodec();
    private final Transport transport;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final ExecutorService hashing;
    private final ExecutorService blocking;
    private final ExecutorService saving;
    private final Channel server;
    private final NatTraversal nat;
    private final TrackerClient trackers;
    private final TokenBucket uploadLimit;
    private final TokenBucket downloadLimit;
    private final Map<SwarmId, Share> shares = new HashMap<>();
    private final Set<SwarmId> savePending = new HashSet<>();
    private final ScheduledFuture<?> ticker;
    private final List<InetSocketAddress> localCandidates;
    private final PeerChannels channels;
    private final InboundGate gate;
    private final PeerTls tls;
    private final LogThrottle memoryWarnings = new LogThrottle();
    private long lastTickNanos = System.nanoTime();
    private int ticks;

    private SwarmEngine(EngineConfig config, Identity identity, StateStore store) throws IOException, InterruptedException {
        this.config = config;
        this.peerId = identity.peerId();
        this.store = store;
        this.transport = Transport.best();
        this.group = transport.newGroup(1, "peerit-engine");
        this.loop = group.next();
        this.hashing = Executors.newFixedThreadPool(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())),
                daemonThreads("peerit-hash"));
        this.blocking = Executors.newCachedThreadPool(daemonThreads("peerit-io"));
        this.saving = Executors.newSingleThreadExecutor(daemonThreads("peerit-save"));
        hashing.execute(new HashWarmUp());
        long now = System.nanoTime();
        this.uploadLimit = new TokenBucket(config.maxUploadRate(), now);
        this.downloadLimit = new TokenBucket(config.maxDownloadRate(), now);
        this.tls = new PeerTls(identity);
        this.channels = new PeerChannels(this, loop, transport);
        this.gate = new InboundGate(config.inboundLimits());
        try {
            this.server = new ServerBootstrap().group(loop).channel(transport.serverChannel())
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, PeerChannels.WATER_MARK)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            channels.installInbound(ch, (InetSocketAddress) ch.remoteAddress(), false,
                                    new PeerSession(SwarmEngine.this, null, false, "tcp", null, null));
                        }
                    })
                    .bind(config.bind() == null ? new InetSocketAddress(config.listenPort())
                            : new InetSocketAddress(config.bind(), config.listenPort())).sync().channel();
        } catch (Exception e) {
            shutdownExecutors();
            throw new IOException("cannot listen for peers on port " + config.listenPort() + ": " + e.getMessage()
                    + " (choose another --port)", e);
        }
        this.localCandidates = localCandidates(listenPort());
        try {
            this.nat = new NatTraversal(loop, transport, identity, config.bind(), config.quicPort(), this::listenPort,
                    localCandidates, blocking, new NatEvents());
        } catch (IOException e) {
            server.close();
            shutdownExecutors();
            throw e;
        }
        this.trackers = nat.trackers();
        loop.execute(() -> trackers.prepare(config.tracker()));
        this.ticker = loop.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /** Starts the engine and resumes every share recorded in the state store. */
    public static SwarmEngine start(EngineConfig config, Identity identity, StateStore store) throws IOException, InterruptedException {
        SwarmEngine engine = new SwarmEngine(config, identity, store);
        engine.resumeAll();
        return engine;
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public PeerId peerId() {
        return peerId;
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
        Map<String, String> out = new java.util.LinkedHashMap<>();
        InetSocketAddress server = nat.serverMapping();
        InetSocketAddress client = nat.clientMapping();
        if (server != null) {
            out.put("quicServerMapping", server.getAddress().getHostAddress() + ":" + server.getPort());
        }
        if (client != null) {
            out.put("quicClientMapping", client.getAddress().getHostAddress() + ":" + client.getPort());
        }
        return out;
    }

    EngineConfig config() {
        return config;
    }

    EventLoop loop() {
        return loop;
    }

    NatTraversal nat() {
        return nat;
    }

    PeerChannels channels() {
        return channels;
    }

    PeerTls tls() {
        return tls;
    }

    InboundGate gate() {
        return gate;
    }

    /**
     * Memory ran out (an allocation failed on the engine thread): not one peer's fault, so not handled as one peer's
     * error. Every connection that has not completed a handshake is closed and no new one is accepted for a moment,
     * which gives back the memory strangers hold without touching a real transfer. Engine thread.
     */
    void memoryShortage(Throwable cause) {
        int shed = gate.shedPending();
        server.config().setAutoRead(false);
        loop.schedule(() -> server.config().setAutoRead(true), 2, TimeUnit.SECONDS);
        if (memoryWarnings.due(System.nanoTime())) {
            long skipped = memoryWarnings.skipped();
            log.error("out of memory ({}): closed {} connections without a handshake and paused accepting peers for"
                    + " 2 s{}; if this repeats, give the daemon more memory (PEERIT_DAEMON_JAVA_OPTS)", cause.getMessage(),
                    shed, skipped == 0 ? "" : " (" + skipped + " more times since the last such line)");
        }
    }

    /** Inbound connections held now (waiting for a handshake, and established) and refused so far. */
    public CompletableFuture<InboundGate.Stats> inboundStats() {
        return call(gate::stats);
    }

    TokenBucket uploadLimit() {
        return uploadLimit;
    }

    TokenBucket downloadLimit() {
        return downloadLimit;
    }

    Share share(SwarmId id) {
        return shares.get(id);
    }

    /** Runs {@code task} on the engine thread. */
    public <T> CompletableFuture<T> call(Callable<T> task) {
        CompletableFuture<T> out = new CompletableFuture<>();
        loop.execute(() -> {
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
        record Hashed(Manifest manifest, FileStamp stamp) {
        }
        CompletableFuture<Hashed> hashed = new CompletableFuture<>();
        blocking.execute(() -> {
            try {
                if (!Files.isRegularFile(file)) {
                    throw new IOException(file + " is not a regular file");
                }
                if (!Files.isReadable(file)) {
                    throw new IOException(file + " is not readable by the daemon");
                }
                String name = file.getFileName().toString();
                try {
                    org.peerit.protocol.manifest.ManifestRules.validateName(name);
                } catch (ManifestException e) {
                    throw new IOException("cannot share " + file + ": " + e.getMessage() + "; rename the file");
                }
                FileStamp before = FileStamp.of(file);
                hashed.complete(new Hashed(ManifestFactory.create(file, name, List.of(config.tracker().toString()),
                        progress), before));
            } catch (Throwable t) {
                hashed.completeExceptionally(t);
            }
        });
        return hashed.thenCompose(h -> call(() -> {
            Manifest m = h.manifest();
            Share existing = shares.get(m.swarmId());
            if (existing != null && existing.state() != ShareStatus.State.ERROR) {
                return existing;
            }
            if (existing != null) {
                forget(existing); // say, its file had gone missing and is back: share it afresh
            }
            Share share = openSeed(m, file, Share.Origin.REGISTERED, h.stamp());
            save(share);
            announce(share, AnnounceEvent.STARTED);
            log.info("{}: sharing {} ({} bytes, {} chunks), swarm {}", share.name(), file, m.size(), m.chunkCount(),
                    share.id().shortHex());
            return share;
        }));
    }

    private Share openSeed(Manifest m, Path file, Share.Origin origin, FileStamp verifiedAs) throws IOException {
        ChunkFile chunks = ChunkFile.openComplete(m, file);
        BitSet all = new BitSet(m.chunkCount());
        all.set(0, m.chunkCount());
        Share share = new Share(this, m, file, chunks, all, ShareStatus.State.SEEDING, origin);
        share.verifiedAs(verifiedAs);
        shares.put(share.id(), share);
        return share;
    }

    /**
     * Starts downloading {@code manifest} into {@code dir}, or returns the share already downloading or seeding it
     * there. Fails, before anything is written, if the share lives elsewhere, if the destination or a {@code .part}
     * that is not ours is in the way, or if the disk cannot hold the file.
     */
    public CompletableFuture<Share> download(Manifest manifest, Path dir) {
        return call(() -> {
            Path target = dir.resolve(manifest.name());
            Share existing = shares.get(manifest.swarmId());
            BitSet have = new BitSet();
            BitSet written = null;
            boolean partIsOurs = false;
            if (existing != null) {
                boolean here = existing.finalPath().equals(target);
                if (existing.state() != ShareStatus.State.ERROR) {
                    if (here) {
                        return existing;
                    }
                    throw new IOException("this daemon already " + (existing.isComplete() ? "shares " : "downloads ")
                            + existing.finalPath() + "; to have it in " + dir + " instead, remove it first (peerit remove)");
                }
                if (here) {
                    // A retry after an error (say, a full disk): into the same place, go on from what was verified.
                    have = (BitSet) existing.have().clone();
                    written = (BitSet) existing.written().clone();
                    partIsOurs = true;
                }
                forget(existing);
            }
            if (!Files.isDirectory(dir)) {
                throw new IOException(dir + " is not a directory");
            }
            if (!Files.isWritable(dir)) {
                throw new IOException(dir + " is not writable by the daemon");
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(target + " already exists; move it away or choose another --dir");
            }
            Path part = partOf(target);
            boolean partExists = Files.exists(part, LinkOption.NOFOLLOW_LINKS);
            if (partExists && !partIsOurs) {
                throw new IOException(part + " already exists and is not a download peerit knows of; move it away or"
                        + " choose another --dir");
            }
            DiskSpace.require(dir, manifest.name(), manifest.size() - manifest.bytesIn(have));
            ChunkFile chunks = partExists ? ChunkFile.resumePartial(manifest, part) : ChunkFile.createPartial(manifest, part);
            Share share = new Share(this, manifest, target, chunks, have, ShareStatus.State.CHECKING,
                    Share.Origin.DOWNLOADED);
            shares.put(share.id(), share);
            log.info("{}: downloading {} bytes into {}, swarm {}", share.name(), manifest.size(), dir, share.id().shortHex());
            save(share);
            recheckThenStart(share, partExists, written);
            return share;
        });
    }

    /** What {@link #remove} did with a share's files: those it deleted, and those it left, each with why. */
    public record Removal(String name, SwarmId swarm, List<Path> deleted, List<String> kept) {
    }

    /**
     * Stops sharing or downloading {@code id} and forgets it. With {@code delete}, also deletes what peerit wrote for
     * it: a download's {@code .part}, or a finished download's file if it is as peerit verified it (same size and
     * modification time); never a registered file, which is the user's own, and never through a link.
     */
    public CompletableFuture<Removal> remove(SwarmId id, boolean delete) {
        return call(() -> {
            Share share = shares.get(id);
            if (share == null) {
                throw new IOException("this daemon has no share " + id.shortHex());
            }
            forget(share);
            savePending.remove(id);
            log.info("{}: removed{}", share.name(), delete ? ", deleting what peerit wrote" : "");
            return share;
        }).thenApplyAsync(share -> {
            // On the saving thread, after any save of this share still queued, so no record comes back.
            List<Path> deleted = new ArrayList<>();
            List<String> kept = new ArrayList<>();
            ShareRecord record = store.load(id);
            try {
                store.delete(id);
                if (delete) {
                    deleteWhatWeWrote(share, record, deleted, kept);
                } else if (share.isComplete()) {
                    kept.add(share.finalPath().toString());
                } else if (Files.exists(share.partPath(), LinkOption.NOFOLLOW_LINKS)) {
                    kept.add(share.partPath() + " (the download so far, now yours: peerit no longer resumes it)");
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new Removal(share.name(), id, deleted, kept);
        }, saving);
    }

    private static void deleteWhatWeWrote(Share share, ShareRecord record, List<Path> deleted, List<String> kept)
            throws IOException {
        Path part = share.partPath();
        if (share.origin() == Share.Origin.DOWNLOADED && Files.isRegularFile(part, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(part); // ours: created exclusively by this daemon, or resumed by its own record
            deleted.add(part);
        }
        Path file = share.finalPath();
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) || !(share.isComplete() || record != null && record.complete())) {
            return;
        }
        if (share.origin() != Share.Origin.DOWNLOADED) {
            kept.add(file + " (registered: your own file, never deleted by peerit)");
            return;
        }
        if (record == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                || !FileStamp.of(file).equals(new FileStamp(record.fileSize(), record.fileModifiedMillis()))) {
            kept.add(file + " (changed since peerit verified it)");
            return;
        }
        Files.delete(file);
        deleted.add(file);
    }

    private void forget(Share share) {
        share.closeAll();
        trackers.stop(share.id());
        shares.remove(share.id());
        closeQuietly(share.file());
    }

    private static void closeQuietly(ChunkFile file) {
        if (file != null) {
            file.close();
        }
    }

    static Path partOf(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /**
     * Before downloading an existing {@code .part}, hashes the unverified chunks that may hold data: those the saved
     * record says were written into, and those whose first bytes are not zero (written after the last save, say
     * just before a crash). Chunks written that way are recovered instead of fetched again, nothing unverified is
     * trusted, and a restart costs one small read per chunk plus the hashing of the few chunks in flight, not a pass
     * over the whole, mostly sparse, file. A new, empty {@code .part} has nothing to check.
     */
    private void recheckThenStart(Share share, boolean partExisted, BitSet written) {
        if (!partExisted) {
            startDownloading(share, new BitSet());
            return;
        }
        Manifest m = share.manifest();
        BitSet known = (BitSet) share.have().clone();
        BitSet recorded = written == null ? new BitSet() : written;
        share.written().or(recorded);
        hashing.execute(() -> {
            BitSet recovered = new BitSet();
            try {
                for (int i = known.nextClearBit(0); i < m.chunkCount(); i = known.nextClearBit(i + 1)) {
                    if ((recorded.get(i) || share.file().mayHoldData(i)) && share.file().verifyChunk(i)) {
                        recovered.set(i);
                    }
                }
            } catch (IOException e) {
                loop.execute(() -> share.fail("cannot read " + share.partPath() + ": " + e.getMessage()));
                return;
            }
            loop.execute(() -> startDownloading(share, recovered));
        });
    }

    private void startDownloading(Share share, BitSet recovered) {
        if (shares.get(share.id()) != share) {
            return;
        }
        share.have().or(recovered);
        if (!recovered.isEmpty()) {
            log.info("{}: recovered {} verified chunks from {}", share.name(), recovered.cardinality(), share.partPath());
        }
        share.startDownloading();
        save(share);
        if (share.picker().isComplete()) {
            finish(share);
        } else {
            announce(share, AnnounceEvent.STARTED);
        }
    }

    /**
     * Hashes a fully received chunk off the engine thread; the share hears the verdict on the engine thread.
     * A rejected hashing task (engine stopping) must still release the kept blocks: the pool is only shut down after
     * the shares are closed, so this does not happen while blocks are in flight.
     */
    void verify(Share share, int chunk, List<io.netty.buffer.ByteBuf> blocks) {
        hashing.execute(() -> {
            boolean ok;
            try {
                // From the received buffers when they were kept (small chunks), else read back from the file.
                ok = blocks != null ? ReceivedBlocks.hashAndRelease(blocks, share.manifest().chunkDigest(chunk))
                        : share.file().verifyChunk(chunk);
            } catch (IOException e) {
                loop.execute(() -> share.fail("cannot read back chunk " + chunk + ": " + e.getMessage()));
                return;
            }
            loop.execute(() -> share.chunkChecked(chunk, ok));
        });
    }

    FileDigester newDigester(Share share) {
        return new FileDigester(share, hashing, loop);
    }

    /** Every chunk is verified: check the whole file's hash (mostly computed already), then move it into place. */
    void finish(Share share) {
        share.fileDigest().whenCompleteAsync((digest, failure) -> {
            try {
                if (failure != null) {
                    throw failure instanceof IOException io ? io : new IOException(failure.getMessage(), failure);
                }
                share.file().force();
                if (!java.util.Arrays.equals(digest, share.manifest().fileDigest())) {
                    loop.execute(() -> share.fail("every chunk matched but the whole-file SHA-256 did not: the manifest"
                            + " is inconsistent; ask its author for a correct one"));
                    return;
                }
                Path target = share.finalPath();
                if (!FinalRename.moveIntoPlace(share.partPath(), target)) {
                    loop.execute(() -> share.fail(target + " appeared while downloading; the verified data stays in "
                            + share.partPath()));
                    return;
                }
                ChunkFile complete = ChunkFile.openComplete(share.manifest(), target);
                FileStamp stamp = FileStamp.of(target);
                ChunkFile old = share.file();
                loop.execute(() -> {
                    if (shares.get(share.id()) != share) {
                        closeQuietly(complete); // removed while its last hash ran: no record comes back for it
                        return;
                    }
                    share.finished(complete);
                    share.verifiedAs(stamp);
                    save(share);
                    announce(share, AnnounceEvent.COMPLETED);
                    saving.execute(() -> closeQuietly(old)); // after pending saves that force it
                });
            } catch (IOException e) {
                loop.execute(() -> share.fail("cannot finish " + share.finalPath() + ": " + e.getMessage()));
            }
        }, hashing);
    }

    // ---- persistence ---------------------------------------------------------------------------------------------

    ShareRecord record(Share share) {
        boolean complete = share.isComplete();
        // As verified, not as it is now: a save after an edit must not make the edit look verified.
        FileStamp stamp = share.verifiedAs();
        long size = complete && stamp != null ? stamp.size() : 0;
        long modified = complete && stamp != null ? stamp.modifiedMillis() : 0;
        String have = Base64.getEncoder().encodeToString(Bitfields.toBytes(share.have(), share.manifest().chunkCount()));
        return new ShareRecord(ShareRecord.VERSION, codec.toTree(share.manifest()), share.finalPath().toString(),
                complete, have, size, modified, share.origin() == Share.Origin.DOWNLOADED,
                complete ? null : Base64.getEncoder().encodeToString(Bitfields.toBytes(share.written(),
                        share.manifest().chunkCount())));
    }

    /** Saves soon, coalescing the saves of many verified chunks into one write a second. */
    void saveSoon(Share share) {
        if (savePending.add(share.id())) {
            loop.schedule(() -> {
                savePending.remove(share.id());
                if (shares.get(share.id()) == share) {
                    save(share);
                }
            }, 1, TimeUnit.SECONDS);
        }
    }

    /** Flushes the share's data, then writes its record, in order, on the saving thread. */
    private void save(Share share) {
        ShareRecord record = record(share);
        ChunkFile file = share.file();
        saving.execute(() -> {
            try {
                file.force(); // data first: the record must never claim chunks a crash could lose
                store.save(share.id(), record);
            } catch (IOException e) {
                log.warn("{}: cannot save state: {}", share.name(), e.getMessage());
            }
        });
    }

    private void resumeAll() throws IOException {
        for (ShareRecord r : store.loadAll()) {
            Manifest m;
            try {
                m = codec.fromTree(r.manifest());
            } catch (ManifestException e) {
                log.warn("skipping a saved share with a bad manifest: {}", e.getMessage());
                continue;
            }
            Path path = Path.of(r.path());
            call(() -> {
                resume(m, path, r);
                return null;
            }).exceptionally(t -> {
                log.warn("{}: cannot resume: {}", m.name(), t.getMessage());
                return null;
            });
        }
    }

    private void resume(Manifest m, Path path, ShareRecord r) throws IOException {
        Share.Origin origin = r.downloaded() || !r.complete() ? Share.Origin.DOWNLOADED : Share.Origin.REGISTERED;
        if (r.complete()) {
            FileStamp recorded = new FileStamp(r.fileSize(), r.fileModifiedMillis());
            try {
                if (FileStamp.of(path).equals(recorded)) {
                    Share share = openSeed(m, path, origin, recorded);
                    announce(share, AnnounceEvent.STARTED);
                    log.info("{}: seeding {}", share.name(), path);
                    return;
                }
            } catch (NoSuchFileException e) {
                Share share = new Share(this, m, path, null, new BitSet(), ShareStatus.State.ERROR, origin);
                shares.put(share.id(), share);
                share.fail(path + " is gone; register or download it again to share it");
                return;
            }
            // Changed since we verified it: check every chunk before serving a byte.
            ChunkFile file = ChunkFile.openComplete(m, path);
            Share share = new Share(this, m, path, file, new BitSet(), ShareStatus.State.CHECKING, origin);
            shares.put(share.id(), share);
            recheckSeed(share);
            return;
        }
        BitSet have = Bitfields.fromBytes(Base64.getDecoder().decode(r.have()), m.chunkCount());
        BitSet written = r.written() == null ? null : Bitfields.fromBytes(Base64.getDecoder().decode(r.written()), m.chunkCount());
        Path part = partOf(path);
        boolean partExisted = Files.exists(part, LinkOption.NOFOLLOW_LINKS);
        ChunkFile chunks;
        try {
            if (!partExisted || have == null
                    || Files.readAttributes(part, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size() != m.size()) {
                have = new BitSet(); // the data is gone or was changed, or the record is damaged: trust nothing saved
                written = null;
            }
            // The record says this .part is ours; it is still opened without following links.
            chunks = partExisted ? ChunkFile.resumePartial(m, part) : ChunkFile.createPartial(m, part);
        } catch (IOException e) {
            Share share = new Share(this, m, path, null, new BitSet(), ShareStatus.State.ERROR, origin);
            shares.put(share.id(), share);
            share.fail("cannot resume: " + e.getMessage());
            return;
        }
        Share share = new Share(this, m, path, chunks, have, ShareStatus.State.CHECKING, origin);
        shares.put(share.id(), share);
        recheckThenStart(share, partExisted, written);
    }

    private void recheckSeed(Share share) {
        hashing.execute(() -> {
            boolean ok;
            FileStamp before = null;
            try {
                before = FileStamp.of(share.finalPath());
                ok = share.file().verifyFile();
            } catch (IOException e) {
                ok = false;
            }
            boolean verified = ok;
            FileStamp stamp = before;
            loop.execute(() -> {
                if (verified) {
                    share.verifiedAs(stamp);
                    share.have().set(0, share.manifest().chunkCount());
                    share.seedVerified();
                    save(share);
                    announce(share, AnnounceEvent.STARTED);
                } else {
                    share.fail(share.finalPath() + " changed since it was shared; register it again to share the new content");
                }
            });
        });
    }

    // ---- peers ---------------------------------------------------------------------------------------------------

    /** What the NAT traversal tells the engine. Engine thread. */
    private final class NatEvents implements NatTraversal.Events {
        @Override
        public void inboundStream(QuicStreamChannel stream, PeerId certified, String path) {
            // Relayed peers all arrive from the tracker's address, each pair on its own port: count them by port.
            InetSocketAddress remote = (InetSocketAddress) stream.parent().remoteSocketAddress();
            channels.installInbound(stream, remote, path.equals("quic-relay"), new PeerSession(SwarmEngine.this, null, false, path, certified, null));
        }

        @Override
        public void relayClosed(InetSocketAddress relay, String reason) {
            for (Share share : shares.values()) {
                share.relayClosed(relay, reason);
            }
        }
    }

    void announce(Share share, AnnounceEvent event) {
        Set<TrackerAddress> targets = new LinkedHashSet<>();
        targets.add(config.tracker());
        for (String t : share.manifest().trackers()) {
            try {
                targets.add(TrackerAddress.parse(t));
            } catch (IllegalArgumentException ignored) {
                // validated when the manifest was parsed
            }
        }
        for (TrackerAddress t : targets) {
            trackers.announce(share.announcing(), t, event);
        }
    }

    /** Whether {@code address} is one of this host's (to avoid dialling ourselves). */
    boolean isLocal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        for (InetSocketAddress c : localCandidates) {
            if (c.getAddress().equals(address)) {
                return true;
            }
        }
        return false;
    }

    /** This host's non-loopback addresses with our listen port, for peers behind the same NAT. */
    private static List<InetSocketAddress> localCandidates(int port) {
        List<InetSocketAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a.isLinkLocalAddress() || (a instanceof Inet6Address)) {
                        continue;
                    }
                    if (out.size() < 4) {
                        out.add(new InetSocketAddress(a, port));
                    }
                }
            }
        } catch (SocketException e) {
            log.debug("cannot list network interfaces: {}", e.getMessage());
        }
        return out;
    }

    // ---- status --------------------------------------------------------------------------------------------------

    public CompletableFuture<List<ShareStatus>> status() {
        return call(() -> {
            List<ShareStatus> out = new ArrayList<>();
            for (Share s : shares.values()) {
                out.add(s.status());
            }
            return out;
        });
    }

    public CompletableFuture<ShareStatus> status(SwarmId id) {
        return call(() -> {
            Share s = shares.get(id);
            return s == null ? null : s.status();
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
    }

    @Override
    public void close() {
        try {
            call(() -> {
                ticker.cancel(false);
                for (Share s : shares.values()) {
                    trackers.stop(s.id());
                    s.closeAll();
                    if (s.state() != ShareStatus.State.ERROR && s.state() != ShareStatus.State.CHECKING) {
                        save(s);
                    }
                }
                return null;
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("engine did not stop cleanly: {}", e.toString());
        }
        nat.close();
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        shutdownExecutors();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        for (Share s : shares.values()) {
            closeQuietly(s.file());
        }
    }

    private void shutdownExecutors() {
        saving.shutdown();
        try {
            if (!saving.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("state saves did not finish in 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hashing.shutdownNow();
        blocking.shutdownNow();
    }
}
