package org.peerit.daemon.identity;

import org.peerit.protocol.PeerId;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509TrustManager;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * Trust between peers, over QUIC and TCP alike: there is no CA, so TLS accepts exactly one self-signed certificate
 * whose signature checks with its own key; who the peer is follows from that key ({@link #peerIdOf}) and is checked
 * against the id the dialler expected and the one the peer's handshake claims.
 */
public final class PeerTrust implements X509TrustManager {

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    private static void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length != 1) {
            throw new CertificateException("a peer presents exactly one self-signed certificate");
        }
        try {
            chain[0].verify(chain[0].getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new CertificateException("the peer's certificate is not signed by its own key", e);
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    /** The peer id proven by the TLS handshake of {@code engine}. */
    public static PeerId peerIdOf(SSLEngine engine) throws SSLPeerUnverifiedException {
        Certificate[] chain = engine.getSession().getPeerCertificates();
        if (chain.length == 0) {
            throw new SSLPeerUnverifiedException("no certificate");
        }
        return Identity.peerIdOf(chain[0].getPublicKey());
    }
}
