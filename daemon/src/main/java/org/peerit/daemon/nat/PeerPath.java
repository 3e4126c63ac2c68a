package org.peerit.daemon.nat;

/**
 * How a peer connection reaches the peer: TCP where it is directly reachable, else QUIC within its LAN, through a
 * punched NAT mapping, or through the tracker's relay. The label is what status shows.
 */
public enum PeerPath {
    TCP("tcp"),
    QUIC_LAN("quic-lan"),
    QUIC_PUNCHED("quic-punched"),
    QUIC_RELAY("quic-relay");

    private final String label;

    PeerPath(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Relayed peers all arrive from the tracker's address, each pair on its own port. */
    public boolean relayed() {
        return this == QUIC_RELAY;
    }

    @Override
    public String toString() {
        return label;
    }
}
