package org.peerit.daemon.session;

import io.netty.channel.Channel;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.protocol.PeerId;

/** A connection whose handshake is done: the channel, the proven peer, and how it reached us. */
public record PeerLink(Channel channel, PeerId peerId, int listenPort, boolean outbound, PeerPath path,
                       String security) {
}
