package org.peerit.daemon.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The CLI-daemon protocol: newline-delimited JSON over the control socket. The CLI sends one {@link ControlRequest};
 * the daemon answers with {@link ControlEvent}s, the last one a result or an error.
 */
public final class ControlProtocol {
    /** Requests are small (paths); a longer line is refused. */
    public static final int MAX_LINE = 64 * 1024;
    /** Answers hold a status of every share; a longer line is refused. */
    public static final int MAX_ANSWER_LINE = 64 << 20;
    /** Progress events are sent this often while a download runs. */
    public static final long PROGRESS_MILLIS = 500;

    private ControlProtocol() {
    }

    /** The one JSON set-up both ends use. */
    public static ObjectMapper json() {
        return JsonMapper.builder().build();
    }
}
