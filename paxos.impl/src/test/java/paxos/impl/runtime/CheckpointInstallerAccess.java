package paxos.impl.runtime;

import java.io.IOException;
import java.nio.file.Path;

/** Test helper: package-private file utilities for tests in other packages. */
public final class CheckpointInstallerAccess {
    private CheckpointInstallerAccess() {}

    public static void deleteTree(Path dir) throws IOException {
        CheckpointInstaller.deleteTree(dir);
    }
}
