package org.peerit.protocol.tracker;

/** Bounds of the tracker protocol, checked by both sides. */
public final class TrackerLimits {
    public static final int MAX_CANDIDATES = 8;
    public static final int MAX_PEERS_PER_REPLY = 50;
    public static final int MAX_ERROR_MESSAGE = 200;
    /** A datagram larger than this is never a valid request or reply. */
    public static final int MAX_DATAGRAM = 16 * 1024;
    /**
     * Birthday punches: the sockets a hard-NAT peer opens (Tailscale's 256: with as many probes from the other side,
     * P(hit) = 1 - (1 - 256/64512)^probes, 98% at 1024), the probes the other side sends, and how long either lasts.
     */
    public static final int MAX_BIRTHDAY_SOCKETS = 256;
    public static final int MAX_BIRTHDAY_PROBES = 2048;
    public static final int MAX_BIRTHDAY_MILLIS = 5000;

    private TrackerLimits() {
    }
}
