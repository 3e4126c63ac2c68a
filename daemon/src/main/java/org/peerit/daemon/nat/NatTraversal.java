package org.peerit.daemon.nat;

import org.peerit.daemon.identity.PeerTrust;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.ScheduledFuture;
import org.peerit.daemon.identity.Identity;
import org.peerit.daemon.tracker.TrackerClient;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.protocol.nat.NatDatagram;
import org.peerit.protocol.net.Transport;
import org.peerit.protocol.stun.StunCodec;
import org.peerit.protocol.tracker.TrackerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Everything that gets a QUIC connection through NATs: the two UDP sockets, a tracker client on each (S announces,
 * so the tracker sees S's public mapping; C asks for punches and relays, so the tracker sees C's), STUN keep-alives,
 * hole punching and relay allocations. The swarm engine asks it for paths to a peer; it tells the engine about
 * inbound QUIC streams and relays that close. Everything runs on the engine's event loop.
 */
public final class NatTraversal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NatTraversal.class);
    private static final long KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(20);
    static final int CONNECT_TIMEOUT_MILLIS = 5000;
    private static final int MAX_PEER_STUN_SERVERS = 4;
    static final int MAX_STUN_ANSWERS_PER_SECOND = 50;
    /**
     * Relay first: a punch that works opens within about one round trip of both sides starting to probe (the
     * tracker's, doubled, stands in for the peer's), so one not open by then probably will not be, and data starts
     * over the relay while punching goes on. Never sooner than this, for a busy machine's scheduling.
     */
    static final long RELAY_FIRST_MIN_MILLIS = 100;

    /** What the engine hears from here. Engine thread. */
    public interface Events {
        /** A peer opened a stream to us; its certificate proved {@code certified}; it came by {@code path}. */
        void inboundStream(QuicStreamChannel stream, PeerId certified, PeerPath path);

        /** A tracker closed the relay allocation at {@code relay}: connections through it end. */
        void relayClosed(InetSocketAddress relay, String reason);

        /**
         * A birthday punch another peer asked for connected us to {@code peer} (its certificate checked) for
         * {@code swarm}; from our side of a hard NAT we are the dialler, so the engine opens the peer stream.
         */
        void birthdayConnected(QuicChannel connection, SwarmId swarm, PeerId peer);
    }

    private final PeerId me;
    private final EventLoop loop;
    private final QuicSockets sockets;
    private final TrackerClient announcer;
    private final TrackerClient asker;
    private final StunKeeper serverStun;
    private final StunKeeper clientStun;
    private final HolePuncher puncher;
    private final BirthdayPunch birthday;
    private final Events events;
    private final RelayClient relays;
    private final ScheduledFuture<?> keepalive;
    private long lastKeepaliveNanos;
    /** Peers' public QUIC server sockets that answer STUN too, for when no tracker does (at most 4, the latest). */
    private final Set<InetSocketAddress> peerStunServers = Collections.newSetFromMap(new LinkedHashMap<>(8, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Boolean> eldest) {
            return size() > MAX_PEER_STUN_SERVERS;
        }
    });
    /** STUN answers we give, per second, against a bound: a daemon is nobody's free STUN service. */
    private long stunSecond;
    private int stunAnswers;

    public NatTraversal(EventLoop loop, Transport transport, Identity identity, InetAddress bind, int quicPort,
                        Supplier<Integer> tcpPort, List<InetSocketAddress> tcpCandidates, Executor blocking,
                        Events events) throws IOException {
        if (!Quic.isAvailable()) {
            throw new IOException("QUIC is not available on this platform (" + Quic.unavailabilityCause() + ")");
        }
        this.me = identity.peerId();
        this.loop = loop;
        this.relays = new RelayClient(loop, events::relayClosed);
        SocketEvents onServer = new SocketEvents(true);
        SocketEvents onClient = new SocketEvents(false);
        try {
            this.sockets = new QuicSockets(loop, transport, identity, bind, quicPort, onServer, onClient,
                    new ChannelInitializer<QuicStreamChannel>() {
                        @Override
                        protected void initChannel(QuicStreamChannel stream) throws Exception {
                            QuicChannel connection = stream.parent();
                            InetSocketAddress remote = (InetSocketAddress) connection.remoteSocketAddress();
                            events.inboundStream(stream, PeerTrust.peerIdOf(connection.sslEngine()), inboundPath(remote));
                        }
                    });
        } catch (Exception e) {
            throw new IOException("cannot open the QUIC sockets" + (quicPort == 0 ? "" : " on UDP port " + quicPort)
                    + ": " + e.getMessage() + (quicPort == 0 ? "" : " (choose another --quic-port)"), e);
        }
        this.announcer = new TrackerClient(loop, sockets.server, me, tcpPort, sockets.serverPort(), tcpCandidates,
                blocking, this::unaskedOnServer);
        this.asker = new TrackerClient(loop, sockets.client, me, tcpPort, 0, List.of(), blocking, (m, from) -> { });
        this.serverStun = new StunKeeper("QUIC server", sockets.server);
        this.clientStun = new StunKeeper("QUIC client", sockets.client);
        this.puncher = new HolePuncher(loop, sockets.server, sockets.client);
        this.birthday = new BirthdayPunch(loop, sockets, puncher::markPunched);
        this.events = events;
        this.keepalive = loop.scheduleAtFixedRate(this::keepAlive, 1, 1, TimeUnit.SECONDS);
    }

    /** The tracker client that announces shares (from the QUIC server socket). */
    public TrackerClient trackers() {
        return announcer;
    }

    public int quicPort() {
        return sockets.serverPort();
    }

    /** The public mappings of the server and client sockets as the trackers see them (null until known). */
    public InetSocketAddress serverMapping() {
        return serverStun.mapped();
    }

    public InetSocketAddress clientMapping() {
        return clientStun.mapped();
    }

    /** Every 20 s a binding from each socket; every second until both know their mapping. */
    private void keepAlive() {
        long now = System.nanoTime();
        boolean learning = serverStun.mapped() == null || clientStun.mapped() == null;
        if (!learning && now - lastKeepaliveNanos < KEEPALIVE_NANOS) {
            return;
        }
        List<InetSocketAddress> servers = new ArrayList<>(announcer.trackerAddresses());
        servers.addAll(peerStunServers);
        if (servers.isEmpty()) {
            return;
        }
        lastKeepaliveNanos = now;
        serverStun.refresh(servers);
        clientStun.refresh(servers);
    }

    /**
     * A peer told us the public address of its QUIC server socket: it answers STUN there, so our mappings can be
     * learned and kept alive without a tracker. Engine thread.
     */
    public void stunVia(InetSocketAddress peerServer) {
        if (peerStunServers.add(peerServer) && (serverStun.mapped() == null || clientStun.mapped() == null)) {
            lastKeepaliveNanos = 0; // learn at once
        }
    }

    /**
     * A peer introduced us for a punch: probe {@code target} (the other peer's server mapping) from socket C with
     * {@code nonce}; completes with the address to dial once its probe comes back.
     */
    public CompletableFuture<InetSocketAddress> punchIntroduced(long nonce, InetSocketAddress target) {
        return puncher.dial(nonce, target, 0);
    }

    /** A peer introduced a dialler that will come from {@code source}: probe it from S so our NAT lets it in. */
    public void acceptIntroduced(long nonce, InetSocketAddress source) {
        puncher.target(nonce, source, 0);
    }

    /** Answers a STUN binding request from anyone, within the per-second bound. */
    private void answerStun(io.netty.channel.Channel socket, StunCodec.Message request, InetSocketAddress sender) {
        long second = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime());
        if (second != stunSecond) {
            stunSecond = second;
            stunAnswers = 0;
        }
        if (++stunAnswers > MAX_STUN_ANSWERS_PER_SECOND) {
            return;
        }
        socket.writeAndFlush(new io.netty.channel.socket.DatagramPacket(
                StunCodec.bindingSuccess(socket.alloc(), request.transactionId(), sender), sender));
    }

    /**
     * Connects over QUIC from socket C to {@code remote} and checks that the certificate there is {@code expected}'s;
     * fails with the reason otherwise.
     */
    public CompletableFuture<QuicChannel> dial(InetSocketAddress remote, PeerId expected) {
        CompletableFuture<QuicChannel> out = new CompletableFuture<>();
        sockets.connect(remote, CONNECT_TIMEOUT_MILLIS).addListener(f -> {
            if (!f.isSuccess()) {
                out.completeExceptionally(new IOException("QUIC to " + remote + ": " + describe(f.cause())));
                return;
            }
            complete(out, (QuicChannel) f.getNow(), remote, expected);
        });
        return out;
    }

    /** Completes {@code out} with {@code connection} if its certificate is {@code expected}'s; else closes it. */
    private static void complete(CompletableFuture<QuicChannel> out, QuicChannel connection, InetSocketAddress remote,
                                 PeerId expected) {
        try {
            PeerId certified = PeerTrust.peerIdOf(connection.sslEngine());
            if (!certified.equals(expected)) {
                connection.close();
                out.completeExceptionally(new IOException("the peer at " + remote + " has the certificate of "
                        + certified.shortHex() + ", not of the announced " + expected.shortHex()));
                return;
            }
            out.complete(connection);
        } catch (IOException e) {
            connection.close();
            out.completeExceptionally(new IOException("QUIC to " + remote + ": no peer certificate"));
        }
    }

    /** The hard side of a birthday punch: its QUIC connection to {@code peer}, certificate checked. */
    private CompletableFuture<QuicChannel> birthdayOpen(TrackerMessage.BirthdayOpen open) {
        CompletableFuture<QuicChannel> out = new CompletableFuture<>();
        birthday.open(open.nonce(), open.target(), open.sockets(), open.durationMillis()).whenComplete((c, t) -> {
            if (t != null) {
                out.completeExceptionally(t);
            } else {
                complete(out, c, open.target(), open.peer());
            }
        });
        return out;
    }

    /**
     * Asks {@code tracker} to punch a path to {@code peer}; completes once it is open with how to use it: dial an
     * address (an ordinary punch), a connection made (a birthday punch from our hard NAT), or a connection to
     * expect (a birthday punch from our easy one). Runs {@code notOpenYet} if the punch has not opened a round trip
     * after probing started (see {@link #RELAY_FIRST_MIN_MILLIS}); punching goes on until it opens or times out.
     */
    public CompletableFuture<PunchOutcome> punch(TrackerAddress tracker, SwarmId swarm, PeerId peer,
                                                 Runnable notOpenYet) {
        long asked = System.nanoTime();
        return asker.ask(tracker, (tx, connection) -> new TrackerMessage.PunchRequest(tx, connection, swarm, me, peer))
                .thenCompose(answer -> {
                    long roundTrip = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
                    CompletableFuture<? extends PunchOutcome> opened;
                    long delay = 0;
                    if (answer.message() instanceof TrackerMessage.PunchStarted started) {
                        delay = started.delayMillis();
                        opened = puncher.dial(started.nonce(), started.target(), delay).thenApply(PunchOutcome.Dial::new);
                    } else if (answer.message() instanceof TrackerMessage.BirthdayOpen open && open.peer().equals(peer)) {
                        opened = birthdayOpen(open).thenApply(PunchOutcome.Connected::new);
                    } else if (answer.message() instanceof TrackerMessage.BirthdayProbe probe && probe.peer().equals(peer)) {
                        opened = birthday.probe(probe.nonce(), probe.hardAddress(), probe.probes(), probe.durationMillis())
                                .thenApply(PunchOutcome.Inbound::new);
                    } else {
                        return CompletableFuture.failedFuture(refused(tracker, answer.message()));
                    }
                    ScheduledFuture<?> late = loop.schedule(() -> {
                        if (!opened.isDone()) {
                            notOpenYet.run();
                        }
                    }, delay + Math.max(RELAY_FIRST_MIN_MILLIS, 2 * roundTrip), TimeUnit.MILLISECONDS);
                    opened.whenComplete((outcome, failure) -> late.cancel(false));
                    return opened.thenApply(PunchOutcome.class::cast);
                });
    }

    /** Asks {@code tracker} for a relay to {@code peer}; completes with the relay address once both sides are bound. */
    public CompletableFuture<InetSocketAddress> relay(TrackerAddress tracker, SwarmId swarm, PeerId peer) {
        return asker.ask(tracker, (tx, connection) -> new TrackerMessage.RelayRequest(tx, connection, swarm, me, peer))
                .thenCompose(answer -> {
                    if (answer.message() instanceof TrackerMessage.RelayAllocated allocated) {
                        return relays.bind(sockets.client, relayAddress(allocated.relay(), answer.from()), allocated.token());
                    }
                    return CompletableFuture.failedFuture(refused(tracker, answer.message()));
                });
    }

    /** How an inbound connection from {@code remote} reached us. */
    PeerPath inboundPath(InetSocketAddress remote) {
        if (relays.isRelay(remote)) {
            return PeerPath.QUIC_RELAY;
        }
        return puncher.isPunchedSource(remote) ? PeerPath.QUIC_PUNCHED : PeerPath.QUIC_LAN;
    }

    /** Tracker messages nobody on S asked for: a peer wants to punch to us, or a relay was allocated for one. */
    private void unaskedOnServer(TrackerMessage msg, InetSocketAddress sender) {
        if (!announcer.trackerAddresses().contains(sender)) {
            log.debug("ignoring {} from {}, which is not one of our trackers", msg.getClass().getSimpleName(), sender);
            return;
        }
        if (msg instanceof TrackerMessage.PunchNotify notify) {
            log.debug("peer {} punches to us from {}", notify.from().shortHex(), notify.source());
            puncher.target(notify.nonce(), notify.source(), notify.delayMillis());
        } else if (msg instanceof TrackerMessage.BirthdayOpen open) {
            log.debug("peer {} is behind an easy NAT and we behind a hard one: birthday punch", open.peer().shortHex());
            birthdayOpen(open).whenComplete((connection, failure) -> {
                if (failure != null) {
                    log.info("birthday punch to peer {} failed: {}", open.peer().shortHex(), failure.getMessage());
                } else {
                    events.birthdayConnected(connection, open.swarmId(), open.peer());
                }
            });
        } else if (msg instanceof TrackerMessage.BirthdayProbe probe) {
            log.debug("peer {} is behind a hard NAT: birthday punch", probe.peer().shortHex());
            birthday.probe(probe.nonce(), probe.hardAddress(), probe.probes(), probe.durationMillis())
                    .whenComplete((from, failure) -> {
                        if (failure != null) {
                            log.info("birthday punch from peer {} failed: {}", probe.peer().shortHex(), failure.getMessage());
                        }
                    });
        } else if (msg instanceof TrackerMessage.RelayAllocated allocated) {
            InetSocketAddress relay = relayAddress(allocated.relay(), sender);
            log.info("peer {} reaches us through the tracker's relay at {}", allocated.peer().shortHex(), relay);
            relays.bind(sockets.server, relay, allocated.token()).whenComplete((r, t) -> {
                if (t != null) {
                    log.info("relay for peer {} failed: {}", allocated.peer().shortHex(), t.getMessage());
                }
            });
        }
    }

    /** A tracker bound to a wildcard address names its relay by port only: the host is the tracker's. */
    private static InetSocketAddress relayAddress(InetSocketAddress relay, InetSocketAddress tracker) {
        return relay.getAddress().isAnyLocalAddress() ? new InetSocketAddress(tracker.getAddress(), relay.getPort()) : relay;
    }

    private static IOException refused(TrackerAddress tracker, TrackerMessage reply) {
        String why = reply instanceof TrackerMessage.ErrorResponse e ? e.message() : "unexpected " + reply.getClass().getSimpleName();
        return new IOException("tracker " + tracker + " refused: " + why);
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null ? t.getClass().getSimpleName() : message;
    }

    @Override
    public void close() {
        keepalive.cancel(false);
        announcer.close();
        asker.close();
        sockets.close();
    }

    /** The demultiplexed non-QUIC datagrams of one socket. */
    private final class SocketEvents implements UdpDemux.Listener {
        private final boolean server;

        SocketEvents(boolean server) {
            this.server = server;
        }

        /** Datagrams that arrive while the constructor is still running are dropped, as if lost. */
        private boolean ready() {
            return keepalive != null;
        }

        @Override
        public void stun(StunCodec.Message message, InetSocketAddress sender) {
            if (!ready()) {
                return;
            }
            if (message.type() == StunCodec.BINDING_REQUEST) {
                answerStun(server ? sockets.server : sockets.client, message, sender);
            } else {
                (server ? serverStun : clientStun).received(message);
            }
        }

        @Override
        public void tracker(TrackerMessage message, InetSocketAddress sender) {
            if (ready()) {
                (server ? announcer : asker).received(message, sender);
            }
        }

        @Override
        public void nat(NatDatagram datagram, InetSocketAddress sender) {
            if (!ready()) {
                return;
            }
            if (datagram instanceof NatDatagram.Probe probe) {
                if (server && birthday.probeReceivedOnServer(probe, sender)) {
                    return;
                }
                puncher.probeReceived(probe, sender, server);
            } else {
                relays.received(datagram, sender);
            }
        }
    }
}
