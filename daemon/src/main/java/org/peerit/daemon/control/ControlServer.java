package org.peerit.daemon.control;

import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.peerit.daemon.DaemonPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's control socket: a Unix domain socket (mode 0600 in a 0700 directory) that serves only processes of
 * the daemon's own user (or root), checked with the peer's credentials. One thread per CLI connection; there are
 * never many.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final int REQUEST_TIMEOUT_MILLIS = 10_000;

    private final Path socketPath;
    private final AFUNIXServerSocket server;
    private final ControlHandler handler;
    private final ExecutorService connections;
    private final Thread acceptor;
    private final int uid = DaemonPaths.currentUid();
    private volatile boolean closed;

    public ControlServer(Path socketPath, ControlHandler handler) throws IOException {
        this.socketPath = socketPath;
        this.handler = handler;
        refuseIfRunning(socketPath);
        Files.deleteIfExists(socketPath); // a stale socket from a daemon that died
        this.server = AFUNIXServerSocket.newInstance();
        server.bind(AFUNIXSocketAddress.of(socketPath));
        Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
        this.connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "peerit-control");
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "peerit-control-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void refuseIfRunning(Path socketPath) throws IOException {
        if (!Files.exists(socketPath)) {
            return;
        }
        try (AFUNIXSocket probe = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socketPath))) {
            throw new IOException("a daemon is already running on " + socketPath + "; stop it first (peerit stop N)");
        } catch (SocketException e) {
            // nobody listening: the file is stale
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                AFUNIXSocket socket = server.accept();
                connections.execute(() -> serve(socket));
            } catch (IOException e) {
                if (!closed) {
                    log.warn("control socket accept failed: {}", e.getMessage());
                }
            }
        }
    }

    private void serve(AFUNIXSocket socket) {
        try (socket) {
            long peerUid = socket.getPeerCredentials().getUid();
            if (peerUid != uid && peerUid != 0) {
                log.warn("refused a control connection from uid {}", peerUid);
                return;
            }
            socket.setSoTimeout(REQUEST_TIMEOUT_MILLIS); // a client that never sends its request does not hold a thread
            handler.serve(socket.getInputStream(), socket.getOutputStream());
        } catch (IOException e) {
            log.debug("control connection ended: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        connections.shutdownNow();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException ignored) {
            // a stale socket is removed by the next daemon
        }
    }
}
