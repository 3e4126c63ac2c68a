package org.peerit.daemon.upload;

/** A connected peer as the {@link Choker} sees it: whether it wants our data, whether we send it, and its rates. */
public interface UploadCandidate {
    /** Whether the peer said it is interested in what we have. */
    boolean wantsUpload();

    /** Whether we are choking it (sending it nothing). */
    boolean choked();

    void choke();

    void unchoke();

    /** Bytes per second it sends us. */
    long rateFromIt();

    /** Bytes per second we send it. */
    long rateToIt();
}
