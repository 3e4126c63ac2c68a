package org.peerit.daemon.session;

/** The peer broke the protocol; the connection is closed with this message. */
final class ProtocolViolation extends RuntimeException {
    ProtocolViolation(String message) {
        super(message, null, false, false);
    }
}
