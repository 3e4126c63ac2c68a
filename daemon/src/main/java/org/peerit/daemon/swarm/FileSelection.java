package org.peerit.daemon.swarm;

import org.peerit.protocol.manifest.ContentFile;
import org.peerit.protocol.manifest.Manifest;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Which files of a folder a download wants, from its {@code --only} glob patterns: a pattern without {@code /}
 * matches a file's name at any depth ({@code *.flac}), one with {@code /} its path below the folder
 * ({@code disc1/**}), as rsync and .gitignore read them. No pattern: every file.
 */
final class FileSelection {
    private FileSelection() {
    }

    static BitSet wanted(Manifest m, List<String> only) throws IOException {
        List<ContentFile> files = m.contentFiles();
        BitSet wanted = new BitSet(files.size());
        if (only.isEmpty()) {
            wanted.set(0, files.size());
            return wanted;
        }
        if (!m.isFolder()) {
            throw new IOException("--only picks files of a folder; " + m.name() + " is one file");
        }
        List<PathMatcher> byName = new ArrayList<>();
        List<PathMatcher> byPath = new ArrayList<>();
        for (String glob : only) {
            try {
                PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
                (glob.contains("/") ? byPath : byName).add(matcher);
            } catch (IllegalArgumentException e) { // PatternSyntaxException among others
                throw new IOException("--only '" + glob + "' is not a valid pattern: " + e.getMessage());
            }
        }
        for (ContentFile f : files) {
            List<String> below = f.path().subList(1, f.path().size());
            Path name = Path.of(below.get(below.size() - 1));
            Path path = Path.of(below.get(0), below.subList(1, below.size()).toArray(String[]::new));
            if (byName.stream().anyMatch(p -> p.matches(name)) || byPath.stream().anyMatch(p -> p.matches(path))) {
                wanted.set(f.index());
            }
        }
        if (wanted.isEmpty()) {
            throw new IOException("--only " + String.join(" --only ", only) + " matches none of the " + files.size()
                    + " files of " + m.name() + " (patterns match paths below the folder, such as disc1/*.flac)");
        }
        return wanted;
    }
}
