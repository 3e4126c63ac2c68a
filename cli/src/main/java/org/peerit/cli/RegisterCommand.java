package org.peerit.cli;

import org.peerit.daemon.control.ControlEvent;
import org.peerit.daemon.control.ControlRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code peerit register PATH N}: daemon N hashes and seeds a file or folder; the manifest is written here. */
@Command(name = "register", mixinStandardHelpOptions = true,
        description = {"Shares a file or a whole folder through daemon INDEX, writes its manifest (NAME.p2p) and"
                + " prints the manifest's path on stdout, its peerit:// link on stderr: either lets others download it.",
                "In a folder, symbolic links are not followed and special files are skipped (each is named)."})
final class RegisterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH", description = "The file or folder to share.")
    Path file;

    @Parameters(index = "1", paramLabel = "INDEX", description = "The daemon that seeds it.")
    int index;

    @Option(names = "--json", description = "Print the manifest's path, the swarm and its link as JSON on stdout.")
    boolean asJson;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH", description = "Where to write the manifest (default: ./NAME.p2p).")
    Path output;

    @Override
    public Integer call() throws Exception {
        Path absolute = file.toAbsolutePath().normalize();
        if (!Files.exists(absolute)) {
            throw new NoSuchFileException(absolute.toString());
        }
        if (!Files.isRegularFile(absolute) && !Files.isDirectory(absolute)) {
            throw new IOException(absolute + " is not a regular file or a folder");
        }
        Path target = (output != null ? output : Path.of(absolute.getFileName() + ".p2p")).toAbsolutePath().normalize();
        boolean terminal = System.console() != null;
        try (ControlClient client = ControlClient.connect(index)) {
            client.send(new ControlRequest.Register(absolute.toString()));
            while (true) {
                ControlEvent event = client.next();
                if (event instanceof ControlEvent.Hashing h) {
                    if (terminal) {
                        long total = Math.max(1, h.total());
                        System.err.printf(Locale.ROOT, "\rhashing %s: %5.1f%% of %s", absolute.getFileName(),
                                100.0 * h.done() / total, Units.bytes(total));
                    }
                } else if (event instanceof ControlEvent.Registered done) {
                    if (terminal) {
                        System.err.println();
                    }
                    // The daemon sends the manifest file's text, made from the file it will seed.
                    if (done.manifest() == null || !done.manifest().startsWith("{")) {
                        throw new IOException("daemon " + index + " answered without a manifest; is it older than this "
                                + "CLI? restart it with: peerit stop " + index + ", then peerit daemon " + index + " ...");
                    }
                    writeAtomically(target, done.manifest().getBytes(StandardCharsets.UTF_8));
                    String swarm = done.swarm();
                    for (String skipped : done.skipped()) {
                        System.err.println("skipped " + skipped);
                    }
                    System.err.println("daemon " + index + " is seeding " + done.name() + " ("
                            + Units.bytes(done.size()) + ", swarm "
                            + swarm.substring(0, Math.min(8, swarm.length())) + "); give downloaders this link or the"
                            + " manifest below:");
                    if (done.link() != null) {
                        System.err.println("  " + done.link());
                    }
                    if (asJson) {
                        JsonOutput.print(new JsonOutput.Registered(target.toString(), done.name(), done.size(), swarm,
                                done.path(), done.link(), done.skipped()));
                    } else {
                        System.out.println(target);
                    }
                    return 0;
                }
            }
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.write(temp, bytes);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
