package org.peerit.daemon.swarm;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A consistent picture of one share, taken on the engine thread for the CLI. {@code size} and {@code verifiedBytes}
 * count the wanted part (all of it, unless the download was limited with --only); {@code fileCount},
 * {@code wantedFiles} and {@code filesInPlace} count a folder's files, and {@code files} lists them when asked.
 * {@code dht} says how the swarm's DHT lookups go (null without the DHT); {@code sources} names the sources of peers
 * (tracker, DHT, PEX, LAN) that have named at least one.
 */
public record ShareStatus(String swarm, String name, String path, ShareState state, String error, long size,
                          long verifiedBytes, long downloadRate, long uploadRate, long uploaded, long downloaded,
                          int chunks, int verifiedChunks, long corruptChunks, String trackerProblem,
                          String natProblem, String dht, List<String> sources, List<PeerStatus> peers, boolean folder, int fileCount,
                          int wantedFiles, int filesInPlace, List<FileProgress> files) {

    /**
     * An address as status shows it: {@code host:port}, the host as numbers; "closing" for a QUIC connection that has
     * just closed (it no longer has a remote address) while its session is still listed.
     */
    static String endpoint(InetSocketAddress address) {
        if (address == null) {
            return "closing";
        }
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** One file of a folder: its path below the folder, its size, how much of it is verified, and where it is. */
    public record FileProgress(String path, long size, long verifiedBytes, boolean wanted, boolean inPlace) {
    }

    /** @param security how the connection is encrypted and authenticated: TLS version and cipher suite */
    public record PeerStatus(String peer, String address, String path, String security, boolean seed, int chunks,
                             long downloadRate, long uploadRate, boolean choked, boolean choking) {
    }
}
