package org.peerit.cli.nat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.peerit.cli.TestFiles;
import org.peerit.daemon.DaemonPaths;
import org.peerit.daemon.control.ControlRequest;
import org.peerit.daemon.control.LineReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * peerit in a {@link NatLab}, run as a user runs it: {@code java -jar tracker.jar} on the internet, and the
 * {@code ./peerit} launcher for daemons and commands on the hosts. Used by the lab tests and the NAT benchmark.
 */
public final class LabSwarm {
    public static final int TRACKER_PORT = 59000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final NatLab lab;
    private final Path repo;
    private final Path work;
    private final Map<String, String> env;
    private final Map<Integer, Process> daemons = new java.util.HashMap<>();

    public LabSwarm(NatLab lab, Path repo, Path tmp) throws IOException {
        this.lab = lab;
        this.repo = repo;
        this.work = Files.createDirectories(tmp.resolve("work"));
        Map<String, String> vars = new java.util.HashMap<>(Map.of("XDG_CONFIG_HOME", tmp.resolve("config").toString(),
                "PEERIT_HOME", tmp.resolve("home").toString(),
                "XDG_RUNTIME_DIR", tmp.resolve("run").toString()));
        String daemonOptions = System.getenv("PEERIT_DAEMON_JAVA_OPTS"); // e.g. a debug logging configuration
        if (daemonOptions != null) {
            vars.put("PEERIT_DAEMON_JAVA_OPTS", daemonOptions);
        }
        this.env = Map.copyOf(vars);
    }

    public Path work() {
        return work;
    }

    public Process startTracker(String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", repo.resolve("tracker/target/tracker.jar").toString(),
                "--port", String.valueOf(TRACKER_PORT), "--interval", "3"));
        cmd.addAll(List.of(options));
        Process p = lab.start(NatLab.INTERNET, "tracker", env, work, cmd);
        awaitLog(p, "tracker", "tracker listening");
        return p;
    }

    /** Daemon {@code index} on host {@code ns} with the lab's tracker, and neither the DHT nor LAN discovery. */
    public Process startDaemon(String ns, int index) throws Exception {
        return startDaemon(ns, index, List.of(NatLab.TRACKER_IP + ":" + TRACKER_PORT, "--no-dht", "--no-lan"));
    }

    /** Daemon {@code index} on host {@code ns}, with {@code args} after its index (trackers, options). */
    public Process startDaemon(String ns, int index, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("peerit").toString(), "daemon", String.valueOf(index)));
        cmd.addAll(args);
        String name = "daemon-" + index + (daemons.containsKey(index) ? "-again" : "");
        Process p = lab.start(ns, name, env, work, cmd);
        awaitLog(p, name, "daemon " + index + " running");
        daemons.put(index, p);
        return p;
    }

    /** The DHT node of daemon {@code index} on public host {@code index}: its UDP port is 6880 + index. */
    public static String dhtNode(int index) {
        return NatLab.publicHostIp(index) + ":" + (6880 + index);
    }

    /**
     * A DHT of {@code nodes} daemons in a chain, daemon n on public host n, each with no tracker and knowing only its
     * neighbours as bootstrap nodes; returns the hosts' namespaces, daemon 1's first.
     */
    public List<String> startDhtChain(int nodes) throws Exception {
        List<String> hosts = new ArrayList<>();
        for (int n = 1; n <= nodes; n++) {
            hosts.add(lab.publicHost(n));
        }
        for (int n = 1; n <= nodes; n++) {
            List<String> args = new ArrayList<>(List.of("--no-lan"));
            for (int neighbour : new int[]{n - 1, n + 1}) {
                if (neighbour >= 1 && neighbour <= nodes) {
                    args.addAll(List.of("--dht-bootstrap", dhtNode(neighbour)));
                }
            }
            startDaemon(hosts.get(n - 1), n, args);
        }
        return hosts;
    }

    /** The process of daemon {@code index}, as last started. */
    public Process daemonProcess(int index) {
        return daemons.get(index);
    }

    /** Registers {@code file} with daemon {@code index} on host {@code ns}; returns its manifest. */
    public Path register(String ns, int index, Path file) throws Exception {
        NatLab.Result registered = peerit(ns, 120, "register", file.toString(), String.valueOf(index));
        if (registered.exit() != 0) {
            throw new IOException("register failed: " + registered.output());
        }
        return file.resolveSibling(file.getFileName() + ".p2p");
    }

    /** Runs a {@code peerit} command on host {@code ns}. */
    public NatLab.Result peerit(String ns, long timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("peerit").toString()));
        cmd.addAll(List.of(args));
        return lab.exec(ns, env, work, timeoutSeconds, cmd);
    }

    /** Starts a {@code peerit} command on host {@code ns} without waiting for it. */
    public Process peeritAsync(String ns, String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("peerit").toString()));
        cmd.addAll(List.of(args));
        return lab.start(ns, name, env, work, cmd);
    }

    public String log(String name) throws IOException {
        Path file = lab.log(name);
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** Waits until {@code text} appears in the log of process {@code name}; fails if it dies or 60 s pass. */
    public void awaitLog(Process p, String name, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!log(name).contains(text)) {
            if ((p != null && !p.isAlive()) || System.nanoTime() > deadline) {
                throw new AssertionError("'" + text + "' never appeared in " + name + "'s log:\n" + log(name));
            }
            Thread.sleep(50);
        }
    }

    /** The control socket of daemon {@code index}. */
    public Path socket(int index) {
        return DaemonPaths.of(index, env).socket();
    }

    /** Daemon {@code index}'s status, or null while its socket does not answer. */
    public JsonNode status(int index) throws IOException {
        try (AFUNIXSocket s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket(index)))) {
            s.getOutputStream().write("{\"op\":\"status\"}\n".getBytes(StandardCharsets.UTF_8));
            String line = new LineReader(s.getInputStream(), 16 << 20).readLine();
            return line == null ? null : JSON.readTree(line);
        } catch (java.net.SocketException e) {
            return null;
        }
    }

    /** The first share in daemon {@code index}'s status, or null while it has none (or does not answer). */
    public JsonNode firstShare(int index) throws IOException {
        JsonNode status = status(index);
        JsonNode shares = status == null ? null : status.path("shares");
        return shares == null || shares.isEmpty() ? null : shares.get(0);
    }

    /** The share named {@code name} in daemon {@code index}'s status, or null while there is none. */
    public JsonNode share(int index, String name) throws IOException {
        JsonNode status = status(index);
        if (status != null) {
            for (JsonNode share : status.path("shares")) {
                if (share.path("name").asText().equals(name)) {
                    return share;
                }
            }
        }
        return null;
    }

    /**
     * Asks daemon {@code index} to download {@code manifest} into {@code dir} over its control socket, as the CLI
     * does but without a JVM to start; the request stays open, as the CLI's does, until closed.
     */
    public Request download(int index, Path manifest, Path dir) throws IOException {
        AFUNIXSocket s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket(index)));
        String request = JSON.writerFor(ControlRequest.class).writeValueAsString(new ControlRequest.Download(manifest.toString(), dir.toString()));
        s.getOutputStream().write((request + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return new Request(s);
    }

    /** An open control request. */
    public record Request(AFUNIXSocket socket) implements AutoCloseable {
        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a request the daemon already answered
            }
        }
    }

    public Path randomFile(String name, long size) throws IOException {
        return TestFiles.random(work.resolve(name), size);
    }
}
