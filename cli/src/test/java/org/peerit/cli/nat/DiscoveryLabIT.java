package org.peerit.cli.nat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Finding peers without a tracker, in the NAT lab (see {@link NatLab}), with the built jars run as a user runs them:
 * the Mainline DHT (the real library, bt-dht's mldht, on one address per node from 198.18.0.0/15, which it treats as
 * global), a tracker that dies mid-swarm, and LAN multicast discovery. Needs root; skipped with a message elsewhere,
 * except on CI. Each test prints how long the download took through its source.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DiscoveryLabIT extends LabTest {
    @BeforeAll
    static void labAvailable() {
        NatLab.requireForTests("discovery lab tests");
    }

    private static String dhtNode(int index) {
        return LabSwarm.dhtNode(index);
    }

    /** (a) No tracker process at all: a public daemon is the DHT's bootstrap node and the seed. */
    @Test
    void withNoTrackerALeecherBehindAConeNatFindsThePublicSeedThroughTheDht() throws Exception {
        String seedHost = lab.publicHost(1);
        String leechHost = lab.host(lab.router(false), 1);
        swarm.startDaemon(seedHost, 1, List.of("--dht-bootstrap", dhtNode(1), "--no-lan"));
        swarm.startDaemon(leechHost, 2, List.of("--dht-bootstrap", dhtNode(1), "--no-lan"));

        Path file = swarm.randomFile("film.bin", 4 * MIB);
        NatLab.Result registered = swarm.peerit(seedHost, 60, "register", file.toString(), "1");
        assertEquals(0, registered.exit(), registered.output());
        assertFalse(Files.readString(swarm.work().resolve("film.bin.p2p")).contains("198.18."),
                "a daemon with no tracker writes a manifest that names none");

        long took = download(leechHost, 2, "film.bin.p2p", file, "into-a");
        assertFoundThrough("daemon-2", "DHT");
        System.out.println("RESULT test=dht-no-tracker source=dht size_mib=4 download_s=" + took / 1000.0);
        NatLab.Result status = swarm.peerit(leechHost, 30, "status", "2");
        assertTrue(status.output().contains("no tracker"), status.output());
        assertTrue(status.output().matches("(?s).*DHT on UDP 6882: [1-9]\\d* nodes? in the routing table.*"), status.output());
        assertTrue(status.output().contains("peers found through: DHT"), status.output());

        // The routing table persists: restarted with no bootstrap node at all (the public routers are out of the
        // lab's reach), the node rejoins from the nodes it knew.
        Process leech = swarm.daemonProcess(2);
        NatLab.Result stopped = swarm.peerit(leechHost, 30, "stop", "2");
        assertEquals(0, stopped.exit(), stopped.output());
        assertTrue(leech.waitFor(20, TimeUnit.SECONDS), "daemon 2 stops");
        Path state = tmp.resolve("home/daemon-2/dht");
        try (var files = Files.list(state)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith("table.cache")), "a table in " + state);
        }
        swarm.startDaemon(leechHost, 2, List.of("--no-lan"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String again = "";
        while (System.nanoTime() < deadline && !again.matches("(?s).*DHT on UDP 6882: [1-9]\\d* nodes? in.*")) {
            again = swarm.peerit(leechHost, 30, "status", "2").output();
            Thread.sleep(500);
        }
        assertTrue(again.matches("(?s).*DHT on UDP 6882: [1-9]\\d* nodes? in.*"), again);
    }

    /** (b) The tracker dies mid-swarm; a newcomer behind a NAT still finds the swarm, through the DHT. */
    @Test
    void aNewcomerGetsTheFileAfterTheTrackerDied() throws Exception {
        Process tracker = swarm.startTracker();
        String tr = NatLab.TRACKER_IP + ":" + LabSwarm.TRACKER_PORT;
        String seedHost = lab.publicHost(1);
        String firstHost = lab.host(lab.router(false), 1);
        String newHost = lab.host(lab.router(false), 1);
        swarm.startDaemon(seedHost, 1, List.of(tr, "--dht-bootstrap", dhtNode(1), "--no-lan"));
        swarm.startDaemon(firstHost, 2, List.of(tr, "--dht-bootstrap", dhtNode(1), "--no-lan"));
        Path file = swarm.randomFile("album.bin", 4 * MIB);
        NatLab.Result registered = swarm.peerit(seedHost, 60, "register", file.toString(), "1");
        assertEquals(0, registered.exit(), registered.output());
        download(firstHost, 2, "album.bin.p2p", file, "into-first");
        assertFoundThrough("daemon-2", "tracker");

        lab.kill(tracker);
        swarm.startDaemon(newHost, 3, List.of(tr, "--dht-bootstrap", dhtNode(1), "--no-lan"));
        long took = download(newHost, 3, "album.bin.p2p", file, "into-new");
        assertFoundThrough("daemon-3", "DHT");
        NatLab.Result status = swarm.peerit(newHost, 30, "status", "3");
        assertTrue(status.output().contains("tracker: tracker " + tr + " does not answer"), status.output());
        System.out.println("RESULT test=tracker-dead source=dht size_mib=4 download_s=" + took / 1000.0);
    }

    /**
     * (e) Punch coordination without the tracker (BEP 55-style): the seed and a newcomer sit behind two cone NATs,
     * the tracker is dead, and a public peer connected to the seed introduces them; they punch a direct QUIC path.
     */
    @Test
    void twoNatedPeersPunchThroughAPeersIntroductionOnceTheTrackerIsGone() throws Exception {
        Process tracker = swarm.startTracker();
        String tr = NatLab.TRACKER_IP + ":" + LabSwarm.TRACKER_PORT;
        String publicHost = lab.publicHost(1);
        String seedHost = lab.host(lab.router(false), 1);
        String newHost = lab.host(lab.router(false), 1);
        swarm.startDaemon(publicHost, 1, List.of(tr, "--dht-bootstrap", dhtNode(1), "--no-lan", "--max-download-rate", "64K"));
        swarm.startDaemon(seedHost, 2, List.of(tr, "--dht-bootstrap", dhtNode(1), "--no-lan"));
        Path file = swarm.randomFile("show.bin", 8 * MIB);
        NatLab.Result registered = swarm.peerit(seedHost, 60, "register", file.toString(), "2");
        assertEquals(0, registered.exit(), registered.output());
        // The public peer downloads slowly, so it is still in the swarm, connected to the seed, when the newcomer comes.
        Path slow = Files.createDirectories(swarm.work().resolve("into-public"));
        swarm.peeritAsync(publicHost, "download-public", "download", "show.bin.p2p", "1", "--dir", slow.toString());
        swarm.awaitLog(null, "daemon-1", "show.bin: connected to peer");
        Thread.sleep(2000); // both have told each other their NAT mappings (once a second)
        lab.kill(tracker);

        swarm.startDaemon(newHost, 3, List.of(tr, "--dht-bootstrap", dhtNode(1), "--no-lan"));
        long took = download(newHost, 3, "show.bin.p2p", file, "into-e");
        String newcomer = swarm.log("daemon-3");
        assertTrue(swarm.log("daemon-1").contains("for a punch"), "the public peer introduced them:\n"
                + swarm.log("daemon-1"));
        assertTrue(newcomer.lines().anyMatch(l -> l.contains("show.bin: connected to peer") && l.contains("over quic-punched")),
                "the newcomer reached the NATed seed over a punched path:\n" + newcomer);
        System.out.println("RESULT test=peer-introduced-punch size_mib=8 download_s=" + took / 1000.0);
    }

    /** (c) Two daemons on one LAN segment, no tracker and no DHT: LAN multicast finds the peer within 2 s. */
    @Test
    void twoDaemonsOnOneLanFindEachOtherWithNoTrackerAndNoDht() throws Exception {
        int router = lab.router(false);
        String a = lab.host(router, 1);
        String b = lab.host(router, 2);
        String stranger = lab.host(router, 3);
        swarm.startDaemon(a, 1, List.of("--no-dht"));
        swarm.startDaemon(b, 2, List.of("--no-dht"));
        Path file = swarm.randomFile("notes.bin", 2 * MIB);
        NatLab.Result registered = swarm.peerit(a, 60, "register", file.toString(), "1");
        assertEquals(0, registered.exit(), registered.output());

        // A stranger on the LAN floods the group: junk, and announces of the real swarm with 1,000 made-up ports. The
        // seed looks at 10 a second from it, so it dials only a few of those ports (counted by the stranger's firewall).
        String key = swarm.peerit(a, 30, "link", "notes.bin.p2p").output().strip().substring("peerit://".length(), 49);
        assertEquals(0, lab.exec(stranger, java.util.Map.of(), swarm.work(), 10, List.of("iptables", "-A", "INPUT", "-p",
                "tcp", "--syn", "--dport", "40000:40999", "-j", "ACCEPT")).exit());
        long floodStart = System.nanoTime();
        NatLab.Result flood = lab.exec(stranger, java.util.Map.of(), swarm.work(), 60, List.of("bash", "-c",
                // Each message is made first and written whole: bash's printf writes a format in pieces, and on a UDP
                // socket each piece would be a datagram of its own.
                "for i in $(seq 0 999); do printf -v junk 'junk %d' $i; printf '%s' \"$junk\" > /dev/udp/239.192.152.143/6771;"
                        + " printf -v m 'BT-SEARCH * HTTP/1.1\\r\\nHost: 239.192.152.143:6771\\r\\nPort: %d\\r\\nInfohash: "
                        + key + "\\r\\ncookie: stranger\\r\\n\\r\\n\\r\\n' $((40000 + i));"
                        + " printf '%s' \"$m\" > /dev/udp/239.192.152.143/6771; done"));
        assertEquals(0, flood.exit(), flood.output());
        long floodSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - floodStart) + 1;
        Thread.sleep(1000);
        String counters = lab.exec(stranger, java.util.Map.of(), swarm.work(), 10, List.of("iptables", "-L", "INPUT",
                "-v", "-n", "-x")).output();
        long dials = counters.lines().filter(l -> l.contains("dpts:40000:40999")).mapToLong(l -> Long.parseLong(
                l.trim().split("\\s+")[0])).sum();
        assertTrue(dials > 0, "the well-formed announces were heard:\n" + counters + "\n--- seed\n" + swarm.log("daemon-1")
                + "\n--- flood\n" + flood.output() + "\nkey " + key);
        assertTrue(dials <= 10 * (floodSeconds + 1), dials + " dials from a " + floodSeconds + " s flood:\n" + counters);
        System.out.println("RESULT test=lan-flood announces=1000 junk=1000 flood_s=" + floodSeconds + " dials=" + dials);

        long took = download(b, 2, "notes.bin.p2p", file, "into-c");
        // Whoever hears the other's announce dials: here the seed hears the newcomer's, sent as its download starts.
        assertTrue(swarm.log("daemon-1").contains("first peer from the LAN after")
                || swarm.log("daemon-2").contains("first peer from the LAN after"), swarm.log("daemon-1"));
        long connected = millisBetween(swarm.log("daemon-2"), "notes.bin: downloading", "notes.bin: connected to peer");
        assertTrue(connected <= 2000, "connected " + connected + " ms after the download started");
        System.out.println("RESULT test=lan source=lan size_mib=2 first_peer_ms=" + connected + " download_s="
                + took / 1000.0);
    }

    /** (d) A DHT of 8 nodes in a chain: the seed and the leecher each know only their neighbour, never each other. */
    @Test
    void inAnEightNodeDhtSeedAndLeecherWithDifferentBootstrapNodesFindEachOther() throws Exception {
        int nodes = 8;
        List<String> hosts = swarm.startDhtChain(nodes);
        Path file = swarm.randomFile("data.bin", 4 * MIB);
        NatLab.Result registered = swarm.peerit(hosts.get(0), 60, "register", file.toString(), "1");
        assertEquals(0, registered.exit(), registered.output());
        long took = download(hosts.get(nodes - 1), nodes, "data.bin.p2p", file, "into-d");
        assertFoundThrough("daemon-" + nodes, "DHT");
        System.out.println("RESULT test=dht-8-nodes source=dht size_mib=4 download_s=" + took / 1000.0);
    }

    /** Downloads {@code manifest} on daemon {@code index}; checks the copy; returns the milliseconds it took. */
    private long download(String host, int index, String manifest, Path original, String into) throws Exception {
        Path dir = Files.createDirectories(swarm.work().resolve(into));
        long start = System.nanoTime();
        NatLab.Result downloaded = swarm.peerit(host, 150, "download", manifest, String.valueOf(index), "--dir",
                dir.toString());
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(0, downloaded.exit(), downloaded.output() + "\n--- downloader\n" + swarm.log("daemon-" + index)
                + "\n--- seed\n" + swarm.log("daemon-1"));
        assertEquals(-1L, Files.mismatch(original, dir.resolve(original.getFileName())), "the copy is the original");
        return took;
    }

    private void assertFoundThrough(String daemon, String source) throws Exception {
        assertTrue(swarm.log(daemon).contains("first peer from the " + source + " after"),
                daemon + " found a peer through the " + source + ":\n" + swarm.log(daemon));
    }

    /** Milliseconds between the first log lines holding {@code from} and {@code to} (logback's HH:mm:ss.SSS). */
    private static long millisBetween(String log, String from, String to) {
        return time(log, from).until(time(log, to), java.time.temporal.ChronoUnit.MILLIS);
    }

    private static java.time.LocalTime time(String log, String text) {
        String line = log.lines().filter(l -> l.contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with '" + text + "' in:\n" + log));
        return java.time.LocalTime.parse(line.substring(0, 12));
    }
}
