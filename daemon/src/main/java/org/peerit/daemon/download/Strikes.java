package org.peerit.daemon.download;

import org.peerit.protocol.PeerId;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is blamed for chunks that failed their hash check. A peer that sent a whole bad chunk alone is banned at once;
 * one that sent part of it with others gets a strike, and is banned on its {@value #TO_BAN}nd.
 */
public final class Strikes {
    static final int TO_BAN = 2;

    private final Map<PeerId, Integer> strikes = new HashMap<>();
    private final Set<PeerId> banned = new HashSet<>();

    /** A chunk failed; {@code contributors} sent its blocks. Returns those banned by it. */
    public List<PeerId> blame(Collection<PeerId> contributors) {
        List<PeerId> newlyBanned = new ArrayList<>();
        for (PeerId peer : contributors) {
            int count = strikes.merge(peer, contributors.size() == 1 ? TO_BAN : 1, Integer::sum);
            if (count >= TO_BAN && banned.add(peer)) {
                newlyBanned.add(peer);
            }
        }
        return newlyBanned;
    }

    /** Banned at once: say, it served a manifest that does not hash to the link. */
    public void ban(PeerId peer) {
        banned.add(peer);
    }

    public boolean isBanned(PeerId peer) {
        return banned.contains(peer);
    }
}
