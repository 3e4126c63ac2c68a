package org.peerit.protocol.tracker;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageCodec;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Datagrams to and from {@code AddressedEnvelope<TrackerMessage>}: inbound envelopes carry the sender as
 * {@code sender()}, outbound ones are sent to {@code recipient()}.
 */
@ChannelHandler.Sharable
public final class TrackerDatagramCodec
        extends MessageToMessageCodec<DatagramPacket, AddressedEnvelope<TrackerMessage, InetSocketAddress>> {

    /** Only tracker messages: datagrams a handler wrote already encoded pass through. */
    @Override
    public boolean acceptOutboundMessage(Object msg) throws Exception {
        return msg instanceof AddressedEnvelope<?, ?> e && e.content() instanceof TrackerMessage;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, AddressedEnvelope<TrackerMessage, InetSocketAddress> msg,
                          List<Object> out) {
        ByteBuf buf = ctx.alloc().buffer();
        try {
            TrackerCodec.encode(msg.content(), buf);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        out.add(new DatagramPacket(buf, msg.recipient(), msg.sender()));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, DatagramPacket packet, List<Object> out) {
        TrackerMessage msg = TrackerCodec.decode(packet.content());
        out.add(new DefaultAddressedEnvelope<>(msg, packet.recipient(), packet.sender()));
    }
}
