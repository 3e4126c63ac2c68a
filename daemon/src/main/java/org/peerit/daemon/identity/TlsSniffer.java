package org.peerit.daemon.identity;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.NotSslRecordException;

import java.util.List;

/**
 * The first handler of an inbound TCP peer connection: it waits for the first TLS record header and only then puts
 * the TLS engine in its place, as Netty's port-unification example does. Bytes that are not TLS close the connection
 * at once, so a stranger sending junk never costs a TLS engine (a BoringSSL object and its buffers each); with
 * thousands of such connections that was most of a flooded daemon's CPU.
 */
final class TlsSniffer extends ByteToMessageDecoder {
    /** A TLS record header: type, version, length. */
    private static final int HEADER = 5;

    private final PeerTls tls;

    TlsSniffer(PeerTls tls) {
        this.tls = tls;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws NotSslRecordException {
        if (in.readableBytes() < HEADER) {
            return;
        }
        if (!io.netty.handler.ssl.SslHandler.isEncrypted(in, false)) {
            in.skipBytes(in.readableBytes());
            throw new NotSslRecordException("not a TLS record: not a peer of this protocol version");
        }
        // What was read so far passes on to the TLS engine when this handler leaves.
        ctx.pipeline().replace(this, "tls", tls.newHandler(ctx.alloc(), false));
    }
}
