package org.peerit.protocol;

import java.util.Locale;

/** Sizes as people type them: {@code 512K}, {@code 20M}, {@code 1G} (binary units), {@code 20MiB}, or plain bytes. */
public final class ByteSize {
    private ByteSize() {
    }

    /** The number of bytes {@code value} names; {@link IllegalArgumentException} with a usable message if none. */
    public static long parse(String value) {
        String s = value.strip().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("B")) {
            s = s.substring(0, s.length() - 1);
        }
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                default -> unit = 1;
            }
        }
        if (unit != 1) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            double number = Double.parseDouble(s);
            if (number < 0 || Double.isNaN(number) || number * unit > Long.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (long) (number * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a size; use bytes or K/M/G, e.g. 20M");
        }
    }
}
