package org.peerit.cli;

import java.util.Locale;

/** Human-readable sizes, rates and durations for the CLI's output. */
final class Units {
    private Units() {
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    static String rate(long bytesPerSecond) {
        return bytes(bytesPerSecond) + "/s";
    }

    static String duration(long seconds) {
        if (seconds < 0) {
            return "--:--";
        }
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
