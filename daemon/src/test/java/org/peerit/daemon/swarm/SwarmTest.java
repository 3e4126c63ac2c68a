package org.peerit.daemon.swarm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.Daemon;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.tracker.Tracker;
import org.peerit.tracker.TrackerConfig;

import java.net.InetAddress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Whole swarms in one JVM: a real tracker and real daemons over loopback sockets, with real files. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SwarmTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path root;
    private TestSwarm swarm;

    @BeforeEach
    void setUp() throws Exception {
        swarm = new TestSwarm(root);
    }

    @AfterEach
    void tearDown() {
        swarm.close();
    }

    private static Manifest register(Daemon d, Path file) throws Exception {
        return d.engine().register(file, (done, total) -> { }).get(30, TimeUnit.SECONDS).manifest();
    }

    private static void assertSameContent(Path expected, Path actual) throws Exception {
        assertTrue(Files.exists(actual), actual + " exists");
        assertEquals(-1L, Files.mismatch(expected, actual), actual + " has the original content");
    }

    @Test
    void severalLeechersDownloadAtOnceAndTradeAmongThemselves() throws Exception {
        Daemon seeder = swarm.start(1, 4 * MIB, 0);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "movie.bin", 6 * MIB + 12345, 1);
        Manifest manifest = register(seeder, original);
        List<Daemon> leechers = new ArrayList<>();
        List<CompletableFuture<Path>> done = new ArrayList<>();
        for (int i = 2; i <= 4; i++) {
            Daemon d = swarm.start(i, 0, 0);
            leechers.add(d);
            done.add(d.engine().download(manifest, swarm.dir("leecher" + i)).get(5, TimeUnit.SECONDS).completion());
        }
        for (int i = 0; i < leechers.size(); i++) {
            Path file = done.get(i).get(60, TimeUnit.SECONDS);
            assertEquals(swarm.root.resolve("leecher" + (i + 2)).resolve("movie.bin"), file);
            assertSameContent(original, file);
            assertFalse(Files.exists(file.resolveSibling("movie.bin.part")), "the .part file was renamed into place");
            assertEquals(ShareState.SEEDING, TestSwarm.status(leechers.get(i), manifest.swarmId()).state());
        }
        long fromSeeder = TestSwarm.status(seeder, manifest.swarmId()).uploaded();
        long betweenLeechers = 0;
        for (Daemon d : leechers) {
            betweenLeechers += TestSwarm.status(d, manifest.swarmId()).uploaded();
        }
        assertTrue(betweenLeechers > 0, "leechers served each other");
        assertTrue(fromSeeder < 3 * manifest.size(), "the seeder did not upload everything three times: " + fromSeeder);
        long uploaded = fromSeeder + betweenLeechers;
        assertTrue(uploaded >= 3 * manifest.size(), "every leecher got every byte: " + uploaded);
        assertTrue(uploaded <= 3 * manifest.size() * 105 / 100, "few blocks were sent twice (endgame): " + uploaded);
    }

    @Test
    void leechersFinishFromEachOtherAfterTheSeederLeaves() throws Exception {
        Daemon seeder = swarm.start(1, 2 * MIB, 0);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "data.bin", 4 * MIB, 2);
        Manifest manifest = register(seeder, original);
        SwarmId id = manifest.swarmId();
        // Slow uploads between leechers keep them from finishing the moment they hold every chunk between them.
        Daemon a = swarm.start(2, 512 * 1024, 0);
        Daemon b = swarm.start(3, 512 * 1024, 0);
        CompletableFuture<Path> doneA = a.engine().download(manifest, swarm.dir("a")).get().completion();
        CompletableFuture<Path> doneB = b.engine().download(manifest, swarm.dir("b")).get().completion();
        TestSwarm.await("leechers to hold every chunk between them", Duration.ofSeconds(60), () -> {
            BitSet union = TestSwarm.have(a, id);
            union.or(TestSwarm.have(b, id));
            return union.cardinality() == manifest.chunkCount();
        });
        swarm.stop(1);
        assertFalse(doneA.isDone() && doneB.isDone(), "the seeder left before the leechers were done");
        assertSameContent(original, doneA.get(60, TimeUnit.SECONDS));
        assertSameContent(original, doneB.get(60, TimeUnit.SECONDS));
    }

    @Test
    void aPeerSendingCorruptDataIsBannedAndTheDownloadCompletes() throws Exception {
        Daemon seeder = swarm.start(1, 1 * MIB, 0);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "data.bin", 2 * MIB, 3);
        Manifest manifest = register(seeder, original);
        try (LyingPeer liar = new LyingPeer(manifest)) {
            liar.announce(swarm.tracker.address());
            Daemon leecher = swarm.start(2, 0, 0);
            Path file = leecher.engine().download(manifest, swarm.dir("leecher")).get().completion().get(60, TimeUnit.SECONDS);
            assertSameContent(original, file);
            assertTrue(liar.blocksServed.get() > 0, "the leecher did ask the liar");
            ShareStatus status = TestSwarm.status(leecher, manifest.swarmId());
            assertTrue(status.corruptChunks() >= 1, "corrupt chunks were detected");
            assertEquals(1, liar.closedByOthers.get(), "the leecher dropped the liar");
            Thread.sleep(3000); // two tracker intervals: the leecher hears of the liar again
            assertEquals(1, liar.connections.get(), "a banned peer is not asked again");
        }
    }

    @Test
    void aRestartedDaemonResumesWithoutFetchingVerifiedChunksAgain() throws Exception {
        Daemon seeder = swarm.start(1, 1 * MIB, 0);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "data.bin", 4 * MIB, 4);
        Manifest manifest = register(seeder, original);
        SwarmId id = manifest.swarmId();
        Daemon leecher = swarm.start(2, 0, 0);
        leecher.engine().download(manifest, swarm.dir("leecher")).get();
        TestSwarm.await("a quarter of the file", Duration.ofSeconds(30), () -> {
            return TestSwarm.status(leecher, id).verifiedBytes() >= manifest.size() / 4;
        });
        long verifiedBeforeStop = TestSwarm.have(leecher, id).cardinality() * (long) manifest.chunkSize();
        swarm.stop(2);
        Daemon restarted = swarm.start(2, 0, 0);
        TestSwarm.await("the download to resume", Duration.ofSeconds(10), () -> {
            ShareStatus s = TestSwarm.status(restarted, id);
            return s != null && s.state() != ShareState.CHECKING;
        });
        long verifiedAtRestart = TestSwarm.have(restarted, id).cardinality() * (long) manifest.chunkSize();
        assertTrue(verifiedAtRestart >= verifiedBeforeStop, "verified chunks survived the restart: " + verifiedAtRestart);
        Path file = restarted.engine().call(() -> restarted.engine().share(id).completion()).get().get(60, TimeUnit.SECONDS);
        assertSameContent(original, file);
        long fetchedAfterRestart = TestSwarm.status(restarted, id).downloaded();
        assertTrue(fetchedAfterRestart <= manifest.size() - verifiedBeforeStop,
                "only missing chunks were fetched: " + fetchedAfterRestart + " of " + manifest.size());
    }

    @Test
    void daemonsAnnounceAgainToARestartedTracker() throws Exception {
        Daemon seeder = swarm.start(1, 0, 0);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "data.bin", 1 << 20, 7);
        Manifest manifest = register(seeder, original);
        TestSwarm.await("the seeder's announce", Duration.ofSeconds(10), () -> swarm.tracker.table().peerCount() == 1);
        swarm.restartTracker();
        assertEquals(0, swarm.tracker.table().peerCount());
        TestSwarm.await("the seeder to announce to the new tracker", Duration.ofSeconds(15),
                () -> swarm.tracker.table().peerCount() == 1);
        Daemon leecher = swarm.start(2, 0, 0);
        Path file = leecher.engine().download(manifest, swarm.dir("leecher")).get().completion().get(30, TimeUnit.SECONDS);
        assertSameContent(original, file);
    }

    @Test
    void aFullDiskStopsTheDownloadWithAClearErrorAndKeepsWhatIsVerified() throws Exception {
        assumeTrue(isRoot(), "needs root to mount a small tmpfs; runs in CI");
        Path small = swarm.dir("small");
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString())
                .inheritIO().start();
        assertEquals(0, mount.waitFor(), "mount a 4 MiB tmpfs");
        try {
            Daemon seeder = swarm.start(1, 0, 0);
            Path original = TestSwarm.randomFile(swarm.dir("seed"), "data.bin", 3 << 20, 8);
            Manifest manifest = register(seeder, original);
            Daemon leecher = swarm.start(2, 0, 1 << 20);
            // The disk has room when the download starts (it is checked), then something else fills it up.
            var completion = leecher.engine().download(manifest, small).get().completion();
            long free = Files.getFileStore(small).getUsableSpace();
            try (var filler = java.nio.channels.FileChannel.open(small.resolve("filler"),
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
                filler.write(java.nio.ByteBuffer.allocate((int) (free - (1 << 20))));
            }
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> completion.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("No space left on device")
                    && e.getCause().getMessage().contains("free some disk space"), e.getCause().getMessage());
            ShareStatus status = TestSwarm.status(leecher, manifest.swarmId());
            assertEquals(ShareState.ERROR, status.state());
            assertTrue(Files.exists(small.resolve("data.bin.part")), "verified data stays on disk");
            assertEquals(ShareState.SEEDING, TestSwarm.status(seeder, manifest.swarmId()).state(),
                    "the seeder is unaffected");
        } finally {
            swarm.close(); // release the files before unmounting
            new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor();
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Test
    void peersFindEachOtherThroughPexWhereNoTrackerIntroducesThem() throws Exception {
        try (Tracker second = Tracker.start(TrackerConfig.defaults(InetAddress.getLoopbackAddress(), 0)
                .withInterval(Duration.ofSeconds(2)))) {
            TrackerAddress secondAddress = new TrackerAddress("127.0.0.1", second.port());
            Daemon seeder = swarm.start(1, 0, 0);
            Path original = TestSwarm.randomFile(swarm.dir("seed"), "data.bin", 4 << 20, 9);
            Manifest manifest = register(seeder, original); // lists only the first tracker
            // The relay knows both trackers but downloads slowly, so it cannot be the newcomer's only source.
            Daemon relay = swarm.start(2, 0, 256 * 1024, secondAddress);
            CompletableFuture<Path> relayDone = relay.engine().download(manifest, swarm.dir("relay")).get().completion();
            TestSwarm.await("the relay to announce to the second tracker", Duration.ofSeconds(10),
                    () -> second.table().peerCount() == 1);
            // The newcomer knows only the second tracker, which only knows the relay.
            Daemon newcomer = swarm.start(3, 0, 0, secondAddress);
            Manifest secondOnly = manifest.withTrackers(List.of(secondAddress.toString()));
            Path file = newcomer.engine().download(secondOnly, swarm.dir("newcomer")).get().completion()
                    .get(30, TimeUnit.SECONDS);
            assertSameContent(original, file);
            assertFalse(relayDone.isDone(), "the relay is still downloading, so the seeder (found by PEX) served the newcomer");
            assertTrue(TestSwarm.status(seeder, manifest.swarmId()).uploaded() >= manifest.size() / 2,
                    "the seeder served the newcomer most of the file");
        }
    }

    @Test
    void aManifestWhoseFileHashDisagreesWithItsChunksFailsAtTheEndAndKeepsThePart() throws Exception {
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "data.bin", 1 << 20, 10);
        Manifest honest = org.peerit.protocol.manifest.ManifestFactory.create(original, "data.bin",
                List.of("127.0.0.1:" + swarm.tracker.port()), (d, t) -> { });
        Manifest inconsistent = new Manifest(1, "data.bin", honest.size(), honest.chunkSize(), "ab".repeat(32),
                honest.chunks(), honest.trackers());
        try (LyingPeer seed = new LyingPeer(inconsistent, original)) { // serves the real bytes
            seed.announce(swarm.tracker.address());
            Daemon leecher = swarm.start(2, 0, 0);
            Path dir = swarm.dir("leecher");
            var completion = leecher.engine().download(inconsistent, dir).get().completion();
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> completion.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("matched but the file's SHA-256 did not"), e.getCause().getMessage());
            assertFalse(Files.exists(dir.resolve("data.bin")), "nothing unverified is renamed into place");
            assertSameContent(original, dir.resolve("data.bin.part"));
        }
    }

    @Test
    void downloadRefusesToOverwriteAnExistingFile() throws Exception {
        Daemon seeder = swarm.start(1, 0, 0);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "data.bin", 100_000, 5);
        Manifest manifest = register(seeder, original);
        Daemon leecher = swarm.start(2, 0, 0);
        Path dir = swarm.dir("occupied");
        Files.writeString(dir.resolve("data.bin"), "precious");
        var e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> leecher.engine().download(manifest, dir).get());
        assertTrue(e.getCause().getMessage().contains("already exists"), e.getCause().getMessage());
        assertEquals("precious", Files.readString(dir.resolve("data.bin")));
    }

    @Test
    void registeringTheSameContentTwiceIsOneShare() throws Exception {
        Daemon seeder = swarm.start(1, 0, 0);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "data.bin", 300_000, 6);
        Manifest first = register(seeder, original);
        Manifest second = register(seeder, original);
        assertEquals(first, second);
        assertEquals(1, seeder.engine().status().get().size());
        assertEquals(first, new ManifestCodec().parse(new ManifestCodec().toBytes(first)));
    }
}
