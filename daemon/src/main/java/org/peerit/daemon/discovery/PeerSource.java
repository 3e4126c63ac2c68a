package org.peerit.daemon.discovery;

/** Where a share heard of a peer. Each feeds the same {@link org.peerit.daemon.connect.PeerIntake}. */
public enum PeerSource {
    TRACKER("tracker"),
    DHT("DHT"),
    PEX("PEX"),
    LAN("LAN");

    private final String label;

    PeerSource(String label) {
        this.label = label;
    }

    /** As logs and status name it. */
    public String label() {
        return label;
    }
}
