package org.peerit.daemon.session;

import org.peerit.protocol.wire.PexPeer;

import java.util.List;

/** A download that has only a link so far, as its {@link MetadataSession}s report to it. Engine thread. */
public interface MetadataSwarm extends HandshakeSwarm {
    /** The peer stays, or not (banned, a second connection, no room). */
    boolean accept(MetadataSession session);

    /** A piece we asked for arrived (its size already checked against the total it states). */
    void pieceArrived(MetadataSession session, int piece, int total, byte[] data);

    /** The peer has no manifest to give (it is fetching it too) or will not give more now. */
    void pieceRejected(MetadataSession session, int piece);

    void pexReceived(List<PexPeer> added);

    void sessionClosed(MetadataSession session);
}
