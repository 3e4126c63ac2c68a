package org.peerit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.peerit.daemon.DaemonPaths;
import org.peerit.daemon.control.ControlEvent;
import org.peerit.daemon.control.ControlProtocol;
import org.peerit.daemon.control.ControlRequest;
import org.peerit.daemon.control.LineReader;

import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Files;

/** One request to a daemon over its control socket, and the events it answers with. */
final class ControlClient implements AutoCloseable {
    private final AFUNIXSocket socket;
    private final LineReader reader;
    private final ObjectMapper json = ControlProtocol.json();

    private ControlClient(AFUNIXSocket socket) throws IOException {
        this.socket = socket;
        this.reader = new LineReader(socket.getInputStream(), ControlProtocol.MAX_ANSWER_LINE);
    }

    static ControlClient connect(int index) throws IOException {
        DaemonPaths paths = DaemonPaths.of(index, System.getenv());
        if (!Files.exists(paths.socket())) {
            throw new DaemonNotRunningException(index);
        }
        try {
            return new ControlClient(AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(paths.socket())));
        } catch (SocketException e) {
            throw new DaemonNotRunningException(index);
        }
    }

    /**
     * The indexes of this user's daemons that have a control socket, in order (a socket left by a daemon that died
     * is listed too; connecting to it says it is not running).
     */
    static java.util.List<Integer> runningIndexes() throws IOException {
        java.nio.file.Path dir = DaemonPaths.of(1, System.getenv()).socketDir();
        java.util.List<Integer> out = new java.util.ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (var entries = Files.list(dir)) {
            for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) entries::iterator) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("daemon-([1-9][0-9]{0,4})\\.sock")
                        .matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        java.util.Collections.sort(out);
        return out;
    }

    void send(ControlRequest request) throws IOException {
        var out = socket.getOutputStream();
        out.write(json.writerFor(ControlRequest.class).writeValueAsBytes(request));
        out.write('\n');
        out.flush();
    }

    /**
     * The next event; the daemon's error as a one-line IOException, and an IOException if the daemon went away
     * mid-stream or answered what this CLI does not understand.
     */
    ControlEvent next() throws IOException {
        String line = reader.readLine();
        if (line == null) {
            throw new IOException("the daemon closed the connection (did it stop? see its log)");
        }
        ControlEvent event;
        try {
            event = json.readValue(line, ControlEvent.class);
        } catch (IOException e) {
            throw new IOException("the daemon's answer is not one this CLI understands (is the daemon older or newer?"
                    + " restart it): " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (event instanceof ControlEvent.Failed failed) {
            throw new IOException(failed.message());
        }
        return event;
    }

    /** The next event, which must be of {@code type}. */
    <T extends ControlEvent> T expect(Class<T> type) throws IOException {
        ControlEvent event = next();
        if (!type.isInstance(event)) {
            throw new IOException("the daemon answered " + event.getClass().getSimpleName() + " where "
                    + type.getSimpleName() + " was due; restart the daemon");
        }
        return type.cast(event);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
