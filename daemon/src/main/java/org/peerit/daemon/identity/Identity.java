package org.peerit.daemon.identity;

import org.peerit.protocol.PeerId;

import java.io.IOException;
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
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * The daemon's key pair (EC P-256), kept in its data directory; the peer id is the SHA-256 of the encoded public
 * key, so an id cannot be claimed without the key (checked once peers authenticate over QUIC).
 */
public record Identity(KeyPair keyPair, PeerId peerId) {

    public static Identity loadOrCreate(Path dataDir) throws IOException {
        Path privateFile = dataDir.resolve("identity.key");
        Path publicFile = dataDir.resolve("identity.pub");
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
            }
            byte[] id = MessageDigest.getInstance("SHA-256").digest(pair.getPublic().getEncoded());
            return new Identity(pair, PeerId.wrap(id));
        } catch (GeneralSecurityException e) {
            throw new IOException("identity in " + dataDir + " is unreadable (" + e.getMessage()
                    + "); move identity.key and identity.pub away to make a new one", e);
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
