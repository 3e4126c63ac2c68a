package org.peerit.tracker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.tracker.TrackerMessage;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, case 3, against a real tracker with its default limits: one host announcing 1,000 random swarms does not
 * lock out the others on its address, and its own re-announces keep working while its new ones are slowed down.
 */
class SourceRateTest {
    private Tracker tracker;

    @AfterEach
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
    }

    @Test
    void aThousandJunkAnnouncesFromOneAddressLeaveItsNeighboursTracked() throws Exception {
        tracker = Tracker.start(TrackerConfig.defaults(InetAddress.getLoopbackAddress(), 0).withInterval(Duration.ofSeconds(60)));
        try (TestClient flooder = TestClient.connectedTo(tracker.address());
             TestClient neighbour = TestClient.connectedTo(tracker.address())) {
            List<SwarmId> accepted = new ArrayList<>();
            int refused = 0;
            String why = null;
            for (int i = 0; i < 1000; i++) {
                SwarmId s = TrackerTest.swarm();
                TrackerMessage reply = flooder.announce(s, AnnounceEvent.STARTED, false, 1);
                if (reply instanceof TrackerMessage.ErrorResponse e) {
                    assertEquals(TrackerMessage.ErrorCode.LIMIT, e.code());
                    refused++;
                    why = e.message();
                } else {
                    accepted.add(s);
                }
            }
            assertTrue(refused > 0 && accepted.size() >= 500, "a burst of 500 passes, then the socket is slowed down: "
                    + accepted.size() + " accepted");
            assertTrue(why.contains("too many new announces from 127.0.0.1:" + flooder.address().getPort()), why);
            // The flooder's socket is out of new entries; its existing ones still re-announce, and its neighbour is in.
            assertInstanceOf(TrackerMessage.AnnounceResponse.class,
                    flooder.announce(accepted.get(0), AnnounceEvent.NONE, false, 1));
            SwarmId honest = TrackerTest.swarm();
            assertInstanceOf(TrackerMessage.AnnounceResponse.class, neighbour.announce(honest, AnnounceEvent.STARTED, true, 7));
            assertNotNull(tracker.table().find(honest, neighbour.peerId));
        }
    }
}
