package org.peerit.daemon.nat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import org.peerit.protocol.nat.NatDatagram;
import org.peerit.protocol.nat.NatDatagramCodec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Our side of tracker relay allocations: bind the allocation from the socket QUIC will use (C when dialling, S when
 * being dialled) by repeating RELAY_BIND until the relay says both sides are bound; remember which remote addresses
 * are relays (to label connections and to hear when the tracker closes one).
 */
final class RelayClient {
    private static final long BIND_INTERVAL_MILLIS = 250;
    private static final long BIND_TIMEOUT_MILLIS = 10_000;
    private static final int MAX_RELAYS = 64;

    private final EventLoop loop;
    private final Map<Long, CompletableFuture<InetSocketAddress>> binding = new HashMap<>();
    /** Our allocations: relay address → our secret token for it (which the relay's datagrams must carry). */
    private final Map<InetSocketAddress, Long> relays = new HashMap<>();
    private final BiConsumer<InetSocketAddress, String> closed;

    /** @param closed told the relay address and the reason when a tracker closes an allocation of ours */
    RelayClient(EventLoop loop, BiConsumer<InetSocketAddress, String> closed) {
        this.loop = loop;
        this.closed = closed;
    }

    /** Binds allocation {@code relay} from {@code socket}; completes when both sides are bound. */
    CompletableFuture<InetSocketAddress> bind(Channel socket, InetSocketAddress relay, long token) {
        CompletableFuture<InetSocketAddress> ready = new CompletableFuture<>();
        if (relays.size() >= MAX_RELAYS) {
            ready.completeExceptionally(new IOException("already " + MAX_RELAYS + " relayed connections"));
            return ready;
        }
        relays.put(relay, token);
        binding.put(token, ready);
        ScheduledFuture<?> binds = loop.scheduleAtFixedRate(() -> {
            ByteBuf buf = socket.alloc().buffer(16);
            NatDatagramCodec.encode(new NatDatagram.RelayBind(token), buf);
            socket.writeAndFlush(new DatagramPacket(buf, relay));
        }, 0, BIND_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> timeout = loop.schedule(() -> {
            if (binding.remove(token) != null) {
                relays.remove(relay);
                ready.completeExceptionally(new IOException("the relay at " + relay + " did not get both sides bound in "
                        + BIND_TIMEOUT_MILLIS / 1000 + " s"));
            }
        }, BIND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        ready.whenComplete((r, t) -> {
            binds.cancel(false);
            timeout.cancel(false);
        });
        return ready;
    }

    /**
     * A relay datagram counts only from one of our allocations and with its token: a forged RELAY_CLOSED from a
     * spoofed address would otherwise end a relayed session.
     */
    void received(NatDatagram datagram, InetSocketAddress sender) {
        Long token = relays.get(sender);
        if (token == null) {
            return;
        }
        if (datagram instanceof NatDatagram.RelayReady r && r.token() == token) {
            CompletableFuture<InetSocketAddress> ready = binding.remove(r.token());
            if (ready != null) {
                ready.complete(sender);
            }
        } else if (datagram instanceof NatDatagram.RelayClosed c && c.token() == token) {
            relays.remove(sender);
            CompletableFuture<InetSocketAddress> ready = binding.remove(c.token());
            if (ready != null) {
                ready.completeExceptionally(new IOException("the relay closed: " + c.reason()));
            }
            closed.accept(sender, c.reason());
        }
    }

    boolean isRelay(InetSocketAddress remote) {
        return relays.containsKey(remote);
    }
}
