package org.peerit.cli.nat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * peerit between hosts behind NAT routers in a lab of network namespaces (see {@link NatLab}), with the built jars
 * and the launcher run as a user runs them. Needs root; skipped with a message elsewhere, except on CI, where
 * skipping would hide a failure.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NatLabIT extends LabTest {
    @BeforeAll
    static void labAvailable() {
        NatLab.requireForTests("NAT lab tests");
    }

    @Test
    void coneToConeTheFileArrivesOverAPunchedPath() throws Exception {
        String a = lab.host(lab.router(false), 1);
        String b = lab.host(lab.router(false), 1);
        swarm.startTracker();
        assertUnsolicitedTrafficIsDropped(a, NatLab.publicIp(1), NatLab.hostIp(1, 1));
        assertUnsolicitedTrafficIsDropped(b, NatLab.publicIp(2), NatLab.hostIp(2, 1));

        String downloaderLog = shareAndDownload(a, b, 8 * MIB);
        assertTrue(downloaderLog.contains("over quic-punched"), "punched, not relayed:\n" + downloaderLog);
        assertFalse(downloaderLog.contains("over quic-relay"), downloaderLog);
    }

    @Test
    void twoHostsBehindOneNatConnectByTheirLanAddresses() throws Exception {
        int router = lab.router(false);
        String a = lab.host(router, 1);
        String b = lab.host(router, 2);
        swarm.startTracker();
        String downloaderLog = shareAndDownload(a, b, 8 * MIB);
        assertTrue(downloaderLog.contains("over quic-lan") || downloaderLog.contains("over tcp"),
                "a LAN path (the router does not hairpin):\n" + downloaderLog);
    }

    @Test
    void symmetricToSymmetricTheFileArrivesThroughTheRelay() throws Exception {
        String a = lab.host(lab.router(true), 1);
        String b = lab.host(lab.router(true), 1);
        swarm.startTracker();
        String downloaderLog = shareAndDownload(a, b, 8 * MIB);
        assertTrue(downloaderLog.contains("over quic-relay"), "relayed:\n" + downloaderLog);
        assertFalse(downloaderLog.contains("over quic-punched"), "symmetric NATs cannot be punched:\n" + downloaderLog);
    }

    /**
     * Cone to symmetric: an ordinary punch cannot meet (the symmetric NAT maps the way to each peer anew), so the
     * tracker has the symmetric side open many sockets and the cone side probe random ports until one pair meets; the
     * session, started on the relay, moves to that path. Both ways round: the symmetric side asks, or the cone side.
     */
    @ParameterizedTest(name = "downloader behind the {0} NAT")
    @ValueSource(strings = {"symmetric", "cone"})
    void coneAndSymmetricMeetByABirthdayPunch(String downloaderNat) throws Exception {
        boolean downloaderSymmetric = downloaderNat.equals("symmetric");
        String a = lab.host(lab.router(downloaderSymmetric), 1);
        String b = lab.host(lab.router(!downloaderSymmetric), 1);
        swarm.startTracker();
        String downloaderLog = shareAndDownload(a, b, 16 * MIB);
        String both = downloaderLog + swarm.log("daemon-2");
        assertTrue(both.contains("moved from the relay to a direct path (quic-punched)")
                || downloaderLog.contains("over quic-punched"), "a punched path:\n" + downloaderLog
                + "\n--- seeder\n" + swarm.log("daemon-2"));
    }

    /**
     * Relay first, then upgrade: while the seeder's router loses every probe, the punch cannot open, so the download
     * starts over the relay a round trip in; once the probes pass again the punch opens and the session moves to the
     * punched path, and the file arrives whole.
     */
    @Test
    void aPunchThatOpensLateTakesOverFromTheRelay() throws Exception {
        String a = lab.host(lab.router(false), 1);
        String b = lab.host(lab.router(false), 1);
        swarm.startTracker();
        swarm.startDaemon(a, 1);
        swarm.startDaemon(b, 2);
        Path file = swarm.randomFile("late.bin", 24 * MIB);
        assertEquals(0, swarm.peerit(b, 60, "register", file.toString(), "2").exit());
        lab.dropUdpFromLanExceptTo(2, NatLab.TRACKER_IP, true);
        Path into = Files.createDirectories(swarm.work().resolve("into"));
        Process download = swarm.peeritAsync(a, "download", "download", "late.bin.p2p", "1", "--dir", into.toString());
        swarm.awaitLog(download, "daemon-1", "starting over the tracker's relay while punching goes on");
        swarm.awaitLog(download, "daemon-1", "over quic-relay");
        lab.dropUdpFromLanExceptTo(2, NatLab.TRACKER_IP, false);
        swarm.awaitLog(download, "daemon-1", "moved from the relay to a direct path (quic-punched)");
        assertTrue(download.waitFor(120, TimeUnit.SECONDS), "the download ends");
        assertEquals(0, download.exitValue(), swarm.log("download") + "\n--- downloader\n" + swarm.log("daemon-1"));
        assertEquals(-1L, Files.mismatch(file, into.resolve("late.bin")), "the downloaded file is the original");
        assertTrue(swarm.log("daemon-2").contains("moved from the relay to a direct path"),
                "the seeder's end moved too:\n" + swarm.log("daemon-2"));
    }

    @Test
    void theRelayCutsAPairOffAtItsByteBudgetAndTheDaemonsSaySo() throws Exception {
        String a = lab.host(lab.router(true), 1);
        String b = lab.host(lab.router(true), 1);
        swarm.startTracker("--relay-bytes", "2M");
        swarm.startDaemon(a, 1);
        swarm.startDaemon(b, 2);
        Path file = swarm.randomFile("big.bin", 12 * MIB);
        NatLab.Result registered = swarm.peerit(b, 60, "register", file.toString(), "2");
        assertEquals(0, registered.exit(), registered.output());
        Path into = Files.createDirectories(swarm.work().resolve("into"));
        swarm.peeritAsync(a, "download", "download", "big.bin.p2p", "1", "--dir", into.toString());
        swarm.awaitLog(null, "daemon-1", "the tracker closed the relay");
        swarm.awaitLog(null, "daemon-2", "the tracker closed the relay");
        assertTrue(swarm.log("daemon-1").contains("byte budget"), swarm.log("daemon-1"));
        NatLab.Result status = swarm.peerit(a, 30, "status", "1");
        assertTrue(status.output().contains("byte budget") || status.output().contains("relay budget"),
                "status says why:\n" + status.output());
        assertFalse(Files.exists(into.resolve("big.bin")), "12 MiB cannot have come through a 2 MiB budget");
    }

    /** Seeds a random file on {@code seederHost} and downloads it on {@code downloaderHost}; returns the downloader's log. */
    private String shareAndDownload(String downloaderHost, String seederHost, long size) throws Exception {
        swarm.startDaemon(downloaderHost, 1);
        swarm.startDaemon(seederHost, 2);
        Path file = swarm.randomFile("movie.bin", size);
        NatLab.Result registered = swarm.peerit(seederHost, 60, "register", file.toString(), "2");
        assertEquals(0, registered.exit(), registered.output());
        Path into = Files.createDirectories(swarm.work().resolve("into"));
        NatLab.Result downloaded = swarm.peerit(downloaderHost, 120, "download", "movie.bin.p2p", "1", "--dir",
                into.toString());
        assertEquals(0, downloaded.exit(), downloaded.output() + "\n--- downloader\n" + swarm.log("daemon-1")
                + "\n--- seeder\n" + swarm.log("daemon-2") + "\n--- tracker\n" + swarm.log("tracker"));
        assertEquals(-1L, Files.mismatch(file, into.resolve("movie.bin")), "the downloaded file is the original");
        return swarm.log("daemon-1");
    }

    /**
     * The lab really filters: datagrams sent from the internet to the router's public address, or routed straight
     * to the host's private address, never arrive; the answer to a datagram the host sent out does.
     */
    private void assertUnsolicitedTrafficIsDropped(String host, String routerPublic, String hostPrivate) throws Exception {
        Path classes = REPO.resolve("cli/target/test-classes");
        String name = "sink-" + host;
        Process sink = lab.start(host, name, Map.of(), swarm.work(), List.of("java", "-cp", classes.toString(),
                UdpSink.class.getName(), "40000", NatLab.TRACKER_IP + ":" + LabSwarm.TRACKER_PORT, "2500"));
        swarm.awaitLog(sink, name, "READY");
        // An attacker on the ISP's segment knows the private address too and routes it to the router.
        NatLab.Result sent = lab.exec(NatLab.INTERNET, Map.of(), swarm.work(), 10, List.of("bash", "-c",
                "ip route replace 198.19.0.0/16 via " + routerPublic + " && for i in 1 2 3; do "
                        + "echo x > /dev/udp/" + routerPublic + "/40000; echo x > /dev/udp/" + hostPrivate + "/40000; "
                        + "sleep 0.1; done; ip route del 198.19.0.0/16"));
        assertEquals(0, sent.exit(), sent.output());
        assertTrue(sink.waitFor(20, TimeUnit.SECONDS), "the sink finishes");
        String out = swarm.log(name);
        assertTrue(out.contains("GOT /" + NatLab.TRACKER_IP + ":" + LabSwarm.TRACKER_PORT), "the tracker's answer gets in:\n" + out);
        assertEquals(1, out.lines().filter(l -> l.startsWith("GOT")).count(), "nothing unsolicited gets in:\n" + out);
    }
}
