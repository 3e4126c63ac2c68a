package org.peerit.tracker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceEvent;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tracker's live page in a real browser (Debian's chromium, headless): its script reads /stats and fills the
 * page, again every two seconds, and the page fits a narrow screen (a 64-hex swarm id is wider than one, so it must
 * wrap). Skipped with a message where chromium is missing, except on CI, which installs it.
 */
class TrackerPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path tmp;
    private Tracker tracker;

    @AfterEach
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
    }

    private String browse(String url, int width, String... extra) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(CHROMIUM.toString(), "--headless=new", "--no-sandbox",
                "--disable-gpu", "--user-data-dir=" + tmp.resolve("profile"), "--window-size=" + width + ",844",
                "--virtual-time-budget=5000"));
        command.addAll(List.of(extra));
        command.add(url);
        Process p = new ProcessBuilder(command).redirectError(tmp.resolve("chromium.err").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finishes");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("chromium.err")));
        return out;
    }

    @Test
    void theLivePageFillsItselfUpdatesAndFitsAPhone() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            if ("true".equals(System.getenv("CI"))) {
                fail("chromium is missing; CI installs it (apt-get install -y chromium) and must run this test");
            }
            Assumptions.abort("chromium is not installed (apt-get install -y chromium); skipping the browser test");
        }
        tracker = Tracker.start(TrackerConfig.defaults(InetAddress.getLoopbackAddress(), 0));
        SwarmId swarm = SwarmId.wrap(new SecureRandom().generateSeed(32));
        try (TestClient peer = TestClient.connectedTo(tracker.address())) {
            peer.announce(swarm, AnnounceEvent.STARTED, true, 41234);
            String dom = browse("http://127.0.0.1:" + tracker.port() + "/", 390, "--dump-dom");
            assertTrue(dom.contains("<code>" + swarm.hex() + "</code>"), "the swarm, from /stats:\n" + dom);
            assertTrue(dom.contains(":41234"), "its peer, shown to the loopback address:\n" + dom);
            int updates = Integer.parseInt(dom.replaceAll("(?s).*data-updates=\"(\\d+)\".*", "$1"));
            assertTrue(updates >= 2, "updated without a reload (" + updates + " times in 5 s)");
            assertTrue(dom.contains("data-fits=\"true\""), "no sideways scrolling on a narrow screen:\n" + dom);

            // As a phone shows it: a 390 px wide picture (PEERIT_SCREENSHOT=FILE keeps it, for the README).
            Path png = tmp.resolve("page.png");
            browse("http://127.0.0.1:" + tracker.port() + "/", 390, "--screenshot=" + png, "--hide-scrollbars");
            byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 24);
            assertEquals(390, java.nio.ByteBuffer.wrap(head, 16, 4).getInt(), "PNG width");
            String keep = System.getenv("PEERIT_SCREENSHOT");
            if (keep != null) {
                Files.copy(png, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
