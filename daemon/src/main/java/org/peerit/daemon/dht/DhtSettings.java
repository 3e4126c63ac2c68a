package org.peerit.daemon.dht;

import java.util.List;

/**
 * Whether and how a daemon joins the Mainline DHT.
 *
 * @param port      UDP port of the DHT socket; a fixed one, so that other nodes' routing tables still hold us after
 *                  a restart
 * @param bootstrap nodes to join through, as {@code host:port}; empty for the well-known public routers
 */
public record DhtSettings(boolean enabled, int port, List<String> bootstrap) {
    /** The well-known public routers the library (mldht) contacts when no bootstrap node is given. */
    public static final List<String> PUBLIC_ROUTERS = List.of("dht.transmissionbt.com:6881", "router.bittorrent.com:6881",
            "router.utorrent.com:6881", "router.silotis.us:6881");

    public DhtSettings {
        bootstrap = List.copyOf(bootstrap);
    }

    public static DhtSettings off() {
        return new DhtSettings(false, 0, List.of());
    }

    /** The DHT port daemon {@code index} uses unless told otherwise: 6881 for daemon 1, as BitTorrent clients do. */
    public static int defaultPort(int index) {
        return 6880 + index;
    }
}
