package org.peerit.daemon.download;

/** One request-sized piece of a chunk. */
public record Block(int chunk, int offset, int length) {
}
