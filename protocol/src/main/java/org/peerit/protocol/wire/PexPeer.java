package org.peerit.protocol.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/** An endpoint in a PEX message: an address and the peer's listen port. */
public record PexPeer(InetAddress address, int port) {
    public PexPeer {
        Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }
}
