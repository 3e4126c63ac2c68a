package org.peerit.daemon.session;

import io.netty.channel.Channel;
import org.peerit.daemon.upload.TokenBucket;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;

/** What a peer session needs from the daemon around it. Engine thread. */
public interface SessionHost {
    /** Our own peer id, which our certificate proves. */
    PeerId ownId();

    /** Where we accept TCP connections: sent in the handshake, so PEX can pass it on. */
    int listenPort();

    /** The swarm an inbound peer asked for, or null if we do not serve it (or not now). */
    HandshakeSwarm swarm(SwarmId id);

    /** Whether one more connection may complete its handshake (the daemon's inbound caps). */
    boolean establish(Channel channel);

    /** A stranger's connection was refused: logged at most every few seconds, since anyone can cause it at will. */
    void logRefusal(String why);

    TokenBucket uploadLimit();

    TokenBucket downloadLimit();

    /** An allocation failed: not one peer's fault, so the daemon sheds load as a whole. */
    void memoryShortage(Throwable cause);
}
