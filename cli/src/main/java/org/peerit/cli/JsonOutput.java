package org.peerit.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.peerit.daemon.control.ControlProtocol;

import java.util.List;

/**
 * What {@code --json} prints on stdout: one JSON document per command, the same field names as the control protocol;
 * progress and messages stay on stderr, so a script reads stdout whole.
 */
final class JsonOutput {
    private JsonOutput() {
    }

    static void print(Object value) throws JsonProcessingException {
        System.out.println(ControlProtocol.json().writerWithDefaultPrettyPrinter().writeValueAsString(value));
    }

    /** {@code register --json}: the manifest written, and what it shares. */
    record Registered(String manifest, String name, long size, String swarm, String path, String link,
                      List<String> skipped) {
    }

    /** {@code download --json}: the verified file or folder in place. */
    record Downloaded(String path, String name, long size) {
    }

    /** {@code link --json}. */
    record Link(String link, String name, String swarm, List<String> trackers) {
    }

    /** {@code remove --json}. */
    record Removed(String name, String swarm, List<String> deleted, List<String> kept) {
    }
}
