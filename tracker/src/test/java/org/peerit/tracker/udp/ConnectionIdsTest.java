package org.peerit.tracker.udp;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionIdsTest {
    private static final long MINUTE = 60_000;
    private final ConnectionIds ids = new ConnectionIds(new SecureRandom());

    @Test
    void anIdHoldsForTwoToFourMinutesAtItsAddressOnly() throws Exception {
        for (String host : new String[]{"203.0.113.7", "2001:db8::1:2:3:4"}) {
            InetSocketAddress client = address(host, 6881);
            long t = 10 * MINUTE;
            long id = ids.issue(client, t);
            assertTrue(ids.isValid(id, client, t), host);
            assertTrue(ids.isValid(id, client, t + 2 * MINUTE), host);
            assertFalse(ids.isValid(id, client, t + 4 * MINUTE), host);
            assertFalse(ids.isValid(id, address(host, 6882), t), host + ": another port");
        }
    }

    @Test
    void everyByteOfAnIpv6AddressCounts() throws Exception {
        // The address spans both AES blocks; a change in either must change the id.
        byte[] base = InetAddress.getByName("2001:db8::1").getAddress();
        long id = ids.issue(new InetSocketAddress(InetAddress.getByAddress(base), 1), 0);
        for (int i = 0; i < base.length; i++) {
            byte[] other = base.clone();
            other[i] ^= 1;
            assertFalse(ids.isValid(id, new InetSocketAddress(InetAddress.getByAddress(other), 1), 0), "byte " + i);
        }
    }

    @Test
    void idsDifferBetweenClientsAndBetweenTrackers() throws Exception {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            seen.add(ids.issue(address("10.0." + (i >> 8) + "." + (i & 0xff), 6881), 0));
        }
        assertEquals(10_000, seen.size());
        InetSocketAddress client = address("198.51.100.1", 6881);
        ConnectionIds restarted = new ConnectionIds(new SecureRandom());
        assertFalse(restarted.isValid(ids.issue(client, 0), client, 0), "a restarted tracker has a new key");
    }

    private static InetSocketAddress address(String host, int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }
}
