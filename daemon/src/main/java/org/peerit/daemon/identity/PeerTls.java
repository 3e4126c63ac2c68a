package org.peerit.daemon.identity;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;

/**
 * TLS 1.3 for TCP peer connections, as QUIC has it built in: both sides present their identity certificate
 * ({@link IdentityKeyManager}), both accept exactly one self-signed certificate ({@link PeerTrust}), and who the peer
 * is follows from its key, which the session then checks against the id the dialler expected and the one the peer
 * claims (Syncthing's model: the device id is the certificate's hash). There is no CA and no host name to verify:
 * the peer id replaces both. No plaintext mode. BoringSSL (netty-tcnative) when it loads, about four times the JDK's
 * SSLEngine per core; the JDK's otherwise.
 */
public final class PeerTls {
    private static final String TLS_1_3 = "TLSv1.3";

    private final SslContext server;
    private final SslContext client;
    private final SslProvider provider;

    public PeerTls(Identity identity) throws SSLException {
        this.provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        IdentityKeyManager keys = new IdentityKeyManager(identity);
        PeerTrust trust = new PeerTrust();
        this.server = SslContextBuilder.forServer(keys).sslProvider(provider).protocols(TLS_1_3)
                .trustManager(trust).clientAuth(ClientAuth.REQUIRE).build();
        this.client = SslContextBuilder.forClient().sslProvider(provider).protocols(TLS_1_3)
                .keyManager(keys).trustManager(trust)
                // Peers are named by key, not host name: the peer id check replaces host name checks.
                .endpointIdentificationAlgorithm(null).build();
    }

    /** A TLS handler for a new connection: the client side if we dialled it. */
    public SslHandler newHandler(ByteBufAllocator alloc, boolean dialled) {
        return (dialled ? client : server).newHandler(alloc);
    }

    /**
     * The first handler for a connection: for one we dialled, the TLS client; for one a stranger opened, a sniffer
     * that installs the TLS server only once the first bytes are a TLS record.
     */
    public io.netty.channel.ChannelHandler firstHandler(ByteBufAllocator alloc, boolean dialled) {
        return dialled ? newHandler(alloc, true) : new TlsSniffer(this);
    }

    /** Which TLS implementation is in use: "BoringSSL" or "JDK". */
    public String implementation() {
        return provider == SslProvider.OPENSSL ? OpenSsl.versionString() : "JDK";
    }
}
