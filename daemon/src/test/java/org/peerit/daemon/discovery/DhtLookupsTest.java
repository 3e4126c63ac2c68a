package org.peerit.daemon.discovery;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.peerit.daemon.dht.PeerLookups;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.protocol.tracker.TrackerPeer;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DHT lookup schedule against a node that answers when the test says: its bounds and its intervals. */
class DhtLookupsTest {
    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final FakeNode node = new FakeNode();
    private final DhtLookups lookups = new DhtLookups(node, loop.eventLoop(), () -> 7000);

    /** A lookup asked for and not yet answered. */
    private record Asked(SwarmId swarm, boolean seed, Consumer<InetSocketAddress> peer, Consumer<Integer> done) {
    }

    private static final class FakeNode implements PeerLookups {
        final List<Asked> asked = new ArrayList<>();
        boolean ready = true;

        @Override
        public boolean lookup(SwarmId swarm, boolean seed, int tcpPort, boolean announce,
                              Consumer<InetSocketAddress> peer, Consumer<Integer> done) {
            if (ready) {
                asked.add(new Asked(swarm, seed, peer, done));
            }
            return ready;
        }

        @Override
        public int routingTableSize() {
            return 3;
        }
    }

    private static final class FakeSwarm implements Discovery.Swarm {
        final SwarmId id = SwarmId.wrap(new SecureRandom().generateSeed(32));
        final List<InetSocketAddress> found = new ArrayList<>();
        boolean seed;

        @Override
        public String name() {
            return "s";
        }

        @Override
        public void addressFound(PeerSource source, InetSocketAddress address) {
            found.add(address);
        }

        @Override
        public SwarmId swarmId() {
            return id;
        }

        @Override
        public boolean seed() {
            return seed;
        }

        @Override
        public void peersFound(TrackerAddress tracker, List<TrackerPeer> peers) {
        }

        @Override
        public void trackerProblem(TrackerAddress tracker, String problem) {
        }
    }

    /** The node answers the {@code i}-th lookup; the answer hops to the engine loop, as the library's would. */
    private void answer(int i, int nodes, InetSocketAddress... peers) {
        Asked a = node.asked.get(i);
        for (InetSocketAddress p : peers) {
            a.peer.accept(p);
        }
        a.done.accept(nodes);
        loop.runPendingTasks();
    }

    @Test
    void atMostFourLookupsRunAtOnceOverAllSwarmsAndTheRestWait() {
        List<FakeSwarm> swarms = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            FakeSwarm s = new FakeSwarm();
            swarms.add(s);
            lookups.join(s);
        }
        assertEquals(DhtLookups.MAX_IN_FLIGHT, node.asked.size(), "ten swarms joined, four lookups");
        lookups.tick(System.nanoTime());
        assertEquals(4, node.asked.size(), "none more while four run");
        answer(0, 8);
        lookups.tick(System.nanoTime());
        assertEquals(5, node.asked.size(), "one ended, one more starts");
        for (int i = 1; i < 5; i++) {
            answer(i, 8);
        }
        lookups.tick(System.nanoTime());
        assertEquals(9, node.asked.size());
    }

    @Test
    void aDownloadLooksUpAgainAfterAMinuteASeedAfterAQuarterOfAnHourAndNobodyAnsweringSoon() {
        FakeSwarm download = new FakeSwarm();
        lookups.join(download);
        InetSocketAddress peer = new InetSocketAddress("198.18.0.5", 6000);
        answer(0, 8, peer, peer);
        assertEquals(List.of(peer), download.found, "each address once per lookup");
        long now = System.nanoTime();
        lookups.tick(now + TimeUnit.SECONDS.toNanos(59));
        assertEquals(1, node.asked.size());
        lookups.tick(now + TimeUnit.SECONDS.toNanos(61));
        assertEquals(2, node.asked.size(), "downloading: again after a minute");

        download.seed = true;
        answer(1, 8);
        now = System.nanoTime();
        lookups.tick(now + TimeUnit.MINUTES.toNanos(14));
        assertEquals(2, node.asked.size());
        lookups.tick(now + TimeUnit.MINUTES.toNanos(16));
        assertEquals(3, node.asked.size(), "seeding: again after 15 minutes");

        answer(2, 0); // an empty table: nobody answered
        now = System.nanoTime();
        lookups.tick(now + TimeUnit.SECONDS.toNanos(3));
        assertEquals(4, node.asked.size(), "nobody answered: again within seconds, not in 15 minutes");
        for (int i = 3; i < 3 + DhtLookups.QUICK_RETRIES - 1; i++) {
            answer(i, 0);
            lookups.tick(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1100));
            assertEquals(i + 2, node.asked.size(), "each second, at first");
        }
        int asked = node.asked.size();
        answer(asked - 1, 0);
        lookups.tick(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1100));
        assertEquals(asked, node.asked.size(), "then backing off");
        lookups.tick(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2100));
        assertEquals(asked + 1, node.asked.size());
    }

    @Test
    void aDownloadThatFoundNoPeerYetLooksAgainSoon() {
        FakeSwarm download = new FakeSwarm();
        lookups.join(download);
        answer(0, 8); // nodes answered, but nobody has announced the swarm yet
        lookups.tick(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1100));
        assertEquals(2, node.asked.size(), "again after a second, not a minute");
    }

    @Test
    void aSwarmThatLeftHearsNothingAndANodeNotReadyIsAskedAgainSoon() {
        FakeSwarm s = new FakeSwarm();
        lookups.join(s);
        lookups.leave(s.swarmId());
        answer(0, 8, new InetSocketAddress("198.18.0.5", 6000));
        assertTrue(s.found.isEmpty(), "results for a swarm that left are dropped");
        lookups.tick(System.nanoTime() + TimeUnit.HOURS.toNanos(1));
        assertEquals(1, node.asked.size(), "and no DHT traffic for it ever after");

        node.ready = false;
        FakeSwarm later = new FakeSwarm();
        lookups.join(later);
        assertEquals(1, node.asked.size());
        node.ready = true;
        lookups.tick(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
        assertEquals(1, node.asked.size(), "not at once: checked again a quarter of a second later");
        lookups.tick(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300));
        assertEquals(2, node.asked.size());
        assertEquals(later.swarmId(), node.asked.get(1).swarm());
    }
}
