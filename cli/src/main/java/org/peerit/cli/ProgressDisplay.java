package org.peerit.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows a download's progress: a bar redrawn in place on a terminal, or a plain line every few seconds when the
 * output is a file or a pipe (logs, CI).
 */
final class ProgressDisplay {
    private static final int BAR = 30;
    private static final long PLAIN_EVERY_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private long lastPlain;
    private int lastWidth;

    ProgressDisplay(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void update(String name, String state, long verified, long size, long rate, int peers, String trackerProblem) {
        if (state.equals("fetching")) {
            String line = String.format(Locale.ROOT, "%s  fetching manifest  %s / %s  %s", name, Units.bytes(verified),
                    size == 0 ? "?" : Units.bytes(size), peers == 0 ? "looking for peers"
                            : peers + (peers == 1 ? " peer" : " peers"));
            show(line + (trackerProblem != null ? "  (" + trackerProblem + ")" : ""), 0);
            return;
        }
        double fraction = size == 0 ? 1 : (double) verified / size;
        long eta = rate > 0 ? (size - verified) / rate : -1;
        String what = switch (state) {
            case "checking" -> "checking existing data";
            case "verifying" -> "verifying the files";
            default -> peers == 0 ? "looking for peers" : peers + (peers == 1 ? " peer" : " peers");
        };
        String line = String.format(Locale.ROOT, "%s %5.1f%%  %s / %s  %s  %s  ETA %s", name, fraction * 100,
                Units.bytes(verified), Units.bytes(size), Units.rate(rate), what, Units.duration(eta));
        if (trackerProblem != null) {
            line += "  (" + trackerProblem + ")";
        }
        show(line, fraction);
    }

    private void show(String line, double fraction) {
        if (terminal) {
            int filled = (int) Math.round(fraction * BAR);
            String bar = "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] ";
            String text = bar + line;
            out.print("\r" + text + " ".repeat(Math.max(0, lastWidth - text.length())));
            lastWidth = text.length();
            out.flush();
        } else {
            long now = System.nanoTime();
            if (lastPlain == 0 || now - lastPlain >= PLAIN_EVERY_NANOS) {
                lastPlain = now;
                out.println(line);
            }
        }
    }

    /** Ends the in-place line so what follows starts on a fresh one. */
    void finish() {
        if (terminal && lastWidth > 0) {
            out.println();
            lastWidth = 0;
        }
    }
}
