package org.peerit.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Shows a download's progress: a bar redrawn in place on a terminal (cut to its width, from {@code COLUMNS}, so a
 * long line never wraps and breaks the redraw), or a plain line every few seconds when the output is a file or a
 * pipe (logs, CI). It uses no colours, so {@code NO_COLOR} has nothing to turn off. The rate shown is the daemon's
 * while it has one; before its first second is measured (a fast download can be nearly done by then), it is the
 * average since the command started, never a false 0 B/s.
 */
final class ProgressDisplay {
    private static final int BAR = 30;
    private static final long PLAIN_EVERY_NANOS = 5_000_000_000L;
    private static final int DEFAULT_WIDTH = 80;

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier clock;
    private final int width;
    private final long startNanos;
    private long lastPlain;
    private boolean printedPlain;
    private int lastWidth;

    ProgressDisplay(PrintStream out, boolean terminal) {
        this(out, terminal, System::nanoTime, width(System.getenv("COLUMNS")));
    }

    ProgressDisplay(PrintStream out, boolean terminal, LongSupplier clock, int width) {
        this.out = out;
        this.terminal = terminal;
        this.clock = clock;
        this.width = width;
        this.startNanos = clock.getAsLong();
    }

    /** The terminal's width as the shell says it, else 80. */
    static int width(String columns) {
        try {
            int w = columns == null ? DEFAULT_WIDTH : Integer.parseInt(columns.strip());
            return w >= 20 ? w : DEFAULT_WIDTH;
        } catch (NumberFormatException e) {
            return DEFAULT_WIDTH;
        }
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
        if (rate == 0 && verified > 0) {
            long elapsed = clock.getAsLong() - startNanos;
            rate = elapsed > 0 ? (long) (verified * 1e9 / elapsed) : 0;
        }
        boolean done = verified >= size;
        long eta = done ? 0 : rate > 0 ? (size - verified) / rate : -1;
        String what = switch (state) {
            case "checking" -> "checking existing data";
            case "verifying" -> "verifying the files";
            default -> done ? "done" : peers == 0 ? "looking for peers" : peers + (peers == 1 ? " peer" : " peers");
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
            if (text.length() > width - 1) {
                text = text.substring(0, width - 1);
            }
            out.print("\r" + text + " ".repeat(Math.max(0, lastWidth - text.length())));
            lastWidth = text.length();
            out.flush();
        } else {
            long now = clock.getAsLong();
            if (!printedPlain || now - lastPlain >= PLAIN_EVERY_NANOS) {
                printedPlain = true;
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
