package org.peerit.daemon.session;

import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PexPeer;
import org.peerit.protocol.wire.WireLimits;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** PEX towards one peer: the peers we are connected to, as changes since we last told it, at most once a minute. */
final class PexSender {
    private static final long INTERVAL_NANOS = 60_000_000_000L;

    private final PeerSession session;
    private final Set<PexPeer> sent = new HashSet<>();
    private long lastNanos;

    PexSender(PeerSession session) {
        this.session = session;
    }

    void send(Set<PexPeer> connected, long nowNanos) {
        if (lastNanos != 0 && nowNanos - lastNanos < INTERVAL_NANOS) {
            return;
        }
        List<PexPeer> added = new ArrayList<>();
        List<PexPeer> dropped = new ArrayList<>();
        PexPeer self = session.peerListenPort() > 0 ? new PexPeer(session.remoteAddress().getAddress(),
                session.peerListenPort()) : null;
        for (PexPeer p : connected) {
            if (!p.equals(self) && !sent.contains(p) && added.size() < WireLimits.MAX_PEX_PEERS) {
                added.add(p);
            }
        }
        for (PexPeer p : sent) {
            if (!connected.contains(p) && dropped.size() < WireLimits.MAX_PEX_PEERS) {
                dropped.add(p);
            }
        }
        if (added.isEmpty() && dropped.isEmpty()) {
            return;
        }
        sent.addAll(added);
        dropped.forEach(sent::remove);
        lastNanos = nowNanos;
        session.channel().writeAndFlush(new PeerMessage.Pex(added, dropped));
    }
}
