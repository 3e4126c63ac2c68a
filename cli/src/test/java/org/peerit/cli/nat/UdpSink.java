package org.peerit.cli.nat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;

/**
 * Run inside a lab host: {@code UdpSink PORT TRACKER_IP:PORT QUIET_MILLIS}. Listens on PORT and prints
 * {@code GOT <sender>} for every datagram: first for QUIET_MILLIS with nothing sent (anything arriving then was
 * unsolicited), then after sending a STUN Binding request to the tracker, whose answer must arrive (the path out
 * and back works). Prints {@code READY} once listening and {@code DONE} at the end.
 */
public final class UdpSink {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String[] tracker = args[1].split(":");
        long quietMillis = Long.parseLong(args[2]);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(port))) {
            System.out.println("READY");
            System.out.flush();
            receiveFor(socket, quietMillis);
            byte[] stun = new byte[20];
            stun[1] = 0x01; // Binding request, length 0
            stun[4] = 0x21;
            stun[5] = 0x12;
            stun[6] = (byte) 0xA4;
            stun[7] = 0x42;
            byte[] tx = new byte[12];
            new SecureRandom().nextBytes(tx);
            System.arraycopy(tx, 0, stun, 8, 12);
            socket.send(new DatagramPacket(stun, stun.length,
                    new InetSocketAddress(tracker[0], Integer.parseInt(tracker[1]))));
            receiveFor(socket, 2000);
        }
        System.out.println("DONE");
    }

    private static void receiveFor(DatagramSocket socket, long millis) throws Exception {
        long end = System.currentTimeMillis() + millis;
        byte[] buffer = new byte[2048];
        while (true) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            socket.setSoTimeout((int) left);
            try {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                socket.receive(p);
                System.out.println("GOT " + p.getSocketAddress());
                System.out.flush();
            } catch (SocketTimeoutException e) {
                return;
            }
        }
    }
}
