package org.peerit.protocol.tracker;

import org.peerit.protocol.PeerId;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * A peer in an announce reply: the address the tracker saw it announce from, with the TCP port it listens on, and
 * the local candidates it reported (for peers behind the same NAT).
 */
public record TrackerPeer(PeerId peerId, boolean seed, InetSocketAddress endpoint, List<InetSocketAddress> candidates) {
    public TrackerPeer {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(endpoint, "endpoint");
        candidates = List.copyOf(candidates);
        if (candidates.size() > TrackerLimits.MAX_CANDIDATES) {
            throw new IllegalArgumentException("at most " + TrackerLimits.MAX_CANDIDATES + " candidates");
        }
    }
}
