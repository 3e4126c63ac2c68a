package org.peerit.daemon.swarm;

/** One request-sized piece of a chunk. */
public record Block(int chunk, int offset, int length) {
}
