package org.peerit.daemon.session;

import io.netty.channel.Channel;

import java.util.concurrent.TimeUnit;

/** Runs an action once after a delay, however often it is asked to while one run is pending. */
final class Wake {
    private final Channel channel;
    private final Runnable action;
    private boolean scheduled;

    Wake(Channel channel, Runnable action) {
        this.channel = channel;
        this.action = action;
    }

    void after(long nanos) {
        if (!scheduled) {
            scheduled = true;
            channel.eventLoop().schedule(() -> {
                scheduled = false;
                action.run();
            }, nanos, TimeUnit.NANOSECONDS);
        }
    }
}
