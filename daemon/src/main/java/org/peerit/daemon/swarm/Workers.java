package org.peerit.daemon.swarm;

import io.netty.channel.EventLoop;

import java.util.concurrent.ExecutorService;

/**
 * The engine's threads: the one event loop all swarm state lives on, and the pools for work that must not block it
 * (hashing; file-system checks and opening; saving, one thread so that saves stay in order).
 */
record Workers(EventLoop loop, ExecutorService hashing, ExecutorService blocking, ExecutorService saving) {
}
