package org.peerit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The completion script covers every command and option, and bash accepts it and completes with it. */
class CompletionCommandTest {
    @TempDir
    Path tmp;

    private static String run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertEquals(0, Peerit.commandLine().execute(args));
        } finally {
            System.setOut(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void bashCompletesCommandsAndOptions() throws Exception {
        String script = run("completion", "bash");
        for (String word : new String[]{"register", "download", "status", "--dht-bootstrap", "--no-lan", "--only"}) {
            assertTrue(script.contains(word), "the script knows " + word);
        }
        Path file = Files.writeString(tmp.resolve("peerit.bash"), script);
        // What a user's shell does: source it, then ask for the completions of "peerit daemon 1 --no-".
        Process bash = new ProcessBuilder("bash", "-c", "source " + file + " && COMP_WORDS=(peerit daemon 1 --no-) "
                + "&& COMP_CWORD=3 && _complete_peerit && printf '%s\\n' \"${COMPREPLY[@]}\"").redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bash.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, bash.exitValue(), out);
        assertTrue(out.contains("--no-dht") && out.contains("--no-lan"), out);
    }

    @Test
    void zshGetsTheSameScriptThroughBashcompinit() {
        String script = run("completion", "zsh");
        assertTrue(script.startsWith("autoload -U +X compinit && compinit"), script.substring(0, 80));
        assertTrue(script.contains("bashcompinit") && script.contains("register"));
    }
}
