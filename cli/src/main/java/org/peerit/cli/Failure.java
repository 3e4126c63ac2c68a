package org.peerit.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** Turns exceptions into the one line the user reads. */
final class Failure {
    private Failure() {
    }

    static String describe(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return e.getMessage() + " does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return e.getMessage() + ": permission denied";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.toString() : m;
    }
}
