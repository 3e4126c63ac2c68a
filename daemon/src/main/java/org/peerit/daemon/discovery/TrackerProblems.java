package org.peerit.daemon.discovery;

import org.peerit.protocol.manifest.TrackerAddress;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What is wrong with each of a swarm's trackers, for status: one line naming those that fail, or null while all
 * answer. A swarm keeps working while any source works, so a dead tracker among live ones is news, not an error.
 */
public final class TrackerProblems {
    private final Map<TrackerAddress, String> problems = new LinkedHashMap<>();

    /** {@code problem} null: the tracker answered. */
    public void report(TrackerAddress tracker, String problem) {
        problems.put(tracker, problem);
    }

    public String summary() {
        StringBuilder out = new StringBuilder();
        int failing = 0;
        for (String p : problems.values()) {
            if (p != null) {
                out.append(failing++ == 0 ? "" : "; ").append(p);
            }
        }
        if (failing == 0) {
            return null;
        }
        return problems.size() == 1 ? out.toString()
                : failing + " of " + problems.size() + " trackers failing: " + out;
    }
}
