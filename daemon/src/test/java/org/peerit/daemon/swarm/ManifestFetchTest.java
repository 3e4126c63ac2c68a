package org.peerit.daemon.swarm;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.peerit.daemon.connect.Dialling;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.daemon.session.MetadataSession;
import org.peerit.daemon.session.PeerLink;
import org.peerit.daemon.session.TestSessionHost;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.FileEntry;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ShareLink;
import org.peerit.protocol.wire.PeerMessage;
import org.peerit.protocol.wire.WireLimits;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The metadata exchange from the fetching side, with no engine and no sockets: peers on EmbeddedChannels answer the
 * fetch's requests with the manifest's bytes, or with another manifest's of the same size.
 */
@org.junit.jupiter.api.Timeout(30)
class ManifestFetchTest {
    private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private final ManifestCodec codec = new ManifestCodec();
    private final Manifest manifest = folder();
    private final byte[] right = codec.metadataBytes(manifest);
    private final Host host = new Host();

    /** A folder whose metadata is three pieces: 1,500 empty files with long names. */
    private static Manifest folder() {
        List<FileEntry> files = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            files.add(new FileEntry(List.of("a file with a long enough name, number " + i + ".dat"), 0, EMPTY));
        }
        return new Manifest(2, "many", 0, 65536, null, List.of(), List.of(), files, List.of());
    }

    /** The same bytes with a hex digit changed in piece {@code piece}: the same size, not the link's manifest. */
    private byte[] lieIn(int... lyingPieces) {
        byte[] lie = right.clone();
        for (int piece : lyingPieces) {
            int at = piece * WireLimits.METADATA_PIECE + 100;
            while (lie[at] != 'e') {
                at++;
            }
            lie[at] = 'f';
        }
        return lie;
    }

    /** The engine as a fetch sees it, and the daemon as its sessions do. */
    private static final class Host implements ManifestFetch.FetchHost {
        final EmbeddedChannel loopChannel = new EmbeddedChannel();
        final TestSessionHost sessions = new TestSessionHost(randomId(), id -> null);
        Manifest fetched;

        @Override
        public Dialling dialling() {
            return new Dialling(loopChannel.eventLoop(), null, null, sessions.ownId(), 0, true, 16, a -> false);
        }

        @Override
        public boolean holds(ManifestFetch fetch) {
            return true;
        }

        @Override
        public CompletableFuture<Share> fetched(ManifestFetch fetch, Manifest m, List<String> only) {
            fetched = m;
            return CompletableFuture.failedFuture(new IOException("the test ends at the verified manifest"));
        }

        @Override
        public String dhtStatus(org.peerit.protocol.manifest.SwarmId id) {
            return null;
        }
    }

    private static PeerId randomId() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return PeerId.wrap(b);
    }

    private ManifestFetch fetch() {
        return new ManifestFetch(host, ShareLink.of(manifest), Path.of("/tmp"), List.of(), codec);
    }

    /** A peer on its own channel, answering metadata requests from {@code bytes}. */
    private record Peer(PeerId id, EmbeddedChannel channel, byte[] bytes, Set<Integer> served) {
    }

    private Peer connect(ManifestFetch fetch, byte[] bytes) {
        EmbeddedChannel ch = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("192.0.2.9", 4000);
            }
        };
        PeerId id = randomId();
        MetadataSession session = new MetadataSession(host.sessions, fetch, new PeerLink(ch, id, 0, true, PeerPath.TCP, "TLS"));
        assertTrue(fetch.accept(session));
        ch.pipeline().addLast("session", session);
        return new Peer(id, ch, bytes, new HashSet<>());
    }

    /** Runs the fetch until nobody is asked anything more: each peer answers what it was asked, from its bytes. */
    private void pump(List<Peer> peers) {
        int answered = 0;
        for (int round = 0; round < 50; round++) {
            host.loopChannel.runPendingTasks();
            boolean asked = false;
            for (Peer p : peers) {
                p.channel().runPendingTasks();
                for (Object o; (o = p.channel().readOutbound()) != null; ) {
                    if (o instanceof PeerMessage.MetadataRequest r && p.channel().isOpen()) {
                        asked = true;
                        if (++answered > 200) {
                            fail("the fetch keeps asking (" + answered + " requests): a liar was never dropped");
                        }
                        p.served().add(r.piece());
                        int from = r.piece() * WireLimits.METADATA_PIECE;
                        p.channel().writeInbound(new PeerMessage.MetadataPiece(r.piece(), p.bytes().length,
                                Arrays.copyOfRange(p.bytes(), from, Math.min(p.bytes().length,
                                        from + WireLimits.METADATA_PIECE))));
                    }
                }
            }
            if (!asked && host.loopChannel.hasPendingTasks() == false) {
                return;
            }
        }
    }

    @Test
    void piecesFromSeveralPeersMakeTheManifest() {
        assertTrue(right.length > 2 * WireLimits.METADATA_PIECE, "three pieces: " + right.length);
        ManifestFetch fetch = fetch();
        List<Peer> peers = List.of(connect(fetch, right), connect(fetch, right), connect(fetch, right));
        pump(peers);
        assertNotNull(host.fetched);
        assertEquals(manifest.swarmId(), host.fetched.swarmId());
        long contributing = peers.stream().filter(p -> p.served().stream().anyMatch(i -> i > 0)).count();
        assertTrue(contributing >= 2, "pieces 1 and 2 came from different peers");
    }

    @Test
    void whenThePiecesDoNotFitTheLiarIsFoundAndBannedAndTheHonestAreNot() {
        // The liar answers first, so its bytes are among those assembled: the check must fail, then find it out,
        // whether it sent every piece or only some of them.
        for (int attempt = 0; attempt < 5; attempt++) {
            ManifestFetch fetch = fetch();
            host.fetched = null;
            Peer liar = connect(fetch, lieIn(0, 1, 2));
            Peer honest = connect(fetch, right);
            Peer another = connect(fetch, right);
            pump(List.of(liar, honest, another));
            assertNotNull(host.fetched, "the right manifest was found");
            assertEquals(manifest.swarmId(), host.fetched.swarmId());
            assertTrue(fetch.isBanned(liar.id()), "the liar is banned");
            assertFalse(liar.channel().isOpen());
            assertFalse(fetch.isBanned(honest.id()));
            assertFalse(fetch.isBanned(another.id()));
        }
    }

    @Test
    void whatASilentPeerWasAskedForIsAskedOfAnotherOnceItTimesOut() {
        int timedOut = 0;
        for (int attempt = 0; attempt < 12; attempt++) { // which peer gets which piece follows the map's order
            ManifestFetch fetch = fetch();
            host.fetched = null;
            Peer silent = connect(fetch, right);
            Peer honest = connect(fetch, right);
            pump(List.of(honest)); // the silent peer's requests are never answered
            if (host.fetched == null) {
                timedOut++;
                fetch.tick(System.nanoTime() + ManifestFetch.ASK_TIMEOUT_NANOS + 1);
                pump(List.of(honest));
            }
            assertNotNull(host.fetched, "the honest peer was asked for what the silent one held");
            assertFalse(fetch.isBanned(silent.id()), "slow is not a lie");
        }
        assertTrue(timedOut > 0, "some attempt needed the timeout");
    }

    @Test
    void aSoleLiarIsBannedAndNothingIsTaken() {
        ManifestFetch fetch = fetch();
        Peer liar = connect(fetch, lieIn(0));
        pump(List.of(liar));
        assertNull(host.fetched, "a manifest that does not hash to the link is never taken");
        assertTrue(fetch.isBanned(liar.id()));
        assertFalse(liar.channel().isOpen());
    }

    @Test
    void aPeerClaimingAnotherSizeIsDroppedAndBannedOnceTheRightBytesAreKnown() {
        ManifestFetch fetch = fetch();
        Peer honest = connect(fetch, right);
        pump(List.of(honest)); // the fetch completes from the honest peer alone
        assertNotNull(host.fetched);
        ManifestFetch second = fetch();
        Peer first = connect(second, right);
        Peer longer = connect(second, Arrays.copyOf(right, right.length + 10));
        pump(List.of(first, longer));
        assertNotNull(host.fetched);
        assertTrue(!longer.channel().isOpen() || !longer.served().contains(1), "the other size was not used");
    }
}
