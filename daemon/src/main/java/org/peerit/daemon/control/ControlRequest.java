package org.peerit.daemon.control;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

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

    /** Download the manifest at {@code manifest} into {@code dir} (both absolute): progress, then {@code downloaded}. */
    record Download(String manifest, String dir) implements ControlRequest {
    }

    /** What the daemon shares: one {@code status} event. */
    record Status() implements ControlRequest {
    }

    /** Stop sharing {@code target} (a name, or a swarm id or its prefix), deleting what peerit wrote if asked. */
    record Remove(String target, boolean delete) implements ControlRequest {
    }

    /** Stop the daemon: {@code stopping}, then it exits. */
    record Stop() implements ControlRequest {
    }
}
