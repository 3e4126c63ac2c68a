package org.peerit.daemon.nat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import org.peerit.protocol.nat.NatDatagram;
import org.peerit.protocol.nat.NatDatagramCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * UDP hole punching, both sides. The dialler (socket C) and the target (socket S) each send small probes to the
 * other's public mapping, as the tracker told them, every 20 ms for up to 3 s: each side's outgoing probes open its
 * own NAT for the other's. The dialler starts QUIC the moment a probe from the target arrives, i.e. once the path is
 * open both ways, at the address that probe came from (which also covers a target whose mapping changed).
 */
final class HolePuncher {
    private static final Logger log = LoggerFactory.getLogger(HolePuncher.class);
    static final long PROBE_INTERVAL_MILLIS = 20;
    /**
     * The design allowed ~5 s; in the lab a punch that works answers within one round trip plus the start delay,
     * and every second waited here is a second more before a relayed download starts (measured: 6.3 s to the first
     * chunk with 5 s), so 3 s: room for round trips of up to a second, and a quicker fallback.
     */
    static final long PUNCH_TIMEOUT_MILLIS = 3000;
    /** Punches answered at once as a target: a bound on the probes a flood of notices could make us send. */
    private static final int MAX_TARGET_PUNCHES = 32;

    private final EventLoop loop;
    private final Channel serverSocket;
    private final Channel clientSocket;
    private final Map<Long, CompletableFuture<InetSocketAddress>> dialling = new HashMap<>();
    private final Map<Long, ScheduledFuture<?>> targetPunches = new HashMap<>();
    /** Where punched peers connect to us from (the latest 1024), so inbound connections can be labelled. */
    private final Set<InetSocketAddress> punchedSources = Collections.newSetFromMap(
            new LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Boolean> eldest) {
                    return size() > 1024;
                }
            });

    HolePuncher(EventLoop loop, Channel serverSocket, Channel clientSocket) {
        this.loop = loop;
        this.serverSocket = serverSocket;
        this.clientSocket = clientSocket;
    }

    /** Dialler: probes {@code target} from C; completes with the address to dial once the target's probe arrives. */
    CompletableFuture<InetSocketAddress> dial(long nonce, InetSocketAddress target, long delayMillis) {
        CompletableFuture<InetSocketAddress> opened = new CompletableFuture<>();
        dialling.put(nonce, opened);
        ScheduledFuture<?> probes = probe(clientSocket, target, nonce, delayMillis);
        ScheduledFuture<?> timeout = loop.schedule(() -> {
            if (dialling.remove(nonce) != null) {
                opened.completeExceptionally(new IOException("no probe came back from " + target + " in "
                        + PUNCH_TIMEOUT_MILLIS / 1000 + " s (a NAT on the way maps or filters per destination)"));
            }
        }, delayMillis + PUNCH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        opened.whenComplete((address, failure) -> {
            // Keep probing a little after success: the target may still be waiting for ours.
            loop.schedule(() -> probes.cancel(false), failure == null ? 200 : 0, TimeUnit.MILLISECONDS);
            timeout.cancel(false);
        });
        return opened;
    }

    /** Target: the tracker says a peer will dial us from {@code source}; probe it from S so our NAT lets it in. */
    void target(long nonce, InetSocketAddress source, long delayMillis) {
        if (targetPunches.size() >= MAX_TARGET_PUNCHES || targetPunches.containsKey(nonce)) {
            log.debug("ignoring a punch notice: {} punches under way", targetPunches.size());
            return;
        }
        punchedSources.add(source);
        targetPunches.put(nonce, probe(serverSocket, source, nonce, delayMillis));
        loop.schedule(() -> {
            ScheduledFuture<?> p = targetPunches.remove(nonce);
            if (p != null) {
                p.cancel(false);
            }
        }, delayMillis + PUNCH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A probe arrived on socket {@code onServer ? S : C}. */
    void probeReceived(NatDatagram.Probe probe, InetSocketAddress sender, boolean onServer) {
        if (onServer) {
            if (targetPunches.containsKey(probe.nonce())) {
                punchedSources.add(sender); // the dialler's mapping towards us, if it differs from what the tracker saw
            }
            return;
        }
        CompletableFuture<InetSocketAddress> opened = dialling.remove(probe.nonce());
        if (opened != null) {
            opened.complete(sender);
        }
    }

    /** A path to {@code source} was opened by other means (a birthday punch): connections from it are punched. */
    void markPunched(InetSocketAddress source) {
        punchedSources.add(source);
    }

    boolean isPunchedSource(InetSocketAddress remote) {
        return punchedSources.contains(remote);
    }

    /** Probes {@code to} every 20 ms from {@code socket} until the caller cancels (each caller does, by the timeout). */
    private ScheduledFuture<?> probe(Channel socket, InetSocketAddress to, long nonce, long delayMillis) {
        return loop.scheduleAtFixedRate(() -> socket.writeAndFlush(probe(socket, nonce, to)),
                delayMillis, PROBE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** One probe with {@code nonce} from {@code socket} to {@code to}, to be written. */
    static DatagramPacket probe(Channel socket, long nonce, InetSocketAddress to) {
        ByteBuf buf = socket.alloc().buffer(16);
        NatDatagramCodec.encode(new NatDatagram.Probe(nonce), buf);
        return new DatagramPacket(buf, to);
    }
}
