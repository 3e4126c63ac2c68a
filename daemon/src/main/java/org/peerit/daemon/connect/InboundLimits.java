package org.peerit.daemon.connect;

/**
 * Caps on inbound peer connections (see {@link InboundGate}). The budget they give, worst case: a pending connection
 * holds at most one read buffer (64 KiB) for its partial handshake; an established one at most a frame being
 * received (128 KiB) plus its send queue (2 MiB, and only unchoked peers get data); so 64 pending and 256 established
 * peers hold at most 4 MiB + 32 MiB of reads, far inside a daemon's 128 MiB, whatever number of strangers knock.
 *
 * @param pending               connections without a handshake yet, in total
 * @param pendingPerAddress     the same, from one address
 * @param established           inbound peers with a handshake, in total
 * @param establishedPerAddress the same, from one address (many honest peers may share one behind a NAT)
 */
public record InboundLimits(int pending, int pendingPerAddress, int established, int establishedPerAddress) {
    public static InboundLimits defaults() {
        return new InboundLimits(64, 8, 256, 32);
    }
}
