package org.peerit.protocol.tracker;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Byte layout of {@link TrackerMessage}s (big-endian):
 * <pre>
 * CONNECT   0x10 txid u32, magic u64
 * ANNOUNCE  0x11 txid u32, connection id u64, swarm id [32], peer id [32], event u8, seed u8, tcp port u16,
 *                quic port u16, numwant u16, candidate count u8, candidates
 * PUNCH     0x12 txid u32, connection id u64, swarm id [32], from peer id [32], to peer id [32]
 * RELAY     0x13 txid u32, connection id u64, swarm id [32], from peer id [32], to peer id [32]
 * CONNECTED 0x20 txid u32, connection id u64
 * PEERS     0x21 txid u32, interval u32, seeders u32, leechers u32, count u16,
 *                count x (peer id [32], seed u8, endpoint, quic mapped port u16, quic port u16, candidate count u8,
 *                candidates); the QUIC mapping's address is the endpoint's
 * PUNCHING  0x22 txid u32, nonce u64, target endpoint, delay ms u16
 * PUNCH_NOTIFY 0x23 txid u32, swarm id [32], from peer id [32], nonce u64, source endpoint, delay ms u16
 * RELAY_ALLOCATED 0x24 txid u32, swarm id [32], peer id [32], relay endpoint, token u64
 * BIRTHDAY_OPEN   0x25 txid u32, swarm id [32], peer id [32], nonce u64, target endpoint, sockets u16, duration ms u16
 * BIRTHDAY_PROBE  0x26 txid u32, swarm id [32], peer id [32], nonce u64, family u8, address [4 or 16], probes u16,
 *                 duration ms u16
 * ERROR     0x2f txid u32, code u8, message length u8, UTF-8 message
 * endpoint / candidate: family u8 (4 or 6), address [4 or 16], port u16
 * </pre>
 * The first byte of every message is in 0x10..0x2f, a range neither STUN (0..3) nor QUIC (0x40 and up) uses
 * (RFC 7983), so one UDP port can carry all three.
 */
public final class TrackerCodec {
    public static final long MAGIC = 0x5045455249540001L; // "PEERIT" + protocol version 1
    static final int CONNECT = 0x10;
    static final int ANNOUNCE = 0x11;
    static final int PUNCH = 0x12;
    static final int RELAY = 0x13;
    static final int CONNECTED = 0x20;
    static final int PEERS = 0x21;
    static final int PUNCHING = 0x22;
    static final int PUNCH_NOTIFY = 0x23;
    static final int RELAY_ALLOCATED = 0x24;
    static final int BIRTHDAY_OPEN = 0x25;
    static final int BIRTHDAY_PROBE = 0x26;
    static final int ERROR = 0x2f;
    /** Bytes of an announce reply before its peers. */
    public static final int PEERS_HEADER = 1 + 4 + 4 + 4 + 4 + 2;

    private TrackerCodec() {
    }

    public static void encode(TrackerMessage msg, ByteBuf out) {
        if (msg instanceof TrackerMessage.ConnectRequest m) {
            out.writeByte(CONNECT).writeInt(m.txId()).writeLong(MAGIC);
        } else if (msg instanceof TrackerMessage.AnnounceRequest m) {
            out.writeByte(ANNOUNCE).writeInt(m.txId()).writeLong(m.connectionId())
                    .writeBytes(m.swarmId().bytes()).writeBytes(m.peerId().bytes())
                    .writeByte(m.event().code()).writeByte(m.seed() ? 1 : 0)
                    .writeShort(m.tcpPort()).writeShort(m.quicPort()).writeShort(m.numWant());
            writeEndpoints(out, m.candidates());
        } else if (msg instanceof TrackerMessage.PunchRequest m) {
            out.writeByte(PUNCH).writeInt(m.txId()).writeLong(m.connectionId()).writeBytes(m.swarmId().bytes())
                    .writeBytes(m.from().bytes()).writeBytes(m.to().bytes());
        } else if (msg instanceof TrackerMessage.RelayRequest m) {
            out.writeByte(RELAY).writeInt(m.txId()).writeLong(m.connectionId()).writeBytes(m.swarmId().bytes())
                    .writeBytes(m.from().bytes()).writeBytes(m.to().bytes());
        } else if (msg instanceof TrackerMessage.PunchStarted m) {
            out.writeByte(PUNCHING).writeInt(m.txId()).writeLong(m.nonce());
            writeEndpoint(out, m.target());
            out.writeShort(m.delayMillis());
        } else if (msg instanceof TrackerMessage.PunchNotify m) {
            out.writeByte(PUNCH_NOTIFY).writeInt(m.txId()).writeBytes(m.swarmId().bytes()).writeBytes(m.from().bytes())
                    .writeLong(m.nonce());
            writeEndpoint(out, m.source());
            out.writeShort(m.delayMillis());
        } else if (msg instanceof TrackerMessage.RelayAllocated m) {
            out.writeByte(RELAY_ALLOCATED).writeInt(m.txId()).writeBytes(m.swarmId().bytes()).writeBytes(m.peer().bytes());
            writeEndpoint(out, m.relay());
            out.writeLong(m.token());
        } else if (msg instanceof TrackerMessage.BirthdayOpen m) {
            out.writeByte(BIRTHDAY_OPEN).writeInt(m.txId()).writeBytes(m.swarmId().bytes()).writeBytes(m.peer().bytes())
                    .writeLong(m.nonce());
            writeEndpoint(out, m.target());
            out.writeShort(m.sockets()).writeShort(m.durationMillis());
        } else if (msg instanceof TrackerMessage.BirthdayProbe m) {
            out.writeByte(BIRTHDAY_PROBE).writeInt(m.txId()).writeBytes(m.swarmId().bytes()).writeBytes(m.peer().bytes())
                    .writeLong(m.nonce());
            writeAddress(out, m.hardAddress());
            out.writeShort(m.probes()).writeShort(m.durationMillis());
        } else if (msg instanceof TrackerMessage.ConnectResponse m) {
            out.writeByte(CONNECTED).writeInt(m.txId()).writeLong(m.connectionId());
        } else if (msg instanceof TrackerMessage.AnnounceResponse m) {
            encodePeersHeader(m.txId(), m.intervalSeconds(), m.seeders(), m.leechers(), m.peers().size(), out);
            for (TrackerPeer p : m.peers()) {
                encodePeer(p, out);
            }
        } else if (msg instanceof TrackerMessage.ErrorResponse m) {
            byte[] text = truncateUtf8(m.message(), TrackerLimits.MAX_ERROR_MESSAGE);
            out.writeByte(ERROR).writeInt(m.txId()).writeByte(m.code().code()).writeByte(text.length).writeBytes(text);
        } else {
            throw new IllegalArgumentException("unknown message " + msg);
        }
    }

    /**
     * The start of an announce reply, to be followed by {@code count} peers each written by {@link #encodePeer}.
     * (A tracker writes the peers from wire forms it keeps, instead of encoding each listed peer for every reply.)
     */
    public static void encodePeersHeader(int txId, int intervalSeconds, int seeders, int leechers, int count, ByteBuf out) {
        if (count > TrackerLimits.MAX_PEERS_PER_REPLY) {
            throw new IllegalArgumentException("at most " + TrackerLimits.MAX_PEERS_PER_REPLY + " peers per reply");
        }
        out.writeByte(PEERS).writeInt(txId).writeInt(intervalSeconds).writeInt(seeders).writeInt(leechers).writeShort(count);
    }

    /** One peer of an announce reply. */
    public static void encodePeer(TrackerPeer p, ByteBuf out) {
        encodePeer(p.peerId(), p.seed(), p.endpoint(), p.quicEndpoint().getPort(), p.quicPort(), p.candidates(), out);
    }

    /** One peer of an announce reply, from its parts (see {@link TrackerPeer}). */
    public static void encodePeer(PeerId peerId, boolean seed, InetSocketAddress endpoint, int quicMappedPort, int quicPort,
                                  List<InetSocketAddress> candidates, ByteBuf out) {
        peerId.writeTo(out);
        out.writeByte(seed ? 1 : 0);
        writeEndpoint(out, endpoint);
        out.writeShort(quicMappedPort).writeShort(quicPort);
        writeEndpoints(out, candidates);
    }

    /** Decodes one datagram; a malformed one throws {@link CorruptedFrameException}. */
    public static TrackerMessage decode(ByteBuf in) {
        try {
            if (in.readableBytes() > TrackerLimits.MAX_DATAGRAM) {
                throw new CorruptedFrameException("datagram of " + in.readableBytes() + " bytes is too large");
            }
            int action = in.readUnsignedByte();
            int txId = in.readInt();
            TrackerMessage msg = switch (action) {
                case CONNECT -> {
                    if (in.readLong() != MAGIC) {
                        throw new CorruptedFrameException("bad protocol magic");
                    }
                    yield new TrackerMessage.ConnectRequest(txId);
                }
                case ANNOUNCE -> announce(in, txId);
                case PUNCH -> new TrackerMessage.PunchRequest(txId, in.readLong(), swarmId(in), peerId(in), peerId(in));
                case RELAY -> new TrackerMessage.RelayRequest(txId, in.readLong(), swarmId(in), peerId(in), peerId(in));
                case PUNCHING -> new TrackerMessage.PunchStarted(txId, in.readLong(), readEndpoint(in),
                        in.readUnsignedShort());
                case PUNCH_NOTIFY -> new TrackerMessage.PunchNotify(txId, swarmId(in), peerId(in), in.readLong(),
                        readEndpoint(in), in.readUnsignedShort());
                case RELAY_ALLOCATED -> new TrackerMessage.RelayAllocated(txId, swarmId(in), peerId(in),
                        readEndpoint(in), in.readLong());
                case BIRTHDAY_OPEN -> new TrackerMessage.BirthdayOpen(txId, swarmId(in), peerId(in), in.readLong(),
                        readEndpoint(in), in.readUnsignedShort(), in.readUnsignedShort());
                case BIRTHDAY_PROBE -> new TrackerMessage.BirthdayProbe(txId, swarmId(in), peerId(in), in.readLong(),
                        readAddress(in), in.readUnsignedShort(), in.readUnsignedShort());
                case CONNECTED -> new TrackerMessage.ConnectResponse(txId, in.readLong());
                case PEERS -> peers(in, txId);
                case ERROR -> error(in, txId);
                default -> throw new CorruptedFrameException("unknown action " + action);
            };
            if (in.isReadable()) {
                throw new CorruptedFrameException(in.readableBytes() + " trailing bytes");
            }
            return msg;
        } catch (IndexOutOfBoundsException e) {
            throw new CorruptedFrameException("truncated datagram");
        } catch (IllegalArgumentException e) {
            throw new CorruptedFrameException(e.getMessage());
        }
    }

    private static TrackerMessage announce(ByteBuf in, int txId) {
        long connectionId = in.readLong();
        SwarmId swarm = swarmId(in);
        PeerId peer = peerId(in);
        int eventCode = in.readUnsignedByte();
        TrackerMessage.AnnounceEvent event = TrackerMessage.AnnounceEvent.ofCode(eventCode);
        if (event == null) {
            throw new CorruptedFrameException("unknown event " + eventCode);
        }
        boolean seed = flag(in.readUnsignedByte());
        int port = in.readUnsignedShort();
        int quicPort = in.readUnsignedShort();
        int numWant = in.readUnsignedShort();
        List<InetSocketAddress> candidates = readEndpoints(in);
        return new TrackerMessage.AnnounceRequest(txId, connectionId, swarm, peer,
                event, seed, port, quicPort, numWant, candidates);
    }

    private static TrackerMessage peers(ByteBuf in, int txId) {
        int interval = in.readInt();
        int seeders = in.readInt();
        int leechers = in.readInt();
        int count = in.readUnsignedShort();
        if (count > TrackerLimits.MAX_PEERS_PER_REPLY) {
            throw new CorruptedFrameException(count + " peers in one reply");
        }
        List<TrackerPeer> peers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            PeerId id = peerId(in);
            boolean seed = flag(in.readUnsignedByte());
            InetSocketAddress endpoint = readEndpoint(in);
            InetSocketAddress quicEndpoint = new InetSocketAddress(endpoint.getAddress(), in.readUnsignedShort());
            int quicPort = in.readUnsignedShort();
            peers.add(new TrackerPeer(id, seed, endpoint, quicEndpoint, quicPort, readEndpoints(in)));
        }
        return new TrackerMessage.AnnounceResponse(txId, interval, seeders, leechers, peers);
    }

    private static TrackerMessage error(ByteBuf in, int txId) {
        int wireCode = in.readUnsignedByte();
        TrackerMessage.ErrorCode code = TrackerMessage.ErrorCode.ofCode(wireCode);
        if (code == null) {
            throw new CorruptedFrameException("unknown error code " + wireCode);
        }
        int length = in.readUnsignedByte();
        String text = new String(bytes(in, length), StandardCharsets.UTF_8);
        return new TrackerMessage.ErrorResponse(txId, code, text);
    }

    private static SwarmId swarmId(ByteBuf in) {
        return SwarmId.wrap(bytes(in, SwarmId.LENGTH));
    }

    private static PeerId peerId(ByteBuf in) {
        return PeerId.wrap(bytes(in, PeerId.LENGTH));
    }

    private static boolean flag(int b) {
        if (b > 1) {
            throw new CorruptedFrameException("flag byte " + b);
        }
        return b == 1;
    }

    private static byte[] bytes(ByteBuf in, int n) {
        byte[] b = new byte[n];
        in.readBytes(b);
        return b;
    }

    private static void writeEndpoints(ByteBuf out, List<InetSocketAddress> endpoints) {
        out.writeByte(endpoints.size());
        for (InetSocketAddress e : endpoints) {
            writeEndpoint(out, e);
        }
    }

    private static void writeEndpoint(ByteBuf out, InetSocketAddress e) {
        if (e.getAddress() == null) {
            throw new IllegalArgumentException("unresolved endpoint " + e);
        }
        writeAddress(out, e.getAddress());
        out.writeShort(e.getPort());
    }

    private static void writeAddress(ByteBuf out, InetAddress address) {
        out.writeByte(address instanceof Inet4Address ? 4 : 6).writeBytes(address.getAddress());
    }

    private static List<InetSocketAddress> readEndpoints(ByteBuf in) {
        int count = in.readUnsignedByte();
        if (count > TrackerLimits.MAX_CANDIDATES) {
            throw new CorruptedFrameException(count + " candidates; at most " + TrackerLimits.MAX_CANDIDATES);
        }
        List<InetSocketAddress> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(readEndpoint(in));
        }
        return out;
    }

    private static InetSocketAddress readEndpoint(ByteBuf in) {
        InetAddress address = readAddress(in);
        return new InetSocketAddress(address, in.readUnsignedShort());
    }

    private static InetAddress readAddress(ByteBuf in) {
        int family = in.readUnsignedByte();
        int length = family == 4 ? 4 : family == 6 ? 16 : -1;
        if (length < 0) {
            throw new CorruptedFrameException("address family " + family);
        }
        try {
            return InetAddress.getByAddress(bytes(in, length));
        } catch (UnknownHostException e) {
            throw new CorruptedFrameException("bad address");
        }
    }

    private static byte[] truncateUtf8(String s, int maxBytes) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return b;
        }
        int end = maxBytes;
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--; // do not cut a multi-byte character in half
        }
        byte[] out = new byte[end];
        System.arraycopy(b, 0, out, 0, end);
        return out;
    }
}
