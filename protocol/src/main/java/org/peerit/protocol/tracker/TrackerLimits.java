package org.peerit.protocol.tracker;

/** Bounds of the tracker protocol, checked by both sides. */
public final class TrackerLimits {
    public static final int MAX_CANDIDATES = 8;
    public static final int MAX_PEERS_PER_REPLY = 50;
    public static final int MAX_ERROR_MESSAGE = 200;
    /** A datagram larger than this is never a valid request or reply. */
    public static final int MAX_DATAGRAM = 16 * 1024;

    private TrackerLimits() {
    }
}
