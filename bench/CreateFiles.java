import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file system's floor for a folder download, for bench/folders: creates N files of SIZE bytes in DIR as a
 * download does (exclusively, one positional write each) and prints the wall time. Run: java CreateFiles.java DIR N SIZE
 */
public final class CreateFiles {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        int n = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        ByteBuffer data = ByteBuffer.allocate(size);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try (FileChannel ch = FileChannel.open(dir.resolve("f-" + i), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ch.write(data.clear(), 0);
            }
        }
        System.out.printf("%.3f%n", (System.nanoTime() - start) / 1e9);
    }
}
