package org.peerit.daemon.control;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads newline-terminated UTF-8 lines of bounded length from a stream, through a buffer. */
public final class LineReader {
    private final InputStream in;
    private final int maxLine;

    public LineReader(InputStream in, int maxLine) {
        this.in = new BufferedInputStream(in, 16 * 1024);
        this.maxLine = maxLine;
    }

    /** The next line without its newline, or null at the end of the stream. */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= maxLine) {
                throw new IOException("line longer than " + maxLine + " bytes");
            }
            line.write(b);
        }
    }
}
