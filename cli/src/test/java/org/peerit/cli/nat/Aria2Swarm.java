package org.peerit.cli.nat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The home swarm of {@link HomeSwarmBench} run with aria2c and opentracker, the reference: opentracker on the
 * internet where peerit's tracker runs, aria2c where peerit's daemons run, a torrent of 256 KiB pieces made by
 * mktorrent. aria2 neither punches nor relays, so leechers behind NATs reach only peers with public addresses.
 */
final class Aria2Swarm {
    private static final int TRACKER_PORT = 6969;
    private static final int LISTEN_PORT = 6890;

    private Aria2Swarm() {
    }

    static boolean installed() {
        return LabFiles.onPath("aria2c") && LabFiles.onPath("opentracker") && LabFiles.onPath("mktorrent");
    }

    static HomeSwarmBench.Outcome run(HomeSwarmBench.Setting setting, Path tmp) throws Exception {
        try (NatLab lab = new NatLab(Files.createDirectories(tmp.resolve("logs")))) {
            List<String> hosts = HomeSwarmBench.build(lab, setting);
            Path work = Files.createDirectories(tmp.resolve("work"));
            Path file = org.peerit.cli.TestFiles.random(Files.createDirectories(work.resolve("seed")).resolve("home.bin"),
                    setting.sizeMib() << 20);
            Path torrent = work.resolve("home.torrent");
            check(lab.exec(hosts.get(0), Map.of(), work, 60, List.of("mktorrent", "-l", "18", "-a",
                    "http://" + NatLab.TRACKER_IP + ":" + TRACKER_PORT + "/announce", "-o", torrent.toString(),
                    file.toString())), "mktorrent");
            startOpentracker(lab, work, torrent);
            List<String> common = List.of("aria2c", "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
                    "--listen-port=" + LISTEN_PORT, "--seed-ratio=0.0", "--summary-interval=0",
                    "--console-log-level=warn", "--file-allocation=none", "--follow-torrent=false");
            List<String> seeder = new ArrayList<>(common);
            seeder.addAll(List.of("--bt-seed-unverified=true", "-d", file.getParent().toString(), torrent.toString()));
            lab.start(hosts.get(0), "aria2-seed", Map.of(), work, seeder);
            Thread.sleep(1000); // it announces and listens
            long start = System.nanoTime();
            for (int i = 1; i < hosts.size(); i++) {
                Path hook = work.resolve("done-hook-" + i + ".sh");
                Files.writeString(hook, "#!/bin/sh\ntouch " + work.resolve("done-" + i) + "\n");
                Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
                List<String> leecher = new ArrayList<>(common);
                leecher.addAll(List.of("--on-bt-download-complete=" + hook,
                        "-d", Files.createDirectories(work.resolve("into-" + i)).toString(), torrent.toString()));
                lab.start(hosts.get(i), "aria2-" + i, Map.of(), work, leecher);
            }
            long deadline = start + TimeUnit.SECONDS.toNanos(setting.giveUpSeconds());
            Map<Integer, Double> done = new TreeMap<>();
            long noneBy = start + TimeUnit.SECONDS.toNanos(setting.giveUpIfNoneSeconds());
            while (done.size() < setting.leechers() && System.nanoTime() < deadline
                    && !(done.isEmpty() && System.nanoTime() > noneBy)) {
                for (int i = 1; i < hosts.size(); i++) {
                    if (!done.containsKey(i) && Files.exists(work.resolve("done-" + i))) {
                        done.put(i, (System.nanoTime() - start) / 1e9);
                    }
                }
                Thread.sleep(50);
            }
            for (int i : done.keySet()) {
                if (Files.mismatch(file, work.resolve("into-" + i).resolve("home.bin")) != -1) {
                    throw new IOException("aria2 leecher " + i + " has a wrong file");
                }
            }
            Double wall = done.size() == setting.leechers() ? done.values().stream().max(Double::compare).get() : null;
            return new HomeSwarmBench.Outcome(wall, done.size(), "done_s=" + HomeSwarmBench.join(done));
        }
    }

    /** Debian's opentracker serves only whitelisted torrents; it chroots and drops to nobody, so its dir is readable. */
    private static void startOpentracker(NatLab lab, Path work, Path torrent) throws Exception {
        Path dir = Files.createDirectories(work.resolve("opentracker"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        NatLab.Result info = lab.exec(NatLab.INTERNET, Map.of(), work, 30, List.of("aria2c", "-S", torrent.toString()));
        check(info, "aria2c -S");
        String hash = info.output().lines().filter(l -> l.contains("Info Hash")).map(l -> l.replaceAll(".*: *", ""))
                .findFirst().orElseThrow(() -> new IOException("no info hash in: " + info.output()));
        Path whitelist = dir.resolve("whitelist");
        Files.writeString(whitelist, hash.strip() + "\n");
        Files.setPosixFilePermissions(whitelist, PosixFilePermissions.fromString("rw-r--r--"));
        lab.start(NatLab.INTERNET, "opentracker", Map.of(), dir, List.of("opentracker", "-i", NatLab.TRACKER_IP,
                "-p", String.valueOf(TRACKER_PORT), "-P", String.valueOf(TRACKER_PORT), "-d", dir.toString(),
                "-w", "whitelist"));
        Thread.sleep(500);
    }

    private static void check(NatLab.Result result, String what) throws IOException {
        if (result.exit() != 0) {
            throw new IOException(what + " failed: " + result.output());
        }
    }
}
