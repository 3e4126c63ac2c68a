package org.peerit.daemon.session;

import io.netty.channel.Channel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.protocol.PeerId;

import java.net.InetSocketAddress;

/** A connection whose handshake is done: the channel, the proven peer, and how it reached us. */
public record PeerLink(Channel channel, PeerId peerId, int listenPort, boolean outbound, PeerPath path,
                       String security) {

    /** Where the peer is: a QUIC stream's connection's address, or the TCP channel's. */
    public InetSocketAddress remoteAddress() {
        return remoteOf(channel);
    }

    static InetSocketAddress remoteOf(Channel channel) {
        if (channel instanceof QuicStreamChannel stream) {
            return (InetSocketAddress) stream.parent().remoteSocketAddress();
        }
        return (InetSocketAddress) channel.remoteAddress();
    }
}
