package org.peerit.daemon.swarm;

import io.netty.buffer.ByteBuf;
import org.peerit.daemon.storage.ChunkFile;
import org.peerit.daemon.storage.FileStamp;
import org.peerit.daemon.tracker.TrackerClient;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * One file being shared or downloaded: its manifest and storage, the peers connected for it, which chunks we hold
 * and which we are fetching. Lives on the engine thread.
 */
public final class Share {
    private static final Logger log = LoggerFactory.getLogger(Share.class);
    /** A peer whose chunk failed verification together with others' blocks is banned on its second strike. */
    private static final int STRIKES_TO_BAN = 2;
    /** At most this many new peers are dialled per PEX message. */
    private static final int MAX_PEX_DIALS = 10;

    private final SwarmEngine engine;
    private final Manifest manifest;
    private final SwarmId id;
    private final Path finalPath;
    private final PiecePicker picker;
    private final Choker choker;
    private final Map<PeerId, PeerSession> sessions = new HashMap<>();
    private final Set<PeerId> connecting = new HashSet<>();
    /** Endpoints heard of by PEX (peer id unknown until the handshake) that we are dialling. */
    private final Set<InetSocketAddress> connectingAddresses = new HashSet<>();
    private final Set<PeerId> banned = new HashSet<>();
    private final Map<PeerId, Integer> strikes = new HashMap<>();
    private final RateMeter down = new RateMeter();
    private final RateMeter up = new RateMeter();
    private final CompletableFuture<Path> completion = new CompletableFuture<>();
    private ChunkFile file;
    private ShareStatus.State state;
    private String error;
    private String trackerProblem;
    /** Why a peer could not be reached, or why a relayed connection ended; shown by status. */
    private String natProblem;
    private long corruptChunks;
    private SuperSeeder superSeeder;
    private final FileDigester digester;
    private final ReceivedBlocks received = new ReceivedBlocks();
    /** Chunks any block was written into (see ShareRecord#written). */
    private final BitSet written = new BitSet();
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
            Share.this.peersFound(tracker, peers);
        }

        @Override
        public void trackerProblem(TrackerAddress tracker, String problem) {
            Share.this.trackerProblem = problem;
        }
    };

    /** Who wrote the file: the user (it was registered) or peerit (it was downloaded). */
    enum Origin { REGISTERED, DOWNLOADED }

    private final Origin origin;

    Share(SwarmEngine engine, Manifest manifest, Path finalPath, ChunkFile file, BitSet have, ShareStatus.State state,
          Origin origin) {
        this.engine = engine;
        this.origin = origin;
        this.manifest = manifest;
        this.id = manifest.swarmId();
        this.finalPath = finalPath;
        this.file = file;
        this.picker = new PiecePicker(manifest, have);
        this.choker = new Choker(this::sessions, this::isDownloading, engine.config().uploadSlots(),
                new SplittableRandom());
        this.state = state;
        if (state == ShareStatus.State.SEEDING) {
            completion.complete(finalPath);
        }
        this.digester = engine.newDigester(this);
    }

    public SwarmId id() {
        return id;
    }

    public String name() {
        return manifest.name();
    }

    public Manifest manifest() {
        return manifest;
    }

    public Path finalPath() {
        return finalPath;
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

    public Path partPath() {
        return SwarmEngine.partOf(finalPath);
    }

    /** Completes with the file's path when the verified file is in place, or fails with the reason it cannot be. */
    public CompletableFuture<Path> completion() {
        return completion;
    }

    BitSet have() {
        return picker.have();
    }

    PiecePicker picker() {
        return picker;
    }

    Choker choker() {
        return choker;
    }

    /** Non-null while we are a seed: new peers are offered chunks a few at a time (see {@link SuperSeeder}). */
    SuperSeeder superSeeder() {
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

    Collection<PeerSession> sessions() {
        return sessions.values();
    }

    boolean isDownloading() {
        return state == ShareStatus.State.DOWNLOADING;
    }

    boolean isComplete() {
        return state == ShareStatus.State.SEEDING;
    }

    ShareStatus.State state() {
        return state;
    }

    /** The whole file's SHA-256 as downloaded, computed along the way. */
    CompletableFuture<byte[]> fileDigest() {
        return digester.result();
    }

    /** The rechecked {@code .part} is known; start fetching the rest. */
    void startDownloading() {
        state = ShareStatus.State.DOWNLOADING;
        digester.advance();
        for (PeerSession s : sessions.values()) {
            afterPeerChanged(s);
        }
    }

    /** A complete file that changed on disk was re-verified and matches. */
    void seedVerified() {
        state = ShareStatus.State.SEEDING;
        completion.complete(finalPath);
    }

    TrackerClient.Announcing announcing() {
        return announcing;
    }

    /** Whether a peer that completed a handshake may stay; resolves two connections to the same peer. */
    boolean accept(PeerSession session, PeerId peer) {
        if (banned.contains(peer)) {
            return false;
        }
        if (state == ShareStatus.State.ERROR || state == ShareStatus.State.CHECKING) {
            return false;
        }
        PeerSession existing = sessions.get(peer);
        if (existing != null) {
            // Both sides dialled each other: keep the connection opened by the smaller peer id, on both ends.
            PeerId me = engine.peerId();
            boolean keepNew = (session.outbound() ? me : peer).compareTo(existing.outbound() ? me : peer) < 0;
            if (!keepNew) {
                return false;
            }
            existing.close("replaced by a simultaneous connection");
            forget(existing);
        }
        if (sessions.size() >= engine.config().maxPeersPerShare()) {
            return false;
        }
        sessions.put(peer, session);
        connecting.remove(peer);
        return true;
    }

    void peerBitfield(PeerSession session, BitSet bits) {
        picker.peerHas(bits);
        afterPeerChanged(session);
    }

    void peerHave(PeerSession session, int chunk) {
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

    /** A wanted block arrived from {@code session}: write it, cancel duplicates, verify the chunk when whole. */
    void blockArrived(PeerSession session, Block block, ByteBuf data) {
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
            int chunk = block.chunk();
            engine.verify(this, chunk, received.take(chunk));
        }
    }

    /** The hash of {@code chunk} was checked (on the hashing pool); back on the engine thread. */
    void chunkChecked(int chunk, boolean ok) {
        if (state != ShareStatus.State.DOWNLOADING) {
            return;
        }
        if (ok) {
            picker.verified(chunk);
            for (PeerSession s : sessions.values()) {
                // To every peer, those that have the chunk too: a super-seeding seed learns from it that its offer
                // arrived, and every peer sees when this one is complete (then two seeds part).
                s.sendHave(chunk);
                if (s.amInterested && !picker.wantsFrom(s.peerHas())) {
                    s.setInterested(false);
                }
            }
            engine.saveSoon(this);
            digester.advance();
            if (picker.isComplete()) {
                state = ShareStatus.State.VERIFYING;
                engine.finish(this);
            }
        } else {
            corruptChunks++;
            Set<Object> blamed = picker.contributors(chunk);
            picker.failed(chunk);
            for (Object o : blamed) {
                PeerSession s = (PeerSession) o;
                int count = strikes.merge(s.peerId(), blamed.size() == 1 ? STRIKES_TO_BAN : 1, Integer::sum);
                log.warn("{}: chunk {} failed its hash check (sent by {}); fetching it again", name(), chunk, s.peerId());
                if (count >= STRIKES_TO_BAN) {
                    banned.add(s.peerId());
                    log.warn("{}: banned peer {} ({}) for sending corrupt data", name(), s.peerId(), s.remoteAddress());
                    s.close("sent corrupt data for chunk " + chunk + "; banned");
                }
            }
            for (PeerSession s : sessions.values()) {
                s.fillRequests();
            }
        }
    }

    /** The whole file was verified and renamed into place. */
    void finished(ChunkFile completeFile) {
        this.file = completeFile;
        state = ShareStatus.State.SEEDING;
        log.info("{}: download complete and verified: {}", name(), finalPath);
        for (PeerSession s : new ArrayList<>(sessions.values())) {
            s.setInterested(false);
            if (s.isSeed()) {
                s.close("both sides have the whole file");
            }
        }
        completion.complete(finalPath);
    }

    void fail(String message) {
        state = ShareStatus.State.ERROR;
        received.releaseAll();
        error = message;
        log.error("{}: {}", name(), message);
        for (PeerSession s : new ArrayList<>(sessions.values())) {
            s.close("share stopped: " + message);
        }
        completion.completeExceptionally(new ShareFailedException(message));
    }

    void uploaded(long bytes) {
        up.add(bytes);
    }

    boolean isConnected(PeerId peer) {
        return sessions.containsKey(peer);
    }

    /** Whether this share still wants connections (not failed, not being checked, not removed). */
    boolean isActive() {
        return engine.share(id) == this && state != ShareStatus.State.ERROR && state != ShareStatus.State.CHECKING;
    }

    void natProblem(String problem) {
        natProblem = problem;
    }

    /** The tracker closed the relay at {@code relay}: end the sessions through it, and say why. */
    void relayClosed(InetSocketAddress relay, String reason) {
        for (PeerSession s : new ArrayList<>(sessions.values())) {
            if (s.path().equals("quic-relay") && s.remoteAddress().equals(relay)) {
                String why = "the tracker closed the relay to peer " + s.peerId().shortHex() + ": " + reason;
                log.warn("{}: {}", name(), why);
                natProblem = why;
                s.close(why);
            }
        }
    }

    void sessionClosed(PeerSession session) {
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

    /** Peers from a tracker: dial those we are not connected to and may want to talk to. */
    void peersFound(TrackerAddress tracker, List<TrackerPeer> peers) {
        for (TrackerPeer p : peers) {
            if (sessions.size() + connecting.size() >= engine.config().maxPeersPerShare()) {
                return;
            }
            PeerId peer = p.peerId();
            if (peer.equals(engine.peerId()) || banned.contains(peer) || sessions.containsKey(peer)
                    || connecting.contains(peer) || (isComplete() && p.seed())
                    || (p.endpoint().getPort() == 0 && !p.hasQuic())) {
                continue;
            }
            if (state == ShareStatus.State.ERROR || state == ShareStatus.State.CHECKING) {
                return;
            }
            connecting.add(peer);
            new PeerDialer(engine, this, p, tracker, () -> connecting.remove(peer)).start();
        }
    }

    /**
     * Endpoints a peer says it is connected to (PEX): dial a few we do not know yet, so the swarm keeps growing while
     * the tracker is slow or down. Bounded per message, as PEX lists come from untrusted peers.
     */
    void pexReceived(List<PexPeer> added) {
        int dialled = 0;
        for (PexPeer p : added) {
            if (dialled >= MAX_PEX_DIALS || state == ShareStatus.State.ERROR || state == ShareStatus.State.CHECKING
                    || sessions.size() + connecting.size() + connectingAddresses.size() >= engine.config().maxPeersPerShare()) {
                return;
            }
            InetSocketAddress address = p.socketAddress();
            if (address.getPort() == engine.listenPort() && engine.isLocal(address.getAddress())) {
                continue; // ourselves
            }
            if (connectingAddresses.contains(address) || isConnectedTo(address)) {
                continue;
            }
            connectingAddresses.add(address);
            dialled++;
            log.debug("{}: dialling {}, heard of by PEX", name(), address);
            engine.channels().connectTcp(this, address, null, () -> connectingAddresses.remove(address), why -> { });
        }
    }

    private boolean isConnectedTo(InetSocketAddress listenEndpoint) {
        for (PeerSession s : sessions.values()) {
            if (s.peerListenEndpoint().equals(listenEndpoint)) {
                return true;
            }
        }
        return false;
    }

    /** Tells each peer which other peers we are connected to: all of them at first, then changes, once a minute. */
    private void sendPex(long nowNanos) {
        Set<PexPeer> current = new java.util.LinkedHashSet<>();
        for (PeerSession s : sessions.values()) {
            // Only TCP peers: a QUIC peer's address is a NAT mapping or a relay, useless to a third peer.
            if (s.peerListenPort() > 0 && s.path().equals("tcp")) {
                current.add(new PexPeer(s.remoteAddress().getAddress(), s.peerListenPort()));
            }
        }
        for (PeerSession s : sessions.values()) {
            s.sendPex(current, nowNanos);
        }
    }

    void tick(double seconds, long nowNanos, int tickCount) {
        down.tick(seconds);
        up.tick(seconds);
        long timeout = 20_000_000_000L;
        for (PeerSession s : new ArrayList<>(sessions.values())) {
            s.tick(seconds, nowNanos, timeout);
            s.offerMore(); // offers to slow peers go stale: others may be offered those chunks now
        }
        if (tickCount % 10 == 0) {
            choker.rechoke();
        }
        sendPex(nowNanos);
    }

    /** Stops all transfers (daemon shutdown). */
    void closeAll() {
        received.releaseAll();
        for (PeerSession s : new ArrayList<>(sessions.values())) {
            s.close("daemon stopping");
        }
    }

    long verifiedBytes() {
        return manifest.bytesIn(picker.have());
    }

    ShareStatus status() {
        List<ShareStatus.PeerStatus> peers = new ArrayList<>();
        for (PeerSession s : sessions.values()) {
            peers.add(new ShareStatus.PeerStatus(s.peerId().shortHex(),
                    s.remoteAddress().getAddress().getHostAddress() + ":" + s.remoteAddress().getPort(), s.path(),
                    s.security(), s.isSeed(), s.peerHas().cardinality(), s.down.bytesPerSecond(), s.up.bytesPerSecond(),
                    s.peerChoking, s.amChoking));
        }
        return new ShareStatus(id.hex(), name(), finalPath.toString(), state, error, manifest.size(), verifiedBytes(),
                down.bytesPerSecond(), up.bytesPerSecond(), up.total(), down.total(), manifest.chunkCount(),
                picker.have().cardinality(), corruptChunks, trackerProblem, natProblem, peers);
    }

    /** Why a share stopped: a storage error, a file that changed, or a verification failure. */
    public static final class ShareFailedException extends Exception {
        public ShareFailedException(String message) {
            super(message);
        }
    }
}
