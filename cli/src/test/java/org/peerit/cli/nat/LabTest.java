package org.peerit.cli.nat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the lab test classes share: a fresh {@link NatLab} and the {@link LabSwarm} in it for each test, torn down
 * after it. Each class still says in its own {@code @BeforeAll} which tests {@link NatLab#requireForTests} skips.
 */
abstract class LabTest {
    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    static final long MIB = 1 << 20;

    @TempDir
    Path tmp;
    NatLab lab;
    LabSwarm swarm;

    @BeforeEach
    void build() throws Exception {
        lab = new NatLab(Files.createDirectories(tmp.resolve("logs")));
        swarm = new LabSwarm(lab, REPO, tmp);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }
}
