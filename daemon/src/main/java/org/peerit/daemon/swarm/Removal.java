package org.peerit.daemon.swarm;

import org.peerit.protocol.manifest.SwarmId;

import java.nio.file.Path;
import java.util.List;

/** What removing a share did with its files: those it deleted, and those it left, each with why. */
public record Removal(String name, SwarmId swarm, List<Path> deleted, List<String> kept) {
}
