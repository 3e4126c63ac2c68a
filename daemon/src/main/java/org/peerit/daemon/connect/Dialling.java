package org.peerit.daemon.connect;

import io.netty.channel.EventLoop;
import org.peerit.daemon.nat.NatTraversal;
import org.peerit.protocol.PeerId;

import java.net.InetAddress;
import java.util.function.Predicate;

/**
 * What every share's dialling shares: the engine's loop and channels, the NAT traversal, and the daemon's settings.
 *
 * @param tcp         whether TCP is dialled at all (tests turn it off to force QUIC)
 * @param maxPeers    connections (made or being made) per share
 * @param isLocal     whether an address is one of this host's, not to dial ourselves
 */
public record Dialling(EventLoop loop, PeerChannels channels, NatTraversal nat, PeerId ownId, int listenPort,
                       boolean tcp, int maxPeers, Predicate<InetAddress> isLocal) {
}
