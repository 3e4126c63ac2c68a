package org.peerit.daemon.session;

import io.netty.channel.Channel;
import org.peerit.daemon.upload.TokenBucket;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;

import java.util.function.Function;

/**
 * A daemon around sessions under test: our id, the swarms it serves, no caps, no rate limits. An allocation failure
 * fails the test.
 */
public final class TestSessionHost implements SessionHost {
    private final PeerId me;
    private final Function<SwarmId, HandshakeSwarm> swarms;

    public TestSessionHost(PeerId me, Function<SwarmId, HandshakeSwarm> swarms) {
        this.me = me;
        this.swarms = swarms;
    }

    @Override
    public PeerId ownId() {
        return me;
    }

    @Override
    public int listenPort() {
        return 6000;
    }

    @Override
    public HandshakeSwarm swarm(SwarmId id) {
        return swarms.apply(id);
    }

    @Override
    public boolean establish(Channel channel) {
        return true;
    }

    @Override
    public void logRefusal(String why) {
    }

    @Override
    public TokenBucket uploadLimit() {
        return new TokenBucket(0, System.nanoTime());
    }

    @Override
    public TokenBucket downloadLimit() {
        return new TokenBucket(0, System.nanoTime());
    }

    @Override
    public void memoryShortage(Throwable cause) {
        throw new AssertionError(cause);
    }
}
