package org.peerit.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ByteSizeConverterTest {
    private final ByteSizeConverter converter = new ByteSizeConverter();

    @Test
    void readsBinaryUnits() {
        assertEquals(20L << 20, converter.convert("20M"));
        assertEquals(20L << 20, converter.convert("20MiB"));
        assertEquals(512L << 10, converter.convert("512k"));
        assertEquals(3L << 30, converter.convert("3G"));
        assertEquals(1536L << 10, converter.convert("1.5M"));
        assertEquals(1000L, converter.convert("1000"));
        assertEquals(0L, converter.convert("0"));
    }

    @Test
    void refusesNonsense() {
        for (String bad : new String[]{"", "fast", "-1M", "12X", "M"}) {
            assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert(bad), bad);
        }
    }
}
