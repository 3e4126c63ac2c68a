package org.peerit.cli.nat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A small internet in network namespaces, built with {@code ip} and {@code iptables} (root only): an "internet"
 * bridge with the tracker host on it, home routers that masquerade their LAN behind one public address (a cone NAT:
 * endpoint-independent mapping; or, with {@code --random-fully}, a symmetric one: a new port per destination) and
 * drop unsolicited inbound traffic, and hosts behind them. Addresses come from 198.18.0.0/15 only (RFC 2544
 * benchmarking): the internet is 198.18.0.0/24, router N's LAN is 198.19.N.0/24. {@link #close} removes it all.
 */
public final class NatLab implements AutoCloseable {
    public static final String INTERNET = "pit-net";
    public static final String TRACKER_IP = "198.18.0.1";
    private static final Path NETNS_ETC = Path.of("/etc/netns");
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Path logs;
    private int routers;

    /** Whether this machine can build the lab: root, with {@code ip} and {@code iptables}. */
    public static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the NAT lab needs root (network namespaces and iptables)";
        }
        for (String tool : List.of("ip", "iptables", "tc")) {
            if (!LabFiles.onPath(tool)) {
                return "the NAT lab needs '" + tool + "' (apt-get install -y iproute2 iptables)";
            }
        }
        return null;
    }

    /**
     * For a lab test class's {@code @BeforeAll}: skips its tests with the reason where the lab cannot be built, but
     * fails them on CI, which runs as root, where skipping would hide a failure.
     */
    public static void requireForTests(String which) {
        String why = unavailableReason();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(why + "; CI runs as root and must run the " + which);
            }
            org.junit.jupiter.api.Assumptions.abort(why + "; skipping the " + which + " (run them as root)");
        }
    }

    public NatLab(Path logs) throws IOException, InterruptedException {
        this.logs = logs;
        removeLeftovers();
        namespace(INTERNET);
        run("ip", "-n", INTERNET, "link", "add", "br0", "type", "bridge");
        run("ip", "-n", INTERNET, "addr", "add", TRACKER_IP + "/24", "dev", "br0");
        run("ip", "-n", INTERNET, "link", "set", "br0", "up");
    }

    /** A home router with its own public address; returns its number (its LAN is 198.19.N.0/24). */
    public int router(boolean symmetric) throws IOException, InterruptedException {
        int n = ++routers;
        String ns = "pit-r" + n;
        namespace(ns);
        // WAN: a veth from the router to the internet bridge.
        run("ip", "link", "add", "pit-r" + n + "w", "type", "veth", "peer", "name", "wan", "netns", ns);
        run("ip", "link", "set", "pit-r" + n + "w", "netns", INTERNET);
        run("ip", "-n", INTERNET, "link", "set", "pit-r" + n + "w", "master", "br0", "up");
        run("ip", "-n", ns, "addr", "add", publicIp(n) + "/24", "dev", "wan");
        run("ip", "-n", ns, "link", "set", "wan", "up");
        // LAN: a bridge the hosts plug into.
        run("ip", "-n", ns, "link", "add", "lan", "type", "bridge");
        run("ip", "-n", ns, "addr", "add", "198.19." + n + ".1/24", "dev", "lan");
        run("ip", "-n", ns, "link", "set", "lan", "up");
        run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        List<String> masquerade = new ArrayList<>(List.of("ip", "netns", "exec", ns, "iptables", "-t", "nat", "-A",
                "POSTROUTING", "-o", "wan", "-j", "MASQUERADE"));
        if (symmetric) {
            masquerade.add("--random-fully");
        }
        run(masquerade.toArray(String[]::new));
        // A home router's firewall: out from the LAN, and back in only what answers it. Unsolicited packets to the
        // router itself are dropped too (as home routers do): dropped before conntrack confirms them, they leave no
        // entry behind that would make the NAT pick another port for a later punch to the same peer.
        run("ip", "netns", "exec", ns, "iptables", "-A", "INPUT", "-i", "wan", "-m", "conntrack", "--ctstate",
                "ESTABLISHED,RELATED", "-j", "ACCEPT");
        run("ip", "netns", "exec", ns, "iptables", "-A", "INPUT", "-i", "wan", "-j", "DROP");
        run("ip", "netns", "exec", ns, "iptables", "-P", "FORWARD", "DROP");
        run("ip", "netns", "exec", ns, "iptables", "-A", "FORWARD", "-i", "lan", "-o", "wan", "-j", "ACCEPT");
        // Within the LAN, hosts talk freely (bridged frames pass FORWARD where br_netfilter is loaded).
        run("ip", "netns", "exec", ns, "iptables", "-A", "FORWARD", "-i", "lan", "-o", "lan", "-j", "ACCEPT");
        run("ip", "netns", "exec", ns, "iptables", "-A", "FORWARD", "-m", "conntrack", "--ctstate",
                "ESTABLISHED,RELATED", "-j", "ACCEPT");
        return n;
    }

    /**
     * Gives home {@code router} an access line: its uplink (the router's WAN egress) and downlink (its LAN egress) each
     * a token bucket of the given rate, with the queue of a home router (50 ms at that rate). Traffic within the home
     * is not capped. This kernel has no {@code sch_netem}, so the lab has bandwidth, not delay.
     */
    public void shapeHome(int router, int upMbit, int downMbit) throws IOException, InterruptedException {
        tokenBucket("pit-r" + router, "wan", upMbit);
        tokenBucket("pit-r" + router, "lan", downMbit);
    }

    /** Caps public host {@code n}'s uplink (its egress) and downlink (its port's egress on the internet bridge). */
    public void shapePublicHost(int n, int upMbit, int downMbit) throws IOException, InterruptedException {
        tokenBucket("pit-p" + n, "eth0", upMbit);
        tokenBucket(INTERNET, "pit-p" + n + "w", downMbit);
    }

    /**
     * While {@code dropping}, router {@code router} forwards no UDP from its LAN except to {@code allowed}: its host
     * can still talk to the tracker there, but every probe of a punch is lost, as on a congested or flaky line.
     */
    public void dropUdpFromLanExceptTo(int router, String allowed, boolean dropping) throws IOException, InterruptedException {
        run("ip", "netns", "exec", "pit-r" + router, "iptables", dropping ? "-I" : "-D", "FORWARD", "-i", "lan",
                "-p", "udp", "!", "-d", allowed, "-j", "DROP");
    }

    private static void tokenBucket(String ns, String device, int mbit) throws IOException, InterruptedException {
        // A burst of a few full-size packets at least, and at most 1 ms of the line's rate beyond that.
        long burstBytes = Math.max(16 * 1024, mbit * 1_000_000L / 8 / 1000);
        run("tc", "-n", ns, "qdisc", "add", "dev", device, "root", "tbf", "rate", mbit + "mbit",
                "burst", String.valueOf(burstBytes), "latency", "50ms");
    }

    public static String publicIp(int router) {
        return "198.18.0." + (10 + router);
    }

    /** A host behind {@code router}; returns its namespace. Its address is 198.19.router.(1 + hostNumber). */
    public String host(int router, int hostNumber) throws IOException, InterruptedException {
        String ns = "pit-h" + router + hostNumber;
        namespace(ns);
        String outside = "pit-h" + router + hostNumber + "l";
        run("ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "link", "set", outside, "netns", "pit-r" + router);
        run("ip", "-n", "pit-r" + router, "link", "set", outside, "master", "lan", "up");
        run("ip", "-n", ns, "addr", "add", hostIp(router, hostNumber) + "/24", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        run("ip", "-n", ns, "route", "add", "default", "via", "198.19." + router + ".1");
        return ns;
    }

    /**
     * A host on the internet itself, no NAT in front (a server, or a home with a public address); returns its
     * namespace. Its address is {@link #publicHostIp}; its default route is the internet segment, so software that
     * asks for the default route's address (the DHT library does) gets it.
     */
    public String publicHost(int n) throws IOException, InterruptedException {
        String ns = "pit-p" + n;
        namespace(ns);
        String outside = "pit-p" + n + "w";
        run("ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "link", "set", outside, "netns", INTERNET);
        run("ip", "-n", INTERNET, "link", "set", outside, "master", "br0", "up");
        run("ip", "-n", ns, "addr", "add", publicHostIp(n) + "/24", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        run("ip", "-n", ns, "route", "add", "default", "dev", "eth0");
        return ns;
    }

    public static String publicHostIp(int n) {
        return "198.18.0." + (100 + n);
    }

    /** Stops process {@code p} (one this lab started), as a crash or a power cut would: at once. */
    public void kill(Process p) throws InterruptedException {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    public static String hostIp(int router, int hostNumber) {
        return "198.19." + router + "." + (1 + hostNumber);
    }

    private void namespace(String ns) throws IOException, InterruptedException {
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        // The lab has no resolver: names fail at once, as they do offline, instead of after the host's resolver's
        // timeouts (it is out of reach from here). `ip netns exec` puts this file over /etc/resolv.conf.
        Path etc = Files.createDirectories(NETNS_ETC.resolve(ns));
        Files.writeString(etc.resolve("resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
    }

    private static void removeNetnsEtc(String ns) throws IOException {
        Path etc = NETNS_ETC.resolve(ns);
        Files.deleteIfExists(etc.resolve("resolv.conf"));
        Files.deleteIfExists(etc);
    }

    /** Starts {@code command} inside {@code ns}; its output goes to {@code <name>.log} in the logs directory. */
    public Process start(String ns, String name, Map<String, String> env, Path dir, List<String> command)
            throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    public Path log(String name) {
        return logs.resolve(name + ".log");
    }

    /** Runs {@code command} inside {@code ns} to completion; returns exit code and output. */
    public Result exec(String ns, Map<String, String> env, Path dir, long timeoutSeconds, List<String> command)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out;
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            String partial;
            try {
                partial = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                partial = ""; // the stream went with the process
            }
            return new Result(-1, partial + "\n(timed out after " + timeoutSeconds + " s)");
        }
        out = p.getInputStream().readAllBytes();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    public record Result(int exit, String output) {
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
    }

    /** A lab a crashed run left behind would make every name clash. */
    private static void removeLeftovers() throws IOException, InterruptedException {
        Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String out = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        list.waitFor();
        for (String line : out.split("\n")) {
            String name = line.split(" ")[0].strip();
            if (name.startsWith("pit-")) {
                // Processes a killed run left inside would keep the namespace (and their ports) alive.
                new ProcessBuilder("sh", "-c", "ip netns pids " + name + " | xargs -r kill -9").start().waitFor();
                new ProcessBuilder("ip", "netns", "del", name).start().waitFor();
                removeNetnsEtc(name);
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        for (String ns : namespaces) {
            new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(); // its interfaces go with it
            removeNetnsEtc(ns);
        }
    }
}
