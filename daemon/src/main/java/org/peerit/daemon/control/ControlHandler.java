package org.peerit.daemon.control;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import org.peerit.daemon.connect.InboundGate;
import org.peerit.daemon.swarm.Registration;
import org.peerit.daemon.swarm.Removal;
import org.peerit.daemon.swarm.Share;
import org.peerit.daemon.swarm.ShareState;
import org.peerit.daemon.swarm.ShareStatus;
import org.peerit.daemon.swarm.SwarmEngine;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ManifestException;
import org.peerit.protocol.manifest.ShareLink;
import org.peerit.protocol.manifest.SwarmId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Serves one control connection: reads the request, runs it against the engine, streams the events back. */
public final class ControlHandler {
    private static final Logger log = LoggerFactory.getLogger(ControlHandler.class);

    private final SwarmEngine engine;
    private final ObjectMapper json = ControlProtocol.json();
    private final ManifestCodec codec = new ManifestCodec();
    private final DaemonInfo daemonInfo;
    private final Runnable stopDaemon;

    public ControlHandler(SwarmEngine engine, DaemonInfo daemonInfo, Runnable stopDaemon) {
        this.engine = engine;
        this.daemonInfo = daemonInfo;
        this.stopDaemon = stopDaemon;
    }

    void serve(InputStream in, OutputStream out) throws IOException {
        String line = new LineReader(in, ControlProtocol.MAX_LINE).readLine();
        if (line == null) {
            return;
        }
        Events events = new Events(out);
        ControlRequest request;
        try {
            request = json.readValue(line, ControlRequest.class);
        } catch (JsonParseException e) {
            events.error("request is not JSON: " + e.getOriginalMessage());
            return;
        } catch (InvalidTypeIdException e) {
            events.error("unknown request '" + e.getTypeId() + "'; is the CLI newer than the daemon? restart the daemon");
            return;
        } catch (IOException e) {
            events.error("request is not a valid control request: " + e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        try {
            if (request instanceof ControlRequest.Register r) {
                register(r, events);
            } else if (request instanceof ControlRequest.Download d) {
                download(d, events);
            } else if (request instanceof ControlRequest.Status st) {
                status(st, events);
            } else if (request instanceof ControlRequest.Remove r) {
                remove(r, events);
            } else if (request instanceof ControlRequest.Stop) {
                events.send(new ControlEvent.Stopping());
                stopDaemon.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void register(ControlRequest.Register request, Events events) throws IOException, InterruptedException {
        Path file = absolutePath(request.path(), "path", events);
        if (file == null) {
            return;
        }
        long[] lastReport = {0};
        CompletableFuture<Registration> registered = engine.registration(file, (done, total) -> {
            long now = System.nanoTime();
            if (now - lastReport[0] > 200_000_000L || done == total) {
                lastReport[0] = now;
                try {
                    events.send(new ControlEvent.Hashing(done, total));
                } catch (IOException ignored) {
                    // the CLI went away; hashing goes on and the file is shared anyway
                }
            }
        });
        Registration registration;
        try {
            registration = registered.get();
        } catch (ExecutionException e) {
            events.error(ErrorMessages.describe(e.getCause()));
            return;
        }
        // The manifest goes as the text of its file: the CLI writes it as it is, with nothing to parse or bind.
        Share share = registration.share();
        Manifest manifest = share.manifest();
        events.send(new ControlEvent.Registered(new String(codec.toBytes(manifest), StandardCharsets.UTF_8),
                manifest.name(), manifest.size(), share.id().hex(), share.finalPath().toString(),
                ShareLink.of(manifest).format(), registration.skipped()));
    }

    /**
     * A download's status now, or null once the CLI has been told why there is none: the daemon did not answer in
     * 5 s, or the download was removed meanwhile.
     */
    private ShareStatus statusOrSayWhyNot(SwarmId id, Events events) throws IOException, InterruptedException {
        ShareStatus status;
        try {
            status = engine.status(id).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            events.error("daemon is not responding: " + ErrorMessages.describe(e));
            return null;
        }
        if (status == null) {
            events.error("the download was removed");
        }
        return status;
    }

    private void download(ControlRequest.Download request, Events events) throws IOException, InterruptedException {
        Path dir = absolutePath(request.dir(), "dir", events);
        if (dir == null) {
            return;
        }
        CompletableFuture<Share> started;
        SwarmId id;
        if (request.link() != null) {
            ShareLink link;
            try {
                link = ShareLink.parse(request.link());
            } catch (ManifestException e) {
                events.error(e.getMessage());
                return;
            }
            id = link.swarm();
            try {
                started = engine.download(link, dir, request.only()).get().share();
            } catch (ExecutionException e) {
                events.error(ErrorMessages.describe(e.getCause()));
                return;
            }
        } else {
            Path manifestFile = absolutePath(request.manifest(), "manifest", events);
            if (manifestFile == null) {
                return;
            }
            Manifest manifest;
            try {
                manifest = codec.read(manifestFile);
            } catch (ManifestException e) {
                events.error(manifestFile + ": " + e.getMessage());
                return;
            }
            id = manifest.swarmId();
            started = engine.download(manifest, dir, request.only());
        }
        // A link download first fetches its manifest from peers: its progress, until the share exists.
        while (!started.isDone()) {
            try {
                started.get(ControlProtocol.PROGRESS_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException ignored) {
                // reported below or after the loop
            }
            if (started.isDone()) {
                break;
            }
            ShareStatus status = statusOrSayWhyNot(id, events);
            if (status == null) {
                return;
            }
            events.send(progress(status));
        }
        Share share;
        try {
            share = started.get();
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
            ShareStatus status = statusOrSayWhyNot(share.id(), events);
            if (status == null) {
                return;
            }
            if (status.state() == ShareState.ERROR) {
                events.error(status.error());
                return;
            }
            events.send(progress(status));
            if (status.state() == ShareState.SEEDING) {
                events.send(new ControlEvent.Downloaded(status.path()));
                return;
            }
        }
    }

    private static ControlEvent.Progress progress(ShareStatus s) {
        return new ControlEvent.Progress(s.state().name().toLowerCase(Locale.ROOT), s.name(), s.size(),
                s.verifiedBytes(), s.downloadRate(), s.peers().size(), s.trackerProblem());
    }

    private void status(ControlRequest.Status request, Events events) throws IOException, InterruptedException {
        List<ShareStatus> shares;
        InboundGate.Stats inbound;
        try {
            shares = engine.status(request.files()).get(5, TimeUnit.SECONDS);
            inbound = engine.inboundStats().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            events.error("daemon is not responding: " + ErrorMessages.describe(e));
            return;
        }
        Map<String, String> mappings = engine.publicMappings();
        DaemonInfo now = daemonInfo.withLive(mappings.get("quicServerMapping"), mappings.get("quicClientMapping"),
                engine.dhtInfo(), new DaemonInfo.Inbound(inbound.pending(), inbound.established(), inbound.refused()));
        events.send(new ControlEvent.StatusReport(now, shares));
    }

    /**
     * Removes the one share {@code target} names: by its name, or by its swarm id or a prefix of it (at least 4 hex
     * digits; the CLI turns a manifest path into its swarm id). Names that match several shares are refused with them.
     */
    private void remove(ControlRequest.Remove request, Events events) throws IOException, InterruptedException {
        String target = request.target() == null ? "" : request.target();
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
        String hex = target.toLowerCase(Locale.ROOT);
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
            removal = engine.remove(SwarmId.fromHex(matches.get(0).swarm()), request.delete()).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            events.error(ErrorMessages.describe(e instanceof ExecutionException ? e.getCause() : e));
            return;
        }
        events.send(new ControlEvent.Removed(removal.name(), removal.swarm().hex(),
                removal.deleted().stream().map(Path::toString).toList(), removal.kept()));
    }

    private Path absolutePath(String text, String field, Events events) throws IOException {
        if (text == null || text.isEmpty() || text.indexOf('\0') >= 0) {
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

    /** Writes events as JSON lines; thread-safe, since hashing progress arrives from worker threads. */
    private final class Events {
        private final OutputStream out;

        Events(OutputStream out) {
            this.out = out;
        }

        synchronized void send(ControlEvent event) throws IOException {
            out.write(json.writerFor(ControlEvent.class).writeValueAsBytes(event));
            out.write('\n');
            out.flush();
        }

        void error(String message) throws IOException {
            log.info("request failed: {}", message);
            send(new ControlEvent.Failed(message));
        }
    }
}
