package org.peerit.daemon.swarm;

import java.util.List;

/** A consistent picture of one share, taken on the engine thread for the CLI. */
public record ShareStatus(String swarm, String name, String path, ShareState state, String error, long size,
                          long verifiedBytes, long downloadRate, long uploadRate, long uploaded, long downloaded,
                          int chunks, int verifiedChunks, long corruptChunks, String trackerProblem,
                          String natProblem, List<PeerStatus> peers) {

    /** @param security how the connection is encrypted and authenticated: TLS version and cipher suite */
    public record PeerStatus(String peer, String address, String path, String security, boolean seed, int chunks,
                             long downloadRate, long uploadRate, boolean choked, boolean choking) {
    }
}
