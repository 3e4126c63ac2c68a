package org.peerit.tracker;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --log-dir: the log goes to a rolling file too, bounded in size per file and in all. */
class TrackerLogFileTest {
    @TempDir
    Path tmp;

    @Test
    void logsGoToARollingBoundedFile() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        var root = context.getLogger(ch.qos.logback.classic.Logger.ROOT_LOGGER_NAME);
        Path log = TrackerLogFile.start(tmp.resolve("logs"));
        try {
            LoggerFactory.getLogger(TrackerLogFileTest.class).info("a line for the file");
            assertTrue(Files.readString(log).contains("a line for the file"), Files.readString(log));
            var appender = (RollingFileAppender<?>) root.getAppender("FILE");
            var policy = (SizeAndTimeBasedRollingPolicy<?>) appender.getRollingPolicy();
            assertEquals(7, policy.getMaxHistory());
            assertTrue(policy.getFileNamePattern().endsWith("tracker.%d{yyyy-MM-dd}.%i.log"), policy.getFileNamePattern());
        } finally {
            var file = root.getAppender("FILE");
            root.detachAppender(file);
            file.stop();
        }
    }
}
