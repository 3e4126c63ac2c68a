package org.peerit.protocol.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The Netty transport to use here: native epoll on Linux when it loads, NIO elsewhere. */
public record Transport(IoHandlerFactory ioHandlerFactory, Class<? extends SocketChannel> socketChannel,
                        Class<? extends ServerChannel> serverChannel, Class<? extends DatagramChannel> datagramChannel,
                        String name) {

    public static Transport best() {
        if (Epoll.isAvailable()) {
            return new Transport(EpollIoHandler.newFactory(), EpollSocketChannel.class, EpollServerSocketChannel.class,
                    EpollDatagramChannel.class, "epoll");
        }
        return nio();
    }

    public static Transport nio() {
        return new Transport(NioIoHandler.newFactory(), NioSocketChannel.class, NioServerSocketChannel.class,
                NioDatagramChannel.class, "nio");
    }

    public EventLoopGroup newGroup(int threads, String threadPrefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix, true), ioHandlerFactory);
    }
}
