package org.peerit.tracker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.peerit.tracker.http.HttpGate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 10, case 4: the tracker's HTTP side answers only what parsed, and bounds connections and time. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TrackerHttpHardeningTest {
    private Tracker tracker;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        tracker = Tracker.start(TrackerConfig.defaults(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        tracker.close();
    }

    private Socket open(String from) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(tracker.address(), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private String exchange(String request) throws IOException {
        Socket s = open("127.0.0.1");
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void overLongHeadersAre431AndGarbageIs400() throws IOException {
        String longHeaders = exchange("GET / HTTP/1.1\r\nHost: t\r\nX-Pad: " + "a".repeat(20_000) + "\r\n\r\n");
        assertTrue(longHeaders.startsWith("HTTP/1.1 431 "), longHeaders);
        String longLine = exchange("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: t\r\n\r\n");
        assertTrue(longLine.startsWith("HTTP/1.1 414 "), longLine);
        String garbage = exchange("\u0016\u0003\u0001\u0002\u0000\u0001\r\n\r\n");
        assertTrue(garbage.startsWith("HTTP/1.1 400 "), garbage);
        assertEquals(0, tracker.stats().httpRequests.sum(), "none of them was served a page");
        // And a proper request still is.
        String ok = exchange("GET /stats HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertTrue(ok.startsWith("HTTP/1.1 200 "), ok);
    }

    @Test
    void requestsCutShortBuildNothing() throws Exception {
        for (int i = 0; i < 2000; i++) {
            try (Socket s = new Socket()) {
                s.connect(tracker.address(), 2000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (tracker.stats().httpRefused.sum() < 2000 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, tracker.stats().httpRequests.sum(), "no page was built for a request that never ended");
    }

    @Test
    void connectionsAreCappedPerAddressAndInTotalAndTrickledRequestsMeetTheDeadline() throws Exception {
        // 20 hosts, 20 connections each, every one trickling a request one byte at a time.
        for (int host = 0; host < 20; host++) {
            for (int i = 0; i < 20; i++) {
                open("127.0.0." + (2 + host)).getOutputStream().write('G');
            }
        }
        Thread.sleep(500);
        assertEquals(256, countOpen(), "at most 16 per address (320), at most 256 in all");
        long t0 = System.nanoTime();
        for (int second = 0; countOpen() > 0; second++) {
            assertTrue(second < HttpGate.REQUEST_DEADLINE_SECONDS + 5, "still open after " + second + " s");
            for (Socket s : sockets) {
                trickle(s);
            }
            Thread.sleep(1000);
        }
        long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertTrue(waited >= HttpGate.REQUEST_DEADLINE_SECONDS - 2, "closed at the deadline, not at once: " + waited + " s");
    }

    private static void trickle(Socket s) {
        try {
            OutputStream out = s.getOutputStream();
            out.write('E');
            out.flush();
        } catch (IOException closed) {
            // the tracker closed it
        }
    }

    /** Connections the tracker has not closed: a read that times out briefly, rather than seeing end of stream. */
    private int countOpen() throws IOException {
        int open = 0;
        for (Socket s : sockets) {
            if (s.isClosed()) {
                continue;
            }
            s.setSoTimeout(1);
            try {
                InputStream in = s.getInputStream();
                if (in.read() < 0) {
                    s.close();
                } else {
                    open++;
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                open++;
            } catch (IOException reset) {
                s.close();
            }
        }
        return open;
    }
}
