package org.peerit.daemon.identity;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The inbound connection's first handler: TLS only for bytes that are TLS, from five bytes of header. */
class TlsSnifferTest {
    @TempDir
    Path dir;

    private EmbeddedChannel channel() throws Exception {
        return new EmbeddedChannel(new TlsSniffer(new PeerTls(Identity.loadOrCreate(dir))));
    }

    @Test
    void aPeeritFrameOfTheOldPlaintextProtocolIsRefusedFromItsFirstFiveBytes() throws Exception {
        EmbeddedChannel ch = channel();
        // The issue-10 attack and a version-1 handshake both start with a 4-byte length: 00 02 00 09 / 00 00 00 4b.
        DecoderException e = assertThrows(DecoderException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{0, 2, 0, 9, 0})));
        assertInstanceOf(NotSslRecordException.class, e.getCause());
        assertNull(ch.pipeline().get(SslHandler.class), "no TLS engine was made for it");
        ch.finishAndReleaseAll();
    }

    @Test
    void waitsForFiveBytesThenHandsATlsRecordToTheTlsEngine() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{0x16, 0x03}));
        assertNull(ch.pipeline().get(SslHandler.class), "two bytes decide nothing");
        // A handshake record header (type 22, TLS 1.0 record version, 64 bytes), the body still to come.
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{0x01, 0x00, 0x40}));
        assertNotNull(ch.pipeline().get(SslHandler.class), "the TLS server took its place, with the bytes read so far");
        assertNull(ch.pipeline().get(TlsSniffer.class));
        ch.finishAndReleaseAll();
    }
}
