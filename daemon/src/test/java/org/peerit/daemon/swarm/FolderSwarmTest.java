package org.peerit.daemon.swarm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.Daemon;
import org.peerit.protocol.manifest.FileEntry;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ShareLink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Folders end to end, in one JVM: a real tracker, real daemons, real files; by manifest, by link, in part. */
class FolderSwarmTest {
    @TempDir
    Path tmp;
    private TestSwarm swarm;

    @BeforeEach
    void start() throws IOException {
        swarm = new TestSwarm(tmp);
    }

    @AfterEach
    void stop() {
        swarm.close();
    }

    /**
     * A tree with what trips tools up: nested and empty folders, empty files, names in several scripts, a file of
     * many chunks beside many files smaller than one (so chunks span files), and a link, which is not followed.
     */
    static Path tree(Path parent, String name) throws IOException {
        Path root = Files.createDirectories(parent.resolve(name));
        Random random = new Random(42);
        Files.createDirectories(root.resolve("empty folder"));
        Files.createDirectories(root.resolve("a/b/c/deep empty"));
        Files.write(root.resolve("a/b/c/leaf.txt"), bytes(random, 1500));
        Files.write(root.resolve("empty.txt"), new byte[0]);
        Files.write(root.resolve("a/empty too"), new byte[0]);
        Files.write(root.resolve("Ünïcødé café.txt"), bytes(random, 3000));
        Files.createDirectories(root.resolve("日本語"));
        Files.write(root.resolve("日本語/ファイル.bin"), bytes(random, 70_000));
        Files.write(root.resolve("big.bin"), bytes(random, 3 * 1024 * 1024 + 12345));
        for (int i = 0; i < 150; i++) {
            Path dir = Files.createDirectories(root.resolve("many/" + (i % 7)));
            Files.write(dir.resolve("small-" + i + ".dat"), bytes(random, 200 + random.nextInt(4000)));
        }
        Files.createSymbolicLink(root.resolve("link to big"), root.resolve("big.bin"));
        return root;
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Every entry below {@code root}, by relative path: a file's bytes, or null for a folder. Links are not read. */
    static TreeMap<String, byte[]> contents(Path root) throws IOException {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "LINK".getBytes());
                } else {
                    out.put(rel, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? null : Files.readAllBytes(p));
                }
            }
        }
        return out;
    }

    /** {@code path} registered on {@code seeder}: its manifest. */
    private static Manifest shared(Daemon seeder, Path path) throws Exception {
        return seeder.engine().register(path, (d, t) -> { }).get(30, TimeUnit.SECONDS).manifest();
    }

    static void assertSameTree(Path expected, Path actual, List<String> leftOut) throws IOException {
        TreeMap<String, byte[]> want = contents(expected);
        leftOut.forEach(want::remove);
        TreeMap<String, byte[]> got = contents(actual);
        assertEquals(want.keySet(), got.keySet(), "the same entries");
        for (var e : want.entrySet()) {
            if (e.getValue() == null) {
                assertEquals(null, got.get(e.getKey()), e.getKey() + " is a folder");
            } else {
                assertArrayEquals(e.getValue(), got.get(e.getKey()), e.getKey() + " has the same bytes");
            }
        }
    }

    @Test
    void aFolderDownloadsByManifestAsTheSameTree() throws Exception {
        Path original = tree(swarm.dir("seed"), "album");
        Daemon seeder = swarm.start(1, 0, 0);
        Registration registered = seeder.engine().registration(original, (d, t) -> { }).get(30, TimeUnit.SECONDS);
        Manifest m = registered.share().manifest();
        assertTrue(m.isFolder());
        assertEquals(List.of("link to big (a symbolic link: not followed)"), registered.skipped());
        assertTrue(m.files().stream().map(FileEntry::joined).anyMatch("a/b/c/leaf.txt"::equals));
        assertTrue(m.folders().contains(List.of("empty folder")));
        assertTrue(m.folders().contains(List.of("a", "b", "c", "deep empty")));
        assertTrue(m.chunkCount() < m.files().size(), "files share chunks: " + m.chunkCount() + " chunks");

        Manifest parsed = new ManifestCodec().parse(new ManifestCodec().toBytes(m));
        assertEquals(m.swarmId(), parsed.swarmId(), "the manifest file is the same swarm");
        Daemon leecher = swarm.start(2, 0, 0);
        Path dir = swarm.dir("leecher");
        Path done = leecher.engine().download(parsed, dir).get().completion().get(60, TimeUnit.SECONDS);
        assertEquals(dir.resolve("album"), done);
        assertSameTree(original, done, List.of("link to big"));
        ShareStatus status = TestSwarm.status(leecher, m.swarmId());
        assertEquals(ShareState.SEEDING, status.state());
        assertEquals(m.files().size(), status.filesInPlace());
    }

    /**
     * A crash, as its restart sees it: the record is older than the files. Files moved into place after that record
     * are found at their names with no {@code .part} and taken once their hash matches; none is fetched twice into a
     * name that is taken, and the tree arrives whole.
     */
    @Test
    void aRestartWithARecordOlderThanTheFilesAdoptsWhatLandedMeanwhile() throws Exception {
        Path original = tree(swarm.dir("seed"), "album");
        Daemon seeder = swarm.start(1, 1024 * 1024, 0);
        Manifest m = shared(seeder, original);
        Daemon leecher = swarm.start(2, 0, 0);
        Path dir = swarm.dir("leecher");
        leecher.engine().download(m, dir).get();
        Path record = tmp.resolve("home/daemon-2/shares/" + m.swarmId().hex() + ".json");
        TestSwarm.await("a few files in place and saved", Duration.ofSeconds(30),
                () -> TestSwarm.status(leecher, m.swarmId()).filesInPlace() >= 3 && Files.exists(record));
        byte[] old = Files.readAllBytes(record);
        TestSwarm.await("more files in place", Duration.ofSeconds(30),
                () -> TestSwarm.status(leecher, m.swarmId()).filesInPlace() >= 40);
        swarm.stop(2);
        Files.write(record, old); // what a crash right after that early save leaves
        Daemon again = swarm.start(2, 0, 0);
        TestSwarm.await("the download to resume", Duration.ofSeconds(10),
                () -> again.engine().share(m.swarmId()) != null);
        Path done = again.engine().call(() -> again.engine().share(m.swarmId())).get().completion()
                .get(60, TimeUnit.SECONDS);
        assertSameTree(original, done, List.of("link to big"));
    }

    @Test
    void foldersWithNoFilesAtAllArriveToo() throws Exception {
        Daemon seeder = swarm.start(1, 0, 0);
        Daemon leecher = swarm.start(2, 0, 0);
        Path dir = swarm.dir("leecher");
        for (String name : List.of("nothing", "only folders")) {
            Path original = Files.createDirectories(swarm.dir("seed").resolve(name));
            if (name.equals("only folders")) {
                Files.createDirectories(original.resolve("a/b"));
                Files.createDirectories(original.resolve("c"));
            }
            Manifest m = shared(seeder, original);
            assertEquals(0, m.chunkCount());
            Path done = leecher.engine().download(m, dir).get().completion().get(30, TimeUnit.SECONDS);
            assertTrue(Files.isDirectory(done), name);
            assertSameTree(original, done, List.of());
        }
    }

    @Test
    void onlyTheMatchingFilesAreCreatedWhileTheChunksTheyShareAreFetched() throws Exception {
        Path original = tree(swarm.dir("seed"), "album");
        Daemon seeder = swarm.start(1, 0, 0);
        Manifest m = shared(seeder, original);
        Daemon leecher = swarm.start(2, 0, 0);
        Path dir = swarm.dir("leecher");
        // The seeder super-seeds: it must notice that this peer wants none of its offers, and show it everything.
        Path done = leecher.engine().download(m, dir, List.of("*.txt", "日本語/*"))
                .get().completion().get(60, TimeUnit.SECONDS);
        TreeMap<String, byte[]> got = contents(done);
        assertEquals(List.of("a", "a/b", "a/b/c", "a/b/c/leaf.txt", "empty.txt", "Ünïcødé café.txt", "日本語",
                "日本語/ファイル.bin"), new ArrayList<>(got.keySet()), "only the wanted files, and their folders");
        for (String f : List.of("a/b/c/leaf.txt", "empty.txt", "Ünïcødé café.txt", "日本語/ファイル.bin")) {
            assertArrayEquals(Files.readAllBytes(original.resolve(f)), got.get(f), f);
        }
        ShareStatus status = TestSwarm.status(leecher, m.swarmId());
        assertEquals(ShareState.SEEDING, status.state());
        assertEquals(4, status.wantedFiles());
        assertEquals(4, status.filesInPlace());
        assertTrue(status.verifiedChunks() < status.chunks(), "big.bin was not fetched");
        assertEquals(status.size(), status.verifiedBytes());
    }

    @Test
    void aLinkIsEnoughToDownloadAFolderAndTheConnectionThatBroughtTheManifestCarriesTheData() throws Exception {
        Path original = tree(swarm.dir("seed"), "album");
        Manifest m = new ManifestCodec().parse(new ManifestCodec().toBytes(
                org.peerit.protocol.manifest.ManifestFactory.createFolder(
                        org.peerit.protocol.manifest.FolderScan.of(original), "album",
                        List.of("127.0.0.1:" + swarm.tracker.port()), (d, t) -> { })));
        // One peer that serves the folder as the bytes laid end to end, the manifest as metadata: it counts dials.
        Path concatenated = swarm.dir("flat").resolve("album.bin");
        try (var out = Files.newOutputStream(concatenated)) {
            for (FileEntry f : m.files()) {
                out.write(Files.readAllBytes(original.resolve(String.join("/", f.path()))));
            }
        }
        try (LyingPeer seed = new LyingPeer(m, concatenated, new ManifestCodec().metadataBytes(m))) {
            seed.announce(swarm.tracker.address());
            ShareLink link = ShareLink.parse(ShareLink.of(m).format());
            Daemon leecher = swarm.start(2, 0, 0);
            Path dir = swarm.dir("leecher");
            SwarmEngine.LinkDownload started = leecher.engine().download(link, dir, List.of()).get(5, TimeUnit.SECONDS);
            assertTrue(started.fetch() != null, "the daemon has never seen the manifest");
            Share share = started.share().get(30, TimeUnit.SECONDS);
            assertEquals(m.swarmId(), share.id());
            Path done = share.completion().get(60, TimeUnit.SECONDS);
            assertSameTree(original, done, List.of("link to big"));
            assertTrue(seed.metadataServed.get() > 0);
            assertEquals(1, seed.connections.get(), "no second dial: the session took the manifest's connection on");
        }
    }

    @Test
    void aPeerServingAManifestThatDoesNotMatchTheLinkIsBannedAndTheRightOneWins() throws Exception {
        Path original = tree(swarm.dir("seed"), "album");
        Manifest m;
        Daemon seeder = swarm.start(1, 0, 0);
        m = shared(seeder, original);
        swarm.stop(1); // offline for now: only the liar is there
        ManifestCodec codec = new ManifestCodec();
        byte[] right = codec.metadataBytes(m);
        // The same manifest with one chunk hash changed: valid, of the same size, but another swarm.
        String chunk = m.chunks().get(0);
        String other = (chunk.charAt(0) == '0' ? "1" : "0") + chunk.substring(1);
        byte[] lie = new String(right, java.nio.charset.StandardCharsets.UTF_8).replace(chunk, other)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(right.length, lie.length);
        try (LyingPeer liar = new LyingPeer(m, null, lie)) {
            liar.announce(swarm.tracker.address());
            Daemon leecher = swarm.start(2, 0, 0);
            Path dir = swarm.dir("leecher");
            SwarmEngine.LinkDownload started = leecher.engine().download(ShareLink.of(m), dir, List.of())
                    .get(5, TimeUnit.SECONDS);
            TestSwarm.await("the liar to be asked and dropped", Duration.ofSeconds(15),
                    () -> liar.metadataServed.get() > 0 && liar.closedByOthers.get() > 0);
            assertFalse(started.share().isDone(), "a wrong manifest is never taken");
            assertFalse(Files.exists(dir.resolve("album")), "nothing is written before the manifest is verified");

            swarm.start(1, 0, 0); // the honest seeder comes back, and resumes sharing the folder
            Share share = started.share().get(30, TimeUnit.SECONDS);
            assertSameTree(original, share.completion().get(60, TimeUnit.SECONDS), List.of("link to big"));
            assertTrue(leecher.engine().call(() -> share.isBanned(liar.peerId)).get(5, TimeUnit.SECONDS),
                    "the liar stays banned in the share");
            assertEquals(0, liar.blocksServed.get());
        }
    }

    @Test
    void aFolderDownloadResumesAfterARestartAndRemoveDeleteTakesWhatPeeritWrote() throws Exception {
        Path original = tree(swarm.dir("seed"), "album");
        Daemon seeder = swarm.start(1, 1024 * 1024, 0);
        Manifest m = shared(seeder, original);
        Daemon leecher = swarm.start(2, 0, 0);
        Path dir = swarm.dir("leecher");
        leecher.engine().download(m, dir).get();
        TestSwarm.await("a part of the folder", Duration.ofSeconds(30),
                () -> TestSwarm.have(leecher, m.swarmId()).cardinality() >= 8);
        swarm.stop(2);
        Daemon again = swarm.start(2, 0, 0);
        TestSwarm.await("the download to resume", Duration.ofSeconds(10),
                () -> again.engine().share(m.swarmId()) != null);
        Path done = again.engine().call(() -> again.engine().share(m.swarmId())).get().completion()
                .get(60, TimeUnit.SECONDS);
        assertSameTree(original, done, List.of("link to big"));

        Files.write(done.resolve("mine.txt"), "the user's own".getBytes());
        Removal removal = again.engine().remove(m.swarmId(), true).get(10, TimeUnit.SECONDS);
        assertTrue(removal.deleted().contains(done.resolve("big.bin")));
        assertEquals(List.of("mine.txt"), new ArrayList<>(contents(done).keySet()),
                "what peerit wrote is gone; the user's file and its folder stay");
    }
}
