package org.peerit.daemon.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The control protocol's exact lines: what the CLI sends, what the daemon answers, both ways. */
class ControlProtocolTest {
    private final ObjectMapper json = ControlProtocol.json();

    private String request(ControlRequest r) throws Exception {
        return json.writerFor(ControlRequest.class).writeValueAsString(r);
    }

    private String event(ControlEvent e) throws Exception {
        return json.writerFor(ControlEvent.class).writeValueAsString(e);
    }

    @Test
    void requestsAreNamedByTheirOp() throws Exception {
        assertEquals("{\"op\":\"register\",\"path\":\"/a/f\"}", request(new ControlRequest.Register("/a/f")));
        assertEquals("{\"op\":\"download\",\"manifest\":\"/m.p2p\",\"dir\":\"/d\",\"only\":[],\"link\":null}",
                request(new ControlRequest.Download("/m.p2p", "/d")));
        assertEquals("{\"op\":\"download\",\"manifest\":null,\"dir\":\"/d\",\"only\":[\"*.txt\"],"
                + "\"link\":\"peerit://ab\"}", request(new ControlRequest.Download(null, "/d", List.of("*.txt"), "peerit://ab")));
        assertEquals("{\"op\":\"status\",\"files\":false}", request(new ControlRequest.Status()));
        // An older CLI's download, without the new fields, still reads: every file, from a manifest.
        assertEquals(new ControlRequest.Download("/m.p2p", "/d"),
                json.readValue("{\"op\":\"download\",\"manifest\":\"/m.p2p\",\"dir\":\"/d\"}", ControlRequest.class));
        assertEquals("{\"op\":\"remove\",\"target\":\"ab12\",\"delete\":true}",
                request(new ControlRequest.Remove("ab12", true)));
        assertEquals("{\"op\":\"stop\"}", request(new ControlRequest.Stop()));
        for (ControlRequest r : List.of(new ControlRequest.Register("/a/f"), new ControlRequest.Status(true),
                new ControlRequest.Remove("x", false), new ControlRequest.Download(null, "/d", List.of("a"), "peerit://x"))) {
            assertEquals(r, json.readValue(request(r), ControlRequest.class));
        }
    }

    @Test
    void eventsAreNamedByTheirEventAndReadBackWhole() throws Exception {
        assertEquals("{\"event\":\"hashing\",\"done\":5,\"total\":10}", event(new ControlEvent.Hashing(5, 10)));
        assertEquals("{\"event\":\"error\",\"message\":\"no\"}", event(new ControlEvent.Failed("no")));
        assertEquals("{\"event\":\"downloaded\",\"path\":\"/d/f\"}", event(new ControlEvent.Downloaded("/d/f")));
        ControlEvent status = new ControlEvent.StatusReport(new DaemonInfo(2, "ab", List.of("t:1"), 1, 2, 0, 0, "/x", true,
                null, null, new DaemonInfo.Dht(6881, 9, 100, 200), new DaemonInfo.Inbound(1, 2, 3)), List.of());
        assertEquals("{\"event\":\"status\",\"daemon\":{\"index\":2,\"peer\":\"ab\",\"trackers\":[\"t:1\"],\"listenPort\":1,"
                + "\"quicPort\":2,\"maxUploadRate\":0,\"maxDownloadRate\":0,\"dataDir\":\"/x\",\"lan\":true,"
                + "\"dht\":{\"port\":6881,\"nodes\":9,\"sentBytes\":100,\"receivedBytes\":200},\"inbound\":{\"pending\":1,"
                + "\"established\":2,\"refused\":3}},\"shares\":[]}", event(status));
        assertEquals(status, json.readValue(event(status), ControlEvent.class));
        ControlEvent progress = new ControlEvent.Progress("downloading", "f", 10, 5, 1, 2, null);
        assertEquals(progress, json.readValue(event(progress), ControlEvent.class));
    }

    @Test
    void anUnknownOpIsItsOwnError() {
        InvalidTypeIdException e = assertThrows(InvalidTypeIdException.class,
                () -> json.readValue("{\"op\":\"fly\"}", ControlRequest.class));
        assertEquals("fly", e.getTypeId());
    }
}
