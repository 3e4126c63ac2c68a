package org.peerit.daemon.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.peerit.protocol.wire.PeerMessage;

import java.util.function.Consumer;

/** How every peer session answers its pipeline's idle events: a keep-alive when we were quiet, closed when the peer was. */
final class IdleConnections {
    private IdleConnections() {
    }

    /** Whether {@code evt} was an idle event (and is handled); any other event is for the caller to pass on. */
    static boolean handled(ChannelHandlerContext ctx, Object evt, Consumer<String> close) {
        if (!(evt instanceof IdleStateEvent idle)) {
            return false;
        }
        if (idle.state() == IdleState.WRITER_IDLE) {
            ctx.writeAndFlush(new PeerMessage.KeepAlive());
        } else if (idle.state() == IdleState.READER_IDLE) {
            close.accept("silent for too long");
        }
        return true;
    }
}
