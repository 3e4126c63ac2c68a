package org.peerit.daemon.connect;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * This host's own addresses: the candidates a peer behind the same NAT can reach us at (the tracker passes them on),
 * and the test that keeps us from dialling ourselves.
 */
public final class LocalAddresses {
    private static final Logger log = LoggerFactory.getLogger(LocalAddresses.class);
    private static final int MAX_CANDIDATES = 4;

    private final List<InetSocketAddress> candidates;

    private LocalAddresses(List<InetSocketAddress> candidates) {
        this.candidates = List.copyOf(candidates);
    }

    /** This host's non-loopback IPv4 addresses (at most four), each with {@code port}. */
    public static LocalAddresses withPort(int port) {
        List<InetSocketAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (!a.isLinkLocalAddress() && !(a instanceof Inet6Address) && out.size() < MAX_CANDIDATES) {
                        out.add(new InetSocketAddress(a, port));
                    }
                }
            }
        } catch (SocketException e) {
            log.debug("cannot list network interfaces: {}", e.getMessage());
        }
        return new LocalAddresses(out);
    }

    public List<InetSocketAddress> candidates() {
        return candidates;
    }

    /** Whether {@code address} is one of this host's. */
    public boolean isLocal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        for (InetSocketAddress c : candidates) {
            if (c.getAddress().equals(address)) {
                return true;
            }
        }
        return false;
    }
}
