package org.peerit.protocol.wire;

/** Why an introduction for a hole punch failed, as {@link PeerMessage.PunchFail} codes it on the wire. */
public enum PunchFailure {
    /** The introducer is not connected to the target. */
    NOT_CONNECTED(1, "not connected to it"),
    /** The introducer does not know the target's or the asker's public mapping. */
    NO_MAPPING(2, "its or our public mapping is unknown"),
    /** The asker asked too often. */
    TOO_MANY(3, "too many introductions asked for");

    private final int code;
    private final String reason;

    PunchFailure(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    /** The failure a code names, or null for a code a newer peer may send. */
    public static PunchFailure of(int code) {
        for (PunchFailure f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        return null;
    }
}
