package org.peerit.cli;

import org.peerit.daemon.control.ControlEvent;
import org.peerit.daemon.control.ControlRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code peerit download FILE.p2p N}: daemon N fetches the file from the swarm; progress until it is verified. */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = "Downloads the file a manifest describes through daemon INDEX, with live progress. Exits 0 only"
                + " when the verified file is in place.")
final class DownloadCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MANIFEST", description = "The .p2p manifest.")
    Path manifestFile;

    @Parameters(index = "1", paramLabel = "INDEX", description = "The daemon that downloads it.")
    int index;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the file goes (default: the current directory).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        // The daemon reads and checks the manifest (and says what is wrong with it); the CLI only passes the path on,
        // which spares every download the CLI's own parse and hash of it.
        Path manifestPath = manifestFile.toAbsolutePath().normalize();
        if (!Files.isRegularFile(manifestPath)) {
            throw new IOException(manifestPath + " does not exist or is not a file");
        }
        Path target = (dir == null ? Path.of("") : dir).toAbsolutePath().normalize();
        if (!Files.isDirectory(target)) {
            throw new IOException(target + " is not a directory; create it or choose another --dir");
        }
        ProgressDisplay display = new ProgressDisplay(System.err, System.console() != null);
        String fileName = manifestPath.getFileName().toString();
        long size = 0;
        try (ControlClient client = ControlClient.connect(index)) {
            client.send(new ControlRequest.Download(manifestPath.toString(), target.toString()));
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
                    System.out.println(done.path());
                    return 0;
                }
            }
        }
    }
}
