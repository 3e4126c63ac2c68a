package org.peerit.daemon.session;

import io.netty.channel.ChannelHandler;

/** What takes a connection on after its handshake: the handler that replaces the handshake's, then its start. */
public interface Admitted {
    ChannelHandler handler();

    /** In the pipeline now: say what we have, or ask for what we lack. */
    void start();
}
