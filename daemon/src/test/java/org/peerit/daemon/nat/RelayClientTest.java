package org.peerit.daemon.nat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import org.junit.jupiter.api.Test;
import org.peerit.protocol.nat.NatDatagram;
import org.peerit.protocol.nat.NatDatagramCodec;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelayClientTest {
    private static final InetSocketAddress RELAY = new InetSocketAddress("198.18.0.1", 40000);
    private static final InetSocketAddress STRANGER = new InetSocketAddress("198.18.0.66", 40000);

    @Test
    void bindsThenHonoursOnlyItsAllocationsDatagrams() {
        EmbeddedChannel socket = new EmbeddedChannel();
        List<String> closed = new ArrayList<>();
        RelayClient relays = new RelayClient(socket.eventLoop(), (relay, reason) -> closed.add(relay + " " + reason));

        CompletableFuture<InetSocketAddress> ready = relays.bind(socket, RELAY, 7);
        socket.runScheduledPendingTasks();
        DatagramPacket bind = socket.readOutbound();
        assertEquals(RELAY, bind.recipient());
        assertEquals(new NatDatagram.RelayBind(7), NatDatagramCodec.decode(bind.content()));
        bind.release();
        assertTrue(relays.isRelay(RELAY));

        relays.received(new NatDatagram.RelayReady(8), RELAY);        // another allocation's token
        relays.received(new NatDatagram.RelayReady(7), STRANGER);     // not from the relay
        assertFalse(ready.isDone());
        relays.received(new NatDatagram.RelayReady(7), RELAY);
        assertEquals(RELAY, ready.join());

        relays.received(new NatDatagram.RelayClosed(9, "forged"), RELAY);
        relays.received(new NatDatagram.RelayClosed(7, "forged"), STRANGER);
        assertTrue(closed.isEmpty(), "forged closes are ignored: " + closed);
        relays.received(new NatDatagram.RelayClosed(7, "byte budget used up"), RELAY);
        assertEquals(List.of(RELAY + " byte budget used up"), closed);
        assertFalse(relays.isRelay(RELAY));
        socket.finishAndReleaseAll();
    }
}
