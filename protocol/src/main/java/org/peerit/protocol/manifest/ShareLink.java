package org.peerit.protocol.manifest;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@code peerit://} link: enough to join a swarm without its manifest, which peers then hand over (and which must
 * hash to the link's swarm id). Like a magnet link: {@code peerit://<swarm id, 64 hex>?dn=<name>&tr=<host:port>...}.
 * The display name only labels progress until the manifest arrives; the manifest's own name is what lands on disk.
 * Parameters this version does not know are ignored, so later links (say, with DHT hints) still open here.
 */
public record ShareLink(SwarmId swarm, String name, List<String> trackers) {
    public static final String SCHEME = "peerit://";
    public static final int MAX_LENGTH = 4096;

    public ShareLink {
        trackers = List.copyOf(trackers);
    }

    public static boolean looksLikeLink(String s) {
        return s.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    public static ShareLink of(Manifest m) {
        return new ShareLink(m.swarmId(), m.name(), m.trackers());
    }

    public static ShareLink parse(String link) throws ManifestException {
        if (link.length() > MAX_LENGTH) {
            throw new ManifestException("the link is " + link.length() + " characters long; at most " + MAX_LENGTH);
        }
        if (!looksLikeLink(link)) {
            throw new ManifestException("not a peerit link: it must start with " + SCHEME);
        }
        String rest = link.substring(SCHEME.length());
        int q = rest.indexOf('?');
        String id = (q < 0 ? rest : rest.substring(0, q)).toLowerCase(Locale.ROOT);
        if (id.endsWith("/")) {
            id = id.substring(0, id.length() - 1);
        }
        if (!id.matches("[0-9a-f]{64}")) {
            throw new ManifestException("the link's swarm id must be 64 hex digits; was the link cut short?");
        }
        String name = null;
        List<String> trackers = new ArrayList<>();
        if (q >= 0) {
            for (String param : rest.substring(q + 1).split("&")) {
                int eq = param.indexOf('=');
                String key = eq < 0 ? param : param.substring(0, eq);
                String value;
                try {
                    value = eq < 0 ? "" : URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new ManifestException("the link's '" + key + "' is not properly %-encoded");
                }
                if (key.equals("dn")) {
                    ManifestRules.validateName(value);
                    name = value;
                } else if (key.equals("tr")) {
                    if (trackers.size() == ManifestRules.MAX_TRACKERS) {
                        throw new ManifestException("the link lists more than " + ManifestRules.MAX_TRACKERS + " trackers");
                    }
                    try {
                        TrackerAddress.parse(value);
                    } catch (IllegalArgumentException e) {
                        throw new ManifestException("the link's tracker '" + ManifestRules.printable(value) + "': "
                                + e.getMessage());
                    }
                    trackers.add(value);
                }
            }
        }
        return new ShareLink(SwarmId.fromHex(id), name == null ? id.substring(0, 8) : name, trackers);
    }

    /** The link as text: the id, the name, the trackers, each %-encoded where needed. */
    public String format() {
        StringBuilder out = new StringBuilder(SCHEME).append(swarm.hex()).append("?dn=").append(encode(name));
        for (String t : trackers) {
            out.append("&tr=").append(encode(t));
        }
        return out.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%3A", ":");
    }

    @Override
    public String toString() {
        return format();
    }
}
