package org.peerit.daemon.nat;

import io.netty.handler.codec.quic.QuicChannel;

import java.net.InetSocketAddress;

/** How a punch the tracker coordinated opened a path. */
public sealed interface PunchOutcome {
    /** An ordinary punch: dial QUIC from our client socket to {@code address}. */
    record Dial(InetSocketAddress address) implements PunchOutcome {
    }

    /** A birthday punch from our side of a hard NAT: one of its sockets already holds a QUIC connection. */
    record Connected(QuicChannel connection) implements PunchOutcome {
    }

    /** A birthday punch from the easy side: the path from {@code from} is open, and the peer dials us through it. */
    record Inbound(InetSocketAddress from) implements PunchOutcome {
    }
}
