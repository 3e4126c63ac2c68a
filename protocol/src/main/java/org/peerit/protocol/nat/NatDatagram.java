package org.peerit.protocol.nat;

import java.util.Objects;

/**
 * The small datagrams that travel on a daemon's QUIC sockets beside QUIC itself: hole-punching probes, and the
 * handshake with a tracker relay allocation. Their first byte is in 0x30..0x3f, which neither STUN (0..3), the
 * tracker protocol (0x10..0x2f) nor QUIC (0x40 and up, the fixed bit) uses, so a demultiplexer can tell them apart.
 */
public sealed interface NatDatagram {

    /** Sent by both sides of a punch to open their NATs towards each other; {@code nonce} is the tracker's. */
    record Probe(long nonce) implements NatDatagram {
    }

    /** To a relay allocation: "this address is my side of allocation {@code token}". Repeated until ready. */
    record RelayBind(long token) implements NatDatagram {
    }

    /** From a relay allocation: both sides are bound, QUIC may start. */
    record RelayReady(long token) implements NatDatagram {
    }

    /** From a relay allocation: it is closed, for {@code reason} (a budget used up, its lifetime over). */
    record RelayClosed(long token, String reason) implements NatDatagram {
        public RelayClosed {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
