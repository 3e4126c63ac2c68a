package org.peerit.daemon.connect;

import org.peerit.daemon.session.PeerSession;
import org.peerit.daemon.session.HandshakeSwarm;
import org.peerit.protocol.PeerId;

import java.util.Collection;

/**
 * The swarm as finding and dialling peers sees it: which peers it has, and whether it wants more. A share, or a
 * download that has only a link so far. Engine thread.
 */
public interface ConnectSwarm extends HandshakeSwarm {
    /** Whether the share still wants connections (not failed, not being checked, not removed). */
    boolean wantsPeers();

    /** Whether we hold the whole file (then other seeds are of no use to us). */
    boolean isComplete();

    boolean isConnected(PeerId peer);

    /** Whether {@code peer} is connected by a path other than a relay (a relayed one is worth upgrading). */
    boolean isConnectedDirectly(PeerId peer);

    boolean isBanned(PeerId peer);

    /** The sessions to tell about each other by PEX (none while only the manifest is being fetched). */
    Collection<PeerSession> sessions();

    /** How many peers are connected, of any kind. */
    int connectedCount();

    /** Why a peer could not be reached; status shows it. */
    void natProblem(String problem);
}
