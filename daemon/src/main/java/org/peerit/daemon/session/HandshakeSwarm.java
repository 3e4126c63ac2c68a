package org.peerit.daemon.session;

import org.peerit.protocol.manifest.SwarmId;

/**
 * A swarm as a new connection's handshake sees it: its id, its name for logs, and who takes a connection on once the
 * peer has proven who it is (a {@link PeerSession} for a share, a {@link MetadataSession} while only the link is
 * known). Engine thread.
 */
public interface HandshakeSwarm {
    SwarmId id();

    String name();

    /** The peer proved who it is: what takes the connection on, or null if it may not stay. */
    Admitted admit(SessionHost host, PeerLink link);
}
