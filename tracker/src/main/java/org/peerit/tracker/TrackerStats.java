package org.peerit.tracker;

import java.util.concurrent.atomic.LongAdder;

/** Counters the tracker exposes on /stats and /metrics. */
public final class TrackerStats {
    public final LongAdder connects = new LongAdder();
    public final LongAdder announces = new LongAdder();
    public final LongAdder refused = new LongAdder();
    public final LongAdder badConnectionIds = new LongAdder();
    public final LongAdder malformed = new LongAdder();
    public final LongAdder expired = new LongAdder();
    public final LongAdder httpRequests = new LongAdder();
    /** HTTP requests that did not parse, and connections refused over a cap or closed at the request deadline. */
    public final LongAdder httpRefused = new LongAdder();
    public final LongAdder stun = new LongAdder();
    public final LongAdder punches = new LongAdder();
    /** Of the punches, those between a hard-NAT peer and an easy one, done by the birthday method. */
    public final LongAdder birthdays = new LongAdder();
    public final LongAdder relaysOpened = new LongAdder();
    public final LongAdder natRefused = new LongAdder();
    public final LongAdder relayedBytes = new LongAdder();
    public final LongAdder relayDropped = new LongAdder();
}
