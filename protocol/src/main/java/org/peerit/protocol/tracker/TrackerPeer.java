package org.peerit.protocol.tracker;

import org.peerit.protocol.PeerId;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * A peer in an announce reply: {@code endpoint} is the address the tracker saw it announce from with the TCP port it
 * listens on; {@code quicEndpoint} is that announce's source address and port, i.e. the public mapping of its QUIC
 * server socket (port 0 when it has none); {@code quicPort} is that socket's local port, to be tried at the local
 * {@code candidates} (addresses with the TCP port) by peers behind the same NAT.
 */
public record TrackerPeer(PeerId peerId, boolean seed, InetSocketAddress endpoint, InetSocketAddress quicEndpoint,
                          int quicPort, List<InetSocketAddress> candidates) {
    public TrackerPeer {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(quicEndpoint, "quicEndpoint");
        if (!Objects.equals(quicEndpoint.getAddress(), endpoint.getAddress())) {
            throw new IllegalArgumentException("the QUIC mapping and the endpoint are one announce's source address");
        }
        if (quicPort < 0 || quicPort > 65535) {
            throw new IllegalArgumentException("quic port " + quicPort + " out of range");
        }
        candidates = List.copyOf(candidates);
        if (candidates.size() > TrackerLimits.MAX_CANDIDATES) {
            throw new IllegalArgumentException("at most " + TrackerLimits.MAX_CANDIDATES + " candidates");
        }
    }

    /** A peer known only by its TCP endpoint (from an old tracker reply or PEX). */
    public TrackerPeer(PeerId peerId, boolean seed, InetSocketAddress endpoint, List<InetSocketAddress> candidates) {
        this(peerId, seed, endpoint, new InetSocketAddress(endpoint.getAddress(), 0), 0, candidates);
    }

    public boolean hasQuic() {
        return quicEndpoint.getPort() != 0;
    }
}
