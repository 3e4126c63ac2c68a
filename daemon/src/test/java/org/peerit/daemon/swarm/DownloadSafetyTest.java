package org.peerit.daemon.swarm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.Daemon;
import org.peerit.daemon.storage.FinalRename;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestFactory;
import org.peerit.protocol.manifest.ManifestRules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A download never follows, truncates or replaces a file it did not create (issue 10, cases 2 and 6), with real
 * daemons and real files.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DownloadSafetyTest {
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

    private Manifest seeded(String name) throws Exception {
        Daemon seeder = swarm.start(1, 0, 0);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), name, 3 * MIB + 11, 9);
        return seeder.engine().register(original, (d, t) -> { }).get(30, TimeUnit.SECONDS).manifest();
    }

    private static String refusal(Daemon d, Manifest m, Path dir) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> d.engine().download(m, dir).get(10, TimeUnit.SECONDS));
        return e.getCause().getMessage();
    }

    @Test
    void aSymlinkNamedLikeThePartIsNeitherFollowedNorTruncated() throws Exception {
        Manifest m = seeded("movie.bin");
        Path precious = Files.writeString(swarm.dir("elsewhere").resolve("thesis.tex"), "years of work\n");
        Path dir = swarm.dir("downloads");
        Files.createSymbolicLink(dir.resolve("movie.bin.part"), precious);
        Daemon leecher = swarm.start(2, 0, 0);
        String why = refusal(leecher, m, dir);
        assertTrue(why.contains("movie.bin.part already exists and is not a download peerit knows of"), why);
        assertEquals("years of work\n", Files.readString(precious), "the link's target is untouched");
        assertTrue(Files.isSymbolicLink(dir.resolve("movie.bin.part")), "the link itself is left alone");
    }

    @Test
    void aUsersOwnFileNamedLikeThePartIsLeftAlone() throws Exception {
        Manifest m = seeded("notes.bin");
        Path dir = swarm.dir("downloads");
        byte[] mine = "my own notes, not a download\n".getBytes();
        Files.write(dir.resolve("notes.bin.part"), mine);
        Daemon leecher = swarm.start(2, 0, 0);
        String why = refusal(leecher, m, dir);
        assertTrue(why.contains("move it away or choose another --dir"), why);
        assertArrayEquals(mine, Files.readAllBytes(dir.resolve("notes.bin.part")));
    }

    @Test
    void aPartReplacedByALinkWhileTheDaemonWasDownIsNotResumedThroughIt() throws Exception {
        Manifest m = seeded("big.bin");
        Path dir = swarm.dir("downloads");
        Daemon leecher = swarm.start(2, 0, 1); // 1 byte/s: it stays a download in progress
        leecher.engine().download(m, dir).get(10, TimeUnit.SECONDS);
        Path part = dir.resolve("big.bin.part");
        TestSwarm.await("the .part", Duration.ofSeconds(10), () -> Files.exists(part));
        swarm.stop(2);
        Path precious = Files.writeString(swarm.dir("elsewhere").resolve("db.sqlite"), "precious\n");
        Files.delete(part);
        Files.createSymbolicLink(part, precious);
        Daemon again = swarm.start(2, 0, 0);
        TestSwarm.await("the resumed share to fail", Duration.ofSeconds(10), () -> {
            ShareStatus s = TestSwarm.status(again, m.swarmId());
            return s != null && s.state() == ShareState.ERROR;
        });
        String error = TestSwarm.status(again, m.swarmId()).error();
        assertTrue(error.contains("symbolic link"), error);
        assertEquals("precious\n", Files.readString(precious));
    }

    @Test
    void downloadingASwarmTheDaemonHasIntoAnotherDirectorySaysWhereItIs() throws Exception {
        Manifest m = seeded("song.flac");
        Daemon leecher = swarm.start(2, 0, 0);
        Path first = swarm.dir("first");
        Path done = leecher.engine().download(m, first).get(10, TimeUnit.SECONDS).completion().get(60, TimeUnit.SECONDS);
        String why = refusal(leecher, m, swarm.dir("second"));
        assertTrue(why.contains("already shares " + done), why);
        assertTrue(why.contains("peerit remove"), why);
        assertFalse(Files.exists(swarm.root.resolve("second").resolve("song.flac.part")));
        // The same directory again is the same download: it answers at once with the share it has.
        assertEquals(done, leecher.engine().download(m, first).get(10, TimeUnit.SECONDS).finalPath());
    }

    @Test
    void aManifestLargerThanTheFreeSpaceIsRefusedBeforeAnythingIsAllocated() throws Exception {
        Daemon daemon = swarm.start(1, 0, 0);
        int chunkSize = ManifestRules.MAX_CHUNK_SIZE;
        long size = ManifestRules.MAX_SIZE; // 4 TiB
        List<String> hashes = Collections.nCopies((int) (size / chunkSize), "ab".repeat(32));
        Manifest huge = new Manifest(1, "huge.img", size, chunkSize, "cd".repeat(32), hashes,
                List.of("127.0.0.1:" + swarm.tracker.port()));
        Path dir = swarm.dir("downloads");
        long free = Files.getFileStore(dir).getUsableSpace();
        org.junit.jupiter.api.Assumptions.assumeTrue(free < size, "this disk has 4 TiB free");
        String why = refusal(daemon, huge, dir);
        assertTrue(why.contains("huge.img needs 4.0 TiB but " + dir + " has"), why);
        assertTrue(why.contains("free some space or choose another --dir"), why);
        assertFalse(Files.exists(dir.resolve("huge.img.part"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void theFinalRenameNeverReplacesWhatAppearedAtTheName() throws IOException {
        Path dir = swarm.dir("rename");
        Path part = Files.writeString(dir.resolve("a.bin.part"), "verified");
        Path target = dir.resolve("a.bin");
        Files.createSymbolicLink(target, dir.resolve("nowhere")); // a dangling link: exists() would say no
        assertFalse(FinalRename.moveIntoPlace(part, target));
        assertTrue(Files.isSymbolicLink(target));
        assertEquals("verified", Files.readString(part));
        Files.delete(target);
        assertTrue(FinalRename.moveIntoPlace(part, target));
        assertEquals("verified", Files.readString(target));
        assertFalse(Files.exists(part));
    }

    @Test
    void removeDeleteTakesAFinishedDownloadOnlyAsPeeritVerifiedIt() throws Exception {
        Manifest m = seeded("photos.zip");
        Daemon leecher = swarm.start(2, 0, 0);
        Path done = leecher.engine().download(m, swarm.dir("a")).get(10, TimeUnit.SECONDS).completion().get(60, TimeUnit.SECONDS);
        Files.setLastModifiedTime(done, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L)); // edited since
        Removal changed = leecher.engine().remove(m.swarmId(), true).get(10, TimeUnit.SECONDS);
        assertTrue(changed.deleted().isEmpty(), changed.toString());
        assertEquals(List.of(done + " (changed since peerit verified it)"), changed.kept());
        assertTrue(Files.exists(done));

        Path fresh = leecher.engine().download(m, swarm.dir("b")).get(10, TimeUnit.SECONDS).completion().get(60, TimeUnit.SECONDS);
        TestSwarm.await("the finished download's record", Duration.ofSeconds(5), () -> Files.readString(
                swarm.root.resolve("home/daemon-2/shares/" + m.swarmId().hex() + ".json")).contains("\"complete\":true"));
        Removal removed = leecher.engine().remove(m.swarmId(), true).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(fresh), removed.deleted());
        assertFalse(Files.exists(fresh));
        assertEquals(null, TestSwarm.status(leecher, m.swarmId()), "forgotten");
        swarm.stop(2);
        Daemon again = swarm.start(2, 0, 0);
        Thread.sleep(500);
        assertEquals(null, TestSwarm.status(again, m.swarmId()), "and not resumed after a restart");
    }

    /**
     * A crash after the last block was written but before any of it was verified: at the restart every chunk is
     * recovered from the {@code .part}, and the download finishes, whole-file check and rename included, with no
     * peer at all.
     */
    @Test
    void aPartHoldingTheWholeFileAtARestartIsFinishedWithoutAnyPeer() throws Exception {
        Path original = TestSwarm.randomFile(swarm.dir("src"), "whole.bin", 3 * MIB + 5, 11);
        Manifest m = ManifestFactory.create(original, "whole.bin", List.of("127.0.0.1:" + swarm.tracker.port()),
                (done, total) -> { });
        Path dir = swarm.dir("downloads");
        Daemon leecher = swarm.start(2, 0, 0);
        leecher.engine().download(m, dir).get(10, TimeUnit.SECONDS); // nobody seeds it: it stays a download
        TestSwarm.await("the download to start", Duration.ofSeconds(5),
                () -> TestSwarm.status(leecher, m.swarmId()).state() == ShareState.DOWNLOADING);
        swarm.stop(2);
        Files.copy(original, dir.resolve("whole.bin.part"), StandardCopyOption.REPLACE_EXISTING);

        Daemon again = swarm.start(2, 0, 0);
        Path done = again.engine().call(() -> again.engine().share(m.swarmId()).completion()).get()
                .get(30, TimeUnit.SECONDS);
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(done));
        assertEquals(ShareState.SEEDING, TestSwarm.status(again, m.swarmId()).state());
        assertEquals(0, TestSwarm.status(again, m.swarmId()).downloaded(), "nothing was fetched again");
    }

    /**
     * Issue 10, case 6: a large download resumed after a restart is not hashed whole again (16 GiB of sparse .part
     * took minutes of CPU at every start): only chunks written into and not yet verified are checked.
     */
    @Test
    void aRestartChecksOnlyTheChunksThatWereWrittenNotTheWholeSparsePart() throws Exception {
        int chunkSize = ManifestRules.MAX_CHUNK_SIZE;
        long size = 16L << 30;
        Path dir = swarm.dir("big");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.getFileStore(dir).getUsableSpace() > 2 * size,
                "needs 32 GiB free for the sparse .part to pass the free-space check");
        Manifest m = new Manifest(1, "disk.img", size, chunkSize, "cd".repeat(32),
                Collections.nCopies((int) (size / chunkSize), "ab".repeat(32)), List.of("127.0.0.1:" + swarm.tracker.port()));
        Daemon d = swarm.start(1, 0, 0);
        d.engine().download(m, dir).get(10, TimeUnit.SECONDS);
        TestSwarm.await("the download to start", Duration.ofSeconds(5),
                () -> TestSwarm.status(d, m.swarmId()).state() == ShareState.DOWNLOADING);
        swarm.stop(1);
        Daemon again = swarm.start(1, 0, 0);
        // Hashing 16 GiB takes this machine over 10 s; with nothing written there is nothing to check.
        TestSwarm.await("the resumed download to skip the recheck", Duration.ofSeconds(3), () -> {
            ShareStatus s = TestSwarm.status(again, m.swarmId());
            return s != null && s.state() == ShareState.DOWNLOADING;
        });
        swarm.stop(1);
    }
}
