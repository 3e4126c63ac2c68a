package org.peerit.cli;

import org.peerit.protocol.ByteSize;
import picocli.CommandLine;

/** Parses sizes like {@code 512K}, {@code 20M}, {@code 1G} (binary units) or plain bytes. */
final class ByteSizeConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        try {
            return ByteSize.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
