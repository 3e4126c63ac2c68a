package org.peerit.tracker.udp;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * Stateless connection ids: a MAC of the client's address and a two-minute time bucket under a key that lives only
 * as long as this tracker process. Holding a valid id proves the client receives at its source address; after a
 * tracker restart all old ids fail, which tells daemons to connect and announce again.
 */
final class ConnectionIds {
    private static final long BUCKET_MILLIS = 120_000;

    private final Mac mac;

    ConnectionIds(SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    /** Not thread-safe: called only from the UDP event loop. */
    long issue(InetSocketAddress client, long nowMillis) {
        return compute(client, nowMillis / BUCKET_MILLIS);
    }

    /** Valid for the bucket it was issued in and the next one: between two and four minutes. */
    boolean isValid(long id, InetSocketAddress client, long nowMillis) {
        long bucket = nowMillis / BUCKET_MILLIS;
        return id == compute(client, bucket) || id == compute(client, bucket - 1);
    }

    private long compute(InetSocketAddress client, long bucket) {
        byte[] address = client.getAddress().getAddress();
        ByteBuffer input = ByteBuffer.allocate(address.length + 2 + 8);
        input.put(address).putShort((short) client.getPort()).putLong(bucket);
        byte[] out = mac.doFinal(input.array());
        return ByteBuffer.wrap(out).getLong();
    }
}
