package org.peerit.daemon.nat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.util.concurrent.ScheduledFuture;
import org.peerit.protocol.nat.NatDatagram;
import org.peerit.protocol.stun.StunCodec;
import org.peerit.protocol.tracker.TrackerMessage;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Birthday punching (Tailscale, "How NAT traversal works"), for a pair no ordinary punch can join: one peer behind a
 * NAT that maps each destination to a new port (hard), the other behind an endpoint-independent one (easy). The hard
 * side opens many sockets, each probing the easy side's server mapping, which gives it as many mappings towards it;
 * the easy side probes random ports of the hard side's address. When one of its probes hits one of those mappings,
 * both NATs hold the matching entries: the hard side's socket that received it dials QUIC to the easy side through
 * them. With 256 sockets and 2048 probes, P(meet) = 1 - (1 - 256/64512)^2048, over 99.9%.
 * <p>
 * Bounded: at most {@value #MAX_POOLS} socket pools and {@value #MAX_PROBE_RUNS} probe runs at once, each within the
 * tracker's count and time (checked by the codec); the tracker starts them only between two peers of one swarm.
 * Engine thread.
 */
final class BirthdayPunch {
    private static final Logger log = LoggerFactory.getLogger(BirthdayPunch.class);
    static final int MAX_POOLS = 4;
    static final int MAX_PROBE_RUNS = 8;
    /** The easy side sends its probes in batches, one batch per tick. */
    private static final long TICK_MILLIS = 10;
    /** The hard side probes from every socket at these times: its mappings must exist before the easy side's probes. */
    private static final long[] POOL_PROBES_AT_MILLIS = {0, 250, 1000};
    private static final int FIRST_PORT = 1024;

    private final EventLoop loop;
    private final QuicSockets sockets;
    private final Consumer<InetSocketAddress> punchedSource;
    private final SplittableRandom random = new SplittableRandom();
    private final Map<Long, ProbeRun> probeRuns = new HashMap<>();
    private int pools;

    BirthdayPunch(EventLoop loop, QuicSockets sockets, Consumer<InetSocketAddress> punchedSource) {
        this.loop = loop;
        this.sockets = sockets;
        this.punchedSource = punchedSource;
    }

    /**
     * Hard side: opens {@code count} sockets probing {@code target}; completes with a QUIC connection from the one a
     * probe from the target reaches (not yet checked for the peer's certificate), or fails after {@code millis}.
     */
    CompletableFuture<QuicChannel> open(long nonce, InetSocketAddress target, int count, long millis) {
        CompletableFuture<QuicChannel> connected = new CompletableFuture<>();
        if (pools >= MAX_POOLS) {
            connected.completeExceptionally(new IOException(pools + " birthday punches under way already"));
            return connected;
        }
        pools++;
        new Pool(nonce, target, count, millis, connected).start();
        connected.whenComplete((c, t) -> pools--);
        return connected;
    }

    /**
     * Easy side: from the server socket, sends {@code probes} probes to random ports of {@code hard} over
     * {@code millis}; completes with the hard side's mapping once a probe of its comes back.
     */
    CompletableFuture<InetSocketAddress> probe(long nonce, InetAddress hard, int probes, long millis) {
        CompletableFuture<InetSocketAddress> met = new CompletableFuture<>();
        if (probeRuns.size() >= MAX_PROBE_RUNS || probeRuns.containsKey(nonce)) {
            met.completeExceptionally(new IOException(probeRuns.size() + " birthday punches under way already"));
            return met;
        }
        ProbeRun run = new ProbeRun(nonce, hard, probes, millis, met);
        probeRuns.put(nonce, run);
        run.start();
        return met;
    }

    /** A probe arrived on the server socket: whether it was the answer to one of our probe runs. */
    boolean probeReceivedOnServer(NatDatagram.Probe probe, InetSocketAddress sender) {
        ProbeRun run = probeRuns.get(probe.nonce());
        if (run == null || !run.hard.equals(sender.getAddress())) {
            return false;
        }
        run.met(sender);
        return true;
    }

    /** The easy side's run of probes to random ports of the hard side's address. */
    private final class ProbeRun {
        private final long nonce;
        private final InetAddress hard;
        private final CompletableFuture<InetSocketAddress> met;
        private final long perTick;
        private final ScheduledFuture<?> ticks;
        private final ScheduledFuture<?> timeout;
        private int left;

        ProbeRun(long nonce, InetAddress hard, int probes, long millis, CompletableFuture<InetSocketAddress> met) {
            this.nonce = nonce;
            this.hard = hard;
            this.met = met;
            this.left = probes;
            this.perTick = Math.max(1, (probes * TICK_MILLIS + millis - 1) / millis);
            this.ticks = loop.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
            this.timeout = loop.schedule(() -> end(new IOException("no birthday probe came back from "
                    + hard.getHostAddress() + " in " + millis + " ms")), millis, TimeUnit.MILLISECONDS);
        }

        void start() {
            log.debug("birthday punch: {} probes to random ports of {}", left, hard.getHostAddress());
        }

        private void tick() {
            Channel socket = sockets.server;
            for (int i = 0; i < perTick && left > 0; i++, left--) {
                int port = FIRST_PORT + random.nextInt(65536 - FIRST_PORT);
                socket.write(HolePuncher.probe(socket, nonce, new InetSocketAddress(hard, port)));
            }
            socket.flush();
            if (left == 0) {
                ticks.cancel(false);
            }
        }

        void met(InetSocketAddress mapping) {
            if (met.isDone()) {
                return;
            }
            punchedSource.accept(mapping);
            // Answer through the opened pair, so the hard side knows its socket even if its own probe was first.
            for (int i = 0; i < 3; i++) {
                loop.schedule(() -> sockets.server.writeAndFlush(HolePuncher.probe(sockets.server, nonce, mapping)),
                        i * 20L, TimeUnit.MILLISECONDS);
            }
            end(null);
            met.complete(mapping);
        }

        private void end(IOException failure) {
            ticks.cancel(false);
            timeout.cancel(false);
            probeRuns.remove(nonce);
            if (failure != null) {
                met.completeExceptionally(failure);
            }
        }
    }

    /** The hard side's sockets, each probing the easy side's mapping, until one meets a probe of its. */
    private final class Pool {
        private final long nonce;
        private final InetSocketAddress target;
        private final int count;
        private final long millis;
        private final CompletableFuture<QuicChannel> connected;
        private final List<Channel> channels = new ArrayList<>();
        private final List<ScheduledFuture<?>> timers = new ArrayList<>();
        private Channel winner;

        Pool(long nonce, InetSocketAddress target, int count, long millis, CompletableFuture<QuicChannel> connected) {
            this.nonce = nonce;
            this.target = target;
            this.count = count;
            this.millis = millis;
            this.connected = connected;
        }

        void start() {
            log.debug("birthday punch: {} sockets probing {}", count, target);
            for (int i = 0; i < count; i++) {
                // The daemon's demultiplexer first, as on its own sockets: probes come to this pool, and everything
                // else goes on down the pipeline, where only the winner has a QUIC codec to take it.
                sockets.bindExtra(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new UdpDemux(new PoolSocket(ch)));
                    }
                }).addListener((ChannelFutureListener) f -> {
                    Channel ch = f.channel();
                    if (!f.isSuccess()) {
                        return; // out of sockets: the others may still meet
                    }
                    if (connected.isDone() && ch != winner) {
                        ch.close();
                    } else {
                        channels.add(ch);
                    }
                });
            }
            for (long at : POOL_PROBES_AT_MILLIS) {
                timers.add(loop.schedule(this::probeFromAll, at, TimeUnit.MILLISECONDS));
            }
            timers.add(loop.schedule(() -> fail("no probe came back to any of " + count + " sockets in " + millis
                    + " ms"), millis, TimeUnit.MILLISECONDS));
        }

        private void probeFromAll() {
            for (Channel ch : channels) {
                ch.writeAndFlush(HolePuncher.probe(ch, nonce, target));
            }
        }

        /** A probe from the target reached {@code ch}: it alone stays, and dials QUIC to where the probe came from. */
        private void met(Channel ch, InetSocketAddress from) {
            if (winner != null || connected.isDone()) {
                return;
            }
            winner = ch;
            closeAllBut(ch);
            ch.writeAndFlush(HolePuncher.probe(ch, nonce, from));
            sockets.connectFrom(ch, from, NatTraversal.CONNECT_TIMEOUT_MILLIS).addListener(f -> {
                if (f.isSuccess()) {
                    QuicChannel connection = (QuicChannel) f.getNow();
                    connection.closeFuture().addListener(c -> ch.close());
                    connected.complete(connection);
                } else {
                    ch.close();
                    connected.completeExceptionally(new IOException("QUIC through the birthday punch to " + from
                            + ": " + f.cause().getMessage()));
                }
            });
        }

        private void fail(String why) {
            if (winner == null && !connected.isDone()) {
                closeAllBut(null);
                connected.completeExceptionally(new IOException(why));
            }
        }

        private void closeAllBut(Channel keep) {
            for (ScheduledFuture<?> t : timers) {
                t.cancel(false);
            }
            for (Channel ch : channels) {
                if (ch != keep) {
                    ch.close();
                }
            }
            channels.clear();
        }

        /** What one pool socket hears: a probe of this punch from the target is the meeting. */
        private final class PoolSocket implements UdpDemux.Listener {
            private final Channel channel;

            PoolSocket(Channel channel) {
                this.channel = channel;
            }

            @Override
            public void nat(NatDatagram datagram, InetSocketAddress sender) {
                if (datagram instanceof NatDatagram.Probe probe && probe.nonce() == nonce
                        && sender.getAddress().equals(target.getAddress())) {
                    met(channel, sender);
                }
            }

            @Override
            public void stun(StunCodec.Message message, InetSocketAddress sender) {
                // nobody's STUN server
            }

            @Override
            public void tracker(TrackerMessage message, InetSocketAddress sender) {
                // trackers talk to the daemon's own sockets
            }
        }
    }
}
