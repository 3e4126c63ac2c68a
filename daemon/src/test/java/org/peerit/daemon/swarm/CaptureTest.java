package org.peerit.daemon.swarm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.Daemon;
import org.peerit.protocol.manifest.Manifest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 11: the loopback traffic of real downloads, captured with tcpdump, holds no byte of the file's plaintext, over
 * TCP and over QUIC. Needs root and tcpdump (apt-get install tcpdump); skipped without them, except with CI=true.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CaptureTest {
    private static final int WINDOW = 24;
    private static final int SAMPLES = 400;

    @TempDir
    Path root;
    private TestSwarm swarm;
    private Process tcpdump;

    @BeforeEach
    void setUp() throws Exception {
        boolean can = "root".equals(System.getProperty("user.name"))
                && (Files.isExecutable(Path.of("/usr/bin/tcpdump")) || Files.isExecutable(Path.of("/usr/sbin/tcpdump")));
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(can, "needs root and tcpdump (apt-get install tcpdump); runs in CI");
        }
        swarm = new TestSwarm(root);
    }

    @AfterEach
    void tearDown() {
        if (tcpdump != null) {
            tcpdump.destroyForcibly();
        }
        if (swarm != null) {
            swarm.close();
        }
    }

    @Test
    void noPlaintextOfTheFileCrossesLoopbackOnAnyTransport() throws Exception {
        Path pcap = root.resolve("lo.pcap");
        Path log = root.resolve("tcpdump.log");
        // A 128 MiB capture buffer, and a seeder held to 8 MiB/s: on loopback tcpdump must not drop a packet.
        tcpdump = new ProcessBuilder("tcpdump", "-i", "lo", "-U", "-s", "0", "-B", "131072", "-w", pcap.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TestSwarm.await("tcpdump to listen", java.time.Duration.ofSeconds(10),
                () -> Files.readString(log).contains("listening on lo"));

        Daemon seeder = swarm.start(1, 8 << 20, 0);
        Path original = TestSwarm.randomFile(swarm.dir("seed"), "diary.txt", 3 << 20, 77);
        Manifest m = seeder.engine().register(original, (d, t) -> { }).get(30, TimeUnit.SECONDS).manifest();
        Daemon overTcp = swarm.start(2, 0, 0);
        Path a = overTcp.engine().download(m, swarm.dir("tcp")).get(5, TimeUnit.SECONDS).completion().get(60, TimeUnit.SECONDS);
        Daemon overQuic = swarm.startQuicOnly(3);
        Path b = overQuic.engine().download(m, swarm.dir("quic")).get(5, TimeUnit.SECONDS).completion().get(60, TimeUnit.SECONDS);
        assertEquals(-1L, Files.mismatch(original, a));
        assertEquals(-1L, Files.mismatch(original, b));
        assertTrue(TestSwarm.status(overQuic, m.swarmId()).peers().stream().allMatch(p -> p.path().startsWith("quic")),
                "daemon 3 downloaded over QUIC");
        // tcpdump writes what the kernel queued for it only as fast as it can: stop it once the file stops growing.
        long size = -1;
        for (int stable = 0; stable < 5; Thread.sleep(200)) {
            long now = Files.size(pcap);
            stable = now == size ? stable + 1 : 0;
            size = now;
        }
        tcpdump.destroy();
        tcpdump.waitFor(10, TimeUnit.SECONDS);

        String summary = Files.readString(log);
        assertTrue(summary.lines().anyMatch(l -> l.equals("0 packets dropped by kernel")),
                "tcpdump captured every packet: " + summary);
        byte[] captured = Files.readAllBytes(pcap);
        byte[] file = Files.readAllBytes(original);
        assertTrue(captured.length > 2 * file.length, "the capture holds both downloads: " + captured.length + " bytes");
        // The control: the swarm id crosses in plaintext in tracker announces, so a search that finds nothing proves
        // something only if it finds that.
        assertTrue(indexOf(captured, m.swarmId().bytes()) >= 0, "the capture and the search work");
        Random random = new Random(5);
        for (int i = 0; i < SAMPLES; i++) {
            int at = random.nextInt(file.length - WINDOW);
            byte[] window = java.util.Arrays.copyOfRange(file, at, at + WINDOW);
            assertEquals(-1, indexOf(captured, window), "24 bytes of the file at offset " + at + " crossed in plaintext");
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
