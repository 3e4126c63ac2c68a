package org.peerit.daemon.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.peerit.protocol.wire.PeerMessage;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * The peer's requests to us, served while the socket takes them (its water mark) and the upload rate allows. A peer
 * may queue at most {@value #MAX_QUEUED} requests; more is abuse and closes the connection.
 */
final class UploadQueue {
    static final int MAX_QUEUED = 4096;

    private final PeerSession session;
    private final SessionHost host;
    private final SessionSwarm swarm;
    private final SeedOffers offers;
    private final ArrayDeque<PeerMessage.Request> queue = new ArrayDeque<>();
    private final Wake wake;

    UploadQueue(PeerSession session, SessionHost host, SessionSwarm swarm, SeedOffers offers) {
        this.session = session;
        this.host = host;
        this.swarm = swarm;
        this.offers = offers;
        this.wake = new Wake(session.channel(), this::serve);
    }

    void add(PeerMessage.Request r) {
        if (queue.size() >= MAX_QUEUED) {
            throw new ProtocolViolation("more than " + MAX_QUEUED + " requests queued");
        }
        queue.add(r);
        serve();
    }

    void cancel(PeerMessage.Cancel c) {
        queue.removeIf(r -> r.chunk() == c.chunk() && r.offset() == c.offset() && r.length() == c.length());
    }

    /** Choked, or gone: what the peer asked for is dropped, as the protocol says. */
    void clear() {
        queue.clear();
    }

    /** Sends queued blocks while the socket takes them and the upload rate allows. */
    void serve() {
        Channel channel = session.channel();
        boolean wrote = false;
        try {
            while (!queue.isEmpty() && channel.isWritable() && !session.amChoking()) {
                long wait = host.uploadLimit().nanosUntilAvailable(System.nanoTime());
                if (wait > 0) {
                    wake.after(wait);
                    break;
                }
                PeerMessage.Request r = queue.poll();
                try {
                    writePiece(channel, r);
                } catch (IOException e) {
                    swarm.fail("cannot read " + swarm.name() + ": " + e.getMessage());
                    return;
                }
                host.uploadLimit().take(r.length(), System.nanoTime());
                session.uploaded(r.length());
                wrote = true;
                if (r.offset() + r.length() == swarm.manifest().chunkLength(r.chunk())) {
                    offers.lastBlockSent(r.chunk());
                }
            }
        } finally {
            if (wrote) {
                channel.flush();
            }
        }
    }

    /**
     * The block is read into a pooled direct buffer, which TLS (or QUIC) encrypts in 16 KiB records: sendfile cannot
     * apply to encrypted connections (Netty has no kernel TLS).
     */
    private void writePiece(Channel channel, PeerMessage.Request r) throws IOException {
        ByteBuf data = channel.alloc().directBuffer(r.length());
        try {
            swarm.read(r.chunk(), r.offset(), r.length(), data);
        } catch (IOException e) {
            data.release();
            throw e;
        }
        channel.write(new PeerMessage.Piece(r.chunk(), r.offset(), data));
    }
}
