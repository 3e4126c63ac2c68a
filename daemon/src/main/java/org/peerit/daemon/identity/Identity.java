package org.peerit.daemon.identity;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.peerit.protocol.PeerId;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * The daemon's key pair (EC P-256) and self-signed certificate, kept in its data directory; the peer id is the
 * SHA-256 of the encoded public key, so an id cannot be claimed without the key: QUIC peers present the certificate
 * and are refused when its key does not hash to the id they claim.
 */
public record Identity(KeyPair keyPair, X509Certificate certificate, PeerId peerId) {

    public static Identity loadOrCreate(Path dataDir) throws IOException {
        Path privateFile = dataDir.resolve("identity.key");
        Path publicFile = dataDir.resolve("identity.pub");
        Path certificateFile = dataDir.resolve("identity.crt");
        try {
            KeyPair pair;
            if (Files.exists(privateFile) && Files.exists(publicFile)) {
                KeyFactory factory = KeyFactory.getInstance("EC");
                PrivateKey priv = factory.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(privateFile)));
                PublicKey pub = factory.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(publicFile)));
                pair = new KeyPair(pub, priv);
            } else {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
                pair = generator.generateKeyPair();
                writePrivate(privateFile, pair.getPrivate().getEncoded());
                Files.write(publicFile, pair.getPublic().getEncoded());
                Files.deleteIfExists(certificateFile); // it belonged to the old key
            }
            PeerId id = peerIdOf(pair.getPublic());
            X509Certificate certificate = null;
            if (Files.exists(certificateFile)) {
                certificate = readCertificate(certificateFile);
                if (!certificate.getPublicKey().equals(pair.getPublic())) {
                    certificate = null; // not ours: make a new one
                }
            }
            if (certificate == null) {
                certificate = selfSigned(pair, id);
                Path temp = certificateFile.resolveSibling("identity.crt.tmp");
                Files.write(temp, certificate.getEncoded());
                Files.move(temp, certificateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return new Identity(pair, certificate, id);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("identity in " + dataDir + " is unreadable (" + e.getMessage()
                    + "); move identity.key, identity.pub and identity.crt away to make a new one", e);
        }
    }

    /** The peer id a public key stands for. */
    public static PeerId peerIdOf(PublicKey key) {
        try {
            return PeerId.wrap(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static X509Certificate selfSigned(KeyPair pair, PeerId id) throws OperatorCreationException, GeneralSecurityException {
        X500Name name = new X500Name("CN=peerit " + id.hex().substring(0, 16));
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()).abs(),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(365L * 50))), name,
                pair.getPublic());
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static void writePrivate(Path file, byte[] encoded) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(temp, encoded);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
