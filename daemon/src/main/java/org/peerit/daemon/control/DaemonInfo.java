package org.peerit.daemon.control;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The daemon as status shows it. The QUIC mappings are known once STUN has answered (absent before).
 *
 * @param trackers the daemon's own trackers (empty: it finds peers through the DHT and the LAN)
 * @param dht      its node of the DHT, absent when it runs without
 * @param lan      whether LAN discovery is on
 * @param inbound  connections strangers opened: held now (with and without a handshake) and refused so far
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DaemonInfo(int index, String peer, List<String> trackers, int listenPort, int quicPort,
                         long maxUploadRate, long maxDownloadRate, String dataDir, boolean lan,
                         String quicServerMapping, String quicClientMapping, Dht dht, Inbound inbound) {

    public record Inbound(int pending, int established, long refused) {
    }

    /** The DHT node: its UDP port, the nodes in its routing table, and its traffic since it started. */
    public record Dht(int port, int nodes, long sentBytes, long receivedBytes) {
    }

    /** This daemon's fixed facts, to which each status adds what it sees now. */
    public DaemonInfo withLive(String serverMapping, String clientMapping, Dht dhtNow, Inbound now) {
        return new DaemonInfo(index, peer, trackers, listenPort, quicPort, maxUploadRate, maxDownloadRate, dataDir, lan,
                serverMapping, clientMapping, dhtNow, now);
    }
}
