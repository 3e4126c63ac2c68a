package org.peerit.daemon.control;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.peerit.daemon.swarm.ShareStatus;

import java.util.List;

/**
 * What the daemon answers, as JSON lines named by their {@code event}: zero or more progress events, then one that
 * ends the exchange (a result, or {@code error}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "event")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ControlEvent.Hashing.class, name = "hashing"),
        @JsonSubTypes.Type(value = ControlEvent.Progress.class, name = "progress"),
        @JsonSubTypes.Type(value = ControlEvent.StatusReport.class, name = "status"),
        @JsonSubTypes.Type(value = ControlEvent.Registered.class, name = "registered"),
        @JsonSubTypes.Type(value = ControlEvent.Downloaded.class, name = "downloaded"),
        @JsonSubTypes.Type(value = ControlEvent.Removed.class, name = "removed"),
        @JsonSubTypes.Type(value = ControlEvent.Stopping.class, name = "stopping"),
        @JsonSubTypes.Type(value = ControlEvent.Failed.class, name = "error"),
})
public sealed interface ControlEvent {
    /** Registering: {@code done} of {@code total} bytes hashed. */
    record Hashing(long done, long total) implements ControlEvent {
    }

    /** A download's state, every {@value ControlProtocol#PROGRESS_MILLIS} ms; {@code tracker}: a tracker problem. */
    record Progress(String state, String name, long size, long verified, long rate, int peers, String tracker)
            implements ControlEvent {
    }

    record StatusReport(DaemonInfo daemon, List<ShareStatus> shares) implements ControlEvent {
    }

    /**
     * The file or folder is shared; {@code manifest} is the text of its {@code .p2p} file, for the CLI to write as it
     * is; {@code link} its {@code peerit://} link; {@code skipped} what of a folder was left out, and why.
     */
    record Registered(String manifest, String name, long size, String swarm, String path, String link,
                      List<String> skipped) implements ControlEvent {
        public Registered {
            skipped = skipped == null ? List.of() : List.copyOf(skipped);
        }
    }

    /** The download is verified and in place at {@code path}. */
    record Downloaded(String path) implements ControlEvent {
    }

    record Removed(String name, String swarm, List<String> deleted, List<String> kept) implements ControlEvent {
    }

    record Stopping() implements ControlEvent {
    }

    /** The request failed; {@code message} is one line saying why and what to do. */
    record Failed(String message) implements ControlEvent {
    }
}
