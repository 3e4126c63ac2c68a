package org.peerit.protocol.tracker;

import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;

import java.net.InetAddress;
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
                           boolean seed, int tcpPort, int quicPort, int numWant, List<InetSocketAddress> candidates)
            implements TrackerMessage {
        public AnnounceRequest {
            Objects.requireNonNull(swarmId, "swarmId");
            Objects.requireNonNull(peerId, "peerId");
            Objects.requireNonNull(event, "event");
            candidates = List.copyOf(candidates);
            if (candidates.size() > TrackerLimits.MAX_CANDIDATES) {
                throw new IllegalArgumentException("at most " + TrackerLimits.MAX_CANDIDATES + " candidates");
            }
            checkPort(tcpPort, "tcp");
            checkPort(quicPort, "quic");
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

    /**
     * Peer {@code from} asks to reach peer {@code to} in {@code swarmId} by hole punching. Sent from the asker's
     * QUIC client socket, so the tracker sees (and the target is told) the mapping the asker will dial from.
     */
    record PunchRequest(int txId, long connectionId, SwarmId swarmId, PeerId from, PeerId to) implements TrackerMessage {
        public PunchRequest {
            Objects.requireNonNull(swarmId, "swarmId");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    /** To the asker: dial {@code target} (the peer's QUIC server mapping) in {@code delayMillis}; probes carry {@code nonce}. */
    record PunchStarted(int txId, long nonce, InetSocketAddress target, int delayMillis) implements TrackerMessage {
        public PunchStarted {
            Objects.requireNonNull(target, "target");
        }
    }

    /** To the target, unasked: peer {@code from} will dial from {@code source}; send probes there in {@code delayMillis}. */
    record PunchNotify(int txId, SwarmId swarmId, PeerId from, long nonce, InetSocketAddress source, int delayMillis)
            implements TrackerMessage {
        public PunchNotify {
            Objects.requireNonNull(swarmId, "swarmId");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(source, "source");
        }
    }

    /**
     * Birthday punch, to the peer behind a NAT that maps each destination to a new port (symmetric, "hard"): open
     * {@code sockets} new UDP sockets, each probing {@code target} (the other peer's QUIC server mapping, behind an
     * endpoint-independent NAT) with {@code nonce}, for up to {@code durationMillis}; the socket a probe from the
     * target reaches dials QUIC to it. The asker gets it as the reply to its punch request; a target, unasked.
     */
    record BirthdayOpen(int txId, SwarmId swarmId, PeerId peer, long nonce, InetSocketAddress target, int sockets,
                        int durationMillis) implements TrackerMessage {
        public BirthdayOpen {
            Objects.requireNonNull(swarmId, "swarmId");
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(target, "target");
            checkBirthday(sockets, TrackerLimits.MAX_BIRTHDAY_SOCKETS, durationMillis);
        }
    }

    /**
     * Birthday punch, to the peer behind the endpoint-independent NAT: from the QUIC server socket, send {@code probes}
     * probes with {@code nonce} to random ports of {@code hardAddress} (the other peer's public address) within
     * {@code durationMillis}, opening our NAT for whichever of its sockets' mappings a probe hits.
     */
    record BirthdayProbe(int txId, SwarmId swarmId, PeerId peer, long nonce, InetAddress hardAddress, int probes,
                         int durationMillis) implements TrackerMessage {
        public BirthdayProbe {
            Objects.requireNonNull(swarmId, "swarmId");
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(hardAddress, "hardAddress");
            checkBirthday(probes, TrackerLimits.MAX_BIRTHDAY_PROBES, durationMillis);
        }
    }

    /** Peer {@code from} asks for a relay to peer {@code to}; sent from its QUIC client socket, like a punch. */
    record RelayRequest(int txId, long connectionId, SwarmId swarmId, PeerId from, PeerId to) implements TrackerMessage {
        public RelayRequest {
            Objects.requireNonNull(swarmId, "swarmId");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    /**
     * A relay allocation: the address to bind to (with a RELAY_BIND carrying {@code token}) and then to send QUIC
     * packets to. The asker gets it as the reply; the target gets it unasked, with the asker's id.
     */
    record RelayAllocated(int txId, SwarmId swarmId, PeerId peer, InetSocketAddress relay, long token)
            implements TrackerMessage {
        public RelayAllocated {
            Objects.requireNonNull(swarmId, "swarmId");
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(relay, "relay");
        }
    }

    record ErrorResponse(int txId, ErrorCode code, String message) implements TrackerMessage {
        public ErrorResponse {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }
    }

    private static void checkBirthday(int count, int max, int durationMillis) {
        if (count < 1 || count > max) {
            throw new IllegalArgumentException("birthday punch count " + count + " out of 1.." + max);
        }
        if (durationMillis < 1 || durationMillis > TrackerLimits.MAX_BIRTHDAY_MILLIS) {
            throw new IllegalArgumentException("birthday punch of " + durationMillis + " ms out of 1.."
                    + TrackerLimits.MAX_BIRTHDAY_MILLIS);
        }
    }

    private static void checkPort(int port, String what) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " port " + port + " out of range");
        }
    }

    /** The event of an announce, with its code on the wire (BEP 15's numbering). */
    enum AnnounceEvent {
        NONE(0), STARTED(1), COMPLETED(2), STOPPED(3);

        private final int code;

        AnnounceEvent(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The event with wire code {@code code}, or null if there is none. */
        public static AnnounceEvent ofCode(int code) {
            for (AnnounceEvent e : values()) {
                if (e.code == code) {
                    return e;
                }
            }
            return null;
        }
    }

    /** Why a request was refused, with its code on the wire. */
    enum ErrorCode {
        /** The connection id is unknown or expired (also: the tracker restarted); connect again. */
        BAD_CONNECTION_ID(0),
        /** A tracker limit was hit (swarms or peers per address, swarm size). */
        LIMIT(1),
        MALFORMED(2),
        /** The punch or relay asked for is not allowed: unknown peers, another swarm, relaying switched off. */
        REFUSED(3);

        private final int code;

        ErrorCode(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The error with wire code {@code code}, or null if there is none. */
        public static ErrorCode ofCode(int code) {
            for (ErrorCode e : values()) {
                if (e.code == code) {
                    return e;
                }
            }
            return null;
        }
    }
}
