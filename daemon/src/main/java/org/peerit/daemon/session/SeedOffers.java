package org.peerit.daemon.session;

import org.peerit.daemon.upload.SuperSeeder;
import org.peerit.protocol.wire.PeerMessage;

import java.util.BitSet;

/**
 * Super-seeding towards one peer (see {@link SuperSeeder}): while we seed, the peer is shown only the chunks offered
 * to it, a few at a time, each with a HAVE. Tracks which we offered, which it has not been sent in full yet (its
 * offer slots), and which it has not confirmed with a HAVE of its own (still in flight for the swarm).
 */
final class SeedOffers {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SeedOffers.class);
    private final PeerSession session;
    private final SessionSwarm swarm;
    private boolean active;
    private final BitSet offered = new BitSet();
    private final BitSet pending = new BitSet();
    private final BitSet unconfirmed = new BitSet();
    /** When this peer last had an offer pending: a peer left without one for long is starved. */
    private long lastPendingNanos = System.nanoTime();
    /** Since when the peer has not been interested (0: it is): one that wants none of its offers wants only part. */
    private long uninterestedSince = System.nanoTime();
    /**
     * A peer that stays uninterested this long while offers wait for it wants none of them: it downloads only some
     * files (--only). Super-seeding would starve it, so it is shown everything we have instead.
     */
    static final long REVEAL_AFTER_NANOS = 1_000_000_000L;

    SeedOffers(PeerSession session, SessionSwarm swarm) {
        this.session = session;
        this.swarm = swarm;
    }

    /** Whether we are a seed showing this peer offers only (decided once, at the handshake). */
    boolean start() {
        active = swarm.superSeeder() != null;
        return active;
    }

    /** The peer said whether it is interested. */
    void interest(boolean interested) {
        uninterestedSince = interested ? 0 : System.nanoTime();
    }

    /** Tops up the chunks offered to this peer. */
    void offerMore() {
        if (!active || !session.channel().isActive()) {
            return;
        }
        boolean[] any = {false};
        long now = System.nanoTime();
        if (!pending.isEmpty() && uninterestedSince != 0 && now - uninterestedSince > REVEAL_AFTER_NANOS) {
            reveal();
            return;
        }
        if (!pending.isEmpty()) {
            lastPendingNanos = now;
        }
        swarm.superSeeder().fill(session.peerHas(), offered, pending, swarm.picker()::availability, now,
                now - lastPendingNanos, session.rateToIt(), chunk -> {
                    unconfirmed.set(chunk);
                    session.channel().write(new PeerMessage.Have(chunk));
                    any[0] = true;
                });
        if (any[0]) {
            lastPendingNanos = now;
            session.channel().flush();
        }
    }

    /** The peer announced {@code chunk}: an offer of it is settled, or it got it elsewhere and needs another. */
    void peerHas(int chunk) {
        if (unconfirmed.get(chunk)) {
            unconfirmed.clear(chunk);
            swarm.superSeeder().settled(chunk);
        }
        if (pending.get(chunk)) {
            pending.clear(chunk);
            offerMore();
        }
    }

    /** The last block of {@code chunk} is on its way to the peer: its slot is free for the next offer. */
    void lastBlockSent(int chunk) {
        if (active && pending.get(chunk)) {
            pending.clear(chunk);
            offerMore();
        }
    }

    /** Stops super-seeding towards this peer: it hears of every chunk we have, as from any seed. */
    private void reveal() {
        log.info("{}: peer {} wants none of the chunks offered to it: showing it every chunk", swarm.name(),
                session.peerId().shortHex());
        BitSet shown = (BitSet) swarm.have().clone();
        shown.andNot(offered);
        shown.andNot(session.peerHas());
        end();
        for (int c = shown.nextSetBit(0); c >= 0; c = shown.nextSetBit(c + 1)) {
            session.channel().write(new PeerMessage.Have(c));
        }
        session.channel().flush();
    }

    /** The connection ended: stop offering and give back what this peer never confirmed. */
    void end() {
        if (!active) {
            return;
        }
        active = false;
        for (int c = unconfirmed.nextSetBit(0); c >= 0; c = unconfirmed.nextSetBit(c + 1)) {
            swarm.superSeeder().settled(c);
        }
        unconfirmed.clear();
        pending.clear();
    }
}
