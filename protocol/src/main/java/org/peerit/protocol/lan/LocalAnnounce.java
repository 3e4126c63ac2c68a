package org.peerit.protocol.lan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A local service discovery announce (BEP 14), multicast to {@value #GROUP}:{@value #PORT} on each LAN interface:
 * <pre>
 * BT-SEARCH * HTTP/1.1\r\n
 * Host: 239.192.152.143:6771\r\n
 * Port: 51413\r\n
 * Infohash: 0123456789abcdef0123456789abcdef01234567\r\n   (one per swarm, several per packet)
 * cookie: 5f3a9c01\r\n
 * \r\n\r\n
 * </pre>
 * The keys are the 20-byte DHT keys of the swarms (the first 20 bytes of each swarm id); the cookie lets a daemon
 * drop its own announces, which multicast loops back. The sender's address is the datagram's source.
 *
 * @param port the sender's TCP port for peers
 */
public record LocalAnnounce(int port, List<byte[]> keys, String cookie) {
    public static final String GROUP = "239.192.152.143";
    public static final int PORT = 6771;
    public static final int KEY_LENGTH = 20;
    /** BEP 14 keeps a packet under 1400 bytes: headers plus this many keys of 53 bytes each. */
    public static final int MAX_KEYS = 20;
    public static final int MAX_PACKET = 1400;
    private static final String START = "BT-SEARCH * HTTP/1.1";
    private static final int MAX_COOKIE = 32;

    public LocalAnnounce {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
        if (keys.isEmpty() || keys.size() > MAX_KEYS) {
            throw new IllegalArgumentException(keys.size() + " swarms in one announce; 1 to " + MAX_KEYS + " fit");
        }
        for (byte[] k : keys) {
            if (k.length != KEY_LENGTH) {
                throw new IllegalArgumentException("a key of " + k.length + " bytes; keys are " + KEY_LENGTH);
            }
        }
        if (cookie.isEmpty() || cookie.length() > MAX_COOKIE || !cookie.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("cookie must be 1 to " + MAX_COOKIE + " printable characters");
        }
        keys = List.copyOf(keys);
    }

    public byte[] encode() {
        StringBuilder b = new StringBuilder(START).append("\r\n");
        b.append("Host: ").append(GROUP).append(':').append(PORT).append("\r\n");
        b.append("Port: ").append(port).append("\r\n");
        for (byte[] k : keys) {
            b.append("Infohash: ").append(HexFormat.of().formatHex(k)).append("\r\n");
        }
        b.append("cookie: ").append(cookie).append("\r\n\r\n\r\n");
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Parses a datagram; throws {@link IllegalArgumentException} with a one-line reason for anything that is not a
     * well-formed announce (strangers on the LAN send what they like). Unknown headers are ignored, as in HTTP;
     * header names are case-insensitive. The cookie is required: without it our own announces, which multicast
     * loops back, could not be told apart.
     */
    public static LocalAnnounce parse(byte[] datagram, int length) {
        if (length > MAX_PACKET) {
            throw new IllegalArgumentException("announce of " + length + " bytes, over " + MAX_PACKET);
        }
        String text = new String(datagram, 0, length, StandardCharsets.US_ASCII);
        String[] lines = text.split("\r\n", -1);
        if (!lines[0].equals(START)) {
            throw new IllegalArgumentException("not a BT-SEARCH announce");
        }
        Integer port = null;
        String cookie = null;
        List<byte[]> keys = new ArrayList<>();
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("malformed header line " + i);
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            switch (name) {
                case "port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("port '" + value + "' is not a number");
                    }
                }
                case "infohash" -> {
                    if (value.length() != 2 * KEY_LENGTH) {
                        throw new IllegalArgumentException("infohash of " + value.length() + " characters, not 40");
                    }
                    try {
                        keys.add(HexFormat.of().parseHex(value));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("infohash is not hex");
                    }
                }
                case "cookie" -> cookie = value;
                default -> { } // Host and anything newer
            }
        }
        if (port == null) {
            throw new IllegalArgumentException("no Port header");
        }
        if (cookie == null) {
            throw new IllegalArgumentException("no cookie header");
        }
        return new LocalAnnounce(port, keys, cookie);
    }
}
