package org.peerit.daemon.nat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import org.peerit.protocol.stun.StunCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * Learns the public mapping of one UDP socket by STUN Binding (RFC 8489) against the trackers, and keeps that
 * mapping alive: a NAT forgets an idle UDP mapping after 30 s or more, so a binding goes out every 20 s.
 */
final class StunKeeper {
    private static final Logger log = LoggerFactory.getLogger(StunKeeper.class);

    private final String name;
    private final Channel channel;
    private final SecureRandom random = new SecureRandom();
    private byte[] transactionId;
    private volatile InetSocketAddress mapped;

    StunKeeper(String name, Channel channel) {
        this.name = name;
        this.channel = channel;
    }

    /** Sends a binding request to each tracker. Engine thread. */
    void refresh(List<InetSocketAddress> trackers) {
        if (trackers.isEmpty()) {
            return;
        }
        transactionId = new byte[12];
        random.nextBytes(transactionId);
        for (InetSocketAddress tracker : trackers) {
            ByteBuf request = StunCodec.bindingRequest(channel.alloc(), transactionId);
            channel.write(new DatagramPacket(request, tracker));
        }
        channel.flush();
    }

    void received(StunCodec.Message message) {
        if (message.type() != StunCodec.BINDING_SUCCESS || transactionId == null
                || !Arrays.equals(transactionId, message.transactionId()) || message.mappedAddress() == null) {
            return;
        }
        if (!message.mappedAddress().equals(mapped)) {
            log.info("{} socket {} is seen from outside as {}", name, channel.localAddress(), message.mappedAddress());
            mapped = message.mappedAddress();
        }
    }

    /** The public address of this socket as a tracker saw it, or null before the first answer. */
    InetSocketAddress mapped() {
        return mapped;
    }
}
