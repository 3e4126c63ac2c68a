package org.peerit.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Messages of the peer wire protocol. Each travels in one length-prefixed frame:
 * {@code <length u32><type u8><payload>}, where a zero length is a keep-alive.
 */
public sealed interface PeerMessage {

    /** First message in each direction: which swarm this connection is for and who is speaking. */
    record Handshake(int version, SwarmId swarmId, PeerId peerId, int listenPort) implements PeerMessage {
        /**
         * 4: NAT endpoints and punch introductions between peers (messages 14 to 18). 3: folders (manifest version 2)
         * and the metadata exchange. 2: every connection is TLS 1.3 with certificates
         * that prove the peer ids. 1 was plaintext over TCP.
         */
        public static final int VERSION = 4;

        public Handshake {
            Objects.requireNonNull(swarmId, "swarmId");
            Objects.requireNonNull(peerId, "peerId");
            if (listenPort < 0 || listenPort > 65535) {
                throw new IllegalArgumentException("listen port " + listenPort + " out of range");
            }
        }
    }

    /** The chunks the sender has, bit i (most significant bit first) for chunk i. */
    record Bitfield(byte[] bits) implements PeerMessage {
        public Bitfield {
            bits = bits.clone();
        }

        @Override
        public byte[] bits() {
            return bits.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bitfield b && Arrays.equals(bits, b.bits);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bits);
        }
    }

    record Have(int chunk) implements PeerMessage {
        public Have {
            requireNonNegative("chunk", chunk);
        }
    }

    record Interested() implements PeerMessage {
    }

    record NotInterested() implements PeerMessage {
    }

    record Choke() implements PeerMessage {
    }

    record Unchoke() implements PeerMessage {
    }

    /** Asks for {@code length} bytes of a chunk starting at {@code offset}. */
    record Request(int chunk, int offset, int length) implements PeerMessage {
        public Request {
            requireNonNegative("chunk", chunk);
            requireNonNegative("offset", offset);
            if (length <= 0 || length > WireLimits.MAX_BLOCK) {
                throw new IllegalArgumentException("block length " + length + " outside 1.." + WireLimits.MAX_BLOCK);
            }
        }
    }

    /** Withdraws an earlier request. */
    record Cancel(int chunk, int offset, int length) implements PeerMessage {
        public Cancel {
            requireNonNegative("chunk", chunk);
            requireNonNegative("offset", offset);
            requireNonNegative("length", length);
        }
    }

    /** A block of data; the receiver owns (and must release) {@code data}. */
    record Piece(int chunk, int offset, ByteBuf data) implements PeerMessage, ReferenceCounted {
        public Piece {
            requireNonNegative("chunk", chunk);
            requireNonNegative("offset", offset);
            Objects.requireNonNull(data, "data");
        }

        @Override
        public int refCnt() {
            return data.refCnt();
        }

        @Override
        public Piece retain() {
            data.retain();
            return this;
        }

        @Override
        public Piece retain(int increment) {
            data.retain(increment);
            return this;
        }

        @Override
        public Piece touch() {
            data.touch();
            return this;
        }

        @Override
        public Piece touch(Object hint) {
            data.touch(hint);
            return this;
        }

        @Override
        public boolean release() {
            return data.release();
        }

        @Override
        public boolean release(int decrement) {
            return data.release(decrement);
        }
    }

    /** Peer exchange: endpoints the sender is connected to (added) or no longer connected to (dropped). */
    record Pex(List<PexPeer> added, List<PexPeer> dropped) implements PeerMessage {
        public Pex {
            added = List.copyOf(added);
            dropped = List.copyOf(dropped);
            if (added.size() > WireLimits.MAX_PEX_PEERS || dropped.size() > WireLimits.MAX_PEX_PEERS) {
                throw new IllegalArgumentException("at most " + WireLimits.MAX_PEX_PEERS + " peers per PEX list");
            }
        }
    }

    record KeepAlive() implements PeerMessage {
    }

    /**
     * Metadata exchange (as BitTorrent's BEP 9): a peer that knows only the swarm id, from a link, asks for piece
     * {@code piece} of the manifest's {@linkplain org.peerit.protocol.manifest.ManifestCodec#metadataBytes metadata
     * bytes}.
     */
    record MetadataRequest(int piece) implements PeerMessage {
        public MetadataRequest {
            requireNonNegative("piece", piece);
        }
    }

    /** Piece {@code piece} of the metadata, which is {@code total} bytes long in all. */
    record MetadataPiece(int piece, int total, byte[] data) implements PeerMessage {
        public MetadataPiece {
            requireNonNegative("piece", piece);
            if (total <= 0 || total > WireLimits.MAX_METADATA) {
                throw new IllegalArgumentException("metadata of " + total + " bytes outside 1.." + WireLimits.MAX_METADATA);
            }
            if (data.length == 0 || data.length > WireLimits.METADATA_PIECE) {
                throw new IllegalArgumentException("metadata piece of " + data.length + " bytes");
            }
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MetadataPiece p && p.piece == piece && p.total == total && Arrays.equals(data, p.data);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * piece + total) + Arrays.hashCode(data);
        }
    }

    /** The sender has no manifest to give (it is fetching it too), or will not give more. */
    record MetadataReject(int piece) implements PeerMessage {
        public MetadataReject {
            requireNonNegative("piece", piece);
        }
    }

    /**
     * The sender's public QUIC mappings as STUN saw them: its server socket (where peers punch to it) and its client
     * socket (where it punches from); either may be null while unknown. A peer that relays punch signals (below)
     * passes them on, and a public one answers STUN, so a swarm keeps punching with no tracker.
     */
    record NatEndpoints(InetSocketAddress server, InetSocketAddress client) implements PeerMessage {
    }

    /**
     * Peers the sender is connected to and can introduce us to for a hole punch (as BitTorrent's BEP 55 holepunch
     * extension does with a relaying peer): their mappings are known to it.
     */
    record PunchPeers(List<PeerId> peers) implements PeerMessage {
        public PunchPeers {
            peers = List.copyOf(peers);
            if (peers.size() > WireLimits.MAX_PEX_PEERS) {
                throw new IllegalArgumentException("at most " + WireLimits.MAX_PEX_PEERS + " peers per list");
            }
        }
    }

    /** Asks the receiver to introduce us to {@code target}: we will probe from our client socket, with {@code nonce}. */
    record PunchAsk(PeerId target, long nonce) implements PeerMessage {
        public PunchAsk {
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * From the introducing peer: punch with {@code peer} now. {@code dial}: we dial it at {@code endpoint} (its QUIC
     * server mapping); else it dials us from {@code endpoint} (its client mapping) and we probe that from our server
     * socket so our NAT lets it in.
     */
    record PunchGo(PeerId peer, long nonce, InetSocketAddress endpoint, boolean dial) implements PeerMessage {
        public PunchGo {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(endpoint, "endpoint");
        }
    }

    /** The introduction to {@code target} cannot be made; {@code code} says why (see {@link PunchFailure}). */
    record PunchFail(PeerId target, int code) implements PeerMessage {
        public PunchFail {
            Objects.requireNonNull(target, "target");
            if (code < 0 || code > 255) {
                throw new IllegalArgumentException("punch failure code " + code + " outside 0..255");
            }
        }
    }

    private static void requireNonNegative(String what, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " " + value + " is negative");
        }
    }
}
