package org.peerit.cli.nat;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark behind {@code bench/home-swarm}: a swarm of homes, each one host behind its own NAT router whose
 * access line is capped with {@code tc tbf} (uplink {@code UP_MBIT}, downlink {@code DOWN_MBIT}), one seeder and
 * {@code HOMES - 1} leechers that all start at once; peerit, then aria2 with opentracker, in the same lab. Each run
 * prints its time against Kumar and Ross's minimum distribution time of the swarm,
 * {@code T* = max(F/u_s, N·F/(u_s + Σu_i), F/d_min)}.
 *
 * <p>Shapes ({@code SHAPES}): {@code home}, the seeder in a home and every home behind a cone NAT; {@code public},
 * the seeder on a public host with the same line; {@code mixed}, as {@code home} with every third leecher's home
 * (homes 2, 5, 8, ...) behind a symmetric NAT. Needs root; run from the repository root after {@code mvn package}.
 */
public final class HomeSwarmBench {
    private static final long MIB = 1L << 20;
    /** TRACE=1: each run's seeder upload and swarm progress, second by second, to see where the time goes. */
    private static final boolean TRACE = "1".equals(System.getenv("TRACE"));

    enum Shape { HOME, PUBLIC, MIXED }

    record Setting(Shape shape, int homes, int upMbit, int downMbit, long sizeMib) {
        int leechers() {
            return homes - 1;
        }

        boolean symmetric(int home) {
            return shape == Shape.MIXED && home % 3 == 2;
        }

        int symmetricHomes() {
            int n = 0;
            for (int home = 2; home <= homes; home++) {
                n += symmetric(home) ? 1 : 0;
            }
            return n;
        }

        /** Kumar and Ross's bound in seconds: every leecher and the seeder upload at their line rate, nothing lost. */
        double boundSeconds() {
            double bits = sizeMib * MIB * 8.0;
            double up = upMbit * 1e6;
            double seederOnly = bits / up;
            double swarm = leechers() * bits / (up * homes);
            double slowestDown = bits / (downMbit * 1e6);
            return Math.max(seederOnly, Math.max(swarm, slowestDown));
        }

        /**
         * A run still short of files this long after its start has failed: eight times the bound, and 30 s (aria2 with
         * a public seed and no way between the homes needs about N times the bound: every leecher from the seed).
         */
        long giveUpSeconds() {
            return (long) (boundSeconds() * 8 + 30);
        }

        /** A run in which no leecher has its file this long after the start has failed: 3 x bound + 30 s. */
        long giveUpIfNoneSeconds() {
            return (long) (boundSeconds() * 3 + 30);
        }

        String resultPrefix(String tool) {
            return String.format(Locale.ROOT, "RESULT tool=%s shape=%s homes=%d symmetric=%d up_mbit=%d down_mbit=%d"
                    + " size_mib=%d", tool, shape.name().toLowerCase(Locale.ROOT), homes, symmetricHomes(), upMbit,
                    downMbit, sizeMib);
        }
    }

    /** One run's outcome: the time the last leecher completed (or null), and what explains it. */
    record Outcome(Double wallSeconds, int finished, String detail) {
    }

    public static void main(String[] args) throws Exception {
        String why = NatLab.unavailableReason();
        if (why != null) {
            System.out.println("SKIP bench=home-swarm: " + why);
            return;
        }
        Map<String, String> env = System.getenv();
        int homes = Integer.parseInt(env.getOrDefault("HOMES", "8"));
        int down = Integer.parseInt(env.getOrDefault("DOWN_MBIT", "100"));
        long size = Long.parseLong(env.getOrDefault("SIZE_MIB", "32"));
        int runs = Integer.parseInt(env.getOrDefault("RUNS", "3"));
        int aria2Runs = Integer.parseInt(env.getOrDefault("ARIA2_RUNS", String.valueOf(runs)));
        List<String> tools = List.of(env.getOrDefault("TOOLS", "peerit aria2").trim().split("\\s+"));
        boolean aria2 = !"0".equals(env.get("ARIA2")) && Aria2Swarm.installed();
        if (!aria2) {
            System.out.println("SKIP tool=aria2: " + (Aria2Swarm.installed() ? "ARIA2=0"
                    : "aria2c, opentracker or mktorrent is not installed (apt-get install aria2 opentracker mktorrent)"));
        }
        Path repo = Path.of("").toAbsolutePath();
        for (String up : env.getOrDefault("UP_MBIT", "20 8").trim().split("\\s+")) {
            for (String shape : env.getOrDefault("SHAPES", "home public mixed").trim().split("\\s+")) {
                Setting setting = new Setting(Shape.valueOf(shape.toUpperCase(Locale.ROOT)), homes,
                        Integer.parseInt(up), down, size);
                if (tools.contains("peerit")) {
                    report(setting, "peerit", runs, tmp -> peerit(setting, repo, tmp));
                }
                if (aria2 && tools.contains("aria2")) {
                    report(setting, "aria2", aria2Runs, tmp -> Aria2Swarm.run(setting, tmp));
                }
            }
        }
    }

    interface Run {
        Outcome in(Path tmp) throws Exception;
    }

    private static void report(Setting setting, String tool, int runs, Run run) throws Exception {
        double bound = setting.boundSeconds();
        List<Double> walls = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            Path tmp = Files.createTempDirectory("peerit-homeswarm");
            Outcome outcome;
            try {
                outcome = run.in(tmp);
            } finally {
                if (!"1".equals(System.getenv("KEEP"))) {
                    LabFiles.deleteTree(tmp);
                } else {
                    System.out.println("kept " + tmp);
                }
            }
            System.out.println(setting.resultPrefix(tool) + String.format(Locale.ROOT,
                    " run=%d finished=%d/%d wall_s=%s bound_s=%.2f ratio=%s %s", i, outcome.finished(),
                    setting.leechers(), outcome.wallSeconds() == null ? "none" : fmt(outcome.wallSeconds()), bound,
                    outcome.wallSeconds() == null ? "none" : fmt(outcome.wallSeconds() / bound), outcome.detail()));
            walls.add(outcome.wallSeconds() == null ? Double.POSITIVE_INFINITY : outcome.wallSeconds());
        }
        walls.sort(null);
        double median = walls.get(walls.size() / 2);
        boolean none = Double.isInfinite(median);
        System.out.println(setting.resultPrefix(tool) + String.format(Locale.ROOT,
                " run=median wall_s=%s bound_s=%.2f ratio=%s", none ? "none" : fmt(median), bound,
                none ? "none" : fmt(median / bound)));
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** The homes of {@code setting} in {@code lab}: the seeder's host first, then one host per leecher's home. */
    static List<String> build(NatLab lab, Setting setting) throws IOException, InterruptedException {
        List<String> hosts = new ArrayList<>();
        if (setting.shape() == Shape.PUBLIC) {
            hosts.add(lab.publicHost(1));
            lab.shapePublicHost(1, setting.upMbit(), setting.downMbit());
        }
        for (int home = setting.shape() == Shape.PUBLIC ? 2 : 1; home <= setting.homes(); home++) {
            int router = lab.router(setting.symmetric(home));
            lab.shapeHome(router, setting.upMbit(), setting.downMbit());
            hosts.add(lab.host(router, 1));
        }
        return hosts;
    }

    private static Outcome peerit(Setting setting, Path repo, Path tmp) throws Exception {
        try (NatLab lab = new NatLab(Files.createDirectories(tmp.resolve("logs")))) {
            LabSwarm swarm = new LabSwarm(lab, repo, tmp);
            List<String> hosts = build(lab, setting);
            swarm.startTracker();
            for (int i = 0; i < hosts.size(); i++) {
                swarm.startDaemon(hosts.get(i), i + 1);
            }
            // Daemons run long before a download is asked for: a first swarm of 1 MiB warms them (the JIT compiles
            // the paths a download takes; eight JVMs compiling at once on this machine's two cores would otherwise
            // count as the measured swarm's start).
            Path warmUp = swarm.randomFile("warm-up.bin", MIB);
            Path warmUpManifest = swarm.register(hosts.get(0), 1, warmUp);
            awaitAll(swarm, setting, "warm-up.bin", downloadAll(swarm, setting, warmUpManifest), 120);
            Path file = swarm.randomFile("home.bin", setting.sizeMib() * MIB);
            Path manifest = swarm.register(hosts.get(0), 1, file);
            Thread.sleep(1000);
            // Every leecher's download is asked for at once over its control socket, as the CLI asks, so that seven
            // CLI JVMs starting together on this machine's two cores do not stagger the start.
            long start = System.nanoTime();
            List<LabSwarm.Request> downloads = downloadAll(swarm, setting, manifest);
            long deadline = start + TimeUnit.SECONDS.toNanos(setting.giveUpSeconds());
            Map<Integer, Double> firstChunk = new TreeMap<>();
            Map<Integer, Double> done = new TreeMap<>();
            StringBuilder trace = new StringBuilder(TRACE ? " started=" + LocalTime.now() : "");
            long nextSample = start;
            long noneBy = start + TimeUnit.SECONDS.toNanos(setting.giveUpIfNoneSeconds());
            while (done.size() < setting.leechers() && System.nanoTime() < deadline
                    && !(done.isEmpty() && System.nanoTime() > noneBy)) {
                if (TRACE && System.nanoTime() >= nextSample) {
                    // Where the time goes: the seeder's upload and the swarm's verified bytes, each second.
                    nextSample += TimeUnit.SECONDS.toNanos(1);
                    JsonNode seed = swarm.share(1, "home.bin");
                    long verified = 0;
                    for (int index = 2; index <= setting.homes(); index++) {
                        JsonNode share = swarm.share(index, "home.bin");
                        verified += share == null ? 0 : share.path("verifiedBytes").asLong();
                    }
                    trace.append(String.format(Locale.ROOT, " t=%.0f:seed_up_mib=%.1f,leechers_mib=%.1f",
                            (System.nanoTime() - start) / 1e9, seed == null ? 0 : seed.path("uploaded").asLong() / (double) MIB,
                            verified / (double) MIB));
                }
                for (int index = 2; index <= setting.homes(); index++) {
                    if (done.containsKey(index)) {
                        continue;
                    }
                    JsonNode share = swarm.share(index, "home.bin");
                    double at = (System.nanoTime() - start) / 1e9;
                    if (share != null && share.path("verifiedBytes").asLong() > 0) {
                        firstChunk.putIfAbsent(index, at);
                    }
                    if (share != null && share.path("state").asText().equalsIgnoreCase("seeding")) {
                        done.put(index, at);
                    }
                }
                Thread.sleep(50);
            }
            Double wall = done.size() == setting.leechers() ? done.values().stream().max(Double::compare).get() : null;
            for (int index = 2; index <= setting.homes(); index++) {
                Path got = swarm.work().resolve("into-" + index).resolve("home.bin");
                if (done.containsKey(index) && Files.mismatch(file, got) != -1) {
                    throw new IOException("leecher " + index + " has a wrong file");
                }
            }
            downloads.forEach(LabSwarm.Request::close);
            return new Outcome(wall, done.size(), detail(swarm, setting, firstChunk, done) + trace);
        }
    }

    /** Asks every leecher for {@code manifest} at once, into its own directory. */
    private static List<LabSwarm.Request> downloadAll(LabSwarm swarm, Setting setting, Path manifest) throws IOException {
        List<LabSwarm.Request> downloads = new ArrayList<>();
        for (int index = 2; index <= setting.homes(); index++) {
            Path into = Files.createDirectories(swarm.work().resolve("into-" + index));
            downloads.add(swarm.download(index, manifest, into));
        }
        return downloads;
    }

    /** Waits until every leecher seeds {@code name}; fails after {@code seconds}. */
    private static void awaitAll(LabSwarm swarm, Setting setting, String name, List<LabSwarm.Request> downloads,
                                 long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int index = 2; index <= setting.homes(); index++) {
            while (true) {
                JsonNode share = swarm.share(index, name);
                if (share != null && share.path("state").asText().equalsIgnoreCase("seeding")) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("leecher " + index + " has no " + name + " after " + seconds + " s:\n"
                            + swarm.log("daemon-" + index));
                }
                Thread.sleep(50);
            }
        }
        downloads.forEach(LabSwarm.Request::close);
    }

    /** What explains a run: first chunks and completions per leecher, the seeder's upload, and the paths used. */
    private static String detail(LabSwarm swarm, Setting setting, Map<Integer, Double> firstChunk,
                                 Map<Integer, Double> done) throws IOException {
        JsonNode seed = swarm.share(1, "home.bin");
        double seederUp = seed == null ? 0 : seed.path("uploaded").asLong() / (double) (setting.sizeMib() * MIB);
        // Every connection is logged by both of its ends ("home.bin: connected to peer .. over quic-punched"); those
        // of the warm-up swarm are not counted.
        Map<String, Integer> ends = new TreeMap<>();
        Pattern connected = Pattern.compile("home\\.bin: connected to peer \\S+ at \\S+ over (\\S+)$",
                Pattern.MULTILINE);
        for (int index = 1; index <= setting.homes(); index++) {
            Matcher m = connected.matcher(swarm.log("daemon-" + index));
            while (m.find()) {
                ends.merge(m.group(1), 1, Integer::sum);
            }
        }
        StringBuilder paths = new StringBuilder();
        ends.forEach((path, n) -> paths.append(paths.length() == 0 ? "" : ",").append(path).append(':').append(n / 2));
        return String.format(Locale.ROOT, "seeder_up_files=%.2f first_chunk_s=%s done_s=%s paths=%s", seederUp,
                join(firstChunk), join(done), paths.length() == 0 ? "none" : paths);
    }

    /** The times, sorted, as {@code 1.23,4.56}; {@code none} if there are none. */
    static String join(Map<Integer, Double> times) {
        StringBuilder out = new StringBuilder();
        times.values().stream().sorted().forEach(t -> out.append(out.length() == 0 ? "" : ",").append(fmt(t)));
        return out.length() == 0 ? "none" : out.toString();
    }
}
