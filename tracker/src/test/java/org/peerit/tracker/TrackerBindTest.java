package org.peerit.tracker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.Test;
import org.peerit.protocol.net.Transport;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tracker on port 0 binds TCP to the number its UDP socket got and tries another when that number is taken for
 * TCP; that only works if a taken port is recognised in the form each transport reports it.
 */
class TrackerBindTest {
    @Test
    void aTakenPortIsRecognisedWhicheverTransportReportsIt() throws Exception {
        for (Transport transport : List.of(Transport.best(), Transport.nio())) {
            EventLoopGroup group = transport.newGroup(1, "bind-test");
            try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                ChannelFuture bind = new ServerBootstrap().group(group).channel(transport.serverChannel())
                        .childHandler(new ChannelInboundHandlerAdapter())
                        .bind(InetAddress.getLoopbackAddress(), taken.getLocalPort()).await();
                Throwable cause = bind.cause();
                assertNotNull(cause, transport.name() + " bound a port that is taken");
                assertInstanceOf(Exception.class, cause);
                assertTrue(Tracker.isAddressInUse((Exception) cause), transport.name() + " reported " + cause);
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }
}
