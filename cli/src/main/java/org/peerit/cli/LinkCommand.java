package org.peerit.cli;

import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.ShareLink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code peerit link FILE.p2p}: the manifest's {@code peerit://} link, to paste where a file will not go. */
@Command(name = "link", mixinStandardHelpOptions = true,
        description = {"Prints the peerit:// link of a manifest: its swarm id, name and trackers. Anyone can download"
                + " with it (peerit download LINK INDEX) while a peer of the swarm is online, which hands over the"
                + " manifest. Needs no daemon."})
final class LinkCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MANIFEST", description = "The .p2p manifest.")
    Path manifestFile;

    @Option(names = "--json", description = "Print the link, name, swarm id and trackers as JSON.")
    boolean asJson;

    @Override
    public Integer call() throws Exception {
        Manifest manifest = new ManifestCodec().read(manifestFile.toAbsolutePath().normalize());
        ShareLink link = ShareLink.of(manifest);
        if (asJson) {
            JsonOutput.print(new JsonOutput.Link(link.format(), link.name(), link.swarm().hex(), link.trackers()));
        } else {
            System.out.println(link.format());
        }
        return 0;
    }
}
