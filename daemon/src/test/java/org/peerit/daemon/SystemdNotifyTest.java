package org.peerit.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a service manager's notify socket receives, as systemd's does. */
class SystemdNotifyTest {
    @TempDir
    Path tmp;

    @Test
    void readinessReachesTheNotifySocketAndNothingIsSentWithoutOne() throws Exception {
        Path path = tmp.resolve("notify");
        try (AFUNIXDatagramSocket manager = AFUNIXDatagramSocket.newInstance()) {
            manager.bind(AFUNIXSocketAddress.of(path));
            manager.setSoTimeout(5000);
            assertTrue(SystemdNotify.send(Map.of("NOTIFY_SOCKET", path.toString()), "READY=1\nSTATUS=serving"));
            DatagramPacket got = new DatagramPacket(new byte[256], 256);
            manager.receive(got);
            assertEquals("READY=1\nSTATUS=serving", new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8));
        }
        assertFalse(SystemdNotify.send(Map.of(), "READY=1"), "started by hand: nobody to tell");
    }

    @Test
    void anAbstractNamespaceSocketWorksToo() throws Exception {
        String name = "peerit-test-" + ProcessHandle.current().pid();
        try (AFUNIXDatagramSocket manager = AFUNIXDatagramSocket.newInstance()) {
            manager.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
            manager.setSoTimeout(5000);
            assertTrue(SystemdNotify.send(Map.of("NOTIFY_SOCKET", "@" + name), "STOPPING=1"));
            DatagramPacket got = new DatagramPacket(new byte[64], 64);
            manager.receive(got);
            assertEquals("STOPPING=1", new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8));
        }
    }
}
