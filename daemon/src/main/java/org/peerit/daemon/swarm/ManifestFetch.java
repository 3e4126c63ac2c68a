package org.peerit.daemon.swarm;

import org.peerit.daemon.connect.ConnectSwarm;
import org.peerit.daemon.connect.Dialling;
import org.peerit.daemon.connect.PeerIntake;
import org.peerit.daemon.session.Admitted;
import org.peerit.daemon.session.MetadataSession;
import org.peerit.daemon.session.MetadataSwarm;
import org.peerit.daemon.session.PeerLink;
import org.peerit.daemon.session.PeerSession;
import org.peerit.daemon.session.SessionHost;
import org.peerit.daemon.discovery.Discovery;
import org.peerit.daemon.discovery.PeerSource;
import org.peerit.daemon.discovery.TrackerProblems;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ManifestException;
import org.peerit.protocol.manifest.ShareLink;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.protocol.tracker.TrackerPeer;
import org.peerit.protocol.wire.PexPeer;
import org.peerit.protocol.wire.WireLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A download started from a {@code peerit://} link, before it has its manifest: it joins the swarm (trackers,
 * PEX), asks the peers for the manifest in pieces, several peers at once, and accepts the bytes only if they parse
 * as a manifest that hashes to the link's swarm id. Then the download proper starts, and each connection carries on
 * as a session of it.
 *
 * <p>Lying peers: the pieces of several peers may not fit together. Then every piece is fetched again from one peer
 * alone; if that fails too, that peer is banned and the next one tried; once the right bytes are known, each peer
 * whose earlier pieces differ from them is banned as well. Engine thread.
 */
final class ManifestFetch implements ConnectSwarm, MetadataSwarm {
    private static final Logger log = LoggerFactory.getLogger(ManifestFetch.class);
    /** Pieces outstanding per peer: a manifest of a few pieces arrives in about one round trip. */
    static final int PER_PEER = 4;
    static final long ASK_TIMEOUT_NANOS = 5_000_000_000L;
    static final long REJECTED_RETRY_NANOS = 2_000_000_000L;
    /** Peers remembered for claiming another manifest size, to ban once the right one is known. */
    static final int MAX_SUSPECTS = 1024;

    private record Earlier(int piece, byte[] data, PeerId from) {
    }

    /** What a fetch needs of the engine. */
    interface FetchHost {
        Dialling dialling();

        /** Whether the engine still holds this fetch (not removed). */
        boolean holds(ManifestFetch fetch);

        /** The manifest is verified: start the download proper; its share, once it exists. */
        CompletableFuture<Share> fetched(ManifestFetch fetch, Manifest manifest, List<String> only);

        /** What status says of the swarm's DHT lookups (null without the DHT). */
        String dhtStatus(SwarmId id);
    }

    private final FetchHost engine;
    private final ShareLink link;
    private final Path dir;
    private final List<String> only;
    private final ManifestCodec codec;
    private final PeerIntake finder;
    private final Map<PeerId, MetadataSession> sessions = new HashMap<>();
    private final Set<PeerId> banned = new HashSet<>();
    private final Map<PeerId, Long> rejectedAt = new HashMap<>();
    private final Map<Integer, Long> askedAt = new HashMap<>();
    private final List<Earlier> earlier = new ArrayList<>();
    private final Set<PeerId> claimedOtherSize = new HashSet<>();
    private final CompletableFuture<Share> result = new CompletableFuture<>();
    private int total = -1;
    private byte[][] pieces;
    private PeerId[] sources;
    /** After pieces of several peers failed to fit: the one peer every piece is fetched from now. */
    private PeerId soleSource;
    private boolean over;
    private final TrackerProblems trackerProblems = new TrackerProblems();
    private String natProblem;

    private final Discovery.Swarm announcing = new Discovery.Swarm() {
        @Override
        public SwarmId swarmId() {
            return link.swarm();
        }

        @Override
        public String name() {
            return link.name();
        }

        @Override
        public void addressFound(PeerSource source, InetSocketAddress address) {
            finder.fromAddress(source, address);
        }

        @Override
        public boolean seed() {
            return false;
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

    ManifestFetch(FetchHost engine, ShareLink link, Path dir, List<String> only, ManifestCodec codec) {
        this.engine = engine;
        this.link = link;
        this.dir = dir;
        this.only = List.copyOf(only);
        this.codec = codec;
        this.finder = new PeerIntake(this, engine.dialling());
    }

    /** Completes with the download's share once the manifest is verified, or fails (removed, refused). */
    CompletableFuture<Share> result() {
        return result;
    }

    Discovery.Swarm announcing() {
        return announcing;
    }

    ShareLink link() {
        return link;
    }

    Path dir() {
        return dir;
    }

    @Override
    public SwarmId id() {
        return link.swarm();
    }

    @Override
    public String name() {
        return link.name();
    }

    // ---- connecting --------------------------------------------------------------------------------------------

    @Override
    public Admitted admit(SessionHost host, PeerLink peer) {
        MetadataSession session = new MetadataSession(host, this, peer);
        return accept(session) ? session : null;
    }

    @Override
    public boolean accept(MetadataSession session) {
        if (over || banned.contains(session.peerId()) || !finder.admit(sessions, session, this::sessionClosed)) {
            return false;
        }
        session.link().channel().eventLoop().execute(this::fill); // once the session is in its pipeline
        return true;
    }

    @Override
    public boolean wantsPeers() {
        return !over && engine.holds(this);
    }

    @Override
    public boolean isComplete() {
        return false;
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

    @Override
    public boolean isBanned(PeerId peer) {
        return banned.contains(peer);
    }

    @Override
    public Collection<PeerSession> sessions() {
        return List.of(); // no PEX adverts before the share exists
    }

    @Override
    public int connectedCount() {
        return sessions.size();
    }

    @Override
    public void natProblem(String problem) {
        natProblem = problem;
    }

    @Override
    public void pexReceived(List<PexPeer> added) {
        finder.fromPex(added);
    }

    @Override
    public void sessionClosed(MetadataSession session) {
        if (sessions.get(session.peerId()) != session) {
            return;
        }
        sessions.remove(session.peerId());
        rejectedAt.remove(session.peerId()); // bounded by the peers connected, not by all that ever were
        askedAt.keySet().removeIf(session::isAsked);
        if (session.peerId().equals(soleSource)) {
            soleSource = null; // the next peer gets the job
            reset();
        }
        fill();
    }

    // ---- fetching ----------------------------------------------------------------------------------------------

    /** Once a second: asks again what timed out, and peers that had nothing a moment ago. */
    void tick(long nowNanos) {
        askedAt.entrySet().removeIf(e -> {
            if (nowNanos - e.getValue() < ASK_TIMEOUT_NANOS) {
                return false;
            }
            for (MetadataSession s : sessions.values()) {
                if (s.isAsked(e.getKey())) {
                    s.forget(e.getKey());
                    rejectedAt.put(s.peerId(), nowNanos); // slow or silent: it rests while others are asked
                }
            }
            return true;
        });
        fill();
    }

    private void fill() {
        if (over) {
            return;
        }
        long now = System.nanoTime();
        if (!earlier.isEmpty() && soleSource == null) {
            sessions.keySet().stream().findFirst().ifPresent(p -> soleSource = p);
        }
        List<MetadataSession> ready = new ArrayList<>();
        for (MetadataSession s : sessions.values()) {
            Long rejected = rejectedAt.get(s.peerId());
            boolean resting = rejected != null && now - rejected < REJECTED_RETRY_NANOS;
            if (!resting && (soleSource == null || s.peerId().equals(soleSource))) {
                ready.add(s);
            }
        }
        if (total < 0) {
            for (MetadataSession s : ready) {
                if (s.outstanding() == 0) {
                    s.request(0); // its answer says how large the manifest is
                    askedAt.putIfAbsent(0, now);
                }
            }
            return;
        }
        // Each missing piece to the peer with the fewest outstanding: the pieces come from several peers at once.
        for (int i = 0; i < pieces.length; i++) {
            if (pieces[i] != null || askedAt.containsKey(i)) {
                continue;
            }
            MetadataSession least = null;
            for (MetadataSession s : ready) {
                if (s.outstanding() < PER_PEER && (least == null || s.outstanding() < least.outstanding())) {
                    least = s;
                }
            }
            if (least == null) {
                return;
            }
            least.request(i);
            askedAt.put(i, now);
        }
    }

    @Override
    public void pieceRejected(MetadataSession session, int piece) {
        askedAt.remove(piece);
        rejectedAt.put(session.peerId(), System.nanoTime());
        fill();
    }

    @Override
    public void pieceArrived(MetadataSession session, int piece, int size, byte[] data) {
        if (over) {
            return;
        }
        if (soleSource != null && !session.peerId().equals(soleSource)) {
            return; // asked before the switch to one source
        }
        rejectedAt.remove(session.peerId());
        if (total < 0) {
            total = size;
            int count = (size + WireLimits.METADATA_PIECE - 1) / WireLimits.METADATA_PIECE;
            pieces = new byte[count][];
            sources = new PeerId[count];
            log.info("{}: fetching the manifest ({} bytes) from peers", name(), size);
        } else if (size != total) {
            if (claimedOtherSize.size() < MAX_SUSPECTS) {
                claimedOtherSize.add(session.peerId());
            }
            session.close("it claims a manifest of " + size + " bytes, others " + total);
            return;
        }
        if (pieces[piece] == null) {
            pieces[piece] = data;
            sources[piece] = session.peerId();
        }
        askedAt.remove(piece);
        for (byte[] p : pieces) {
            if (p == null) {
                fill();
                return;
            }
        }
        assemble();
    }

    private void assemble() {
        ByteArrayOutputStream all = new ByteArrayOutputStream(total);
        for (byte[] p : pieces) {
            all.writeBytes(p);
        }
        byte[] bytes = all.toByteArray();
        Manifest manifest = null;
        String why;
        try {
            manifest = codec.parse(bytes);
            why = manifest.swarmId().equals(link.swarm()) ? null : "it hashes to swarm " + manifest.swarmId().shortHex();
        } catch (ManifestException e) {
            why = e.getMessage();
        }
        if (why == null) {
            blameEarlier(bytes);
            succeed(manifest);
            return;
        }
        Set<PeerId> contributors = new HashSet<>(Arrays.asList(sources));
        if (soleSource != null || contributors.size() == 1) {
            PeerId liar = contributors.iterator().next();
            ban(liar, "served a manifest that does not match the link (" + why + ")");
            soleSource = null;
        } else {
            // Several peers' pieces do not fit: keep them to find the liars, and fetch from one peer alone.
            log.warn("{}: the manifest pieces of {} peers do not fit together ({}); fetching it from one peer at a"
                    + " time", name(), contributors.size(), why);
            for (int i = 0; i < pieces.length; i++) {
                earlier.add(new Earlier(i, pieces[i], sources[i]));
            }
        }
        reset();
        fill();
    }

    /** Drops what was fetched: the next attempt starts over, its size unknown. */
    private void reset() {
        total = -1;
        pieces = null;
        sources = null;
        askedAt.clear();
        sessions.values().forEach(MetadataSession::forgetAll);
    }

    /** The verified bytes are known: whoever sent a piece that differs from them, or another size, lied. */
    private void blameEarlier(byte[] verified) {
        Set<PeerId> liars = new HashSet<>(claimedOtherSize);
        for (Earlier e : earlier) {
            int from = e.piece() * WireLimits.METADATA_PIECE;
            byte[] right = from >= verified.length ? new byte[0]
                    : Arrays.copyOfRange(verified, from, Math.min(verified.length, from + WireLimits.METADATA_PIECE));
            if (!Arrays.equals(right, e.data())) {
                liars.add(e.from());
            }
        }
        for (PeerId liar : liars) {
            ban(liar, "served pieces of a manifest that does not match the link");
        }
    }

    private void ban(PeerId peer, String why) {
        if (banned.add(peer)) {
            log.warn("{}: banned peer {}: it {}", name(), peer.shortHex(), why);
        }
        MetadataSession s = sessions.get(peer);
        if (s != null) {
            s.close(why + "; banned");
        }
    }

    private void succeed(Manifest fetched) {
        over = true;
        log.info("{}: got the manifest from peers; it matches the link", fetched.name());
        Manifest manifest = fetched.withTrackers(link.trackers());
        engine.fetched(this, manifest, only).whenComplete((share, failure) -> engine.dialling().loop().execute(() -> {
            if (failure != null) {
                closeAll("the download could not start");
                result.completeExceptionally(failure);
                return;
            }
            for (PeerId liar : banned) {
                share.ban(liar);
            }
            for (MetadataSession s : new ArrayList<>(sessions.values())) {
                s.upgrade(share);
            }
            sessions.clear();
            result.complete(share);
        }));
    }

    /** Removed, or the daemon stops. */
    void cancel(String why) {
        over = true;
        closeAll(why);
        result.completeExceptionally(new Share.ShareFailedException(why));
    }

    private void closeAll(String why) {
        for (MetadataSession s : new ArrayList<>(sessions.values())) {
            s.close(why);
        }
        sessions.clear();
    }

    /** For status: how the fetch goes. */
    ShareStatus status() {
        long have = 0;
        if (pieces != null) {
            for (byte[] p : pieces) {
                have += p == null ? 0 : p.length;
            }
        }
        List<ShareStatus.PeerStatus> peers = new ArrayList<>();
        for (MetadataSession s : sessions.values()) {
            var remote = s.remoteAddress();
            peers.add(new ShareStatus.PeerStatus(s.peerId().shortHex(),
                    ShareStatus.endpoint(remote), s.link().path().label(),
                    s.link().security(), false, 0, 0, 0, true, true));
        }
        return new ShareStatus(link.swarm().hex(), link.name(), dir.resolve(link.name()).toString(),
                ShareState.FETCHING, null, Math.max(total, 0), have, 0, 0, 0, 0, 0, 0, 0, trackerProblems.summary(),
                natProblem, engine.dhtStatus(link.swarm()), Share.sources(finder), peers, false, 0, 0, 0, List.of());
    }
}
