package org.peerit.daemon.swarm;

import org.peerit.daemon.connect.InboundLimits;
import org.peerit.protocol.manifest.TrackerAddress;

import java.net.InetAddress;

/**
 * Settings of the swarm engine.
 *
 * @param listenPort       TCP port for peers (0: any free port)
 * @param quicPort         UDP port of the QUIC server socket (0: any free port)
 * @param tcp              whether to dial peers over TCP as well as QUIC (tests switch it off to force QUIC paths)
 * @param maxUploadRate    bytes per second over all uploads, 0 for no limit
 * @param maxDownloadRate  bytes per second over all downloads, 0 for no limit
 */
public record EngineConfig(TrackerAddress tracker, InetAddress bind, int listenPort, int quicPort, boolean tcp,
                           long maxUploadRate, long maxDownloadRate, int uploadSlots, int maxPeersPerShare,
                           InboundLimits inboundLimits) {

    public static EngineConfig defaults(TrackerAddress tracker) {
        return new EngineConfig(tracker, null, 0, 0, true, 0, 0, 4, 60, InboundLimits.defaults());
    }

    /** At most {@code peers} connections per share (tests use few, to make a swarm that is not fully connected). */
    EngineConfig withMaxPeersPerShare(int peers) {
        return new EngineConfig(tracker, bind, listenPort, quicPort, tcp, maxUploadRate, maxDownloadRate, uploadSlots,
                peers, inboundLimits);
    }

    public EngineConfig withInboundLimits(InboundLimits limits) {
        return new EngineConfig(tracker, bind, listenPort, quicPort, tcp, maxUploadRate, maxDownloadRate, uploadSlots,
                maxPeersPerShare, limits);
    }

    public EngineConfig withListenPort(int port) {
        return new EngineConfig(tracker, bind, port, quicPort, tcp, maxUploadRate, maxDownloadRate, uploadSlots,
                maxPeersPerShare, inboundLimits);
    }

    public EngineConfig withQuicPort(int port) {
        return new EngineConfig(tracker, bind, listenPort, port, tcp, maxUploadRate, maxDownloadRate, uploadSlots,
                maxPeersPerShare, inboundLimits);
    }

    /** Dial peers over QUIC only (the TCP listener stays, for peers that dial us). */
    public EngineConfig withoutTcpDialling() {
        return new EngineConfig(tracker, bind, listenPort, quicPort, false, maxUploadRate, maxDownloadRate, uploadSlots,
                maxPeersPerShare, inboundLimits);
    }

    public EngineConfig withRates(long up, long down) {
        return new EngineConfig(tracker, bind, listenPort, quicPort, tcp, up, down, uploadSlots, maxPeersPerShare, inboundLimits);
    }
}
