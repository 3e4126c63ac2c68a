package org.peerit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.newsclub.net.unix.AFUNIXSocket;

import java.util.Set;

/**
 * Loads what a command needs to talk to its daemon (junixsocket's native library, Jackson's static set-up) on a
 * second thread while the main thread builds picocli's model of the command. Each takes tens of milliseconds; on
 * two or more cores they overlap instead of adding up. The main thread waits for nothing: where it needs a class
 * the warm-up thread is still initializing, the JVM makes it wait for that initialization to finish.
 */
final class ControlWarmUp {
    /** The subcommands that open a control connection or, for {@code daemon}, serve one. */
    private static final Set<String> USERS = Set.of("register", "download", "status", "remove", "stop", "daemon");

    private ControlWarmUp() {
    }

    static void startFor(String subcommand) {
        if (!USERS.contains(subcommand)) {
            return;
        }
        Thread thread = new Thread(ControlWarmUp::load, "peerit-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    private static void load() {
        try {
            AFUNIXSocket.isSupported();
            new ObjectMapper().createObjectNode();
        } catch (RuntimeException | LinkageError ignored) {
            // the main thread meets the same problem when it needs these, and reports it there
        }
    }
}
