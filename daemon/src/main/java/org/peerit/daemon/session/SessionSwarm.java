package org.peerit.daemon.session;

import io.netty.buffer.ByteBuf;
import org.peerit.daemon.download.Block;
import org.peerit.daemon.download.PiecePicker;
import org.peerit.daemon.upload.Choker;
import org.peerit.daemon.upload.SuperSeeder;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.PexPeer;

import java.io.IOException;
import java.util.BitSet;
import java.util.List;

/**
 * The swarm a session serves, as the session sees it: what it reads (the manifest, our chunks, the shared picker and
 * choker) and the events it reports upward. Engine thread.
 */
public interface SessionSwarm extends HandshakeSwarm {
    Manifest manifest();

    /** The manifest as peers that know only a link fetch it (see ManifestCodec#metadataBytes). */
    byte[] metadata();

    /** The chunks we hold, verified. */
    BitSet have();

    boolean isDownloading();

    PiecePicker<PeerSession> picker();

    Choker choker();

    /** Non-null while we are a seed: new peers are offered chunks a few at a time. */
    SuperSeeder superSeeder();

    /** Reads a block of a chunk we hold into {@code into}. */
    void read(int chunk, int offset, int length, ByteBuf into) throws IOException;

    /** A peer completed its handshake: whether it may stay (not banned, not a second connection, room left). */
    boolean accept(PeerSession session);

    @Override
    default Admitted admit(SessionHost host, PeerLink link) {
        PeerSession session = new PeerSession(host, this, link);
        return accept(session) ? session : null;
    }

    void peerBitfield(PeerSession session, BitSet bits);

    void peerHave(PeerSession session, int chunk);

    /** A wanted block arrived: the swarm writes it and verifies its chunk when whole. */
    void blockArrived(PeerSession session, Block block, ByteBuf data);

    /** Endpoints the peer says it is connected to (untrusted). */
    void pexReceived(List<PexPeer> added);

    /** A punch introduction message from the peer (PUNCH_PEERS, PUNCH_ASK, PUNCH_GO, PUNCH_FAIL; untrusted). */
    void punchMessage(PeerSession from, PeerMessage message);

    void uploaded(long bytes);

    void sessionClosed(PeerSession session);

    /** The share cannot go on (say, its file cannot be read): it stops, with this reason. */
    void fail(String message);
}
