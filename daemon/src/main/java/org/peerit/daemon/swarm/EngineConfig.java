package org.peerit.daemon.swarm;

import org.peerit.protocol.manifest.TrackerAddress;

import java.net.InetAddress;

/**
 * Settings of the swarm engine.
 *
 * @param listenPort       TCP port for peers (0: any free port)
 * @param maxUploadRate    bytes per second over all uploads, 0 for no limit
 * @param maxDownloadRate  bytes per second over all downloads, 0 for no limit
 */
public record EngineConfig(TrackerAddress tracker, InetAddress bind, int listenPort, long maxUploadRate,
                           long maxDownloadRate, int uploadSlots, int maxPeersPerShare) {

    public static EngineConfig defaults(TrackerAddress tracker) {
        return new EngineConfig(tracker, null, 0, 0, 0, 4, 60);
    }

    public EngineConfig withListenPort(int port) {
        return new EngineConfig(tracker, bind, port, maxUploadRate, maxDownloadRate, uploadSlots, maxPeersPerShare);
    }

    public EngineConfig withRates(long up, long down) {
        return new EngineConfig(tracker, bind, listenPort, up, down, uploadSlots, maxPeersPerShare);
    }
}
