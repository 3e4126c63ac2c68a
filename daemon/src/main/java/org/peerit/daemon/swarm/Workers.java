package org.peerit.daemon.swarm;

import io.netty.channel.EventLoop;

import java.util.concurrent.ExecutorService;

/**
 * The engine's threads: the one event loop all swarm state lives on, and the pools for work that must not block it
 * (hashing; file-system checks and opening; saving, one thread so that saves stay in order; landing verified files
 * at their names, one thread however many files a folder has, and not behind the saves' fsyncs).
 */
record Workers(EventLoop loop, ExecutorService hashing, ExecutorService blocking, ExecutorService saving,
               ExecutorService landing) {
}
