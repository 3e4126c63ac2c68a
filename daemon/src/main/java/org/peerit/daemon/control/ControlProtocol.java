package org.peerit.daemon.control;

/**
 * The CLI-daemon protocol: newline-delimited JSON over the control socket. The CLI sends one request object with an
 * {@code op}; the daemon answers with event objects, each with an {@code event} field, the last one {@code done}
 * or {@code error} (or a single {@code status}).
 * <pre>
 * {"op":"register","path":"/abs/file"}              → hashing*, done{manifest (the .p2p file's text), name, size, swarm, path}
 * {"op":"download","manifest":"/abs/x.p2p","dir":"/abs/dir"} → progress*, done{path}
 * {"op":"status"}                                   → status{daemon, shares}
 * {"op":"remove","target":"name|swarm hex prefix","delete":false} → done{name, swarm, deleted[], kept[]}
 * {"op":"stop"}                                     → done, then the daemon exits
 * </pre>
 */
public final class ControlProtocol {
    public static final String OP_REGISTER = "register";
    public static final String OP_DOWNLOAD = "download";
    public static final String OP_STATUS = "status";
    public static final String OP_REMOVE = "remove";
    public static final String OP_STOP = "stop";

    public static final String EVENT_HASHING = "hashing";
    public static final String EVENT_PROGRESS = "progress";
    public static final String EVENT_STATUS = "status";
    public static final String EVENT_DONE = "done";
    public static final String EVENT_ERROR = "error";

    /** Requests are small (paths); a longer line is refused. */
    public static final int MAX_LINE = 64 * 1024;
    /** Progress events are sent this often while a download runs. */
    public static final long PROGRESS_MILLIS = 500;

    private ControlProtocol() {
    }
}
