package org.peerit.tracker.swarm;

import org.peerit.protocol.PeerId;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/** One peer in one swarm, as last announced. */
public record PeerEntry(PeerId peerId, InetAddress address, InetSocketAddress endpoint, boolean seed,
                        List<InetSocketAddress> candidates, long lastSeenMillis) {
}
