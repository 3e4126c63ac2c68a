package org.peerit.protocol.wire;

/** The type byte that starts every non-empty frame. */
final class MessageType {
    static final byte HANDSHAKE = 0;
    static final byte BITFIELD = 1;
    static final byte HAVE = 2;
    static final byte INTERESTED = 3;
    static final byte NOT_INTERESTED = 4;
    static final byte CHOKE = 5;
    static final byte UNCHOKE = 6;
    static final byte REQUEST = 7;
    static final byte PIECE = 8;
    static final byte CANCEL = 9;
    static final byte PEX = 10;
    static final byte METADATA_REQUEST = 11;
    static final byte METADATA_PIECE = 12;
    static final byte METADATA_REJECT = 13;
    static final byte NAT_ENDPOINTS = 14;
    static final byte PUNCH_PEERS = 15;
    static final byte PUNCH_ASK = 16;
    static final byte PUNCH_GO = 17;
    static final byte PUNCH_FAIL = 18;

    /** "PEERIT" in ASCII, at the start of every handshake so a stray connection is refused at once. */
    static final byte[] MAGIC = {'P', 'E', 'E', 'R', 'I', 'T'};
    static final int HANDSHAKE_BODY = MAGIC.length + 2 + 32 + 32 + 2;

    private MessageType() {
    }
}
