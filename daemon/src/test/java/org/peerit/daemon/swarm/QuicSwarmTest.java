package org.peerit.daemon.swarm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.Daemon;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.Manifest;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Daemons that reach each other over QUIC only (TCP dialling off), on loopback, with a real tracker. */
class QuicSwarmTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path root;
    private TestSwarm swarm;

    @BeforeEach
    void start() throws Exception {
        swarm = new TestSwarm(root);
    }

    @AfterEach
    void stop() {
        swarm.close();
    }

    @Test
    void leechersDownloadOverQuicAndSayWhichPathTheyUse() throws Exception {
        // The seeder's upload is capped so that the download lasts long enough to look at its connections.
        Daemon seeder = swarm.startQuicOnly(1, 2 * MIB);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "clip.bin", 3 * MIB + 777, 11);
        Manifest manifest = seeder.engine().register(original, (done, total) -> { }).get(30, TimeUnit.SECONDS).manifest();
        Daemon a = swarm.startQuicOnly(2);
        Daemon b = swarm.startQuicOnly(3);
        CompletableFuture<Path> doneA = a.engine().download(manifest, swarm.dir("a")).get(5, TimeUnit.SECONDS).completion();
        CompletableFuture<Path> doneB = b.engine().download(manifest, swarm.dir("b")).get(5, TimeUnit.SECONDS).completion();
        TestSwarm.await("the seeder talks to a leecher", java.time.Duration.ofSeconds(10),
                () -> !TestSwarm.status(seeder, manifest.swarmId()).peers().isEmpty());
        for (ShareStatus.PeerStatus p : TestSwarm.status(seeder, manifest.swarmId()).peers()) {
            assertTrue(p.path().startsWith("quic-"), "a QUIC path, not " + p.path());
        }
        assertEquals(-1L, Files.mismatch(original, doneA.get(60, TimeUnit.SECONDS)));
        assertEquals(-1L, Files.mismatch(original, doneB.get(60, TimeUnit.SECONDS)));
        // Each leecher's HAVEs tell the seeder when it is complete; then the two seeds part.
        TestSwarm.await("the seeder parts with the completed leechers", java.time.Duration.ofSeconds(10),
                () -> TestSwarm.status(seeder, manifest.swarmId()).peers().isEmpty());
        ShareStatus seederView = TestSwarm.status(seeder, manifest.swarmId());
        assertTrue(seederView.uploaded() >= manifest.size(), "the seeder served the file: " + seederView.uploaded());
        // STUN against the tracker tells each socket how it is seen from outside: here, itself on loopback.
        TestSwarm.await("both QUIC sockets learn their mapping", java.time.Duration.ofSeconds(10),
                () -> seeder.engine().publicMappings().size() == 2);
        assertEquals("127.0.0.1:" + seeder.engine().quicPort(), seeder.engine().publicMappings().get("quicServerMapping"));
    }

    @Test
    void aPeerWhoseCertificateIsNotTheAnnouncedIdIsRefused() throws Exception {
        Daemon a = swarm.startQuicOnly(1);
        Daemon b = swarm.startQuicOnly(2);
        InetSocketAddress bQuic = new InetSocketAddress("127.0.0.1", b.engine().quicPort());
        PeerId impostor = PeerId.random(new SecureRandom());
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> a.engine().call(() -> a.engine().nat().dial(bQuic, impostor)).get().get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause().getMessage().contains("certificate"), refused.getCause().getMessage());
        // The right id connects.
        var connection = a.engine().call(() -> a.engine().nat().dial(bQuic, b.peerId())).get().get(10, TimeUnit.SECONDS);
        assertTrue(connection.isActive());
        connection.close();
    }
}
