package org.peerit.protocol.manifest;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShareLinkTest {
    private static final SwarmId ID = SwarmId.fromHex("ab".repeat(32));

    @Test
    void aLinkHasTheseExactCharactersAndReadsBack() throws Exception {
        ShareLink link = new ShareLink(ID, "my album (2026) é", List.of("tracker.example.org:59000", "[2001:db8::1]:59000"));
        String text = link.format();
        assertEquals("peerit://" + "ab".repeat(32) + "?dn=my%20album%20%282026%29%20%C3%A9"
                + "&tr=tracker.example.org:59000&tr=%5B2001:db8::1%5D:59000", text);
        assertEquals(link, ShareLink.parse(text));
        assertTrue(text.length() < 200, "short enough to paste in a chat");
    }

    @Test
    void aSwarmWithNoTrackerHasALinkWithNoneAndSeveralTrackersAllTravel() throws Exception {
        ShareLink none = new ShareLink(ID, "notes", List.of());
        assertEquals("peerit://" + "ab".repeat(32) + "?dn=notes", none.format(), "found through the DHT or the LAN");
        assertEquals(List.of(), ShareLink.parse(none.format()).trackers());
        List<String> three = List.of("a.example:59000", "b.example:1", "198.18.0.1:59000");
        assertEquals(three, ShareLink.parse(new ShareLink(ID, "x", three).format()).trackers());
    }

    @Test
    void upperCaseIdsAndUnknownParametersAreAccepted() throws Exception {
        ShareLink link = ShareLink.parse("PEERIT://" + "AB".repeat(32) + "/?dn=x&future=1&tr=h:1");
        assertEquals(ID, link.swarm());
        assertEquals("x", link.name());
        assertEquals(List.of("h:1"), link.trackers());
        assertEquals("abababab", ShareLink.parse("peerit://" + "ab".repeat(32)).name(), "no name: the id's start");
    }

    @Test
    void badLinksAreRefusedWithOneClearLine() {
        record Case(String link, String says) {
        }
        for (Case c : List.of(
                new Case("http://x", "must start with peerit://"),
                new Case("peerit://abc", "64 hex digits"),
                new Case("peerit://" + "zz".repeat(32), "64 hex digits"),
                new Case("peerit://" + "ab".repeat(32) + "?dn=..", "not a file name"),
                new Case("peerit://" + "ab".repeat(32) + "?dn=a%2Fb", "path separator"),
                new Case("peerit://" + "ab".repeat(32) + "?dn=%E2%80%AEexe", "formatting"),
                new Case("peerit://" + "ab".repeat(32) + "?tr=host:99999", "tracker"),
                new Case("peerit://" + "ab".repeat(32) + "?dn=%zz", "%-encoded"),
                new Case("peerit://" + "ab".repeat(32) + "?dn=" + "x".repeat(5000), "at most"))) {
            ManifestException e = assertThrows(ManifestException.class, () -> ShareLink.parse(c.link()), c.link());
            assertTrue(e.getMessage().contains(c.says()), c.link() + ": " + e.getMessage());
        }
    }
}
