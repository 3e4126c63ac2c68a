package org.peerit.cli.attack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.tracker.TrackerCodec;
import org.peerit.protocol.tracker.TrackerMessage;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays the attacks of issue 10 against a daemon or a tracker on loopback, bounded in connections, bytes and time
 * (bench/attack drives it and measures the target). It only ever connects to loopback. Each attack prints
 * one {@code ATTACK} line with what it did and what the target let it keep.
 * <pre>
 * peer-flood PORT N        N TCP connections to a daemon, each a 4-byte length of 131081 and 131,080 bytes, no handshake
 * http-cut PORT N          N HTTP requests to a tracker without their final blank line, each connection then closed
 * http-slow PORT N SECONDS N HTTP connections that trickle a request one byte a second for SECONDS
 * announce-flood PORT N    N announces for random swarms from one UDP socket
 * </pre>
 */
public final class AttackReplay {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private AttackReplay() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: AttackReplay peer-flood|http-cut|http-slow|announce-flood PORT N [SECONDS]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        int n = Math.min(Integer.parseInt(args[2]), 10_000);
        switch (args[0]) {
            case "peer-flood" -> peerFlood(port, n);
            case "http-cut" -> httpCut(port, n);
            case "http-slow" -> httpSlow(port, n, Math.min(Integer.parseInt(args[3]), 120));
            case "announce-flood" -> announceFlood(port, n);
            default -> {
                System.err.println("unknown attack " + args[0]);
                System.exit(2);
            }
        }
    }

    /** From 127.0.0.2 up, 50 addresses: a few dozen hosts at once, none of them the honest peers' 127.0.0.1. */
    private static SocketChannel open(int i, int port) throws IOException {
        SocketChannel c = SocketChannel.open();
        c.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + (2 + i % 50)), 0));
        c.connect(new InetSocketAddress(LOOPBACK, port));
        c.configureBlocking(false);
        return c;
    }

    private static void peerFlood(int port, int n) throws Exception {
        byte[] junk = new byte[131080];
        List<SocketChannel> open = new ArrayList<>();
        long sent = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            SocketChannel c;
            try {
                c = open(i, port);
            } catch (IOException e) {
                continue; // refused at connect: the listen backlog was full
            }
            open.add(c);
            try {
                sent += c.write(ByteBuffer.allocate(4 + junk.length).putInt(131081).put(junk).flip());
            } catch (IOException closedAlready) {
                // the daemon cut it off: what it should do
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(1000);
        System.out.printf("ATTACK attack=peer-flood conns=%d bytes_sent=%d seconds=%.1f still_open_after_1s=%d%n",
                n, sent, seconds, countOpen(open));
        Thread.sleep(5000);
        System.out.printf("ATTACK attack=peer-flood still_open_after_6s=%d%n", countOpen(open));
        closeAll(open);
    }

    private static void httpCut(int port, int n) throws Exception {
        byte[] request = "GET / HTTP/1.1\r\nHost: tracker\r\n".getBytes(StandardCharsets.ISO_8859_1);
        long t0 = System.nanoTime();
        int done = 0;
        for (int i = 0; i < n; i++) {
            try (SocketChannel c = open(i, port)) {
                c.write(ByteBuffer.wrap(request));
                done++;
            } catch (IOException refused) {
                // over the tracker's cap
            }
        }
        System.out.printf("ATTACK attack=http-cut conns=%d sent=%d seconds=%.1f%n", n, done, (System.nanoTime() - t0) / 1e9);
    }

    private static void httpSlow(int port, int n, int seconds) throws Exception {
        List<SocketChannel> open = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                open.add(open(i, port));
            } catch (IOException refused) {
                // over the backlog
            }
        }
        byte[] request = "GET / HTTP/1.1\r\nHost: tracker\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1);
        int maxOpen = 0;
        for (int s = 0; s < seconds; s++) {
            for (SocketChannel c : open) {
                if (c.isOpen()) {
                    try {
                        c.write(ByteBuffer.wrap(request, Math.min(s, request.length - 1), 1));
                    } catch (IOException closed) {
                        c.close();
                    }
                }
            }
            maxOpen = Math.max(maxOpen, countOpen(open));
            Thread.sleep(1000);
        }
        System.out.printf("ATTACK attack=http-slow conns=%d seconds=%d held_max=%d still_open_at_end=%d%n",
                n, seconds, maxOpen, countOpen(open));
        closeAll(open);
    }

    private static void announceFlood(int port, int n) throws Exception {
        SecureRandom random = new SecureRandom();
        PeerId me = PeerId.random(random);
        InetSocketAddress tracker = new InetSocketAddress(LOOPBACK, port);
        try (DatagramSocket socket = new DatagramSocket(0, LOOPBACK)) {
            socket.setSoTimeout(2000);
            var connected = (TrackerMessage.ConnectResponse) exchange(socket, tracker, new TrackerMessage.ConnectRequest(1));
            int accepted = 0;
            int refused = 0;
            for (int i = 0; i < n; i++) {
                byte[] id = new byte[32];
                random.nextBytes(id);
                TrackerMessage reply = exchange(socket, tracker, new TrackerMessage.AnnounceRequest(i, connected.connectionId(),
                        SwarmId.wrap(id), me, TrackerMessage.AnnounceEvent.STARTED, false, 1, 1, 0, List.of()));
                if (reply instanceof TrackerMessage.AnnounceResponse) {
                    accepted++;
                } else {
                    refused++;
                }
            }
            System.out.printf("ATTACK attack=announce-flood announces=%d accepted=%d refused=%d%n", n, accepted, refused);
        }
    }

    /** One request to a tracker and its answer, over a plain UDP socket (HostilePeers announces with it too). */
    static TrackerMessage exchange(DatagramSocket socket, InetSocketAddress to, TrackerMessage msg) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        TrackerCodec.encode(msg, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        socket.send(new DatagramPacket(bytes, bytes.length, to));
        DatagramPacket reply = new DatagramPacket(new byte[65536], 65536);
        try {
            socket.receive(reply);
        } catch (SocketTimeoutException e) {
            throw new IOException("the tracker did not answer within 2 s", e);
        }
        return TrackerCodec.decode(Unpooled.wrappedBuffer(reply.getData(), 0, reply.getLength()));
    }

    /** Connections the target has not closed (a read sees neither end of stream nor a reset). */
    private static int countOpen(List<SocketChannel> channels) {
        int open = 0;
        ByteBuffer sink = ByteBuffer.allocate(65536);
        for (SocketChannel c : channels) {
            if (!c.isOpen()) {
                continue;
            }
            try {
                sink.clear();
                if (c.read(sink) < 0) {
                    c.close();
                } else {
                    open++;
                }
            } catch (IOException reset) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // gone
                }
            }
        }
        return open;
    }

    private static void closeAll(List<SocketChannel> channels) {
        for (SocketChannel c : channels) {
            try {
                c.close();
            } catch (IOException ignored) {
                // gone
            }
        }
    }
}
