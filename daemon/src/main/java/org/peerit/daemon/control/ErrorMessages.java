package org.peerit.daemon.control;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns exceptions into the one line a user reads, in the daemon's replies and in the CLI alike. */
public final class ErrorMessages {
    private ErrorMessages() {
    }

    public static String describe(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (t instanceof NoSuchFileException) {
            return m + " does not exist";
        }
        if (t instanceof AccessDeniedException) {
            return m + ": permission denied";
        }
        return m == null || m.isBlank() ? t.toString() : m;
    }
}
