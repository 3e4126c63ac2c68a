package org.peerit.daemon.swarm;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a share is in its life. A download is CHECKING (its {@code .part} is being rechecked), then DOWNLOADING, then
 * VERIFYING (the whole-file hash and the rename), then SEEDING; a registered or resumed complete file is SEEDING, or
 * CHECKING first if it changed. Anything can fail into ERROR, which is final: a retry makes a new share. A download
 * started from a link is FETCHING its manifest from peers first (a {@code ManifestFetch}, not yet a share).
 */
public enum ShareState {
    FETCHING, CHECKING, DOWNLOADING, VERIFYING, SEEDING, ERROR;

    /** Whether peers may connect: not while our data is unknown (CHECKING) or unusable (ERROR). */
    public boolean acceptsPeers() {
        return this != CHECKING && this != ERROR;
    }

    private Set<ShareState> next() {
        return switch (this) {
            case FETCHING -> EnumSet.of(ERROR);
            case CHECKING -> EnumSet.of(DOWNLOADING, SEEDING, ERROR);
            case DOWNLOADING -> EnumSet.of(VERIFYING, ERROR);
            case VERIFYING -> EnumSet.of(SEEDING, ERROR);
            case SEEDING, ERROR -> EnumSet.of(ERROR);
        };
    }

    /** The state after this one; a transition the life above does not have is a bug, and fails loudly. */
    ShareState to(ShareState next) {
        if (!next().contains(next)) {
            throw new IllegalStateException("a share cannot go from " + this + " to " + next);
        }
        return next;
    }
}
