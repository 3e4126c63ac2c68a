package org.peerit.tracker.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.DecoderException;
import org.peerit.protocol.tracker.TrackerCodec;
import org.peerit.protocol.tracker.TrackerLimits;
import org.peerit.protocol.tracker.TrackerMessage;
import org.peerit.protocol.tracker.TrackerMessage.AnnounceRequest;
import org.peerit.protocol.tracker.TrackerMessage.ConnectRequest;
import org.peerit.protocol.tracker.TrackerMessage.ErrorCode;
import org.peerit.tracker.TrackerConfig;
import org.peerit.tracker.TrackerStats;
import org.peerit.tracker.nat.NatCoordinator;
import org.peerit.tracker.swarm.SwarmTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.SplittableRandom;

/** Answers CONNECT, ANNOUNCE, PUNCH and RELAY datagrams. Runs on the UDP channel's single event loop. */
public final class TrackerUdpHandler
        extends SimpleChannelInboundHandler<AddressedEnvelope<TrackerMessage, InetSocketAddress>> {
    private static final Logger log = LoggerFactory.getLogger(TrackerUdpHandler.class);

    private final TrackerConfig config;
    private final SwarmTable table;
    private final TrackerStats stats;
    private final Clock clock;
    private final ConnectionIds connectionIds;
    private final NatCoordinator nat;
    private final SplittableRandom jitter = new SplittableRandom();

    public TrackerUdpHandler(TrackerConfig config, SwarmTable table, TrackerStats stats, Clock clock, SecureRandom random,
                             NatCoordinator nat) {
        this.config = config;
        this.nat = nat;
        this.table = table;
        this.stats = stats;
        this.clock = clock;
        this.connectionIds = new ConnectionIds(random);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, AddressedEnvelope<TrackerMessage, InetSocketAddress> envelope) {
        InetSocketAddress sender = envelope.sender();
        TrackerMessage msg = envelope.content();
        long now = clock.millis();
        if (msg instanceof ConnectRequest connect) {
            stats.connects.increment();
            reply(ctx, sender, new TrackerMessage.ConnectResponse(connect.txId(), connectionIds.issue(sender, now)));
        } else if (msg instanceof AnnounceRequest announce) {
            if (!connectionIds.isValid(announce.connectionId(), sender, now)) {
                stats.badConnectionIds.increment();
                reply(ctx, sender, new TrackerMessage.ErrorResponse(announce.txId(), ErrorCode.BAD_CONNECTION_ID,
                        "connection id expired"));
                return;
            }
            stats.announces.increment();
            int numWant = announce.numWant() == 0 ? config.defaultNumWant()
                    : Math.min(announce.numWant(), TrackerLimits.MAX_PEERS_PER_REPLY);
            // The table appends the listed peers after room left for the header, which needs their count.
            ByteBuf reply = ctx.alloc().ioBuffer(TrackerCodec.PEERS_HEADER + numWant * 64);
            reply.writerIndex(TrackerCodec.PEERS_HEADER);
            SwarmTable.Result result;
            try {
                result = table.announce(announce.swarmId(), announce.peerId(), sender, announce.event(), announce.seed(),
                        announce.tcpPort(), announce.quicPort(), announce.candidates(), numWant, now, reply);
            } catch (RuntimeException e) {
                reply.release();
                throw e;
            }
            if (result instanceof SwarmTable.Result.Peers peers) {
                int end = reply.writerIndex();
                reply.writerIndex(0);
                TrackerCodec.encodePeersHeader(announce.txId(), jitteredInterval(), peers.seeders(), peers.leechers(),
                        peers.count(), reply);
                reply.writerIndex(end);
                ctx.write(new DatagramPacket(reply, sender));
            } else if (result instanceof SwarmTable.Result.Refused refused) {
                reply.release();
                stats.refused.increment();
                reply(ctx, sender, new TrackerMessage.ErrorResponse(announce.txId(), ErrorCode.LIMIT, refused.reason()));
            }
        } else if (msg instanceof TrackerMessage.PunchRequest punch) {
            if (proven(ctx, sender, punch.txId(), punch.connectionId(), now)) {
                nat.punch(ctx, sender, punch, now);
            }
        } else if (msg instanceof TrackerMessage.RelayRequest relay) {
            if (proven(ctx, sender, relay.txId(), relay.connectionId(), now)) {
                nat.relay(ctx, sender, relay, now);
            }
        }
        // Replies arriving here (someone reflecting our own traffic at us) are ignored.
    }

    private boolean proven(ChannelHandlerContext ctx, InetSocketAddress sender, int txId, long connectionId, long now) {
        if (connectionIds.isValid(connectionId, sender, now)) {
            return true;
        }
        stats.badConnectionIds.increment();
        reply(ctx, sender, new TrackerMessage.ErrorResponse(txId, ErrorCode.BAD_CONNECTION_ID, "connection id expired"));
        return false;
    }

    /** Spreads re-announces so daemons started together do not stay in lock-step. */
    private int jitteredInterval() {
        long base = config.interval().toSeconds();
        long spread = Math.max(1, base / 10);
        return (int) Math.max(1, base - spread + jitter.nextLong(2 * spread + 1));
    }

    /** Replies are flushed once per batch of reads, so the epoll transport can send them with one sendmmsg. */
    private static void reply(ChannelHandlerContext ctx, InetSocketAddress to, TrackerMessage msg) {
        ctx.write(new DefaultAddressedEnvelope<>(msg, to));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A malformed datagram must never close the tracker's socket.
        if (cause instanceof DecoderException) {
            stats.malformed.increment();
            log.debug("dropped malformed datagram: {}", cause.getMessage());
        } else {
            log.warn("UDP handler error", cause);
        }
    }
}
