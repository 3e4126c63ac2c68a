package org.peerit.daemon.tracker;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.protocol.tracker.TrackerCodec;
import org.peerit.protocol.tracker.TrackerMessage;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;
import org.peerit.protocol.tracker.TrackerPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Talks to trackers over one of the daemon's UDP sockets: connect for a connection id (bound to this socket's public
 * address), announce, re-announce at the interval the tracker gives, retry with backoff while a tracker is
 * unreachable, connect again when a tracker refuses the id (it restarted); and ask for punches and relays. The
 * socket's demultiplexer hands replies to {@link #received}. Runs on the engine's event loop.
 */
public final class TrackerClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrackerClient.class);
    /** BEP 15: a connection id may be used for one minute. */
    private static final long CONNECTION_ID_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long FIRST_TIMEOUT_MILLIS = 1000;
    private static final long MAX_RETRY_MILLIS = 30_000;

    /** What the client needs to know about an announcing share, and where answers go. */
    public interface Announcing {
        SwarmId swarmId();

        boolean seed();

        void peersFound(TrackerAddress tracker, List<TrackerPeer> peers);

        /** null when the tracker answered; else a one-line description of what is wrong. */
        void trackerProblem(TrackerAddress tracker, String problem);
    }

    private final EventLoop loop;
    private final Channel channel;
    private final PeerId peerId;
    private final Supplier<Integer> listenPort;
    private final int quicPort;
    private final List<InetSocketAddress> candidates;
    private final BiConsumer<TrackerMessage, InetSocketAddress> unasked;
    private final Executor blocking;
    private final SplittableRandom random = new SplittableRandom();
    private final Map<TrackerAddress, Endpoint> endpoints = new HashMap<>();
    private final Map<Integer, Consumer<TrackerMessage>> pending = new HashMap<>();
    private final Map<Key, Announcer> announcers = new HashMap<>();

    /**
     * @param channel   the UDP socket to talk from; the tracker learns its public mapping from our datagrams
     * @param quicPort  announced as our QUIC port: the local port of {@code channel} if it is our QUIC server
     * @param unasked   gets tracker messages nobody waits for (punch notices, relay allocations) and their sender
     */
    public TrackerClient(EventLoop loop, Channel channel, PeerId peerId, Supplier<Integer> listenPort, int quicPort,
                         List<InetSocketAddress> candidates, Executor blocking,
                         BiConsumer<TrackerMessage, InetSocketAddress> unasked) {
        this.loop = loop;
        this.channel = channel;
        this.peerId = peerId;
        this.listenPort = listenPort;
        this.quicPort = quicPort;
        this.candidates = candidates;
        this.blocking = blocking;
        this.unasked = unasked;
    }

    /** A tracker message arrived on our socket. Engine thread. */
    public void received(TrackerMessage msg, InetSocketAddress sender) {
        Consumer<TrackerMessage> handler = pending.remove(msg.txId());
        if (handler != null) {
            handler.accept(msg);
        } else {
            unasked.accept(msg, sender);
        }
    }

    /** The addresses of the trackers we have resolved (for STUN keep-alives, and to trust unasked messages). */
    public List<InetSocketAddress> trackerAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Endpoint e : endpoints.values()) {
            if (e.address != null) {
                out.add(e.address);
            }
        }
        return out;
    }

    /**
     * Asks {@code tracker} for a punch or a relay to a peer ({@code build} makes the request from a transaction id
     * and a connection id); completes with the tracker's answer, or fails with why there is none.
     */
    public CompletableFuture<Answer> ask(TrackerAddress tracker, BiFunction<Integer, Long, TrackerMessage> build) {
        CompletableFuture<Answer> out = new CompletableFuture<>();
        Endpoint endpoint = endpoint(tracker);
        endpoint.ready(FIRST_TIMEOUT_MILLIS * 2, to -> request(to, tx -> build.apply(tx, endpoint.connectionId),
                        FIRST_TIMEOUT_MILLIS * 2, reply -> {
                            if (reply instanceof TrackerMessage.ErrorResponse e
                                    && e.code() == TrackerMessage.ErrorCode.BAD_CONNECTION_ID) {
                                endpoint.hasConnectionId = false;
                            }
                            out.complete(new Answer(reply, to));
                        }, () -> out.completeExceptionally(new IOException("tracker " + tracker + " does not answer"))),
                problem -> out.completeExceptionally(new IOException(problem)));
        return out;
    }

    /**
     * Resolves {@code tracker} and gets a connection id now, so the first announce is one round trip (and STUN can
     * start at once). Failures only mean the first announce does this itself. Engine thread.
     */
    public void prepare(TrackerAddress tracker) {
        endpoint(tracker).ready(FIRST_TIMEOUT_MILLIS, to -> { }, problem -> log.debug("{}", problem));
    }

    /** Starts announcing {@code share} to {@code tracker} with {@code event}, then periodically. Engine thread. */
    public void announce(Announcing share, TrackerAddress tracker, AnnounceEvent event) {
        Key key = new Key(share.swarmId(), tracker);
        Announcer a = announcers.computeIfAbsent(key, k -> new Announcer(share, endpoint(tracker)));
        a.announceNow(event);
    }

    /** Tells the trackers we leave (best effort, no retries) and stops re-announcing. */
    public void stop(SwarmId swarm) {
        end(swarm, Announcer::stop);
    }

    /**
     * Stops re-announcing {@code swarm} without telling the trackers we leave: another announcer of the same swarm
     * (the share a link download became) takes over at once.
     */
    public void handOver(SwarmId swarm) {
        end(swarm, Announcer::quiet);
    }

    /** Ends every announcer of {@code swarm} (one per tracker) with {@code how}, and forgets them. */
    private void end(SwarmId swarm, Consumer<Announcer> how) {
        announcers.entrySet().removeIf(e -> {
            if (e.getKey().swarm().equals(swarm)) {
                how.accept(e.getValue());
                return true;
            }
            return false;
        });
    }

    private Endpoint endpoint(TrackerAddress tracker) {
        return endpoints.computeIfAbsent(tracker, Endpoint::new);
    }

    @Override
    public void close() {
        for (Announcer a : announcers.values()) {
            a.stop();
        }
        announcers.clear();
    }

    /**
     * Sends a request and calls {@code onReply} with the answer, or {@code onTimeout} if none came in time; either
     * way the transaction is forgotten afterwards.
     */
    private void request(InetSocketAddress to, IntFunction<TrackerMessage> message, long timeoutMillis,
                         Consumer<TrackerMessage> onReply, Runnable onTimeout) {
        int txId;
        do {
            txId = random.nextInt();
        } while (pending.containsKey(txId));
        int tx = txId;
        ScheduledFuture<?> timeout = loop.schedule(() -> {
            if (pending.remove(tx) != null) {
                onTimeout.run();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        pending.put(tx, reply -> {
            timeout.cancel(false);
            onReply.accept(reply);
        });
        ByteBuf buf = channel.alloc().buffer(256);
        TrackerCodec.encode(message.apply(tx), buf);
        channel.writeAndFlush(new DatagramPacket(buf, to));
    }

    /** A tracker's answer, and the address it answered from. */
    public record Answer(TrackerMessage message, InetSocketAddress from) {
    }

    private record Key(SwarmId swarm, TrackerAddress tracker) {
    }

    /** A tracker: its resolved address and current connection id. */
    private final class Endpoint {
        final TrackerAddress tracker;
        InetSocketAddress address;
        long resolvedNanos;
        long connectionId;
        long connectedNanos;
        boolean hasConnectionId;

        Endpoint(TrackerAddress tracker) {
            this.tracker = tracker;
        }

        /** Runs {@code then} with a resolved address and a fresh connection id, or {@code failed} with why not. */
        void ready(long timeoutMillis, Consumer<InetSocketAddress> then, Consumer<String> failed) {
            long now = System.nanoTime();
            if (address == null || now - resolvedNanos > TimeUnit.MINUTES.toNanos(5)) {
                blocking.execute(() -> {
                    try {
                        InetAddress resolved = InetAddress.getByName(tracker.host());
                        loop.execute(() -> {
                            address = new InetSocketAddress(resolved, tracker.port());
                            resolvedNanos = System.nanoTime();
                            ready(timeoutMillis, then, failed);
                        });
                    } catch (Exception e) {
                        loop.execute(() -> failed.accept("cannot resolve tracker " + tracker + ": " + e.getMessage()));
                    }
                });
                return;
            }
            if (hasConnectionId && now - connectedNanos < CONNECTION_ID_NANOS) {
                then.accept(address);
                return;
            }
            InetSocketAddress to = address;
            request(to, TrackerMessage.ConnectRequest::new, timeoutMillis, reply -> {
                if (reply instanceof TrackerMessage.ConnectResponse r) {
                    connectionId = r.connectionId();
                    connectedNanos = System.nanoTime();
                    hasConnectionId = true;
                    then.accept(to);
                } else {
                    failed.accept("tracker " + tracker + " refused to connect: " + describe(reply));
                }
            }, () -> failed.accept("tracker " + tracker + " does not answer"));
        }
    }

    /** Announces one share to one tracker, on a schedule. */
    private final class Announcer {
        final Announcing share;
        final Endpoint endpoint;
        AnnounceEvent nextEvent = AnnounceEvent.STARTED;
        int failures;
        ScheduledFuture<?> scheduled;
        boolean stopped;

        Announcer(Announcing share, Endpoint endpoint) {
            this.share = share;
            this.endpoint = endpoint;
        }

        void announceNow(AnnounceEvent event) {
            if (event != AnnounceEvent.NONE) {
                nextEvent = event;
            }
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            attempt();
        }

        private void attempt() {
            if (stopped) {
                return;
            }
            long timeout = Math.min(MAX_RETRY_MILLIS, FIRST_TIMEOUT_MILLIS << Math.min(failures, 5));
            endpoint.ready(timeout, to -> sendAnnounce(to, timeout), this::failed);
        }

        private void sendAnnounce(InetSocketAddress to, long timeoutMillis) {
            AnnounceEvent event = nextEvent;
            boolean seed = share.seed();
            request(to, txId -> new TrackerMessage.AnnounceRequest(txId, endpoint.connectionId, share.swarmId(),
                    peerId, event, seed, listenPort.get(), quicPort, 0, candidates), timeoutMillis, reply -> {
                if (reply instanceof TrackerMessage.AnnounceResponse r) {
                    failures = 0;
                    if (nextEvent == event) {
                        nextEvent = AnnounceEvent.NONE;
                    }
                    share.trackerProblem(endpoint.tracker, null);
                    share.peersFound(endpoint.tracker, r.peers());
                    schedule(Math.max(1, r.intervalSeconds()) * 1000L);
                } else if (reply instanceof TrackerMessage.ErrorResponse e
                        && e.code() == TrackerMessage.ErrorCode.BAD_CONNECTION_ID) {
                    // The tracker restarted or our id expired: get a new one and announce again at once.
                    endpoint.hasConnectionId = false;
                    if (failures++ < 3) {
                        attempt();
                    } else {
                        failed("tracker " + endpoint.tracker + " keeps refusing our connection id");
                    }
                } else {
                    failures++;
                    String problem = "tracker " + endpoint.tracker + " refused the announce: " + describe(reply);
                    share.trackerProblem(endpoint.tracker, problem);
                    log.warn("{}", problem);
                    schedule(MAX_RETRY_MILLIS);
                }
            }, () -> failed("tracker " + endpoint.tracker + " does not answer"));
        }

        private void failed(String problem) {
            failures++;
            endpoint.hasConnectionId = false;
            long retry = Math.min(MAX_RETRY_MILLIS, FIRST_TIMEOUT_MILLIS << Math.min(failures, 5));
            if (failures == 1 || failures % 5 == 0) {
                log.warn("{}; retrying in {}s", problem, retry / 1000);
            }
            share.trackerProblem(endpoint.tracker, problem + "; retrying");
            schedule(retry);
        }

        private void schedule(long millis) {
            if (!stopped) {
                scheduled = loop.schedule(this::attempt, millis, TimeUnit.MILLISECONDS);
            }
        }

        void quiet() {
            stopped = true;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }

        void stop() {
            quiet();
            if (endpoint.hasConnectionId && System.nanoTime() - endpoint.connectedNanos < CONNECTION_ID_NANOS) {
                // Best effort: the answer, if any, changes nothing.
                request(endpoint.address, txId -> new TrackerMessage.AnnounceRequest(txId, endpoint.connectionId,
                        share.swarmId(), peerId, AnnounceEvent.STOPPED, share.seed(), listenPort.get(), quicPort, 0, candidates),
                        FIRST_TIMEOUT_MILLIS, reply -> { }, () -> { });
            }
        }
    }

    private static String describe(TrackerMessage reply) {
        if (reply instanceof TrackerMessage.ErrorResponse e) {
            return e.message();
        }
        return "unexpected " + reply.getClass().getSimpleName();
    }
}
