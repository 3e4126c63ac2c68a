package org.peerit.tracker.stun;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.CorruptedFrameException;
import org.peerit.protocol.stun.StunCodec;
import org.peerit.tracker.TrackerStats;

/**
 * Answers STUN Binding requests (RFC 8489) on the tracker's UDP port, before the tracker codec sees them: a daemon
 * learns the public mapping of each of its UDP sockets, and any STUN client can check the tracker. Other datagrams
 * pass on untouched.
 */
@ChannelHandler.Sharable
public final class StunResponder extends ChannelInboundHandlerAdapter {
    private final TrackerStats stats;

    public StunResponder(TrackerStats stats) {
        this.stats = stats;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet) || !StunCodec.isStun(packet.content())) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            StunCodec.Message request = StunCodec.decode(packet.content());
            if (request.type() != StunCodec.BINDING_REQUEST) {
                return; // responses and indications are not for a server
            }
            stats.stun.increment();
            ByteBuf reply = request.unknownRequired() >= 0
                    ? StunCodec.unknownAttribute(ctx.alloc(), request.transactionId(), request.unknownRequired())
                    : StunCodec.bindingSuccess(ctx.alloc(), request.transactionId(), packet.sender());
            ctx.write(new DatagramPacket(reply, packet.sender())); // flushed at the end of the read batch
        } catch (CorruptedFrameException e) {
            stats.malformed.increment();
        } finally {
            packet.release();
        }
    }
}
