package org.peerit.cli;

import org.peerit.daemon.control.ControlEvent;
import org.peerit.daemon.control.ControlRequest;
import org.peerit.protocol.manifest.ShareLink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code peerit download FILE.p2p|LINK N}: daemon N fetches it from the swarm; progress until it is verified. */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Downloads the file or folder a manifest or a peerit:// link describes through daemon INDEX,"
                + " with live progress. Exits 0 only when every wanted file is verified in place.",
                "Given a link, the daemon first fetches the manifest from the swarm's peers and checks that it matches"
                + " the link."})
final class DownloadCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MANIFEST|LINK", description = "The .p2p manifest, or a peerit:// link.")
    String source;

    @Parameters(index = "1", paramLabel = "INDEX", description = "The daemon that downloads it.")
    int index;

    @Option(names = "--json", description = "When done, print the verified path, name and size as JSON on stdout.")
    boolean asJson;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where it goes (default: the current directory).")
    Path dir;

    @Option(names = "--only", paramLabel = "GLOB", description = {"Of a folder, download only the files that match"
            + " (repeatable). Without '/', a pattern matches file names at any depth (*.flac); with '/', paths below"
            + " the folder (disc1/**)."})
    List<String> only = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        // The daemon reads and checks the manifest (and says what is wrong with it); the CLI only passes the path on,
        // which spares every download the CLI's own parse and hash of it.
        boolean isLink = ShareLink.looksLikeLink(source);
        Path manifestPath = isLink ? null : Path.of(source).toAbsolutePath().normalize();
        if (manifestPath != null && !Files.isRegularFile(manifestPath)) {
            throw new IOException(manifestPath + " does not exist or is not a file (a link starts with peerit://)");
        }
        Path target = (dir == null ? Path.of("") : dir).toAbsolutePath().normalize();
        if (!Files.isDirectory(target)) {
            throw new IOException(target + " is not a directory; create it or choose another --dir");
        }
        ProgressDisplay display = new ProgressDisplay(System.err, System.console() != null);
        String fileName = isLink ? "the link's manifest" : manifestPath.getFileName().toString();
        long size = 0;
        try (ControlClient client = ControlClient.connect(index)) {
            client.send(new ControlRequest.Download(isLink ? null : manifestPath.toString(), target.toString(), only,
                    isLink ? source : null));
            while (true) {
                ControlEvent event;
                try {
                    event = client.next();
                } catch (IOException e) {
                    display.finish();
                    throw e;
                }
                if (event instanceof ControlEvent.Progress p) {
                    fileName = p.name();
                    size = p.size();
                    display.update(fileName, p.state(), p.verified(), size, p.rate(), p.peers(), p.tracker());
                } else if (event instanceof ControlEvent.Downloaded done) {
                    display.finish();
                    System.err.println("downloaded and verified " + fileName + " (" + Units.bytes(size)
                            + "); daemon " + index + " keeps seeding it");
                    if (asJson) {
                        JsonOutput.print(new JsonOutput.Downloaded(done.path(), fileName, size));
                    } else {
                        System.out.println(done.path());
                    }
                    return 0;
                }
            }
        }
    }
}
