package org.peerit.cli;

import java.io.IOException;

/** No daemon listens on the control socket of the requested index. */
final class DaemonNotRunningException extends IOException {
    DaemonNotRunningException(int index) {
        super("daemon " + index + " is not running; start it with: peerit daemon " + index + " TRACKER_HOST:59000");
    }
}
