package org.peerit.cli;

import org.peerit.daemon.control.ControlEvent;
import org.peerit.daemon.control.ControlRequest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ManifestException;
import org.peerit.protocol.manifest.ShareLink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code peerit remove TARGET N [--delete]}: stops sharing a file, or cancels its download. */
@Command(name = "remove", mixinStandardHelpOptions = true,
        description = {"Stops sharing TARGET, or cancels its download, on daemon INDEX.",
                "TARGET is a share's name, its swarm id (or at least 4 hex digits of it), its .p2p manifest or its"
                        + " peerit:// link.",
                "Files are left alone unless --delete is given."})
final class RemoveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TARGET")
    String target;

    @Parameters(index = "1", paramLabel = "INDEX")
    int index;

    @Option(names = "--json", description = "Print what was removed, deleted and kept as JSON on stdout.")
    boolean asJson;

    @Option(names = "--delete", description = "Also delete what peerit wrote: a download's .part, or a downloaded"
            + " file as peerit verified it. A file you registered is never deleted.")
    boolean delete;

    @Override
    public Integer call() throws Exception {
        String resolved = target;
        if (ShareLink.looksLikeLink(target)) {
            resolved = ShareLink.parse(target).swarm().hex();
        }
        Path asFile = ShareLink.looksLikeLink(target) ? null : Path.of(target);
        if (asFile != null && target.endsWith(".p2p") && Files.isRegularFile(asFile)) {
            try {
                resolved = new ManifestCodec().read(asFile).swarmId().hex();
            } catch (ManifestException e) {
                throw new ManifestException(target + ": " + e.getMessage());
            }
        }
        ControlEvent.Removed done;
        try (ControlClient client = ControlClient.connect(index)) {
            client.send(new ControlRequest.Remove(resolved, delete));
            done = client.expect(ControlEvent.Removed.class);
        }
        System.err.println("removed " + done.name() + " (swarm " + done.swarm().substring(0, 16) + ") from daemon "
                + index);
        for (String p : done.deleted()) {
            System.err.println("deleted " + p);
        }
        for (String k : done.kept()) {
            System.err.println("kept " + k);
        }
        if (asJson) {
            JsonOutput.print(new JsonOutput.Removed(done.name(), done.swarm(), done.deleted(), done.kept()));
        }
        return 0;
    }
}
