package org.peerit.daemon.swarm;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import org.peerit.daemon.connect.InboundGate;
import org.peerit.daemon.connect.LogThrottle;
import org.peerit.daemon.session.HandshakeSwarm;
import org.peerit.daemon.session.SessionHost;
import org.peerit.daemon.upload.TokenBucket;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** What peer sessions ask of the daemon: who we are, which swarms we serve, the shared caps and limits. Engine thread. */
final class EngineHost implements SessionHost {
    private static final Logger log = LoggerFactory.getLogger(SwarmEngine.class);

    private final PeerId peerId;
    private final IntSupplier listenPort;
    private final Function<SwarmId, HandshakeSwarm> swarms;
    private final InboundGate gate;
    private final TokenBucket uploadLimit;
    private final TokenBucket downloadLimit;
    private final EventLoop loop;
    /** The peer listener, bound after the sessions' pipelines are set up. */
    private final Supplier<Channel> listener;
    private final LogThrottle memoryWarnings = new LogThrottle();

    EngineHost(PeerId peerId, IntSupplier listenPort, Function<SwarmId, HandshakeSwarm> swarms, InboundGate gate,
               TokenBucket uploadLimit, TokenBucket downloadLimit, EventLoop loop, Supplier<Channel> listener) {
        this.peerId = peerId;
        this.listenPort = listenPort;
        this.swarms = swarms;
        this.gate = gate;
        this.uploadLimit = uploadLimit;
        this.downloadLimit = downloadLimit;
        this.loop = loop;
        this.listener = listener;
    }

    @Override
    public PeerId ownId() {
        return peerId;
    }

    @Override
    public int listenPort() {
        return listenPort.getAsInt();
    }

    @Override
    public HandshakeSwarm swarm(SwarmId id) {
        return swarms.apply(id);
    }

    @Override
    public boolean establish(Channel channel) {
        return gate.establish(channel);
    }

    @Override
    public void logRefusal(String why) {
        gate.logRefusal(why);
    }

    @Override
    public TokenBucket uploadLimit() {
        return uploadLimit;
    }

    @Override
    public TokenBucket downloadLimit() {
        return downloadLimit;
    }

    /**
     * Memory ran out (an allocation failed on the engine thread): not one peer's fault, so not handled as one peer's
     * error. Every connection that has not completed a handshake is closed and no new one is accepted for a moment,
     * which gives back the memory strangers hold without touching a real transfer.
     */
    @Override
    public void memoryShortage(Throwable cause) {
        int shed = gate.shedPending();
        Channel server = listener.get();
        server.config().setAutoRead(false);
        loop.schedule(() -> server.config().setAutoRead(true), 2, TimeUnit.SECONDS);
        if (memoryWarnings.due(System.nanoTime())) {
            long skipped = memoryWarnings.skipped();
            log.error("out of memory ({}): closed {} connections without a handshake and paused accepting peers for"
                    + " 2 s{}; if this repeats, give the daemon more memory (PEERIT_DAEMON_JAVA_OPTS)", cause.getMessage(),
                    shed, skipped == 0 ? "" : " (" + skipped + " more times since the last such line)");
        }
    }
}
