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
        ProgressDisplay display = new ProgressDisplay(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        display.update("f.bin", "downloading", 512L << 20, 1L << 30, 64L << 20, 3, null);
        display.finish();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\r[###############---------------] f.bin  50.0%  512.0 MiB / 1.0 GiB  64.0 MiB/s  3 peers  ETA 0:08"), out);
        assertTrue(out.endsWith(System.lineSeparator()));
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
