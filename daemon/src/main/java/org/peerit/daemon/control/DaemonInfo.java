package org.peerit.daemon.control;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The daemon as status shows it. The QUIC mappings are known once STUN has answered (absent before).
 *
 * @param inbound connections strangers opened: held now (with and without a handshake) and refused so far
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DaemonInfo(int index, String peer, String tracker, int listenPort, int quicPort, long maxUploadRate,
                         long maxDownloadRate, String dataDir, String quicServerMapping, String quicClientMapping,
                         Inbound inbound) {

    public record Inbound(int pending, int established, long refused) {
    }

    /** This daemon's fixed facts, to which each status adds what it sees now. */
    public DaemonInfo withLive(String serverMapping, String clientMapping, Inbound now) {
        return new DaemonInfo(index, peer, tracker, listenPort, quicPort, maxUploadRate, maxDownloadRate, dataDir,
                serverMapping, clientMapping, now);
    }
}
