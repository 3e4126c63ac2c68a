package org.peerit.daemon;

import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The sd_notify protocol, for a daemon that a service manager started with {@code Type=notify}: one datagram of
 * {@code KEY=value} lines to the Unix socket {@code $NOTIFY_SOCKET} names (a path, or {@code @name} in the abstract
 * namespace). Without that variable nothing is sent: a daemon started by hand has nobody to tell.
 */
public final class SystemdNotify {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotify.class);

    private SystemdNotify() {
    }

    /** Sends {@code state} (e.g. {@code READY=1\nSTATUS=...}); false if there is no service manager or it failed. */
    public static boolean send(Map<String, String> env, String state) {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return false;
        }
        try (AFUNIXDatagramSocket s = AFUNIXDatagramSocket.newInstance()) {
            AFUNIXSocketAddress to = socket.startsWith("@") ? AFUNIXSocketAddress.inAbstractNamespace(socket.substring(1))
                    : AFUNIXSocketAddress.of(Path.of(socket));
            byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
            s.connect(to); // a DatagramPacket cannot carry a Unix address itself
            s.send(new DatagramPacket(bytes, bytes.length));
            return true;
        } catch (IOException e) {
            log.warn("cannot tell the service manager ({}): {}", socket, e.getMessage());
            return false;
        }
    }
}
