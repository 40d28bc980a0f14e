package paxos.api.statemachine;

import java.nio.file.Path;
import java.util.List;

/**
 * A frozen checkpoint: its position and its files.
 *
 * @param instance every command of every instance up to and including it is applied in these
 *     files; {@code >= -1}
 * @param directory the root the file names are relative to
 * @param files relative paths (with {@code /} separators, no {@code ..}) of the regular files
 *     that make up the checkpoint
 */
public record CheckpointFiles(long instance, Path directory, List<String> files) {
    /** Defensive copy; rejects paths that escape the directory. */
    public CheckpointFiles {
        files = List.copyOf(files);
        for (String f : files) {
            if (f.startsWith("/") || f.contains("..") || f.contains("\\"))
                throw new IllegalArgumentException("checkpoint file must be a plain relative path: " + f);
        }
    }
}
