package org.peerit.cli;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Processes the process-level tests started. */
public final class TestProcesses {
    private TestProcesses() {
    }

    /** Asks each of {@code processes} to stop (SIGTERM), then kills those that have not within 10 s each. */
    public static void stopAll(List<Process> processes) throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
