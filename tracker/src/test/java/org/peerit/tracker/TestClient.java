package org.peerit.tracker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.nat.NatDatagram;
import org.peerit.protocol.nat.NatDatagramCodec;
import org.peerit.protocol.tracker.TrackerCodec;
import org.peerit.protocol.tracker.TrackerMessage;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.util.List;

/** A tracker client on a plain UDP socket of its own (so its own source address), speaking the protocol by hand. */
final class TestClient implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    final PeerId peerId = PeerId.random(RANDOM);
    private final InetSocketAddress tracker;
    long connectionId;

    TestClient(InetSocketAddress tracker) throws Exception {
        this.tracker = tracker;
        socket.setSoTimeout(3000);
    }

    /** A client that holds a connection id already. */
    static TestClient connectedTo(InetSocketAddress tracker) throws Exception {
        TestClient c = new TestClient(tracker);
        try {
            c.connect();
        } catch (Exception e) {
            c.close();
            throw e;
        }
        return c;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    TrackerMessage exchange(TrackerMessage msg) throws Exception {
        send(msg);
        return receive();
    }

    void send(TrackerMessage msg) throws Exception {
        ByteBuf buf = Unpooled.buffer();
        TrackerCodec.encode(msg, buf);
        sendBytes(buf, tracker);
    }

    TrackerMessage receive() throws Exception {
        DatagramPacket reply = new DatagramPacket(new byte[65536], 65536);
        socket.receive(reply);
        return TrackerCodec.decode(Unpooled.wrappedBuffer(reply.getData(), 0, reply.getLength()));
    }

    void sendNat(NatDatagram msg, SocketAddress to) throws Exception {
        ByteBuf buf = Unpooled.buffer();
        NatDatagramCodec.encode(msg, buf);
        sendBytes(buf, to);
    }

    void sendBytes(ByteBuf buf, SocketAddress to) throws Exception {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        socket.send(new DatagramPacket(bytes, bytes.length, to));
    }

    /** The next datagram, raw. */
    DatagramPacket receiveRaw() throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
        socket.receive(packet);
        return packet;
    }

    void connect() throws Exception {
        var r = (TrackerMessage.ConnectResponse) exchange(new TrackerMessage.ConnectRequest(1));
        connectionId = r.connectionId();
    }

    TrackerMessage announce(SwarmId swarm, AnnounceEvent event, boolean seed, int port) throws Exception {
        return exchange(new TrackerMessage.AnnounceRequest(2, connectionId, swarm, peerId, event, seed, port, port, 0,
                List.of(new InetSocketAddress("198.18.0.7", port))));
    }

    @Override
    public void close() {
        socket.close();
    }
}
