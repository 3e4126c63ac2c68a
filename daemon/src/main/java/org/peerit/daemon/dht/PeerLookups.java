package org.peerit.daemon.dht;

import org.peerit.protocol.manifest.SwarmId;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/** What the lookup schedule needs of a DHT node (see {@link DhtNode}). */
public interface PeerLookups {
    /**
     * Looks up {@code swarm}'s peers, calling {@code peer} for each address found, then announces us unless
     * {@code announce} is false; {@code done} gets how many nodes answered. False if the node cannot look up yet.
     */
    boolean lookup(SwarmId swarm, boolean seed, int tcpPort, boolean announce, Consumer<InetSocketAddress> peer,
                   Consumer<Integer> done);

    /** Nodes in the routing table now. */
    int routingTableSize();
}
