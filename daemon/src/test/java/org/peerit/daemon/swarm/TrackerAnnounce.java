package org.peerit.daemon.swarm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.tracker.TrackerCodec;
import org.peerit.protocol.tracker.TrackerMessage;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.List;

/** Announces to a tracker by hand over a plain UDP socket, for peers a test builds from the codecs. */
final class TrackerAnnounce {
    private TrackerAnnounce() {
    }

    /** Connects and announces {@code peer} as a seed of {@code swarm} listening on TCP {@code port}. */
    static TrackerMessage asSeed(DatagramSocket socket, InetSocketAddress tracker, SwarmId swarm, PeerId peer, int port)
            throws IOException {
        return announce(socket, tracker, connect(socket, tracker), swarm, peer, true, port);
    }

    static long connect(DatagramSocket socket, InetSocketAddress tracker) throws IOException {
        socket.setSoTimeout(3000);
        return ((TrackerMessage.ConnectResponse) exchange(socket, tracker, new TrackerMessage.ConnectRequest(1))).connectionId();
    }

    static TrackerMessage announce(DatagramSocket socket, InetSocketAddress tracker, long connectionId, SwarmId swarm,
                                   PeerId peer, boolean seed, int port) throws IOException {
        return exchange(socket, tracker, new TrackerMessage.AnnounceRequest(2, connectionId, swarm, peer,
                TrackerMessage.AnnounceEvent.STARTED, seed, port, 0, 0, List.of()));
    }

    private static TrackerMessage exchange(DatagramSocket socket, InetSocketAddress to, TrackerMessage msg) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        TrackerCodec.encode(msg, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        socket.send(new DatagramPacket(bytes, bytes.length, to));
        DatagramPacket reply = new DatagramPacket(new byte[65536], 65536);
        socket.receive(reply);
        return TrackerCodec.decode(Unpooled.wrappedBuffer(reply.getData(), 0, reply.getLength()));
    }
}
