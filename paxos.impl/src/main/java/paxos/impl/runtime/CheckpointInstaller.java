package paxos.impl.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import paxos.api.MasterInfo;

/**
 * Replaces state machines' data directories with verified checkpoint files, atomically per group:
 * a crash at any point leaves every state machine of the group with either its old directory or
 * the new one, all the same (never a mix), once {@link #recoverFiles} ran at the next start.
 *
 * <p><b>Steps.</b> The received files sit in {@code <target>.ckpt-incoming} beside each target (same
 * file system, so renames are atomic). {@link #install}: (1) a marker {@code group-<g>.install} in
 * the node's checkpoint directory records the targets, state {@code PREPARED}; (2) each target is
 * renamed to {@code <target>.ckpt-old} and the incoming directory to the target; (3) the marker is
 * rewritten as {@code DONE} with the new positions and master (the executed-requests table
 * written beside it first, {@code group-<g>.requests}); (4) the caller records the positions
 * in the log's metadata; (5) old directories and the marker are deleted ({@link #finish}). Every
 * file and rename is synced before the next step.
 *
 * <p><b>Recovery.</b> {@code PREPARED}: roll back (restore each {@code .ckpt-old}, drop new and
 * incoming directories). {@code DONE}: roll forward (drop {@code .ckpt-old}); the marker stays until
 * the engine recorded its positions ({@link #completed}, then {@link #finish}).
 *
 * <p>Threads: one install or recovery per group at a time (the engine's checkpoint thread for that
 * group, or the starting thread). Failures throw {@link IOException} naming the path.
 */
final class CheckpointInstaller {
    private static final System.Logger LOG = System.getLogger(CheckpointInstaller.class.getName());
    static final String INCOMING = ".ckpt-incoming";
    static final String OLD = ".ckpt-old";

    /** Test hook: called after each step with its name; throwing from it simulates a crash there. */
    interface CrashHook {
        void at(String step) throws IOException;

        CrashHook NONE = step -> {};
    }

    /** One state machine's target directory. */
    record Target(int stateMachineId, Path directory) {
        Path incoming() {
            return directory.resolveSibling(directory.getFileName() + INCOMING);
        }

        Path old() {
            return directory.resolveSibling(directory.getFileName() + OLD);
        }
    }

    /**
     * An install that completed but whose positions the engine has not recorded yet; {@code requests}
     * is {@code null} for a marker written before the table was kept beside it.
     */
    record Completed(List<Long> positions, List<Integer> ids, MasterInfo master, java.util.Map<Integer, String> versions,
                     CheckpointRequests requests) {}

    private final Path markers;
    private volatile CrashHook hook = CrashHook.NONE;

    /** @param markers the node's checkpoint directory (created if missing) */
    CheckpointInstaller(Path markers) {
        this.markers = markers;
    }

    void crashHook(CrashHook h) {
        hook = h;
    }

    Path marker(int group) {
        return markers.resolve("group-" + group + ".install");
    }

    /**
     * Steps 1-3: afterwards the new directories are in place and the marker says {@code DONE}.
     *
     * @param positions the checkpoint instance of each target, same order
     */
    void install(int group, List<Target> targets, List<Long> positions, MasterInfo master) throws IOException {
        long lowest = positions.stream().mapToLong(Long::longValue).min().orElse(-1);
        install(group, targets, positions, master, java.util.Map.of(), new CheckpointRequests(lowest, java.util.Map.of()));
    }

    /**
     * {@link #install(int, List, List, MasterInfo)} recording the state machine versions in force
     * and the executed-requests table too (in {@code group-<g>.requests}, synced before the marker
     * says {@code DONE}).
     */
    void install(int group, List<Target> targets, List<Long> positions, MasterInfo master,
                 java.util.Map<Integer, String> versions, CheckpointRequests requests) throws IOException {
        for (Target t : targets) {
            if (!Files.isDirectory(t.incoming())) throw new IOException("no received checkpoint in " + t.incoming());
            deleteTree(t.old()); // a leftover of an earlier, already recovered install
        }
        writeMarker(group, "PREPARED", targets, null, null, java.util.Map.of());
        hook.at("prepared");
        for (Target t : targets) {
            if (Files.exists(t.directory())) {
                Files.move(t.directory(), t.old(), StandardCopyOption.ATOMIC_MOVE);
                syncDirectory(t.directory().getParent());
            }
            hook.at("moved-old-" + t.stateMachineId());
            Files.move(t.incoming(), t.directory(), StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(t.directory().getParent());
            hook.at("moved-new-" + t.stateMachineId());
        }
        writeAtomically(requestsFile(group), requests.encode());
        writeMarker(group, "DONE", targets, positions, master, versions);
        hook.at("done");
    }

    /** Step 5: deletes the old directories and the marker. */
    void finish(int group) throws IOException {
        Optional<Marker> m = readMarker(group);
        if (m.isPresent()) for (Target t : m.get().targets) deleteTree(t.old());
        Files.deleteIfExists(requestsFile(group));
        Files.deleteIfExists(marker(group));
        syncDirectory(markers);
    }

    /**
     * At start, before any state machine opens its files: rolls a half-done install of
     * {@code group} back, or a completed one forward. Deletes leftover incoming directories of the
     * targets it knows.
     */
    void recoverFiles(int group) throws IOException {
        Optional<Marker> found = readMarker(group);
        if (found.isEmpty()) return;
        Marker m = found.get();
        if (m.state.equals("DONE")) {
            for (Target t : m.targets) deleteTree(t.old());
            LOG.log(System.Logger.Level.INFO, "group {0}: finished a checkpoint install interrupted after its last rename", group);
            return;
        }
        for (int i = 0; i < m.targets.size(); i++) {
            Target t = m.targets.get(i);
            if (Files.exists(t.old())) { // the old directory was moved aside: whatever is at the target is new
                deleteTree(t.directory());
                Files.move(t.old(), t.directory(), StandardCopyOption.ATOMIC_MOVE);
            } else if (!m.hadOld.get(i) && Files.exists(t.directory()) && !Files.exists(t.incoming())) {
                deleteTree(t.directory()); // there was no old directory; this one is the new
            }
            deleteTree(t.incoming());
            syncDirectory(t.directory().getParent());
        }
        Files.deleteIfExists(requestsFile(group));
        Files.deleteIfExists(marker(group));
        syncDirectory(markers);
        LOG.log(System.Logger.Level.WARNING, "group {0}: rolled back a checkpoint install interrupted before it completed", group);
    }

    /** The positions of a completed install not yet recorded by the engine, if any. */
    Optional<Completed> completed(int group) throws IOException {
        Optional<Marker> m = readMarker(group);
        if (m.isEmpty() || !m.get().state.equals("DONE")) return Optional.empty();
        List<Integer> ids = m.get().targets.stream().map(Target::stateMachineId).toList();
        CheckpointRequests requests = null;
        try {
            requests = CheckpointRequests.decode(Files.readAllBytes(requestsFile(group)));
        } catch (NoSuchFileException e) {
            // a marker of a version that kept no table
        } catch (IllegalArgumentException e) {
            throw new IOException("unreadable executed-requests table " + requestsFile(group) + ": " + e.getMessage(), e);
        }
        return Optional.of(new Completed(m.get().positions, ids, m.get().master, m.get().versions, requests));
    }

    Path requestsFile(int group) {
        return markers.resolve("group-" + group + ".requests");
    }

    // ------------------------------------------------------------------ the marker file

    private record Marker(String state, List<Target> targets, List<Boolean> hadOld, List<Long> positions, MasterInfo master,
                          java.util.Map<Integer, String> versions) {}

    private void writeMarker(int group, String state, List<Target> targets, List<Long> positions, MasterInfo master,
                             java.util.Map<Integer, String> versions) throws IOException {
        Files.createDirectories(markers);
        StringBuilder s = new StringBuilder("paxos-checkpoint-install 1\n").append(state).append('\n');
        MasterInfo mi = master == null ? MasterInfo.NONE : master;
        s.append(mi.nodeId()).append(' ').append(mi.version()).append(' ').append(mi.leaseMillis());
        versions.forEach((id, v) -> s.append(' ').append(id).append('=').append(v)); // version labels hold no blanks
        s.append('\n');
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            boolean hadOld = state.equals("PREPARED") ? Files.exists(t.directory()) : true;
            long p = positions == null ? -1 : positions.get(i);
            s.append(t.stateMachineId()).append(' ').append(p).append(' ').append(hadOld).append(' ')
                    .append(t.directory().toAbsolutePath()).append('\n');
        }
        writeAtomically(marker(group), s.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to {@code target} through a synced temporary file and an atomic rename. */
    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Files.createDirectories(markers);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(markers);
    }

    private Optional<Marker> readMarker(int group) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(marker(group), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.size() < 3 || !lines.get(0).equals("paxos-checkpoint-install 1"))
            throw new IOException("unreadable checkpoint install marker " + marker(group));
        String[] mf = lines.get(2).split(" ");
        MasterInfo master = new MasterInfo(Integer.parseInt(mf[0]), Long.parseLong(mf[1]), Long.parseLong(mf[2]));
        java.util.Map<Integer, String> versions = new java.util.TreeMap<>();
        for (int i = 3; i < mf.length; i++) {
            String[] kv = mf[i].split("=", 2);
            versions.put(Integer.parseInt(kv[0]), kv[1]);
        }
        List<Target> targets = new ArrayList<>();
        List<Boolean> hadOld = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        for (String line : lines.subList(3, lines.size())) {
            if (line.isBlank()) continue;
            String[] f = line.split(" ", 4);
            targets.add(new Target(Integer.parseInt(f[0]), Path.of(f[3])));
            positions.add(Long.parseLong(f[1]));
            hadOld.add(Boolean.parseBoolean(f[2]));
        }
        return Optional.of(new Marker(lines.get(1), targets, hadOld, positions, master, versions));
    }

    // ------------------------------------------------------------------ files

    static void syncDirectory(Path dir) {
        if (dir == null) return;
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some platforms cannot sync a directory; the rename is still atomic
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
