package org.peerit.daemon.session;

import org.peerit.daemon.nat.PeerPath;
import io.netty.channel.ChannelHandler;
import org.peerit.protocol.PeerId;

/** What takes a connection on after its handshake: the handler that replaces the handshake's, then its start. */
public interface Admitted {
    /** The peer its certificate proved. */
    PeerId peerId();

    /** Whether we dialled it. */
    boolean outbound();

    /** How the connection reaches the peer. */
    PeerPath path();

    void close(String reason);

    ChannelHandler handler();

    /** In the pipeline now: say what we have, or ask for what we lack. */
    void start();
}
