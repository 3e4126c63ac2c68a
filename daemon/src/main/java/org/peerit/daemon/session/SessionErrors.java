package org.peerit.daemon.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.MessageFormatter;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * How a connection's failures are reported, before and after its handshake alike. A refusal is a warning for a peer
 * we dialled (something is wrong with a peer we were told of); for a stranger who connected, a line at most every
 * few seconds with a count, since anyone can make those at will and they must not flood the log.
 */
final class SessionErrors {
    private static final Logger log = LoggerFactory.getLogger(PeerSession.class);

    private final SessionHost host;
    private final boolean outbound;

    SessionErrors(SessionHost host, boolean outbound) {
        this.host = host;
        this.outbound = outbound;
    }

    void refusal(String format, Object... args) {
        if (outbound) {
            log.warn(format, args);
        } else {
            host.logRefusal(MessageFormatter.arrayFormat(format, args).getMessage());
        }
    }

    /** An exception from the pipeline; {@code close} ends the connection with a reason. */
    void caught(ChannelHandlerContext ctx, Throwable cause, Consumer<String> close) {
        Throwable oom = outOfMemory(cause);
        if (oom != null) {
            ctx.close();
            host.memoryShortage(oom);
        } else if (cause.getCause() instanceof NotSslRecordException) {
            refusal("inbound connection from {} does not speak TLS (an older peerit, or not a peer); connection dropped",
                    ctx.channel().remoteAddress());
            ctx.close();
        } else if (cause instanceof DecoderException) {
            close.accept("sent a malformed frame: " + cause.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("connection to {} failed: {}", ctx.channel().remoteAddress(), cause.getMessage());
            ctx.close();
        } else {
            log.warn("peer session error with {}", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }

    /** The out-of-memory error behind {@code cause}, if that is what it is (a decoder wraps what it hit). */
    private static Throwable outOfMemory(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return t;
            }
        }
        return null;
    }
}
