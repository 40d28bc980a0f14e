package paxos.impl.health;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import paxos.api.GroupState;
import paxos.api.GroupStatus;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.PaxosNode;
import paxos.api.PeerInfo;
import paxos.api.StateMachineInfo;

/**
 * The node's health: five checks over one {@link PaxosNode} and its data directory, each UP or
 * DOWN with a one-line detail; the node is UP iff every check is. Thresholds are the constants
 * below (documented in the README, platform section, {@code /paxos/health}).
 *
 * <p>Thread-safe ({@link #run()} is synchronized: it keeps since-when state for waiting state
 * machines); cheap (status snapshots and one file-system query), never blocks on the network.
 */
public final class HealthChecks {
    /** Execution lag (chosen − executed) of a group at or above which it is DOWN. */
    public static final long EXECUTION_LAG_MAX = 10_000;
    /** How long a state machine (or a group) may wait for a state machine before it is DOWN. */
    public static final Duration WAITING_MAX = Duration.ofSeconds(60);
    /** Free space floor: DOWN below the smaller of this and {@link #DISK_FREE_FRACTION_MIN} of the disk. */
    public static final long DISK_FREE_BYTES_MIN = 1L << 30;
    /** Free space floor as a fraction of the file system's size (for disks smaller than 20 GiB). */
    public static final double DISK_FREE_FRACTION_MIN = 0.05;
    /** At most this many offenders are named in one check's detail. */
    private static final int DETAIL_ITEMS_MAX = 5;

    /** Usable and total bytes of a file system. */
    public record Space(long usableBytes, long totalBytes) {}

    /** A checkpoint transfer as the {@code checkpointTransfers} check sees it; {@code what} names it for the operator. */
    public record Transfer(long id, String what, long bytes, boolean running) {}

    /** One check's outcome. */
    public record Check(String name, boolean up, String detail) {}

    /** Every check's outcome; {@code up} iff all are. */
    public record Result(boolean up, List<Check> checks) {
        /** Defensive copy. */
        public Result {
            checks = List.copyOf(checks);
        }

        /** {@code {"status":"UP|DOWN","checks":[{"name","status","detail"},...]}} as JSON-ready maps. */
        public Map<String, Object> toMap() {
            List<Object> list = new ArrayList<>();
            for (Check c : checks) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", c.name());
                m.put("status", c.up() ? "UP" : "DOWN");
                m.put("detail", c.detail());
                list.add(m);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("status", up ? "UP" : "DOWN");
            out.put("checks", list);
            return out;
        }
    }

    private final PaxosNode node;
    private final Path dataDir;
    private final Function<Path, Space> disk;
    private final LongSupplier nanoClock;
    private final java.util.function.Supplier<List<Transfer>> transfers;
    private final TransferProgress transferProgress = new TransferProgress();
    /** "group/stateMachineId" -> System.nanoTime() when first seen waiting. */
    private final Map<String, Long> waitingSince = new HashMap<>();

    /** Checks on the real file system and clock. */
    public HealthChecks(PaxosNode node, Path dataDir) {
        this(node, dataDir, HealthChecks::space, System::nanoTime);
    }

    /**
     * Also checks checkpoint transfers: {@code transfers} gives, per transfer, its ID, a name for
     * the operator, bytes moved so far and whether it runs (see {@link TransferProgress}).
     */
    public HealthChecks(PaxosNode node, Path dataDir, java.util.function.Supplier<List<Transfer>> transfers) {
        this(node, dataDir, HealthChecks::space, System::nanoTime, transfers);
    }

    /** For tests: the disk and the monotonic clock (nanoseconds) are given. */
    public HealthChecks(PaxosNode node, Path dataDir, Function<Path, Space> disk, LongSupplier nanoClock) {
        this(node, dataDir, disk, nanoClock, List::of);
    }

    HealthChecks(PaxosNode node, Path dataDir, Function<Path, Space> disk, LongSupplier nanoClock,
                 java.util.function.Supplier<List<Transfer>> transfers) {
        this.transfers = Objects.requireNonNull(transfers, "transfers");
        this.node = Objects.requireNonNull(node, "node");
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        this.disk = Objects.requireNonNull(disk, "disk");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /** Runs every check now. */
    public synchronized Result run() {
        List<GroupStatus> groups = new ArrayList<>();
        for (int g = 0; g < node.groupCount(); g++) groups.add(node.status(g));
        List<Check> checks = List.of(groupsRunning(groups), quorum(), executionLag(groups), stateMachines(groups), diskSpace(),
                transferProgress.check(transfers.get(), nanoClock.getAsLong()));
        return new Result(checks.stream().allMatch(Check::up), checks);
    }

    /** Every group RUNNING; a WAITING group is left to the stateMachines check and its grace time. */
    private static Check groupsRunning(List<GroupStatus> groups) {
        List<String> bad = new ArrayList<>();
        for (GroupStatus s : groups)
            if (s.state() != GroupState.RUNNING && s.state() != GroupState.WAITING)
                bad.add("group " + s.group() + " " + s.state() + (s.failure() == null ? "" : " (" + s.failure() + ")"));
        return check("groupsRunning", bad, groups.size() + " groups running");
    }

    /** Per group: this node (if a voter) plus the reachable voting peers make a majority of voters. */
    private Check quorum() {
        Set<Integer> reachable = new HashSet<>();
        for (PeerInfo p : node.peers()) if (p.reachable()) reachable.add(p.nodeId());
        List<String> bad = new ArrayList<>();
        String ok = "";
        for (int g = 0; g < node.groupCount(); g++) {
            Membership m = node.membership(g);
            int up = 0;
            for (Member member : m.members())
                if (member.role() == MemberRole.VOTER && (member.nodeId() == node.nodeId() || reachable.contains(member.nodeId()))) up++;
            if (up < m.quorum()) bad.add("group " + g + ": " + up + " of " + m.voters() + " voters reachable, need " + m.quorum());
            else ok = up + " of " + m.voters() + " voters reachable";
        }
        return check("quorum", bad, ok);
    }

    private static Check executionLag(List<GroupStatus> groups) {
        List<String> bad = new ArrayList<>();
        long max = 0;
        for (GroupStatus s : groups) {
            long lag = Math.max(0, s.chosenInstance() - s.executedInstance());
            max = Math.max(max, lag);
            if (lag >= EXECUTION_LAG_MAX) bad.add("group " + s.group() + " lag " + lag);
        }
        return check("executionLag", bad, "max lag " + max + " < " + EXECUTION_LAG_MAX);
    }

    /** No state machine FAILED or DIVERGED; none waited for (not deployed) longer than {@link #WAITING_MAX}. */
    private Check stateMachines(List<GroupStatus> groups) {
        long now = nanoClock.getAsLong();
        Set<String> waitingNow = new HashSet<>();
        List<String> bad = new ArrayList<>();
        for (GroupStatus s : groups) {
            Set<Integer> waiting = new HashSet<>(s.waitingFor());
            for (StateMachineInfo i : s.stateMachines()) {
                if (i.state() == StateMachineInfo.State.FAILED || i.state() == StateMachineInfo.State.DIVERGED)
                    bad.add("group " + s.group() + " state machine " + i.id() + " " + i.state());
                if (i.state() == StateMachineInfo.State.WAITING) waiting.add(i.id());
            }
            for (int id : waiting) {
                String key = s.group() + "/" + id;
                waitingNow.add(key);
                long since = waitingSince.computeIfAbsent(key, k -> now);
                long seconds = (now - since) / 1_000_000_000L;
                if (now - since > WAITING_MAX.toNanos())
                    bad.add("group " + s.group() + " waiting for state machine " + id + " for " + seconds + " s");
            }
        }
        waitingSince.keySet().retainAll(waitingNow); // a wait that ended starts from zero next time
        return check("stateMachines", bad, waitingNow.isEmpty() ? "none failed, diverged or waiting"
                : "none failed or diverged; " + waitingNow.size() + " waiting for less than " + WAITING_MAX.toSeconds() + " s");
    }

    private Check diskSpace() {
        Space s;
        try {
            s = disk.apply(dataDir);
        } catch (RuntimeException e) {
            return new Check("diskSpace", false, "cannot read the file system of " + dataDir + ": " + e.getMessage());
        }
        long floor = Math.min(DISK_FREE_BYTES_MIN, (long) (s.totalBytes() * DISK_FREE_FRACTION_MIN));
        String detail = mib(s.usableBytes()) + " MiB free of " + mib(s.totalBytes()) + " MiB at " + dataDir
                + ", floor " + mib(floor) + " MiB";
        return new Check("diskSpace", s.usableBytes() >= floor, detail);
    }

    private static Check check(String name, List<String> bad, String ok) {
        if (bad.isEmpty()) return new Check(name, true, ok);
        String detail = String.join("; ", bad.subList(0, Math.min(bad.size(), DETAIL_ITEMS_MAX)));
        int more = bad.size() - DETAIL_ITEMS_MAX;
        return new Check(name, false, more > 0 ? detail + "; and " + more + " more" : detail);
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }

    /** The file system holding {@code dir} (or its nearest existing ancestor). */
    static Space space(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) p = p.getParent();
        try {
            FileStore store = Files.getFileStore(p == null ? dir.toAbsolutePath().getRoot() : p);
            return new Space(store.getUsableSpace(), store.getTotalSpace());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
