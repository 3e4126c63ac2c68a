package org.peerit.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressDisplayTest {
    @Test
    void drawsABarInPlaceOnATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressDisplay display = new ProgressDisplay(new PrintStream(bytes, true, StandardCharsets.UTF_8), true,
                System::nanoTime, 200);
        display.update("f.bin", "downloading", 512L << 20, 1L << 30, 64L << 20, 3, null);
        display.finish();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\r[###############---------------] f.bin  50.0%  512.0 MiB / 1.0 GiB  64.0 MiB/s  3 peers  ETA 0:08"), out);
        assertTrue(out.endsWith(System.lineSeparator()));
    }

    @Test
    void aLineNeverWrapsPastTheTerminalsWidth() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressDisplay display = new ProgressDisplay(new PrintStream(bytes, true, StandardCharsets.UTF_8), true,
                System::nanoTime, 60);
        display.update("a rather long file name.bin", "downloading", 512L << 20, 1L << 30, 64L << 20, 3,
                "tracker t:1 does not answer; retrying");
        String line = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(59, line.length() - 1, line); // the \r, then at most width - 1 characters
        assertEquals(80, ProgressDisplay.width(null));
        assertEquals(132, ProgressDisplay.width("132"));
        assertEquals(80, ProgressDisplay.width("wide"));
    }

    @Test
    void aFastDownloadsFirstPlainLineShowsItsRealRateNotZero() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] now = {1_000_000_000L};
        ProgressDisplay display = new ProgressDisplay(new PrintStream(bytes, true, StandardCharsets.UTF_8), false,
                () -> now[0], 80);
        now[0] += 500_000_000L; // half a second after the command started: the daemon has measured no second yet
        display.update("f.bin", "downloading", 199L << 20, 200L << 20, 0, 2, null);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("398.0 MiB/s"), out);
        assertTrue(!out.contains(" 0 B/s"), out);
    }

    @Test
    void aCompleteDownloadSaysDoneNotLookingForPeers() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressDisplay display = new ProgressDisplay(new PrintStream(bytes, true, StandardCharsets.UTF_8), false,
                System::nanoTime, 80);
        display.update("f.bin", "downloading", 100, 100, 0, 0, null);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("100.0%") && out.contains("done") && !out.contains("looking for peers"), out);
    }

    @Test
    void printsPlainLinesAtMostEveryFewSecondsOtherwise() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressDisplay display = new ProgressDisplay(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        display.update("f.bin", "downloading", 0, 100, 0, 0, "tracker t:1 does not answer; retrying");
        display.update("f.bin", "downloading", 50, 100, 10, 1, null);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.contains("looking for peers") && out.contains("(tracker t:1 does not answer; retrying)"), out);
    }
}
