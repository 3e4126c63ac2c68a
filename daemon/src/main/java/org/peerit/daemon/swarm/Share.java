package org.peerit.daemon.swarm;

import io.netty.buffer.ByteBuf;
import org.peerit.daemon.connect.ConnectSwarm;
import org.peerit.daemon.connect.PeerIntake;
import org.peerit.daemon.connect.PunchBroker;
import org.peerit.daemon.download.Block;
import org.peerit.daemon.download.FileDigests;
import org.peerit.daemon.download.PiecePicker;
import org.peerit.daemon.download.ReceivedBlocks;
import org.peerit.daemon.download.Strikes;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.daemon.session.PeerSession;
import org.peerit.daemon.session.SessionSwarm;
import org.peerit.daemon.storage.ChunkStore;
import org.peerit.daemon.storage.FileStamp;
import org.peerit.daemon.discovery.Discovery;
import org.peerit.daemon.discovery.PeerSource;
import org.peerit.daemon.discovery.TrackerProblems;
import org.peerit.daemon.upload.Choker;
import org.peerit.daemon.upload.RateMeter;
import org.peerit.daemon.upload.SuperSeeder;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.ContentFile;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.protocol.tracker.TrackerPeer;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PexPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * One file or folder being shared or downloaded: its manifest and storage, the peers connected for it, which chunks
 * we hold and which we are fetching. Its sessions report to it; it writes what they receive, hands whole chunks to
 * the engine to verify, and each wanted file, once its own hash matched, to be moved into place. Lives on the engine
 * thread.
 */
public final class Share implements ConnectSwarm, SessionSwarm {
    private static final Logger log = LoggerFactory.getLogger(Share.class);

    /** Who wrote the file: the user (it was registered) or peerit (it was downloaded). */
    enum Origin { REGISTERED, DOWNLOADED }

    private final ShareServices engine;
    private final Manifest manifest;
    private final SwarmId id;
    private final Path finalPath;
    private final Origin origin;
    private final PiecePicker<PeerSession> picker;
    private final Choker choker;
    private final PeerIntake finder;
    private final PunchBroker punches;
    private final Map<PeerId, PeerSession> sessions = new HashMap<>();
    private final Strikes strikes = new Strikes();
    private final RateMeter down = new RateMeter();
    private final RateMeter up = new RateMeter();
    private final CompletableFuture<Path> completion = new CompletableFuture<>();
    private final FileDigests digests;
    /** The --only patterns this download was started with (empty: every file). */
    private final List<String> only;
    private final int wantedFiles;
    private int landedFiles;
    private final ReceivedBlocks received = new ReceivedBlocks();
    /** Chunks any block was written into (see ShareRecord#written). */
    private final BitSet written = new BitSet();
    private final ChunkStore store;
    private ShareState state;
    private String error;
    private final TrackerProblems trackerProblems = new TrackerProblems();
    /** Why a peer could not be reached, or why a relayed connection ended; shown by status. */
    private String natProblem;
    private long corruptChunks;
    /** The manifest as the metadata exchange serves it; made on first request. */
    private byte[] metadata;
    private SuperSeeder superSeeder;
    /** Each file in place as verified (null: not in place, or not wanted). */
    private final FileStamp[] verifiedAs;
    private final Discovery.Swarm announcing = new Discovery.Swarm() {
        @Override
        public SwarmId swarmId() {
            return id;
        }

        @Override
        public String name() {
            return Share.this.name();
        }

        @Override
        public void addressFound(PeerSource source, InetSocketAddress address) {
            finder.fromAddress(source, address);
        }

        @Override
        public boolean seed() {
            return hasAll();
        }

        @Override
        public void peersFound(TrackerAddress tracker, List<TrackerPeer> peers) {
            finder.fromTracker(tracker, peers);
        }

        @Override
        public void trackerProblem(TrackerAddress tracker, String problem) {
            trackerProblems.report(tracker, problem);
        }
    };

    Share(ShareServices engine, Manifest manifest, Path finalPath, ChunkStore store, BitSet have, ShareState state,
          Origin origin, List<String> only) {
        this.engine = engine;
        this.origin = origin;
        this.manifest = manifest;
        this.id = manifest.swarmId();
        this.finalPath = finalPath;
        this.store = store;
        this.only = List.copyOf(only);
        this.verifiedAs = new FileStamp[manifest.fileCount()];
        int wanted = 0;
        if (store != null) {
            for (ContentFile f : store.files()) {
                if (store.isWanted(f.index())) {
                    wanted++;
                    if (store.isLanded(f.index())) {
                        landedFiles++;
                    }
                }
            }
        }
        this.wantedFiles = wanted;
        this.picker = new PiecePicker<>(manifest, have, FileProgressReport.wantedChunks(manifest, store));
        this.choker = new Choker(this::sessions, this::isDownloading, engine.config().uploadSlots(),
                new SplittableRandom());
        this.finder = new PeerIntake(this, engine.dialling());
        this.punches = new PunchBroker(this, engine.dialling(), finder);
        this.state = state;
        if (state == ShareState.SEEDING) {
            completion.complete(finalPath);
        }
        this.digests = store == null ? null : engine.newDigests(this);
    }

    @Override
    public SwarmId id() {
        return id;
    }

    @Override
    public String name() {
        return manifest.name();
    }

    @Override
    public Manifest manifest() {
        return manifest;
    }

    public Path finalPath() {
        return finalPath;
    }


    Origin origin() {
        return origin;
    }

    /**
     * Each file in place as verified (null where it is not, yet): what later saves record, not what it is now.
     */
    FileStamp[] verifiedAs() {
        return verifiedAs.clone();
    }

    void verifiedAs(int file, FileStamp stamp) {
        verifiedAs[file] = stamp;
    }

    List<String> only() {
        return only;
    }

    /** Chunks of the .part that blocks were written into; the engine adds those a saved record names. */
    BitSet written() {
        return written;
    }

    /** Completes with the file's path when the verified file is in place, or fails with the reason it cannot be. */
    public CompletableFuture<Path> completion() {
        return completion;
    }

    @Override
    public BitSet have() {
        return picker.have();
    }

    @Override
    public PiecePicker<PeerSession> picker() {
        return picker;
    }

    @Override
    public Choker choker() {
        return choker;
    }

    @Override
    public SuperSeeder superSeeder() {
        if (!isComplete() || !hasAll()) {
            return null;
        }
        if (superSeeder == null) {
            superSeeder = new SuperSeeder(manifest.chunkCount(), manifest.chunkSize());
        }
        return superSeeder;
    }

    ChunkStore store() {
        return store;
    }

    @Override
    public void read(int chunk, int offset, int length, ByteBuf into) throws IOException {
        store.read(chunk, offset, length, into);
    }

    @Override
    public Collection<PeerSession> sessions() {
        return sessions.values();
    }

    @Override
    public int connectedCount() {
        return sessions.size();
    }

    @Override
    public byte[] metadata() {
        if (metadata == null) {
            metadata = new org.peerit.protocol.manifest.ManifestCodec().metadataBytes(manifest);
        }
        return metadata;
    }

    @Override
    public boolean isDownloading() {
        return state == ShareState.DOWNLOADING;
    }

    @Override
    public boolean isComplete() {
        return state == ShareState.SEEDING;
    }

    /** Whether we hold every chunk (not so for a download limited to some files with --only). */
    boolean hasAll() {
        return picker.have().cardinality() == manifest.chunkCount();
    }

    ShareState state() {
        return state;
    }

    /**
     * The rechecked {@code .part} is known; start fetching the rest, or, if it holds every chunk already, go on to
     * the whole-file check.
     */
    void startDownloading() {
        state = state.to(ShareState.DOWNLOADING);
        digests.start();
        if (picker.isComplete()) {
            verifyWhole();
            return;
        }
        for (PeerSession s : sessions.values()) {
            afterPeerChanged(s);
        }
    }

    /** Every wanted chunk is verified: what is left is each file's own hash and its move into place. */
    private void verifyWhole() {
        state = state.to(ShareState.VERIFYING);
        maybeFinish();
    }

    /** File {@code file} was hashed whole (on the hashing pool): into place with it, or the manifest lied. */
    void fileChecked(int file, boolean matches) {
        if (state != ShareState.DOWNLOADING && state != ShareState.VERIFYING) {
            return;
        }
        if (!matches) {
            fail("every chunk of " + store.files().get(file).joined() + " matched but the file's SHA-256 did not: the"
                    + " manifest is inconsistent; ask its author for a correct one");
            return;
        }
        engine.land(this, file);
    }

    /** File {@code file} is in place as {@code stamp} (or, if not {@code moved}, something took its name). */
    void fileLanded(int file, boolean moved, FileStamp stamp) {
        if (state != ShareState.DOWNLOADING && state != ShareState.VERIFYING) {
            return;
        }
        if (!moved) {
            Path target = store.finalPath(file);
            fail(target + " appeared while downloading; the verified data stays in " + ChunkStore.partOf(target));
            return;
        }
        verifiedAs[file] = stamp;
        landedFiles++;
        engine.saveSoon(this);
        maybeFinish();
    }

    /** File {@code file} was found in place at a restart, its content verified. */
    void adopted(int file, FileStamp stamp) {
        verifiedAs[file] = stamp;
        landedFiles++;
    }

    private void maybeFinish() {
        if (state == ShareState.VERIFYING && landedFiles == wantedFiles) {
            engine.complete(this);
        }
    }

    /** A complete file that changed on disk was re-verified and matches. */
    void seedVerified() {
        state = state.to(ShareState.SEEDING);
        completion.complete(finalPath);
    }

    Discovery.Swarm announcing() {
        return announcing;
    }

    @Override
    public boolean accept(PeerSession session) {
        if (strikes.isBanned(session.peerId()) || !state.acceptsPeers()) {
            return false;
        }
        return finder.admit(sessions, session, this::forget);
    }

    @Override
    public void peerBitfield(PeerSession session, BitSet bits) {
        picker.peerHas(bits);
        afterPeerChanged(session);
    }

    @Override
    public void peerHave(PeerSession session, int chunk) {
        picker.peerHas(chunk);
        afterPeerChanged(session);
    }

    private void afterPeerChanged(PeerSession session) {
        if (isComplete() && session.isSeed()) {
            session.close("both sides have the whole file");
            return;
        }
        session.setInterested(isDownloading() && picker.wantsFrom(session.peerHas()));
    }

    @Override
    public void blockArrived(PeerSession session, Block block, ByteBuf data) {
        PiecePicker.Arrival arrival = picker.received(block, session);
        if (arrival == PiecePicker.Arrival.UNWANTED) {
            return;
        }
        engine.downloadLimit().take(block.length(), System.nanoTime());
        down.add(block.length());
        written.set(block.chunk());
        if (manifest.chunkLength(block.chunk()) <= ReceivedBlocks.MAX_KEPT_CHUNK) {
            received.keep(block.chunk(), block.offset(), data);
        }
        try {
            store.write(block.chunk(), block.offset(), data);
        } catch (IOException e) {
            fail("cannot write " + name() + ": " + e.getMessage()
                    + " (free some disk space, then run the download again to resume)");
            return;
        }
        for (PeerSession other : sessions.values()) {
            if (other != session) {
                other.cancel(block);
            }
        }
        if (arrival == PiecePicker.Arrival.CHUNK_DONE) {
            engine.verify(this, block.chunk(), received.take(block.chunk()));
        }
    }

    /** The hash of {@code chunk} was checked (on the hashing pool); back on the engine thread. */
    void chunkChecked(int chunk, boolean ok) {
        if (state != ShareState.DOWNLOADING) {
            return;
        }
        if (!ok) {
            chunkCorrupt(chunk);
            return;
        }
        picker.verified(chunk);
        for (PeerSession s : sessions.values()) {
            // To every peer, those that have the chunk too: a super-seeding seed learns from it that its offer
            // arrived, and every peer sees when this one is complete (then two seeds part).
            s.sendHave(chunk);
            if (s.amInterested() && !picker.wantsFrom(s.peerHas())) {
                s.setInterested(false);
            }
        }
        engine.saveSoon(this);
        digests.chunkVerified(chunk);
        if (picker.isComplete()) {
            verifyWhole();
        }
    }

    private void chunkCorrupt(int chunk) {
        corruptChunks++;
        Set<PeerSession> blamed = picker.contributors(chunk);
        picker.failed(chunk);
        List<PeerId> ids = blamed.stream().map(PeerSession::peerId).toList();
        log.warn("{}: chunk {} failed its hash check (sent by {}); fetching it again", name(), chunk, ids);
        List<PeerId> banned = strikes.blame(ids);
        for (PeerSession s : blamed) {
            if (banned.contains(s.peerId())) {
                log.warn("{}: banned peer {} ({}) for sending corrupt data", name(), s.peerId(), s.remoteAddress());
                s.close("sent corrupt data for chunk " + chunk + "; banned");
            }
        }
        for (PeerSession s : sessions.values()) {
            s.fillRequests();
        }
    }

    /** Every wanted file was verified and moved into place. */
    void finished() {
        state = state.to(ShareState.SEEDING);
        log.info("{}: download complete and verified: {}", name(), finalPath);
        for (PeerSession s : new ArrayList<>(sessions.values())) {
            s.setInterested(false);
            if (s.isSeed()) {
                s.close("both sides have the whole file");
            }
        }
        completion.complete(finalPath);
    }

    @Override
    public void fail(String message) {
        state = state.to(ShareState.ERROR);
        received.releaseAll();
        if (digests != null) {
            digests.stop();
        }
        error = message;
        log.error("{}: {}", name(), message);
        for (PeerSession s : new ArrayList<>(sessions.values())) {
            s.close("share stopped: " + message);
        }
        completion.completeExceptionally(new ShareFailedException(message));
    }

    @Override
    public void uploaded(long bytes) {
        up.add(bytes);
    }

    @Override
    public boolean isConnected(PeerId peer) {
        return sessions.containsKey(peer);
    }

    @Override
    public boolean isConnectedDirectly(PeerId peer) {
        var session = sessions.get(peer);
        return session != null && !session.path().relayed();
    }

    /** Banned before the share existed: it lied about the manifest. */
    void ban(PeerId peer) {
        strikes.ban(peer);
    }

    @Override
    public boolean isBanned(PeerId peer) {
        return strikes.isBanned(peer);
    }

    @Override
    public boolean wantsPeers() {
        return engine.holds(this) && state.acceptsPeers();
    }

    @Override
    public void natProblem(String problem) {
        natProblem = problem;
    }

    /** The tracker closed the relay at {@code relay}: end the sessions through it, and say why. */
    void relayClosed(InetSocketAddress relay, String reason) {
        for (PeerSession s : new ArrayList<>(sessions.values())) {
            if (s.path() == PeerPath.QUIC_RELAY && s.remoteAddress().equals(relay)) {
                String why = "the tracker closed the relay to peer " + s.peerId().shortHex() + ": " + reason;
                log.warn("{}: {}", name(), why);
                natProblem = why;
                s.close(why);
            }
        }
    }

    @Override
    public void sessionClosed(PeerSession session) {
        if (sessions.get(session.peerId()) == session) {
            forget(session);
        }
    }

    private void forget(PeerSession session) {
        sessions.remove(session.peerId());
        punches.sessionClosed(session);
        picker.peerGone(session.peerHas());
        choker.peerGone(session);
        if (superSeeder != null) {
            for (PeerSession s : sessions.values()) {
                s.offerMore(); // chunks the departed peer held or was offered may be needed by others now
            }
        }
    }

    @Override
    public void pexReceived(List<PexPeer> added) {
        finder.fromPex(added);
    }

    @Override
    public void punchMessage(PeerSession from, PeerMessage message) {
        if (sessions.get(from.peerId()) == from) {
            punches.received(from, message, System.nanoTime());
        }
    }

    void tick(double seconds, long nowNanos, int tickCount) {
        down.tick(seconds);
        up.tick(seconds);
        for (PeerSession s : new ArrayList<>(sessions.values())) {
            s.tick(seconds, nowNanos);
            s.offerMore(); // offers to slow peers go stale: others may be offered those chunks now
        }
        if (tickCount % 10 == 0) {
            choker.rechoke();
        }
        finder.advertise(nowNanos);
        punches.tick(nowNanos);
    }

    /** Stops all transfers (daemon shutdown, removal). */
    void closeAll() {
        received.releaseAll();
        for (PeerSession s : new ArrayList<>(sessions.values())) {
            s.close("daemon stopping");
        }
    }

    /** {@code withFiles}: list every file of a folder with its progress (else only the counts). */
    ShareStatus status(boolean withFiles) {
        List<ShareStatus.PeerStatus> peers = new ArrayList<>();
        for (PeerSession s : sessions.values()) {
            InetSocketAddress remote = s.remoteAddress();
            peers.add(new ShareStatus.PeerStatus(s.peerId().shortHex(),
                    ShareStatus.endpoint(remote), s.path().label(), s.security(),
                    s.isSeed(), s.peerHas().cardinality(), s.downloadRate(), s.uploadRate(), s.peerChoking(),
                    s.amChoking()));
        }
        BitSet wanted = wantedChunks();
        BitSet held = (BitSet) picker.have().clone();
        held.and(wanted);
        List<ShareStatus.FileProgress> files = withFiles && manifest.isFolder() ? fileProgress() : List.of();
        int inPlace = isComplete() ? wantedFiles : landedFiles;
        return new ShareStatus(id.hex(), name(), finalPath.toString(), state, error, manifest.bytesIn(wanted),
                manifest.bytesIn(held), down.bytesPerSecond(), up.bytesPerSecond(), up.total(), down.total(),
                manifest.chunkCount(), picker.have().cardinality(), corruptChunks, trackerProblems.summary(), natProblem,
                engine.dhtStatus(id), sources(finder), peers, manifest.isFolder(), manifest.fileCount(), wantedFiles,
                inPlace, files);
    }

    /** The sources that have named peers, as status lists them. */
    static List<String> sources(PeerIntake intake) {
        List<String> out = new ArrayList<>();
        for (PeerSource s : intake.heardFrom()) {
            out.add(s.label());
        }
        return out;
    }

    /** The chunks holding bytes of wanted files (every chunk, but for a download with --only). */
    BitSet wantedChunks() {
        return FileProgressReport.wantedChunks(manifest, store);
    }

    private List<ShareStatus.FileProgress> fileProgress() {
        return FileProgressReport.of(manifest, store, picker.have(), isComplete());
    }

    /** Why a share stopped: a storage error, a file that changed, or a verification failure. */
    public static final class ShareFailedException extends Exception {
        public ShareFailedException(String message) {
            super(message);
        }
    }
}
