package org.peerit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.peerit.daemon.DaemonPaths;
import org.peerit.daemon.control.ControlProtocol;
import org.peerit.daemon.control.LineReader;

import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** One request to a daemon over its control socket, and the events it answers with. */
final class ControlClient implements AutoCloseable {
    private final AFUNIXSocket socket;
    private final LineReader reader;
    private final ObjectMapper json = new ObjectMapper();

    private ControlClient(AFUNIXSocket socket) throws IOException {
        this.socket = socket;
        this.reader = new LineReader(socket.getInputStream(), 64 << 20);
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

    ObjectNode request(String op) {
        return json.createObjectNode().put("op", op);
    }

    void send(ObjectNode request) throws IOException {
        var out = socket.getOutputStream();
        out.write(json.writeValueAsString(request).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
        out.flush();
    }

    /** The next event, or an IOException if the daemon went away mid-stream. */
    JsonNode next() throws IOException {
        String line = reader.readLine();
        if (line == null) {
            throw new IOException("the daemon closed the connection (did it stop? see its log)");
        }
        return json.readTree(line);
    }

    static String eventName(JsonNode event) {
        return event.path("event").asText("");
    }

    /** Throws the daemon's error as a one-line exception if {@code event} is an error. */
    static void throwIfError(JsonNode event) throws IOException {
        if (ControlProtocol.EVENT_ERROR.equals(eventName(event))) {
            throw new IOException(event.path("message").asText("unknown error"));
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
