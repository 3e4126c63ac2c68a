package org.peerit.protocol.manifest;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitor;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;

/**
 * What a folder holds, for sharing it: its regular files and its empty folders, in a fixed order (by path, segment by
 * segment), so one tree always makes one manifest. Symbolic links are not followed and special files (devices,
 * sockets, pipes) not read: each is skipped, and named in {@link #skipped}, so the user can see what was left out.
 */
public record FolderScan(Path root, List<Entry> files, List<List<String>> emptyFolders, List<String> skipped) {

    /** A regular file: its path below the root, as segments, and where it is now. */
    public record Entry(List<String> path, Path source, long size) {
    }

    private static final Comparator<List<String>> BY_PATH = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    public FolderScan {
        files = List.copyOf(files);
        emptyFolders = List.copyOf(emptyFolders);
        skipped = List.copyOf(skipped);
    }

    public long totalSize() {
        return files.stream().mapToLong(Entry::size).sum();
    }

    /** Walks {@code root} (a directory, not followed if it is a link), refusing more than the manifest rules allow. */
    public static FolderScan of(Path root) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(root + " is not a directory");
        }
        List<Entry> files = new ArrayList<>();
        List<List<String>> empty = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Deque<String> where = new ArrayDeque<>();
        Deque<int[]> kept = new ArrayDeque<>(); // per open folder: how many entries it keeps
        Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), ManifestRules.MAX_DEPTH + 1,
                new FileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        if (!dir.equals(root)) {
                            where.addLast(dir.getFileName().toString());
                        }
                        kept.push(new int[1]);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        String shown = relative(where, file.getFileName().toString());
                        if (attrs.isDirectory()) {
                            // only past the depth limit does the walk report a folder as a file
                            throw new IOException(root + ": '" + shown + "' is more than " + ManifestRules.MAX_DEPTH
                                    + " folders deep");
                        }
                        if (attrs.isSymbolicLink()) {
                            skipped.add(shown + " (a symbolic link: not followed)");
                        } else if (!attrs.isRegularFile()) {
                            skipped.add(shown + " (not a regular file)");
                        } else {
                            List<String> path = new ArrayList<>(where);
                            path.add(file.getFileName().toString());
                            files.add(new Entry(List.copyOf(path), file, attrs.size()));
                            kept.peek()[0]++;
                            limit();
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        throw new IOException("cannot read " + file + ": " + reason(e), e);
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                        if (e != null) {
                            throw new IOException("cannot read " + dir + ": " + reason(e), e);
                        }
                        boolean isEmpty = kept.pop()[0] == 0;
                        if (!dir.equals(root)) {
                            if (isEmpty) {
                                empty.add(List.copyOf(where));
                                limit();
                            }
                            where.removeLast();
                            kept.peek()[0]++;
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    private void limit() throws IOException {
                        if (files.size() + empty.size() > ManifestRules.MAX_ENTRIES) {
                            throw new IOException(root + " holds more than " + ManifestRules.MAX_ENTRIES
                                    + " files and folders, more than one manifest may list; share its parts");
                        }
                    }
                });
        files.sort(Comparator.comparing(Entry::path, BY_PATH));
        empty.sort(BY_PATH);
        return new FolderScan(root, files, empty, skipped);
    }

    private static String relative(Deque<String> where, String name) {
        List<String> path = new ArrayList<>(where);
        path.add(name);
        return ManifestRules.printablePath(String.join("/", path));
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
