package org.peerit.daemon.swarm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.Daemon;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.tracker.Tracker;
import org.peerit.tracker.TrackerConfig;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several trackers: a daemon announces each swarm to its own trackers and to every one the manifest names, merges
 * the peers they give, and keeps working while one of them is dead.
 */
class SeveralTrackersTest {
    @TempDir
    Path root;
    private TestSwarm swarm;
    private Tracker second;

    @AfterEach
    void tearDown() {
        if (swarm != null) {
            swarm.close();
        }
        if (second != null) {
            second.close();
        }
    }

    @Test
    void peersFromEveryTrackerAreMergedAndADeadOneIsOnlyReported() throws Exception {
        swarm = new TestSwarm(root);
        second = Tracker.start(TrackerConfig.defaults(InetAddress.getLoopbackAddress(), 0).withInterval(Duration.ofSeconds(2)));
        TrackerAddress a = new TrackerAddress("127.0.0.1", swarm.tracker.port());
        TrackerAddress b = new TrackerAddress("127.0.0.1", second.port());
        TrackerAddress dead;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            dead = new TrackerAddress("127.0.0.1", s.getLocalPort()); // nobody answers there once it is closed
        }
        Daemon seedOnA = swarm.start(1, EngineConfig.defaults(List.of(a, dead)));
        Daemon seedOnB = swarm.start(2, EngineConfig.defaults(List.of(b)));
        // Downloading at 1 MiB/s: long enough to see whom it is connected to.
        Daemon leech = swarm.start(3, EngineConfig.defaults(List.of(dead, b)).withRates(0, 1 << 20));

        Path file = TestSwarm.randomFile(swarm.dir("files"), "f.bin", 4 << 20, 3);
        Manifest m = seedOnA.engine().register(file, (d, t) -> { }).get(30, TimeUnit.SECONDS).manifest();
        assertEquals(List.of(a.toString(), dead.toString()), m.trackers(), "a manifest names all the daemon's trackers");
        Manifest sameOnB = seedOnB.engine().register(file, (d, t) -> { }).get(30, TimeUnit.SECONDS).manifest();
        assertEquals(m.swarmId(), sameOnB.swarmId(), "the trackers are not part of the swarm's identity");

        // The leecher knows b (its own) and, from the manifest, a: one seed is on each.
        var done = leech.engine().download(m, swarm.dir("into")).get(10, TimeUnit.SECONDS).completion();
        TestSwarm.await("a seed from each tracker connected", Duration.ofSeconds(20),
                () -> TestSwarm.status(leech, m.swarmId()).peers().size() == 2);
        TestSwarm.await("the dead tracker reported", Duration.ofSeconds(20),
                () -> TestSwarm.status(leech, m.swarmId()).trackerProblem() != null);
        String problem = TestSwarm.status(leech, m.swarmId()).trackerProblem();
        assertNotNull(problem);
        assertTrue(problem.startsWith("1 of 3 trackers failing: tracker " + dead), problem);
        assertEquals(List.of("tracker"), TestSwarm.status(leech, m.swarmId()).sources());
        assertEquals(-1L, Files.mismatch(file, done.get(60, TimeUnit.SECONDS)), "and the file arrives whole");
    }
}
