package org.peerit.daemon.nat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.peerit.protocol.nat.NatDatagram;
import org.peerit.protocol.nat.NatDatagramCodec;
import org.peerit.protocol.stun.StunCodec;
import org.peerit.protocol.tracker.TrackerCodec;
import org.peerit.protocol.tracker.TrackerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * Sits before the QUIC codec on a daemon's UDP socket and takes what is not QUIC (RFC 7983-style, by first byte):
 * STUN (0..3), tracker replies (0x10..0x2f), probes and relay datagrams (0x30..0x3f). The QUIC codec would drop them
 * silently; everything else goes on to it.
 */
final class UdpDemux extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UdpDemux.class);

    /** Where the non-QUIC datagrams of one socket go. Called on the socket's event loop. */
    interface Listener {
        void stun(StunCodec.Message message, InetSocketAddress sender);

        void tracker(TrackerMessage message, InetSocketAddress sender);

        void nat(NatDatagram datagram, InetSocketAddress sender);
    }

    private final Listener listener;

    UdpDemux(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf content = packet.content();
        if (!content.isReadable()) {
            packet.release();
            return;
        }
        int first = content.getUnsignedByte(content.readerIndex());
        if (first >= 0x40) {
            ctx.fireChannelRead(msg); // QUIC: the fixed bit is set
            return;
        }
        try {
            if (StunCodec.isStun(content)) {
                listener.stun(StunCodec.decode(content), packet.sender());
            } else if (first >= 0x10 && first < 0x30) {
                listener.tracker(TrackerCodec.decode(content), packet.sender());
            } else if (NatDatagramCodec.isNatDatagram(content)) {
                listener.nat(NatDatagramCodec.decode(content), packet.sender());
            }
        } catch (RuntimeException e) {
            log.debug("dropped a bad datagram from {}: {}", packet.sender(), e.getMessage());
        } finally {
            packet.release();
        }
    }
}
