package org.peerit.tracker.nat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultAddressedEnvelope;
import org.peerit.protocol.PeerId;
import org.peerit.protocol.manifest.SwarmId;
import org.peerit.protocol.tracker.TrackerLimits;
import org.peerit.protocol.tracker.TrackerMessage;
import org.peerit.protocol.tracker.TrackerMessage.ErrorCode;
import org.peerit.tracker.TrackerStats;
import org.peerit.tracker.relay.RelayService;
import org.peerit.tracker.swarm.PeerEntry;
import org.peerit.tracker.swarm.SwarmTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;

/**
 * Brings two peers behind NATs together: a punch (both told the other's mapping and a start time) or a relay
 * allocation. Only between two peers announced in the same swarm, only for an asker writing from the host it
 * announced from, and rate-limited per asker, so nobody can use the tracker to aim traffic at a third party: the
 * target is always a peer's own announced socket, and the asker's side is the address its request came from.
 */
public final class NatCoordinator {
    private static final Logger log = LoggerFactory.getLogger(NatCoordinator.class);
    /**
     * Both sides start probing this long after the tracker's word arrives. None: each side probes every 20 ms, so the
     * first probes that reach a NAT not yet opened by its own side's are dropped (they leave no mapping behind) and
     * the next ones pass; waiting would only add to every punch's time (it was 100 ms).
     */
    static final int PUNCH_DELAY_MILLIS = 0;
    /**
     * A birthday punch between a hard-NAT peer and an easy one: 256 sockets on the hard side, 2048 probes to random
     * ports from the easy one (P(hit) = 1 - (1 - 256/64512)^2048, over 99.9%), within 3 s.
     */
    static final int BIRTHDAY_SOCKETS = TrackerLimits.MAX_BIRTHDAY_SOCKETS;
    static final int BIRTHDAY_PROBES = TrackerLimits.MAX_BIRTHDAY_PROBES;
    static final int BIRTHDAY_MILLIS = 3000;

    private final SwarmTable table;
    private final RelayService relay;
    private final TrackerStats stats;
    private final InetAddress relayAddress;
    private final SecureRandom random;
    private final RequestLimiter<PeerId> punchLimiter = new RequestLimiter<>(20, 2_000, 100_000);
    private final RequestLimiter<PeerId> relayLimiter = new RequestLimiter<>(8, 15_000, 100_000);

    public NatCoordinator(SwarmTable table, RelayService relay, TrackerStats stats, InetAddress relayAddress,
                          SecureRandom random) {
        this.table = table;
        this.relay = relay;
        this.stats = stats;
        this.relayAddress = relayAddress;
        this.random = random;
    }

    public void punch(ChannelHandlerContext ctx, InetSocketAddress sender, TrackerMessage.PunchRequest request, long now) {
        Pair pair = checked(ctx, sender, request.txId(), request.swarmId(), request.from(), request.to());
        if (pair == null) {
            return;
        }
        PeerEntry target = pair.target();
        if (!punchLimiter.allow(request.from(), now)) {
            refuse(ctx, sender, request.txId(), ErrorCode.LIMIT, "too many punch requests; wait a few seconds");
            return;
        }
        stats.punches.increment();
        long nonce = random.nextLong();
        InetSocketAddress targetSocket = target.quicEndpoint();
        if (pair.asker().behindHardNat() != target.behindHardNat()) {
            birthday(ctx, sender, request, nonce, pair.asker(), target);
            return;
        }
        ctx.write(new DefaultAddressedEnvelope<>(
                new TrackerMessage.PunchStarted(request.txId(), nonce, targetSocket, PUNCH_DELAY_MILLIS), sender));
        ctx.write(new DefaultAddressedEnvelope<>(new TrackerMessage.PunchNotify(0, request.swarmId(), request.from(),
                nonce, sender, PUNCH_DELAY_MILLIS), targetSocket));
    }

    /**
     * One side's NAT maps each destination anew, the other's does not: an ordinary punch cannot meet, so the hard
     * side opens many sockets towards the easy side's server mapping and the easy side probes random ports of the
     * hard side's address until one pair meets. The asker is answered on the socket it asked from; the target is told
     * on its server socket.
     */
    private void birthday(ChannelHandlerContext ctx, InetSocketAddress sender, TrackerMessage.PunchRequest request,
                          long nonce, PeerEntry asker, PeerEntry target) {
        stats.birthdays.increment();
        boolean askerHard = asker.behindHardNat();
        PeerEntry easy = askerHard ? target : asker;
        PeerEntry hard = askerHard ? asker : target;
        TrackerMessage toHard = new TrackerMessage.BirthdayOpen(askerHard ? request.txId() : 0, request.swarmId(),
                easy.peerId(), nonce, easy.quicEndpoint(), BIRTHDAY_SOCKETS, BIRTHDAY_MILLIS);
        TrackerMessage toEasy = new TrackerMessage.BirthdayProbe(askerHard ? 0 : request.txId(), request.swarmId(),
                hard.peerId(), nonce, hard.address(), BIRTHDAY_PROBES, BIRTHDAY_MILLIS);
        ctx.write(new DefaultAddressedEnvelope<>(askerHard ? toHard : toEasy, sender));
        ctx.write(new DefaultAddressedEnvelope<>(askerHard ? toEasy : toHard, target.quicEndpoint()));
        log.debug("birthday punch between {} (hard) and {} for swarm {}", hard.peerId().shortHex(),
                easy.peerId().shortHex(), request.swarmId().shortHex());
    }

    public void relay(ChannelHandlerContext ctx, InetSocketAddress sender, TrackerMessage.RelayRequest request, long now) {
        Pair pair = checked(ctx, sender, request.txId(), request.swarmId(), request.from(), request.to());
        if (pair == null) {
            return;
        }
        InetSocketAddress targetSocket = pair.target().quicEndpoint();
        String refusal = relay.refusal(sender.getAddress(), targetSocket.getAddress(), request.from(), request.to());
        if (refusal != null) {
            refuse(ctx, sender, request.txId(), ErrorCode.REFUSED, refusal);
            return;
        }
        if (!relayLimiter.allow(request.from(), now)) {
            refuse(ctx, sender, request.txId(), ErrorCode.LIMIT, "too many relay requests; wait a minute");
            return;
        }
        relay.allocate(sender.getAddress(), targetSocket.getAddress(), request.from(), request.to()).addListener(f -> {
            if (!f.isSuccess()) {
                log.warn("cannot open a relay port: {}", f.cause().getMessage());
                refuse(ctx, sender, request.txId(), ErrorCode.LIMIT, "the tracker cannot open a relay port now");
                ctx.flush();
                return;
            }
            RelayService.Grant grant = (RelayService.Grant) f.getNow();
            InetSocketAddress at = new InetSocketAddress(relayAddress, grant.port());
            ctx.write(new DefaultAddressedEnvelope<>(new TrackerMessage.RelayAllocated(request.txId(), request.swarmId(),
                    request.to(), at, grant.tokenA()), sender));
            ctx.write(new DefaultAddressedEnvelope<>(new TrackerMessage.RelayAllocated(0, request.swarmId(),
                    request.from(), at, grant.tokenB()), targetSocket));
            ctx.flush();
            log.info("relay port {} opened between {} and {} for swarm {}", grant.port(), sender.getAddress().getHostAddress(),
                    targetSocket.getAddress().getHostAddress(), request.swarmId().shortHex());
        });
    }

    /** The asker's and the target's entries, as one lookup found them. */
    private record Pair(PeerEntry asker, PeerEntry target) {
    }

    /** Both entries if the asker may reach the target; else answers with the reason and returns null. */
    private Pair checked(ChannelHandlerContext ctx, InetSocketAddress sender, int txId, SwarmId swarm, PeerId from,
                              PeerId to) {
        if (from.equals(to)) {
            refuse(ctx, sender, txId, ErrorCode.REFUSED, "a peer cannot punch to itself");
            return null;
        }
        PeerEntry asker = table.find(swarm, from);
        if (asker == null || !asker.address().equals(sender.getAddress())) {
            refuse(ctx, sender, txId, ErrorCode.REFUSED, "announce in the swarm, from this address, before asking to punch");
            return null;
        }
        PeerEntry target = table.find(swarm, to);
        if (target == null || !target.hasQuic()) {
            refuse(ctx, sender, txId, ErrorCode.REFUSED, "the peer is not in this swarm or cannot take QUIC connections");
            return null;
        }
        return new Pair(asker, target);
    }

    private void refuse(ChannelHandlerContext ctx, InetSocketAddress sender, int txId, ErrorCode code, String why) {
        stats.natRefused.increment();
        ctx.write(new DefaultAddressedEnvelope<>(new TrackerMessage.ErrorResponse(txId, code, why), sender));
    }
}
