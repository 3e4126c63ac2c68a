package org.peerit.daemon.swarm;

import io.netty.buffer.ByteBuf;
import org.peerit.daemon.connect.ConnectSwarm;
import org.peerit.daemon.connect.PeerFinder;
import org.peerit.daemon.download.Block;
import org.peerit.daemon.download.FileDigester;
import org.peerit.daemon.download.PiecePicker;
import org.peerit.daemon.download.ReceivedBlocks;
import org.peerit.daemon.download.Strikes;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.daemon.session.PeerSession;
import org.peerit.daemon.storage.ChunkFile;
import org.peerit.daemon.storage.FileStamp;
import org.peerit.daemon.tracker.TrackerClient;
import org.peerit.daemon.upload.Choker;
import org.peerit.daemon.upload.RateMeter;
import org.peerit.daemon.upload.SuperSeeder;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.protocol.tracker.TrackerPeer;
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
 * One file being shared or downloaded: its manifest and storage, the peers connected for it, which chunks we hold
 * and which we are fetching. Its sessions report to it; it writes what they receive and hands whole chunks to the
 * engine to verify. Lives on the engine thread.
 */
public final class Share implements ConnectSwarm {
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
    private final PeerFinder finder;
    private final Map<PeerId, PeerSession> sessions = new HashMap<>();
    private final Strikes strikes = new Strikes();
    private final RateMeter down = new RateMeter();
    private final RateMeter up = new RateMeter();
    private final CompletableFuture<Path> completion = new CompletableFuture<>();
    private final FileDigester digester;
    private final ReceivedBlocks received = new ReceivedBlocks();
    /** Chunks any block was written into (see ShareRecord#written). */
    private final BitSet written = new BitSet();
    private ChunkFile file;
    private ShareState state;
    private String error;
    private String trackerProblem;
    /** Why a peer could not be reached, or why a relayed connection ended; shown by status. */
    private String natProblem;
    private long corruptChunks;
    private SuperSeeder superSeeder;
    private FileStamp verifiedAs;
    private final TrackerClient.Announcing announcing = new TrackerClient.Announcing() {
        @Override
        public SwarmId swarmId() {
            return id;
        }

        @Override
        public boolean seed() {
            return isComplete();
        }

        @Override
        public void peersFound(TrackerAddress tracker, List<TrackerPeer> peers) {
            finder.fromTracker(tracker, peers);
        }

        @Override
        public void trackerProblem(TrackerAddress tracker, String problem) {
            Share.this.trackerProblem = problem;
        }
    };

    Share(ShareServices engine, Manifest manifest, Path finalPath, ChunkFile file, BitSet have, ShareState state,
          Origin origin) {
        this.engine = engine;
        this.origin = origin;
        this.manifest = manifest;
        this.id = manifest.swarmId();
        this.finalPath = finalPath;
        this.file = file;
        this.picker = new PiecePicker<>(manifest, have);
        this.choker = new Choker(this::sessions, this::isDownloading, engine.config().uploadSlots(),
                new SplittableRandom());
        this.finder = new PeerFinder(this, engine.dialling());
        this.state = state;
        if (state == ShareState.SEEDING) {
            completion.complete(finalPath);
        }
        this.digester = engine.newDigester(this);
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

    public Path partPath() {
        return ShareOpener.partOf(finalPath);
    }

    Origin origin() {
        return origin;
    }

    /** The complete file as verified (null while downloading): what later saves record, not what it is now. */
    FileStamp verifiedAs() {
        return verifiedAs;
    }

    void verifiedAs(FileStamp stamp) {
        verifiedAs = stamp;
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
        if (!isComplete()) {
            return null;
        }
        if (superSeeder == null) {
            superSeeder = new SuperSeeder(manifest.chunkCount(), manifest.chunkSize());
        }
        return superSeeder;
    }

    ChunkFile file() {
        return file;
    }

    @Override
    public void read(int chunk, int offset, int length, ByteBuf into) throws IOException {
        file.read(chunk, offset, length, into);
    }

    @Override
    public Collection<PeerSession> sessions() {
        return sessions.values();
    }

    @Override
    public boolean isDownloading() {
        return state == ShareState.DOWNLOADING;
    }

    @Override
    public boolean isComplete() {
        return state == ShareState.SEEDING;
    }

    ShareState state() {
        return state;
    }

    /** The whole file's SHA-256 as downloaded, computed along the way. */
    CompletableFuture<byte[]> fileDigest() {
        return digester.result();
    }

    /**
     * The rechecked {@code .part} is known; start fetching the rest, or, if it holds every chunk already, go on to
     * the whole-file check.
     */
    void startDownloading() {
        state = state.to(ShareState.DOWNLOADING);
        digester.advance();
        if (picker.isComplete()) {
            verifyWhole();
            return;
        }
        for (PeerSession s : sessions.values()) {
            afterPeerChanged(s);
        }
    }

    /** Every chunk is verified: the engine checks the whole file and moves it into place. */
    private void verifyWhole() {
        state = state.to(ShareState.VERIFYING);
        engine.finish(this);
    }

    /** A complete file that changed on disk was re-verified and matches. */
    void seedVerified() {
        state = state.to(ShareState.SEEDING);
        completion.complete(finalPath);
    }

    TrackerClient.Announcing announcing() {
        return announcing;
    }

    @Override
    public boolean accept(PeerSession session) {
        PeerId peer = session.peerId();
        if (strikes.isBanned(peer) || !state.acceptsPeers()) {
            return false;
        }
        PeerSession existing = sessions.get(peer);
        if (existing != null) {
            // Both sides dialled each other: keep the connection opened by the smaller peer id, on both ends.
            PeerId me = engine.ownId();
            boolean keepNew = (session.outbound() ? me : peer).compareTo(existing.outbound() ? me : peer) < 0;
            if (!keepNew) {
                return false;
            }
            existing.close("replaced by a simultaneous connection");
            forget(existing);
        }
        if (!finder.hasRoom()) {
            return false;
        }
        sessions.put(peer, session);
        finder.connected(peer);
        return true;
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
            file.write(block.chunk(), block.offset(), data);
        } catch (IOException e) {
            fail("cannot write " + partPath() + ": " + e.getMessage()
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
        digester.advance();
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

    /** The whole file was verified and renamed into place. */
    void finished(ChunkFile completeFile) {
        this.file = completeFile;
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
    }

    /** Stops all transfers (daemon shutdown, removal). */
    void closeAll() {
        received.releaseAll();
        for (PeerSession s : new ArrayList<>(sessions.values())) {
            s.close("daemon stopping");
        }
    }

    ShareStatus status() {
        List<ShareStatus.PeerStatus> peers = new ArrayList<>();
        for (PeerSession s : sessions.values()) {
            InetSocketAddress remote = s.remoteAddress();
            peers.add(new ShareStatus.PeerStatus(s.peerId().shortHex(),
                    remote.getAddress().getHostAddress() + ":" + remote.getPort(), s.path().label(), s.security(),
                    s.isSeed(), s.peerHas().cardinality(), s.downloadRate(), s.uploadRate(), s.peerChoking(),
                    s.amChoking()));
        }
        return new ShareStatus(id.hex(), name(), finalPath.toString(), state, error, manifest.size(),
                manifest.bytesIn(picker.have()), down.bytesPerSecond(), up.bytesPerSecond(), up.total(), down.total(),
                manifest.chunkCount(), picker.have().cardinality(), corruptChunks, trackerProblem, natProblem, peers);
    }

    /** Why a share stopped: a storage error, a file that changed, or a verification failure. */
    public static final class ShareFailedException extends Exception {
        public ShareFailedException(String message) {
            super(message);
        }
    }
}
