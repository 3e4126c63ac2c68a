package org.peerit.tracker.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.peerit.protocol.tracker.TrackerCodec;
import org.peerit.protocol.tracker.TrackerMessage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * A bounded UDP announce load generator for trackers: peerit's own protocol, or BEP 15 (to measure opentracker the
 * same way). One socket keeps {@code --window} announces in flight, cycling over {@code --peers} simulated peers
 * spread over {@code --swarms} swarms, and reports announces per second and latency percentiles as a RESULT line.
 *
 * <pre>java -cp tracker.jar org.peerit.tracker.load.TrackerLoad --protocol peerit --port 59000 --peers 10000 --swarms 100</pre>
 */
@Command(name = "tracker-load", mixinStandardHelpOptions = true, description = "UDP announce load for a tracker.")
public final class TrackerLoad implements Callable<Integer> {
    private static final long BEP15_MAGIC = 0x41727101980L;

    @Option(names = "--protocol", defaultValue = "peerit", description = "peerit or bep15.")
    String protocol;

    @Option(names = "--host", defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", required = true)
    int port;

    @Option(names = "--peers", defaultValue = "10000")
    int peers;

    @Option(names = "--swarms", defaultValue = "100")
    int swarms;

    @Option(names = "--seconds", defaultValue = "10", description = "Length of the measured phase.")
    int seconds;

    @Option(names = "--window", defaultValue = "256", description = "Announces in flight at once (at most 65536).")
    int window;

    @Option(names = "--print-infohashes", description = "Print the swarms' 20-byte info hashes (for a whitelist) and exit.")
    boolean printInfoHashes;

    @Option(names = "--label", defaultValue = "", description = "Added to the RESULT line as tracker=LABEL.")
    String label;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrackerLoad()).execute(args));
    }

    private static byte[] swarmBytes(int n) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(("peerit-load-" + n).getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Integer call() throws IOException {
        if (printInfoHashes) {
            for (int s = 0; s < swarms; s++) {
                System.out.println(HexFormat.of().formatHex(Arrays.copyOf(swarmBytes(s), 20)));
            }
            return 0;
        }
        boolean bep15 = protocol.equals("bep15");
        InetSocketAddress target = new InetSocketAddress(host, port);
        byte[][] swarmIds = new byte[swarms][];
        for (int s = 0; s < swarms; s++) {
            swarmIds[s] = swarmBytes(s);
        }
        try (DatagramChannel ch = DatagramChannel.open(); Selector selector = Selector.open()) {
            ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 8 << 20);
            ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 8 << 20);
            ch.connect(target);
            long connectionId = connect(ch, bep15);
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            ByteBuffer out = ByteBuffer.allocateDirect(256);
            ByteBuffer in = ByteBuffer.allocateDirect(65536);
            // Transaction id = (generation << 16) | slot: a reply names its slot and whether it is the current request.
            long[] sentAt = new long[window];
            int[] generation = new int[window];
            long[] latencies = new long[4_000_000];
            int latencyCount = 0;
            long completed = 0;
            long lost = 0;
            int nextPeer = 0;
            // Warm-up announces every simulated peer once (event started), then the measured phase runs.
            long warmupEnd = Long.MAX_VALUE;
            long end = Long.MAX_VALUE;
            long measuredStart = 0;
            long measuredCompleted = 0;
            long announced = 0;
            for (int slot = 0; slot < window; slot++) {
                sentAt[slot] = send(ch, out, bep15, connectionId, tx(generation, slot), swarmIds, nextPeer++ % peers, true);
                announced++;
            }
            while (true) {
                long now = System.nanoTime();
                if (now > end) {
                    break;
                }
                selector.select(100);
                selector.selectedKeys().clear();
                now = System.nanoTime();
                while (true) {
                    in.clear();
                    if (ch.receive(in) == null) {
                        break;
                    }
                    in.flip();
                    int tx = bep15 ? in.getInt(4) : in.getInt(1);
                    int slot = tx & 0xffff;
                    if (slot >= window || (tx >>> 16) != (generation[slot] & 0xffff)) {
                        continue; // a late reply to a request we gave up on
                    }
                    boolean ok = bep15 ? in.getInt(0) == 1 : (in.get(0) & 0xff) == 0x21;
                    if (!ok) {
                        throw new IOException("tracker refused an announce (raise its per-address limit?): action "
                                + (bep15 ? in.getInt(0) : in.get(0)));
                    }
                    completed++;
                    if (measuredStart > 0) {
                        measuredCompleted++;
                        if (latencyCount < latencies.length) {
                            latencies[latencyCount++] = now - sentAt[slot];
                        }
                    }
                    boolean started = announced < peers;
                    generation[slot]++;
                    sentAt[slot] = send(ch, out, bep15, connectionId, tx(generation, slot), swarmIds, nextPeer++ % peers, started);
                    announced++;
                    if (measuredStart == 0 && announced >= peers + window) {
                        measuredStart = System.nanoTime();
                        end = measuredStart + seconds * 1_000_000_000L;
                    }
                }
                // Requests lost for a second are sent again (UDP may drop under load).
                for (int slot = 0; slot < window; slot++) {
                    if (now - sentAt[slot] > 1_000_000_000L) {
                        lost++;
                        generation[slot]++;
                        sentAt[slot] = send(ch, out, bep15, connectionId, tx(generation, slot), swarmIds, nextPeer++ % peers, false);
                    }
                }
            }
            double elapsed = (System.nanoTime() - measuredStart) / 1e9;
            long[] sorted = Arrays.copyOf(latencies, latencyCount);
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "RESULT bench=tracker-load tracker=%s protocol=%s peers=%d swarms=%d window=%d "
                            + "announces_per_s=%.0f p50_us=%.0f p99_us=%.0f lost=%d%n",
                    label.isEmpty() ? protocol : label, protocol, peers, swarms, window, measuredCompleted / elapsed,
                    percentile(sorted, 0.50) / 1e3, percentile(sorted, 0.99) / 1e3, lost);
            return 0;
        }
    }

    private static int tx(int[] generation, int slot) {
        return (generation[slot] & 0xffff) << 16 | slot;
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }

    private long connect(DatagramChannel ch, boolean bep15) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(16);
        ch.socket().setSoTimeout(2000);
        for (int attempt = 0; attempt < 5; attempt++) {
            out.clear();
            if (bep15) {
                out.putLong(BEP15_MAGIC).putInt(0).putInt(77);
            } else {
                ByteBuf buf = Unpooled.buffer();
                TrackerCodec.encode(new TrackerMessage.ConnectRequest(77), buf);
                out.put(buf.nioBuffer());
                buf.release();
            }
            out.flip();
            ch.write(out);
            try {
                java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[64], 64);
                ch.socket().receive(p);
                ByteBuffer reply = ByteBuffer.wrap(p.getData(), 0, p.getLength());
                return bep15 ? reply.getLong(8) : reply.getLong(5);
            } catch (java.net.SocketTimeoutException e) {
                // try again
            }
        }
        throw new IOException("no answer from the tracker at " + host + ":" + port);
    }

    /** Sends one announce for simulated peer {@code peer}; returns the send time. */
    private long send(DatagramChannel ch, ByteBuffer out, boolean bep15, long connectionId, int tx, byte[][] swarmIds,
                      int peer, boolean started) throws IOException {
        byte[] swarm = swarmIds[peer % swarmIds.length];
        out.clear();
        if (bep15) {
            out.putLong(connectionId).putInt(1).putInt(tx).put(swarm, 0, 20);
            out.putLong(0x2d50455249542d30L).putInt(peer).putLong(peer); // 20-byte peer id
            out.putLong(0).putLong(peer % 2 == 0 ? 0 : 1000).putLong(0).putInt(started ? 2 : 0).putInt(0).putInt(peer)
                    .putInt(30).putShort((short) (10000 + peer % 50000));
        } else {
            out.put((byte) 0x11).putInt(tx).putLong(connectionId).put(swarm);
            out.putLong(0x5045455249544c44L).putInt(peer).putInt(0).putLong(peer).putLong(0); // 32-byte peer id
            out.put((byte) (started ? 1 : 0)).put((byte) (peer % 2)).putShort((short) (10000 + peer % 50000))
                    .putShort((short) 0).putShort((short) 30).put((byte) 0); // tcp port, no quic port, numwant
        }
        out.flip();
        ch.write(out);
        return System.nanoTime();
    }
}
