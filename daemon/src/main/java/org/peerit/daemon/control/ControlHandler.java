package org.peerit.daemon.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.peerit.daemon.swarm.Share;
import org.peerit.daemon.swarm.ShareState;
import org.peerit.daemon.swarm.ShareStatus;
import org.peerit.daemon.swarm.Removal;
import org.peerit.daemon.swarm.SwarmEngine;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ManifestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Serves one control connection: reads the request, runs it against the engine, streams the events back. */
public final class ControlHandler {
    private static final Logger log = LoggerFactory.getLogger(ControlHandler.class);

    private final SwarmEngine engine;
    private final ObjectMapper json;
    private final ManifestCodec codec = new ManifestCodec();
    private final ObjectNode daemonInfo;
    private final Runnable stopDaemon;

    public ControlHandler(SwarmEngine engine, ObjectMapper json, ObjectNode daemonInfo, Runnable stopDaemon) {
        this.engine = engine;
        this.json = json;
        this.daemonInfo = daemonInfo;
        this.stopDaemon = stopDaemon;
    }

    void serve(InputStream in, OutputStream out) throws IOException {
        String line = new LineReader(in, ControlProtocol.MAX_LINE).readLine();
        if (line == null) {
            return;
        }
        Events events = new Events(out);
        JsonNode request;
        try {
            request = json.readTree(line);
        } catch (IOException e) {
            events.error("request is not JSON: " + e.getMessage());
            return;
        }
        String op = request.path("op").asText("");
        try {
            switch (op) {
                case ControlProtocol.OP_REGISTER -> register(request, events);
                case ControlProtocol.OP_DOWNLOAD -> download(request, events);
                case ControlProtocol.OP_STATUS -> status(events);
                case ControlProtocol.OP_REMOVE -> remove(request, events);
                case ControlProtocol.OP_STOP -> {
                    events.send(event(ControlProtocol.EVENT_DONE));
                    stopDaemon.run();
                }
                default -> events.error("unknown request '" + op + "'; is the CLI newer than the daemon? restart the daemon");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void register(JsonNode request, Events events) throws IOException, InterruptedException {
        Path file = absolutePath(request, "path", events);
        if (file == null) {
            return;
        }
        long[] lastReport = {0};
        CompletableFuture<Share> registered = engine.register(file, (done, total) -> {
            long now = System.nanoTime();
            if (now - lastReport[0] > 200_000_000L || done == total) {
                lastReport[0] = now;
                try {
                    events.send(event(ControlProtocol.EVENT_HASHING).put("done", done).put("total", total));
                } catch (IOException ignored) {
                    // the CLI went away; hashing goes on and the file is shared anyway
                }
            }
        });
        Share share;
        try {
            share = registered.get();
        } catch (ExecutionException e) {
            events.error(ErrorMessages.describe(e.getCause()));
            return;
        }
        // The manifest goes as the text of its file: the CLI writes it as it is, with nothing to parse or bind.
        Manifest manifest = share.manifest();
        ObjectNode done = event(ControlProtocol.EVENT_DONE);
        done.put("manifest", new String(codec.toBytes(manifest), StandardCharsets.UTF_8));
        done.put("name", manifest.name());
        done.put("size", manifest.size());
        done.put("swarm", share.id().hex());
        done.put("path", share.finalPath().toString());
        events.send(done);
    }

    private void download(JsonNode request, Events events) throws IOException, InterruptedException {
        Path manifestFile = absolutePath(request, "manifest", events);
        Path dir = manifestFile == null ? null : absolutePath(request, "dir", events);
        if (dir == null) {
            return;
        }
        Manifest manifest;
        try {
            manifest = codec.read(manifestFile);
        } catch (ManifestException e) {
            events.error(manifestFile + ": " + e.getMessage());
            return;
        }
        Share share;
        try {
            share = engine.download(manifest, dir).get();
        } catch (ExecutionException e) {
            events.error(ErrorMessages.describe(e.getCause()));
            return;
        }
        // Stream progress until the file is verified in place or the share fails. If the CLI goes away, the
        // download goes on in the daemon.
        while (true) {
            try {
                share.completion().get(ControlProtocol.PROGRESS_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException ignored) {
                // report below
            }
            ShareStatus status;
            try {
                status = engine.status(share.id()).get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                events.error("daemon is not responding: " + ErrorMessages.describe(e));
                return;
            }
            if (status == null) {
                events.error("the download was removed");
                return;
            }
            if (status.state() == ShareState.SEEDING) {
                events.send(progress(status));
                events.send(event(ControlProtocol.EVENT_DONE).put("path", status.path()));
                return;
            }
            if (status.state() == ShareState.ERROR) {
                events.error(status.error());
                return;
            }
            events.send(progress(status));
        }
    }

    private ObjectNode progress(ShareStatus s) {
        ObjectNode e = event(ControlProtocol.EVENT_PROGRESS);
        e.put("state", s.state().name().toLowerCase());
        e.put("name", s.name());
        e.put("size", s.size());
        e.put("verified", s.verifiedBytes());
        e.put("rate", s.downloadRate());
        e.put("peers", s.peers().size());
        if (s.trackerProblem() != null) {
            e.put("tracker", s.trackerProblem());
        }
        return e;
    }

    private void status(Events events) throws IOException, InterruptedException {
        List<ShareStatus> shares;
        try {
            shares = engine.status().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            events.error("daemon is not responding: " + ErrorMessages.describe(e));
            return;
        }
        ObjectNode status = event(ControlProtocol.EVENT_STATUS);
        ObjectNode daemon = daemonInfo.deepCopy();
        engine.publicMappings().forEach(daemon::put);
        try {
            var inbound = engine.inboundStats().get(5, TimeUnit.SECONDS);
            daemon.putObject("inbound").put("pending", inbound.pending()).put("established", inbound.established())
                    .put("refused", inbound.refused());
        } catch (ExecutionException | TimeoutException e) {
            events.error("daemon is not responding: " + ErrorMessages.describe(e));
            return;
        }
        status.set("daemon", daemon);
        status.set("shares", json.valueToTree(shares));
        events.send(status);
    }

    /**
     * Removes the one share {@code target} names: by its name, or by its swarm id or a prefix of it (at least 4 hex
     * digits; the CLI turns a manifest path into its swarm id). Names that match several shares are refused with them.
     */
    private void remove(JsonNode request, Events events) throws IOException, InterruptedException {
        String target = request.path("target").asText("");
        if (target.isEmpty()) {
            events.error("request has no 'target'");
            return;
        }
        List<ShareStatus> shares;
        try {
            shares = engine.status().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            events.error("daemon is not responding: " + ErrorMessages.describe(e));
            return;
        }
        String hex = target.toLowerCase(java.util.Locale.ROOT);
        boolean isHex = hex.length() >= 4 && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0);
        List<ShareStatus> matches = shares.stream()
                .filter(s -> s.name().equals(target) || (isHex && s.swarm().startsWith(hex))).toList();
        if (matches.isEmpty()) {
            events.error("no share matches '" + target + "'; peerit status lists names and swarm ids");
            return;
        }
        if (matches.size() > 1) {
            events.error("'" + target + "' matches " + matches.size() + " shares ("
                    + String.join(", ", matches.stream().map(s -> s.name() + " " + s.swarm().substring(0, 12)).toList())
                    + "); give more of the swarm id");
            return;
        }
        Removal removal;
        try {
            removal = engine.remove(org.peerit.protocol.manifest.SwarmId.fromHex(matches.get(0).swarm()),
                    request.path("delete").asBoolean(false)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            events.error(ErrorMessages.describe(e instanceof ExecutionException ? e.getCause() : e));
            return;
        }
        ObjectNode done = event(ControlProtocol.EVENT_DONE).put("name", removal.name()).put("swarm", removal.swarm().hex());
        removal.deleted().forEach(p -> done.withArray("deleted").add(p.toString()));
        removal.kept().forEach(k -> done.withArray("kept").add(k));
        events.send(done);
    }

    private Path absolutePath(JsonNode request, String field, Events events) throws IOException {
        String text = request.path(field).asText("");
        if (text.isEmpty() || text.indexOf('\0') >= 0) {
            events.error("request has no valid '" + field + "'");
            return null;
        }
        Path path = Path.of(text);
        if (!path.isAbsolute()) {
            events.error("'" + field + "' must be an absolute path, got " + text);
            return null;
        }
        return path.normalize();
    }

    private ObjectNode event(String name) {
        return json.createObjectNode().put("event", name);
    }

    /** Writes events as JSON lines; thread-safe, since hashing progress arrives from worker threads. */
    private final class Events {
        private final OutputStream out;

        Events(OutputStream out) {
            this.out = out;
        }

        synchronized void send(ObjectNode event) throws IOException {
            out.write(json.writeValueAsString(event).getBytes(StandardCharsets.UTF_8));
            out.write('\n');
            out.flush();
        }

        void error(String message) throws IOException {
            log.info("request failed: {}", message);
            send(event(ControlProtocol.EVENT_ERROR).put("message", message));
        }
    }
}
