package org.peerit.daemon.swarm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.Daemon;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.TrackerAddress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 10, case 5: a download's end never waits on a super-seeding seed's offers. Two seeds of one file both
 * super-seed; each leecher may hold only three connections, so the swarm is not fully connected and what a seed counts
 * as available elsewhere is often out of a leecher's reach: the situation in which downloads stuck at 97.7%.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SuperSeedingEndTest {
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

    @Test
    void everyLeecherFinishesWithTwoSuperSeedingSeedsAndAPartlyConnectedSwarm() throws Exception {
        TrackerAddress tracker = new TrackerAddress("127.0.0.1", swarm.tracker.port());
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "dump.bin", 12 * MIB + 5, 21);
        Daemon first = swarm.start(1, EngineConfig.defaults(tracker).withRates(4 * MIB, 0));
        Manifest m = first.engine().register(original, (d, t) -> { }).get(30, TimeUnit.SECONDS).manifest();
        Daemon second = swarm.start(2, EngineConfig.defaults(tracker).withRates(4 * MIB, 0));
        second.engine().register(original, (d, t) -> { }).get(30, TimeUnit.SECONDS);
        List<CompletableFuture<Path>> done = new ArrayList<>();
        for (int i = 3; i <= 7; i++) {
            Daemon leecher = swarm.start(i, EngineConfig.defaults(tracker).withMaxPeersPerShare(3));
            done.add(leecher.engine().download(m, swarm.dir("leecher" + i)).get(5, TimeUnit.SECONDS).completion());
        }
        for (CompletableFuture<Path> d : done) {
            assertEquals(-1L, Files.mismatch(original, d.get(90, TimeUnit.SECONDS)));
        }
    }
}
