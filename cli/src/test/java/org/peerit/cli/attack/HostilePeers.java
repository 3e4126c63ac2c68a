package org.peerit.cli.attack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.peerit.daemon.identity.Identity;
import org.peerit.daemon.identity.IdentityKeyManager;
import org.peerit.daemon.identity.PeerTrust;
import org.peerit.daemon.storage.Bitfields;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.tracker.TrackerMessage;
import org.peerit.protocol.wire.PeerFrameDecoder;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PeerMessageDecoder;
import org.peerit.protocol.wire.PeerMessageEncoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManager;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Peers that speak the wire protocol correctly and behave badly, for bench/soak, on blocking loopback sockets with the
 * project's own codecs (an {@link EmbeddedChannel} encodes and decodes), over TLS 1.3 with an identity of their own
 * as every peer has (what they misbehave in is the protocol, not who they are):
 * <pre>
 * liar TRACKER_PORT MANIFEST SECONDS         announces itself as a seed and answers every request with random bytes
 * slow-reader DAEMON_PORT MANIFEST SECONDS   asks a daemon for blocks, then stops reading: its send queue must stay bounded
 * </pre>
 */
public final class HostilePeers {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private HostilePeers() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: HostilePeers liar|slow-reader PORT MANIFEST SECONDS");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        Manifest manifest = new ManifestCodec().read(Path.of(args[2]));
        long seconds = Math.min(Long.parseLong(args[3]), 3600);
        Identity identity = Identity.loadOrCreate(Files.createTempDirectory("peerit-hostile"));
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(new KeyManager[]{new IdentityKeyManager(identity)}, new TrustManager[]{new PeerTrust()}, null);
        switch (args[0]) {
            case "liar" -> liar(port, manifest, seconds, identity, tls);
            case "slow-reader" -> slowReader(port, manifest, seconds, identity, tls);
            default -> {
                System.err.println("unknown peer " + args[0]);
                System.exit(2);
            }
        }
    }

    private static void liar(int trackerPort, Manifest manifest, long seconds, Identity identity, SSLContext tls)
            throws Exception {
        PeerId me = identity.peerId();
        ExecutorService connections = Executors.newFixedThreadPool(16);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int[] served = {0};
        try (SSLServerSocket server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 16, LOOPBACK);
             DatagramSocket udp = new DatagramSocket(0, LOOPBACK)) {
            server.setNeedClientAuth(true);
            server.setSoTimeout(1000);
            udp.setSoTimeout(2000);
            long nextAnnounce = 0;
            while (System.nanoTime() < end) {
                if (System.nanoTime() >= nextAnnounce) {
                    announceAsSeed(udp, new InetSocketAddress(LOOPBACK, trackerPort), manifest, me, server.getLocalPort());
                    nextAnnounce = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                }
                try {
                    Socket s = server.accept();
                    connections.execute(() -> lie(s, manifest, me, server.getLocalPort(), served));
                } catch (java.net.SocketTimeoutException idle) {
                    // announce again, or stop
                }
            }
        } finally {
            connections.shutdownNow();
        }
        System.out.printf("ATTACK peer=liar blocks_served=%d%n", served[0]);
    }

    private static void lie(Socket s, Manifest m, PeerId me, int port, int[] served) {
        try (s; Wire wire = new Wire(s)) {
            s.setSoTimeout(30_000);
            wire.read(); // its handshake
            BitSet all = new BitSet();
            all.set(0, m.chunkCount());
            wire.write(new PeerMessage.Handshake(PeerMessage.Handshake.VERSION, m.swarmId(), me, port),
                    new PeerMessage.Bitfield(Bitfields.toBytes(all, m.chunkCount())), new PeerMessage.Unchoke());
            SecureRandom random = new SecureRandom();
            while (true) {
                if (wire.read() instanceof PeerMessage.Request r) {
                    byte[] junk = new byte[r.length()];
                    random.nextBytes(junk);
                    wire.write(new PeerMessage.Piece(r.chunk(), r.offset(), Unpooled.wrappedBuffer(junk)));
                    synchronized (served) {
                        served[0]++;
                    }
                }
            }
        } catch (IOException endedOrBanned) {
            // the daemon dropped us: as it should, once it has seen our chunks fail
        }
    }

    private static void slowReader(int daemonPort, Manifest m, long seconds, Identity identity, SSLContext tls)
            throws Exception {
        PeerId me = identity.peerId();
        Socket plain = new Socket();
        plain.setReceiveBufferSize(4096);
        plain.connect(new InetSocketAddress(LOOPBACK, daemonPort));
        try (Socket s = tls.getSocketFactory().createSocket(plain, "peer", daemonPort, true); Wire wire = new Wire(s)) {
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(seconds));
            wire.write(new PeerMessage.Handshake(PeerMessage.Handshake.VERSION, m.swarmId(), me, 0),
                    new PeerMessage.Bitfield(Bitfields.toBytes(new BitSet(), m.chunkCount())), new PeerMessage.Interested());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            // Wait to be unchoked (the choker's optimistic slot comes round), then ask for everything and stop reading.
            while (System.nanoTime() < end) {
                if (wire.read() instanceof PeerMessage.Unchoke) {
                    for (int c = 0; c < m.chunkCount(); c++) {
                        for (int off = 0; off < m.chunkLength(c); off += 128 * 1024) {
                            wire.write(new PeerMessage.Request(c, off, Math.min(128 * 1024, m.chunkLength(c) - off)));
                        }
                    }
                    System.out.println("ATTACK peer=slow-reader unchoked=yes requested_all=yes");
                    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
                    return;
                }
            }
            System.out.println("ATTACK peer=slow-reader unchoked=no");
        } catch (IOException e) {
            System.out.println("ATTACK peer=slow-reader closed_by_daemon=yes (" + e.getMessage() + ")");
        }
    }

    private static void announceAsSeed(DatagramSocket udp, InetSocketAddress tracker, Manifest m, PeerId me, int port) {
        try {
            var connected = (TrackerMessage.ConnectResponse) AttackReplay.exchange(udp, tracker, new TrackerMessage.ConnectRequest(1));
            AttackReplay.exchange(udp, tracker, new TrackerMessage.AnnounceRequest(2, connected.connectionId(), m.swarmId(), me,
                    TrackerMessage.AnnounceEvent.STARTED, true, port, 0, 0, List.of()));
        } catch (IOException | ClassCastException trackerDown) {
            // restarted or refusing: try again at the next announce
        }
    }

    /** Peer messages over a blocking socket, framed by the project's codecs. */
    private static final class Wire implements AutoCloseable {
        private final InputStream in;
        private final OutputStream out;
        private final EmbeddedChannel encoder = new EmbeddedChannel(new PeerMessageEncoder());
        private final EmbeddedChannel decoder = new EmbeddedChannel(new PeerFrameDecoder(), new PeerMessageDecoder());
        private final byte[] buffer = new byte[65536];

        Wire(Socket s) throws IOException {
            this.in = s.getInputStream();
            this.out = s.getOutputStream();
        }

        void write(PeerMessage... messages) throws IOException {
            encoder.writeOutbound((Object[]) messages);
            for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
                try {
                    b.readBytes(out, b.readableBytes());
                } finally {
                    b.release();
                }
            }
            out.flush();
        }

        PeerMessage read() throws IOException {
            while (true) {
                PeerMessage m = decoder.readInbound();
                if (m != null) {
                    if (m instanceof PeerMessage.Piece p) {
                        p.data().release();
                    }
                    return m;
                }
                int n = in.read(buffer);
                if (n < 0) {
                    throw new IOException("closed by the daemon");
                }
                decoder.writeInbound(Unpooled.copiedBuffer(buffer, 0, n));
            }
        }

        @Override
        public void close() {
            encoder.finishAndReleaseAll();
            decoder.finishAndReleaseAll();
        }
    }
}
