package org.peerit.protocol.manifest;

/** A manifest that cannot be used; the message says what is wrong in one line. */
public final class ManifestException extends Exception {
    public ManifestException(String message) {
        super(message);
    }

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
