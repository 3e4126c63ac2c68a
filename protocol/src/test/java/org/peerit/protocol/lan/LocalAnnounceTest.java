package org.peerit.protocol.lan;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalAnnounceTest {
    private static final byte[] KEY = HexFormat.of().parseHex("0123456789abcdef0123456789abcdef01234567");

    @Test
    void encodesExactlyAsBep14Says() {
        byte[] bytes = new LocalAnnounce(51413, List.of(KEY), "5f3a9c01").encode();
        assertEquals("BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 51413\r\n"
                + "Infohash: 0123456789abcdef0123456789abcdef01234567\r\ncookie: 5f3a9c01\r\n\r\n\r\n",
                new String(bytes, StandardCharsets.US_ASCII));
    }

    @Test
    void roundTripsSeveralSwarms() {
        byte[] other = new byte[20];
        other[19] = 7;
        byte[] bytes = new LocalAnnounce(6881, List.of(KEY, other), "me").encode();
        LocalAnnounce back = LocalAnnounce.parse(bytes, bytes.length);
        assertEquals(6881, back.port());
        assertEquals("me", back.cookie());
        assertEquals(2, back.keys().size());
        assertArrayEquals(KEY, back.keys().get(0));
        assertArrayEquals(other, back.keys().get(1));
    }

    @Test
    void readsOtherClientsSpellingAndIgnoresUnknownHeaders() {
        String text = "BT-SEARCH * HTTP/1.1\r\nHOST: 239.192.152.143:6771\r\nport:  7000\r\nX-New: 1\r\n"
                + "INFOHASH: 0123456789ABCDEF0123456789ABCDEF01234567\r\nCookie: abc\r\n\r\n\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        LocalAnnounce a = LocalAnnounce.parse(bytes, bytes.length);
        assertEquals(7000, a.port());
        assertArrayEquals(KEY, a.keys().get(0));
    }

    @Test
    void a20SwarmAnnounceFitsInOnePacket() {
        byte[] bytes = new LocalAnnounce(65535, Collections.nCopies(LocalAnnounce.MAX_KEYS, KEY), "0123456789abcdef")
                .encode();
        assertTrue(bytes.length <= LocalAnnounce.MAX_PACKET, bytes.length + " bytes");
    }

    @Test
    void refusesWhatIsNotAWellFormedAnnounce() {
        for (String bad : List.of(
                "GET / HTTP/1.1\r\n\r\n",
                "BT-SEARCH * HTTP/1.1\r\nPort: 1\r\ncookie: a\r\n\r\n",                          // no swarm
                "BT-SEARCH * HTTP/1.1\r\nInfohash: 0123456789abcdef0123456789abcdef01234567\r\ncookie: a\r\n\r\n",
                "BT-SEARCH * HTTP/1.1\r\nPort: 0\r\nInfohash: 0123456789abcdef0123456789abcdef01234567\r\ncookie: a\r\n\r\n",
                "BT-SEARCH * HTTP/1.1\r\nPort: x\r\nInfohash: 0123456789abcdef0123456789abcdef01234567\r\ncookie: a\r\n\r\n",
                "BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: 0123\r\ncookie: a\r\n\r\n",
                "BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: zz23456789abcdef0123456789abcdef01234567\r\ncookie: a\r\n\r\n",
                "BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: 0123456789abcdef0123456789abcdef01234567\r\n\r\n",
                "BT-SEARCH * HTTP/1.1\r\nno colon here\r\n\r\n")) {
            byte[] bytes = bad.getBytes(StandardCharsets.US_ASCII);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LocalAnnounce.parse(bytes, bytes.length), bad);
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
        byte[] huge = new byte[LocalAnnounce.MAX_PACKET + 1];
        assertThrows(IllegalArgumentException.class, () -> LocalAnnounce.parse(huge, huge.length));
    }
}
