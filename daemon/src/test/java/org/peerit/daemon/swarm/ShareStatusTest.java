package org.peerit.daemon.swarm;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShareStatusTest {
    @Test
    void anAddressIsShownAsNumbersAndPort() {
        assertEquals("198.18.0.11:42486", ShareStatus.endpoint(new InetSocketAddress("198.18.0.11", 42486)));
    }

    /** Status asked for while a QUIC connection closes (its stream's parent has no address left) must still answer. */
    @Test
    void aConnectionThatJustClosedIsShownAsClosing() {
        assertEquals("closing", ShareStatus.endpoint(null));
    }
}
