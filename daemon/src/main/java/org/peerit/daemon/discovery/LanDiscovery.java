package org.peerit.daemon.discovery;

import org.peerit.protocol.lan.LocalAnnounce;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Local service discovery (BEP 14): announces the swarms this daemon is in to the LAN's multicast group and hears
 * other daemons' announces. It joins the group on every IPv4 interface that is up, multicast-capable and not the
 * loopback, and sends on each one by name (the outgoing interface set explicitly: the default route's interface is
 * not necessarily the LAN). Time to live 1: announces never leave the link. Several daemons on one host share the
 * port (SO_REUSEADDR: each receives every datagram); each drops its own by the cookie. Strangers on the LAN can send
 * anything: packets are capped at 1400 bytes, parsed strictly, and at most {@value #MAX_PER_SOURCE_PER_SECOND} per
 * second per source address are looked at. A blocking receive on its own thread; what it hears goes to
 * {@code heard} on that thread (the caller hops to its own).
 */
public final class LanDiscovery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LanDiscovery.class);
    static final int MAX_PER_SOURCE_PER_SECOND = 10;
    private static final int MAX_SOURCES = 256;

    private final DatagramChannel channel;
    private final InetAddress group;
    private final String cookie;
    private final int port;
    private final int tcpPort;
    private final BiConsumer<byte[], InetSocketAddress> heard;
    private final Thread receiver;
    private final Set<NetworkInterface> joined = new HashSet<>();
    private final PerSourceRate perSource = new PerSourceRate(MAX_PER_SOURCE_PER_SECOND, MAX_SOURCES);
    private volatile boolean closed;

    /**
     * @param groupPort the group's UDP port: {@link LocalAnnounce#PORT}, but for tests that must not meet a real LAN
     * @param heard     gets each swarm key a peer announced and that peer's TCP address
     */
    public LanDiscovery(int groupPort, String cookie, int tcpPort, BiConsumer<byte[], InetSocketAddress> heard)
            throws IOException {
        this.group = InetAddress.getByName(LocalAnnounce.GROUP);
        this.cookie = cookie;
        this.port = groupPort;
        this.heard = heard;
        this.tcpPort = tcpPort;
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1);
            ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true); // other daemons on this host hear us too
            ch.bind(new InetSocketAddress(groupPort));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot listen for LAN announces on UDP port " + groupPort + ": " + e.getMessage()
                    + " (or start the daemon with --no-lan)", e);
        }
        this.channel = ch;
        synchronized (joined) {
            joinInterfaces();
        }
        this.receiver = new Thread(this::receive, "peerit-lan");
        receiver.setDaemon(true);
        receiver.start();
    }

    /** The interfaces announces go out on: up, multicast, IPv4, not loopback. */
    private static List<NetworkInterface> lanInterfaces() {
        List<NetworkInterface> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nif.isUp() && nif.supportsMulticast() && !nif.isLoopback()
                        && nif.inetAddresses().anyMatch(a -> a instanceof Inet4Address)) {
                    out.add(nif);
                }
            }
        } catch (SocketException e) {
            log.debug("cannot list network interfaces: {}", e.toString());
        }
        return out;
    }

    /** Joins the group on interfaces that appeared since the last call. Caller holds {@code joined}. */
    private void joinInterfaces() {
        for (NetworkInterface nif : lanInterfaces()) {
            if (!joined.contains(nif)) {
                try {
                    channel.join(group, nif);
                    joined.add(nif);
                    log.debug("LAN discovery on {}", nif.getName());
                } catch (IOException e) {
                    log.debug("cannot join {} on {}: {}", LocalAnnounce.GROUP, nif.getName(), e.toString());
                }
            }
        }
    }

    /** Announces {@code keys} (swarm DHT keys) on every LAN interface, as many packets as they need. */
    public void announce(List<byte[]> keys) {
        if (keys.isEmpty() || closed) {
            return;
        }
        List<NetworkInterface> interfaces;
        synchronized (joined) {
            joinInterfaces();
            interfaces = new ArrayList<>(joined);
        }
        InetSocketAddress to = new InetSocketAddress(group, port);
        for (int from = 0; from < keys.size(); from += LocalAnnounce.MAX_KEYS) {
            byte[] packet = new LocalAnnounce(tcpPort, keys.subList(from, Math.min(keys.size(), from + LocalAnnounce.MAX_KEYS)),
                    cookie).encode();
            for (NetworkInterface nif : interfaces) {
                try {
                    synchronized (channel) { // the interface option and the send go together
                        channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
                        channel.send(ByteBuffer.wrap(packet), to);
                    }
                } catch (IOException e) {
                    log.debug("cannot announce on {}: {}", nif.getName(), e.toString());
                }
            }
        }
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocate(LocalAnnounce.MAX_PACKET + 1);
        while (!closed) {
            InetSocketAddress source;
            try {
                buf.clear();
                source = (InetSocketAddress) channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.debug("LAN discovery receive: {}", e.toString());
                }
                continue;
            }
            if (source == null || !perSource.admit(source.getAddress(), System.nanoTime())) {
                continue;
            }
            LocalAnnounce announce;
            try {
                announce = LocalAnnounce.parse(buf.array(), buf.position());
            } catch (IllegalArgumentException e) {
                log.debug("ignoring a LAN announce from {}: {}", source, e.getMessage());
                continue;
            }
            if (announce.cookie().equals(cookie)) {
                continue; // our own, looped back
            }
            InetSocketAddress peer = new InetSocketAddress(source.getAddress(), announce.port());
            for (byte[] key : announce.keys()) {
                heard.accept(key, peer);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close(); // wakes the receive
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
