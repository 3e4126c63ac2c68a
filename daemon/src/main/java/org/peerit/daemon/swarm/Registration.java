package org.peerit.daemon.swarm;

import java.util.List;

/** A registered share, and what of a folder was left out (links, special files), each named with the reason. */
public record Registration(Share share, List<String> skipped) {
    public Registration {
        skipped = List.copyOf(skipped);
    }
}
