package org.peerit.daemon.session;

import org.peerit.daemon.download.Block;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.WireLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our requests to one peer: which blocks are outstanding there and since when, and how many to keep in flight
 * (about a quarter of a second of the peer's rate, {@value #MIN_DEPTH} to {@value #MAX_DEPTH} blocks). Not more: what
 * we ask of a peer waits in its queue behind what others asked, so a deeper pipeline on a thin uplink only delays
 * every block it sends, and the swarm's last chunks most (a home swarm at 20 mbit: 15.27 s at half a second and 2
 * blocks at least, 15.08 s at a quarter and 1). A quarter of a second still covers the round trip of any path a
 * peer is worth downloading from.
 */
final class RequestPipeline {
    private static final Logger log = LoggerFactory.getLogger(PeerSession.class);
    static final int MIN_DEPTH = 1;
    static final int MAX_DEPTH = 256;
    /** A request unanswered for this long is given to other peers, and the depth drops. */
    static final long TIMEOUT_NANOS = 20_000_000_000L;

    private final PeerSession session;
    private final SessionHost host;
    private final SessionSwarm swarm;
    /** Our requests not yet answered, with the time each was sent. */
    private final Map<Block, Long> outstanding = new LinkedHashMap<>();
    private final Wake wake;
    /** Until the first tick has measured the peer's rate: about the old fixed depth, which a fast start needs. */
    static final int INITIAL_DEPTH = 16;
    private int depth = INITIAL_DEPTH;

    RequestPipeline(PeerSession session, SessionHost host, SessionSwarm swarm) {
        this.session = session;
        this.host = host;
        this.swarm = swarm;
        this.wake = new Wake(session.channel(), this::fill);
    }

    /** Asks for more blocks, up to the depth, if the peer lets us and the download rate allows. */
    void fill() {
        if (session.peerChoking() || !session.amInterested() || !session.channel().isActive() || !swarm.isDownloading()) {
            return;
        }
        int want = depth - outstanding.size();
        if (want <= 0) {
            return;
        }
        long wait = host.downloadLimit().nanosUntilAvailable(System.nanoTime());
        if (wait > 0) {
            wake.after(wait);
            return;
        }
        List<Block> blocks = new ArrayList<>(want);
        long now = System.nanoTime();
        swarm.picker().pick(session, session.peerHas(), outstanding.keySet(), want, blocks, now);
        for (Block b : blocks) {
            outstanding.put(b, now);
            session.channel().write(new PeerMessage.Request(b.chunk(), b.offset(), b.length()));
        }
        if (!blocks.isEmpty()) {
            session.channel().flush();
        }
    }

    /** Whether {@code block} was asked of this peer and is still wanted from it (else it is dropped). */
    boolean answered(Block block) {
        return outstanding.remove(block) != null;
    }

    /** The block came from another peer: this one need not send it. */
    void cancel(Block block) {
        if (outstanding.remove(block) != null) {
            session.channel().writeAndFlush(new PeerMessage.Cancel(block.chunk(), block.offset(), block.length()));
        }
    }

    /** Gives back every outstanding request so other peers can take them. */
    void abandonAll() {
        for (Block b : outstanding.keySet()) {
            swarm.picker().abandoned(b);
        }
        outstanding.clear();
    }

    /** Once a second: requests that timed out go to others; the depth follows the peer's rate. */
    void tick(long nowNanos, long bytesPerSecond) {
        boolean timedOut = false;
        for (Iterator<Map.Entry<Block, Long>> it = outstanding.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Block, Long> e = it.next();
            if (nowNanos - e.getValue() > TIMEOUT_NANOS) {
                swarm.picker().abandoned(e.getKey());
                it.remove();
                timedOut = true;
            }
        }
        if (timedOut) {
            log.debug("{}: requests to {} timed out; asking others", swarm.name(), session.peerId());
            depth = MIN_DEPTH;
        } else {
            long blockLength = Math.min(WireLimits.BLOCK, swarm.manifest().chunkSize());
            long target = bytesPerSecond / 4 / blockLength;
            depth = (int) Math.max(MIN_DEPTH, Math.min(MAX_DEPTH, target));
        }
        fill();
    }
}
