package org.peerit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.peerit.daemon.control.ControlProtocol;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ManifestException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code peerit remove TARGET N [--delete]}: stops sharing a file, or cancels its download. */
@Command(name = "remove", mixinStandardHelpOptions = true,
        description = {"Stops sharing TARGET, or cancels its download, on daemon INDEX.",
                "TARGET is a share's name, its swarm id (or at least 4 hex digits of it) or its .p2p manifest.",
                "Files are left alone unless --delete is given."})
final class RemoveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TARGET")
    String target;

    @Parameters(index = "1", paramLabel = "INDEX")
    int index;

    @Option(names = "--delete", description = "Also delete what peerit wrote: a download's .part, or a downloaded"
            + " file as peerit verified it. A file you registered is never deleted.")
    boolean delete;

    @Override
    public Integer call() throws Exception {
        String resolved = target;
        Path asFile = Path.of(target);
        if (target.endsWith(".p2p") && Files.isRegularFile(asFile)) {
            try {
                resolved = new ManifestCodec().read(asFile).swarmId().hex();
            } catch (ManifestException e) {
                throw new ManifestException(target + ": " + e.getMessage());
            }
        }
        JsonNode done;
        try (ControlClient client = ControlClient.connect(index)) {
            client.send(client.request(ControlProtocol.OP_REMOVE).put("target", resolved).put("delete", delete));
            done = client.next();
            ControlClient.throwIfError(done);
        }
        System.err.println("removed " + done.path("name").asText() + " (swarm "
                + done.path("swarm").asText().substring(0, 16) + ") from daemon " + index);
        for (JsonNode p : done.path("deleted")) {
            System.err.println("deleted " + p.asText());
        }
        for (JsonNode k : done.path("kept")) {
            System.err.println("kept " + k.asText());
        }
        return 0;
    }
}
