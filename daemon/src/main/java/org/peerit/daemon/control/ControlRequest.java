package org.peerit.daemon.control;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;

/**
 * What the CLI asks its daemon: one JSON line per connection, named by its {@code op}. Shared by daemon and CLI, so
 * that a renamed field breaks the build rather than a command's output.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ControlRequest.Register.class, name = "register"),
        @JsonSubTypes.Type(value = ControlRequest.Download.class, name = "download"),
        @JsonSubTypes.Type(value = ControlRequest.Status.class, name = "status"),
        @JsonSubTypes.Type(value = ControlRequest.Remove.class, name = "remove"),
        @JsonSubTypes.Type(value = ControlRequest.Stop.class, name = "stop"),
})
public sealed interface ControlRequest {
    /** Hash and share the file at {@code path} (absolute). Answered by hashing events, then {@code registered}. */
    record Register(String path) implements ControlRequest {
    }

    /**
     * Download the manifest at {@code manifest}, or the {@code peerit://} {@code link}, into {@code dir} (absolute
     * paths); of a folder, only the files the {@code only} glob patterns match, if any: progress, then
     * {@code downloaded}.
     */
    record Download(String manifest, String dir, List<String> only, String link) implements ControlRequest {
        public Download {
            only = only == null ? List.of() : List.copyOf(only);
        }

        public Download(String manifest, String dir) {
            this(manifest, dir, List.of(), null);
        }
    }

    /** What the daemon shares: one {@code status} event; {@code files}: with each folder's files. */
    record Status(boolean files) implements ControlRequest {
        public Status() {
            this(false);
        }
    }

    /** Stop sharing {@code target} (a name, or a swarm id or its prefix), deleting what peerit wrote if asked. */
    record Remove(String target, boolean delete) implements ControlRequest {
    }

    /** Stop the daemon: {@code stopping}, then it exits. */
    record Stop() implements ControlRequest {
    }
}
