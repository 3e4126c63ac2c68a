package org.peerit.daemon.swarm;

import org.peerit.daemon.connect.InboundLimits;
import org.peerit.daemon.dht.DhtSettings;
import org.peerit.protocol.manifest.TrackerAddress;

import java.net.InetAddress;
import java.util.List;

/**
 * Settings of the swarm engine.
 *
 * @param trackers         the daemon's own trackers, announced to for every swarm (none is a supported set-up: the
 *                         DHT and the LAN find peers then)
 * @param listenPort       TCP port for peers (0: any free port)
 * @param quicPort         UDP port of the QUIC server socket (0: any free port)
 * @param tcp              whether to dial peers over TCP as well as QUIC (tests switch it off to force QUIC paths)
 * @param maxUploadRate    bytes per second over all uploads, 0 for no limit
 * @param maxDownloadRate  bytes per second over all downloads, 0 for no limit
 * @param dht              whether and how to join the Mainline DHT
 * @param lanPort          UDP port of LAN discovery's multicast group (BEP 14's 6771), 0 for no LAN discovery
 */
public record EngineConfig(List<TrackerAddress> trackers, InetAddress bind, int listenPort, int quicPort, boolean tcp,
                           long maxUploadRate, long maxDownloadRate, int uploadSlots, int maxPeersPerShare,
                           InboundLimits inboundLimits, DhtSettings dht, int lanPort) {

    public EngineConfig {
        trackers = List.copyOf(trackers);
    }

    /** One tracker, no DHT and no LAN discovery: what the in-process tests run on loopback. */
    public static EngineConfig defaults(TrackerAddress tracker) {
        return defaults(List.of(tracker));
    }

    public static EngineConfig defaults(List<TrackerAddress> trackers) {
        return new EngineConfig(trackers, null, 0, 0, true, 0, 0, 4, 60, InboundLimits.defaults(), DhtSettings.off(), 0);
    }

    /** At most {@code peers} connections per share (tests use few, to make a swarm that is not fully connected). */
    EngineConfig withMaxPeersPerShare(int peers) {
        return new EngineConfig(trackers, bind, listenPort, quicPort, tcp, maxUploadRate, maxDownloadRate, uploadSlots,
                peers, inboundLimits, dht, lanPort);
    }

    public EngineConfig withInboundLimits(InboundLimits limits) {
        return new EngineConfig(trackers, bind, listenPort, quicPort, tcp, maxUploadRate, maxDownloadRate, uploadSlots,
                maxPeersPerShare, limits, dht, lanPort);
    }

    public EngineConfig withListenPort(int port) {
        return new EngineConfig(trackers, bind, port, quicPort, tcp, maxUploadRate, maxDownloadRate, uploadSlots,
                maxPeersPerShare, inboundLimits, dht, lanPort);
    }

    public EngineConfig withQuicPort(int port) {
        return new EngineConfig(trackers, bind, listenPort, port, tcp, maxUploadRate, maxDownloadRate, uploadSlots,
                maxPeersPerShare, inboundLimits, dht, lanPort);
    }

    /** Dial peers over QUIC only (the TCP listener stays, for peers that dial us). */
    public EngineConfig withoutTcpDialling() {
        return new EngineConfig(trackers, bind, listenPort, quicPort, false, maxUploadRate, maxDownloadRate, uploadSlots,
                maxPeersPerShare, inboundLimits, dht, lanPort);
    }

    public EngineConfig withRates(long up, long down) {
        return new EngineConfig(trackers, bind, listenPort, quicPort, tcp, up, down, uploadSlots, maxPeersPerShare,
                inboundLimits, dht, lanPort);
    }

    public EngineConfig withDht(DhtSettings settings) {
        return new EngineConfig(trackers, bind, listenPort, quicPort, tcp, maxUploadRate, maxDownloadRate, uploadSlots,
                maxPeersPerShare, inboundLimits, settings, lanPort);
    }

    /** LAN discovery on multicast UDP port {@code port} (0: off). */
    public EngineConfig withLan(int port) {
        return new EngineConfig(trackers, bind, listenPort, quicPort, tcp, maxUploadRate, maxDownloadRate, uploadSlots,
                maxPeersPerShare, inboundLimits, dht, port);
    }
}
