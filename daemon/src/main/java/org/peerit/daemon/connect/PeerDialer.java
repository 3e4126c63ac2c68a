package org.peerit.daemon.connect;

import io.netty.channel.Channel;
import io.netty.handler.codec.quic.QuicChannel;
import org.peerit.daemon.nat.PeerPath;
import org.peerit.daemon.nat.PunchOutcome;
import org.peerit.protocol.manifest.TrackerAddress;
import org.peerit.protocol.tracker.TrackerPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Races the paths to one peer the tracker told us of, staggered like Happy Eyeballs (RFC 8305) so that a path that
 * works at once spares the costlier ones: TCP to its public and local addresses at once; QUIC to its local addresses
 * if nothing has connected after {@value #QUIC_AFTER_MILLIS} ms; a tracker-coordinated punch after
 * {@value #PUNCH_AFTER_MILLIS} ms (at once to a peer behind a NAT other than ours, whose public address no direct
 * path reaches). Relay first, then upgrade (as libp2p's DCUtR and Tailscale's DERP): if the punch has not opened
 * within a round trip, the tracker's relay carries the session while punching goes on, and a punched path that opens
 * later replaces it. The first path whose handshake completes carries the peer protocol ({@link ConnectSwarm#accept}
 * keeps one session per peer: a direct one over a relayed one, else the first). {@code ended} runs once every path
 * has failed or closed.
 */
final class PeerDialer {
    private static final Logger log = LoggerFactory.getLogger(PeerDialer.class);
    /** TCP within a LAN answers in well under this; QUIC (a TLS handshake, native memory) waits for it to fail. */
    static final long QUIC_AFTER_MILLIS = 150;
    /** Direct paths answer within a round trip; only after this head start is the tracker asked to punch. */
    static final long PUNCH_AFTER_MILLIS = 300;

    private final Dialling dialling;
    private final ConnectSwarm share;
    private final TrackerPeer peer;
    private final TrackerAddress tracker;
    private final Runnable ended;
    private int live;
    private boolean over;
    private boolean relayAsked;
    /** Why each path failed, for one line in the log when none works. */
    private final List<String> failures = new ArrayList<>();

    PeerDialer(Dialling dialling, ConnectSwarm share, TrackerPeer peer, TrackerAddress tracker, Runnable ended) {
        this.dialling = dialling;
        this.share = share;
        this.peer = peer;
        this.tracker = tracker;
        this.ended = ended;
    }

    void start() {
        if (dialling.tcp() && peer.endpoint().getPort() != 0) {
            // Each address on its own: a public address that drops our SYN must not delay the LAN one.
            for (InetSocketAddress address : new LinkedHashSet<>(tcpAddresses())) {
                live++;
                dialling.channels().connectTcp(share, address, peer.peerId(), this::pathEnded, failures::add);
            }
        }
        if (peer.hasQuic()) {
            live += 2;
            dialling.loop().schedule(this::quicLan, dialling.tcp() ? QUIC_AFTER_MILLIS : 0, TimeUnit.MILLISECONDS);
            dialling.loop().schedule(this::punch, behindAnotherNat() ? 0 : PUNCH_AFTER_MILLIS, TimeUnit.MILLISECONDS);
        }
        checkEnded();
    }

    /**
     * Whether the peer's public address is none of its own (so a NAT maps it) and not ours (so it is not behind our
     * NAT, where its LAN addresses reach it): no direct path will answer, so the punch gets no head start.
     */
    private boolean behindAnotherNat() {
        InetAddress publicAddress = peer.endpoint().getAddress();
        for (InetSocketAddress candidate : peer.candidates()) {
            if (candidate.getAddress().equals(publicAddress)) {
                return false;
            }
        }
        InetSocketAddress ours = dialling.nat().serverMapping();
        return ours != null && !ours.getAddress().equals(publicAddress);
    }

    private List<InetSocketAddress> tcpAddresses() {
        List<InetSocketAddress> addresses = new ArrayList<>();
        addresses.add(peer.endpoint());
        addresses.addAll(peer.candidates());
        return addresses;
    }

    private void quicLan() {
        if (!connected()) {
            for (InetSocketAddress candidate : peer.candidates()) {
                quic(new InetSocketAddress(candidate.getAddress(), peer.quicPort()), PeerPath.QUIC_LAN, null);
            }
        }
        pathEnded();
    }

    private boolean connected() {
        return share.isConnected(peer.peerId()) || !share.wantsPeers();
    }

    private void punch() {
        if (connected()) {
            pathEnded();
            return;
        }
        dialling.nat().punch(tracker, share.id(), peer.peerId(), this::relayFirst).whenComplete((outcome, failure) -> {
            if (failure != null) {
                failures.add("punch: " + rootMessage(failure));
                if (relayAsked) {
                    log.info("{}: no punched path to peer {}: {}; staying on the tracker's relay", share.name(),
                            peer.peerId().shortHex(), rootMessage(failure));
                } else {
                    log.info("{}: no punched path to peer {}: {}; trying the tracker's relay", share.name(),
                            peer.peerId().shortHex(), rootMessage(failure));
                    relay();
                }
            } else if (outcome instanceof PunchOutcome.Connected connected) {
                // A birthday punch from our hard NAT: the connection is made; it carries the session (an upgrade
                // over a relayed one) unless a direct path won meanwhile.
                if (share.isConnectedDirectly(peer.peerId()) || !share.wantsPeers()) {
                    connected.connection().close();
                } else {
                    stream(connected.connection(), PeerPath.QUIC_PUNCHED, this::relay);
                }
            } else if (outcome instanceof PunchOutcome.Dial dial && !share.isConnectedDirectly(peer.peerId())
                    && share.wantsPeers()) {
                quic(dial.address(), PeerPath.QUIC_PUNCHED, this::relay); // over a relayed session: an upgrade
            }
            // (PunchOutcome.Inbound: the peer dials us through the birthday punch; its session arrives as inbound.)
            pathEnded(); // the punch itself is over; a QUIC attempt or the relay holds its own count
        });
    }

    /** The punch has not opened within a round trip: the relay carries data meanwhile. */
    private void relayFirst() {
        if (!connected() && !relayAsked) {
            log.info("{}: no punched path to peer {} yet; starting over the tracker's relay while punching goes on",
                    share.name(), peer.peerId().shortHex());
            relay();
        }
    }

    private void relay() {
        if (connected() || relayAsked) {
            return;
        }
        relayAsked = true;
        live++;
        dialling.nat().relay(tracker, share.id(), peer.peerId()).whenComplete((relay, failure) -> {
            if (failure != null) {
                failures.add("relay: " + rootMessage(failure));
                log.warn("{}: cannot reach peer {} by any path: {}", share.name(), peer.peerId().shortHex(),
                        String.join("; ", failures));
                share.natProblem("peer " + peer.peerId().shortHex() + " unreachable: " + rootMessage(failure));
            } else {
                quic(relay, PeerPath.QUIC_RELAY, null);
            }
            pathEnded();
        });
    }

    /** Dials QUIC on {@code path}; runs {@code onFailure} (if any) when it cannot connect. */
    private void quic(InetSocketAddress remote, PeerPath path, Runnable onFailure) {
        live++;
        track(dialling.nat().dial(remote, peer.peerId())
                .thenCompose(connection -> dialling.channels().openStream(connection, share, peer.peerId(), path)),
                path + " " + remote, onFailure);
    }

    /** Opens the peer stream on {@code connection}, made by a birthday punch. */
    private void stream(QuicChannel connection, PeerPath path, Runnable onFailure) {
        live++;
        track(dialling.channels().openStream(connection, share, peer.peerId(), path),
                path + " " + connection.remoteSocketAddress() + " (birthday punch)", onFailure);
    }

    private void track(CompletableFuture<Channel> opening, String what,
                       Runnable onFailure) {
        opening.whenComplete((stream, failure) -> {
            if (failure != null) {
                failures.add(what + ": " + rootMessage(failure));
                log.debug("{}: {} to peer {} failed: {}", share.name(), what, peer.peerId().shortHex(),
                        rootMessage(failure));
                if (onFailure != null) {
                    onFailure.run();
                }
                pathEnded();
            } else {
                stream.closeFuture().addListener(f -> pathEnded());
            }
        });
    }

    private void pathEnded() {
        live--;
        checkEnded();
    }

    private void checkEnded() {
        if (live <= 0 && !over) {
            over = true;
            ended.run();
        }
    }

    static String rootMessage(Throwable t) {
        while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
