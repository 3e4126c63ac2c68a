package org.peerit.daemon;

import org.peerit.daemon.swarm.EngineConfig;

/** What a daemon is started with: its index, its directories and its engine settings. */
public record DaemonConfig(int index, DaemonPaths paths, EngineConfig engine) {
}
