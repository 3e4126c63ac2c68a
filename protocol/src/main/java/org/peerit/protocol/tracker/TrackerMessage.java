package org.peerit.protocol.tracker;

import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * The tracker's UDP protocol (BEP 15-like). Every datagram starts with {@code <action u8><transaction id u32>};
 * requests use actions 0x10..0x1f, replies 0x20..0x2f. A client first obtains a connection id (a keyed MAC of its
 * address) and must present it in every announce, so nobody can announce for an address they cannot receive at and
 * no reply larger than its request goes to an unproven address.
 */
public sealed interface TrackerMessage {
    int txId();

    record ConnectRequest(int txId) implements TrackerMessage {
    }

    record ConnectResponse(int txId, long connectionId) implements TrackerMessage {
    }

    record AnnounceRequest(int txId, long connectionId, SwarmId swarmId, PeerId peerId, AnnounceEvent event,
                           boolean seed, int tcpPort, int numWant, List<InetSocketAddress> candidates)
            implements TrackerMessage {
        public AnnounceRequest {
            Objects.requireNonNull(swarmId, "swarmId");
            Objects.requireNonNull(peerId, "peerId");
            Objects.requireNonNull(event, "event");
            candidates = List.copyOf(candidates);
            if (candidates.size() > TrackerLimits.MAX_CANDIDATES) {
                throw new IllegalArgumentException("at most " + TrackerLimits.MAX_CANDIDATES + " candidates");
            }
            if (tcpPort < 0 || tcpPort > 65535) {
                throw new IllegalArgumentException("tcp port " + tcpPort + " out of range");
            }
            if (numWant < 0 || numWant > 0xffff) {
                throw new IllegalArgumentException("numWant " + numWant + " out of range");
            }
        }
    }

    record AnnounceResponse(int txId, int intervalSeconds, int seeders, int leechers, List<TrackerPeer> peers)
            implements TrackerMessage {
        public AnnounceResponse {
            peers = List.copyOf(peers);
            if (peers.size() > TrackerLimits.MAX_PEERS_PER_REPLY) {
                throw new IllegalArgumentException("at most " + TrackerLimits.MAX_PEERS_PER_REPLY + " peers per reply");
            }
        }
    }

    record ErrorResponse(int txId, ErrorCode code, String message) implements TrackerMessage {
        public ErrorResponse {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }
    }

    enum AnnounceEvent {
        NONE, STARTED, COMPLETED, STOPPED
    }

    enum ErrorCode {
        /** The connection id is unknown or expired (also: the tracker restarted); connect again. */
        BAD_CONNECTION_ID,
        /** A tracker limit was hit (swarms or peers per address, swarm size). */
        LIMIT,
        MALFORMED
    }
}
