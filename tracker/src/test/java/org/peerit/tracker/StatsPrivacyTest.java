package org.peerit.tracker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;
import org.peerit.tracker.http.StatsAccess;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tracker's pages show who shares what (peer addresses per swarm) only to --stats-allow networks; everyone else
 * gets the counts, so a stranger cannot enumerate who shares which file.
 */
class StatsPrivacyTest {
    private Tracker tracker;

    @AfterEach
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
    }

    private String get(String from, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(tracker.address(), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void peersAreShownToAllowedAddressesOnlyAndCountsToEveryone() throws Exception {
        tracker = Tracker.start(TrackerConfig.defaults(InetAddress.getLoopbackAddress(), 0)
                .withStatsAllow(List.of("127.0.0.1/32")));
        SwarmId swarm = SwarmId.wrap(new SecureRandom().generateSeed(32));
        try (TestClient peer = TestClient.connectedTo(tracker.address())) {
            peer.announce(swarm, AnnounceEvent.STARTED, true, 41234);
            String endpoint = ":41234";
            for (String path : List.of("/plain", "/stats")) { // the live page at / shows what /stats gives
                String allowed = get("127.0.0.1", path);
                String stranger = get("127.0.0.2", path);
                assertTrue(allowed.contains(endpoint), path + " for an allowed address lists the peer:\n" + allowed);
                assertFalse(stranger.contains(endpoint), path + " for a stranger does not:\n" + stranger);
                assertFalse(stranger.contains("127.0.0.1"), path + " names no peer address:\n" + stranger);
                assertTrue(stranger.contains(swarm.hex()) && stranger.contains("1"), path + " still counts:\n" + stranger);
            }
        }
    }

    @Test
    void badNetworksAreRefusedWithOneLine() {
        for (String bad : List.of("10.0.0.0/33", "tracker.example.org/24", "1.2.3.4/x", "/8", "::1/129", "1.2.3.4/8/8")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StatsAccess.of(List.of(bad)));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        StatsAccess.of(List.of("198.18.0.0/15", "2001:db8::/32", "10.1.2.3"));
    }
}
