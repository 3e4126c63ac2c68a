package org.peerit.tracker.http;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may see the tracker's per-peer detail (which address shares which swarm): only these networks, loopback by
 * default, as opentracker serves its stats to {@code access.stats} addresses only. Everyone else sees counts.
 */
public final class StatsAccess {
    /** Loopback only: the tracker's own host. */
    public static final List<String> DEFAULT = List.of("127.0.0.0/8", "::1/128");

    private final List<IpSubnetFilterRule> allowed;
    private final List<String> cidrs;

    private StatsAccess(List<IpSubnetFilterRule> allowed, List<String> cidrs) {
        this.allowed = allowed;
        this.cidrs = cidrs;
    }

    /** Parses {@code ADDRESS/BITS} (or a bare address: that host only); throws with a one-line reason. */
    public static StatsAccess of(List<String> cidrs) {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String cidr : cidrs) {
            String[] parts = cidr.split("/", -1);
            if (parts.length > 2 || parts[0].isBlank()) {
                throw new IllegalArgumentException("'" + cidr + "' is not ADDRESS/BITS");
            }
            String address = parts[0].strip();
            if (!address.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
                throw new IllegalArgumentException("'" + cidr + "': give an IP address, not a name");
            }
            int maxBits = address.contains(":") ? 128 : 32;
            int bits;
            try {
                bits = parts.length == 2 ? Integer.parseInt(parts[1].strip()) : maxBits;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + cidr + "': prefix length is not a number");
            }
            if (bits < 0 || bits > maxBits) {
                throw new IllegalArgumentException("'" + cidr + "': prefix length outside 0.." + maxBits);
            }
            try {
                rules.add(new IpSubnetFilterRule(address, bits, IpFilterRuleType.ACCEPT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + cidr + "': " + e.getMessage());
            }
        }
        return new StatsAccess(List.copyOf(rules), List.copyOf(cidrs));
    }

    /** Whether a request from {@code remote} may see per-peer detail. */
    public boolean showsPeersTo(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress address) || address.getAddress() == null) {
            return false;
        }
        for (IpSubnetFilterRule rule : allowed) {
            if (rule.matches(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return String.join(", ", cidrs);
    }
}
