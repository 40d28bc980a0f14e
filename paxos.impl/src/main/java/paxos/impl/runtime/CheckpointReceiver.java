package paxos.impl.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;
import paxos.api.MasterInfo;

/**
 * The receiving end of one checkpoint transfer of one group: writes every file into
 * {@code <target>.ckpt-incoming} beside each state machine's data directory, checks each chunk's
 * and each file's CRC32C and size, and acknowledges chunks (the sender's flow control). Memory is
 * one chunk at a time, whatever the checkpoint's size.
 *
 * <p>Threads: {@link #handle} is called on one serial queue per transfer (file I/O off the
 * transport threads). Any inconsistency (sequence gap after a reconnect, bad checksum, unknown
 * state machine) throws {@link TransferException}: the caller aborts, deletes the incoming
 * directories and starts a new transfer later — a clean restart, no resume.
 */
final class CheckpointReceiver {
    private final int group;
    private final long transferId;
    private final IntFunction<Path> targetOf;
    private final java.util.function.Consumer<CheckpointWire.Msg> reply;
    private final Map<Integer, CheckpointWire.Part> parts = new HashMap<>();
    private final List<CheckpointInstaller.Target> targets = new ArrayList<>();
    private MasterInfo master;
    private Map<Integer, String> versions = Map.of();
    /** The executed-requests table as it arrives, then decoded (it must, before Done). */
    private byte[] requestsBytes;
    private int requestsReceived;
    private CheckpointRequests requests;
    private byte[] membership;
    private long nextSeq;
    private FileChannel file;
    private Path filePath;
    private long fileSize;
    private long fileWritten;
    private final CRC32C fileCrc = new CRC32C();
    private int filesDone;
    private long bytesDone;
    private long bytesTotal;
    private int filesTotal;
    private boolean complete;

    /** A transfer that cannot continue; the message says why, {@link #outcome()} how it ends. */
    static final class TransferException extends Exception {
        private static final long serialVersionUID = 1L;
        private final TransferOutcome outcome;

        /** Bad data or protocol order: {@link TransferOutcome#CORRUPT}. */
        TransferException(String message) {
            this(TransferOutcome.CORRUPT, message);
        }

        TransferException(TransferOutcome outcome, String message) {
            super(message);
            this.outcome = outcome;
        }

        TransferOutcome outcome() {
            return outcome;
        }
    }

    /**
     * @param targetOf state machine ID to its data directory here, or {@code null} if this node has
     *     no checkpoint-capable state machine of that ID in the group
     * @param reply sends a message back to the sender
     */
    CheckpointReceiver(int group, long transferId, IntFunction<Path> targetOf, java.util.function.Consumer<CheckpointWire.Msg> reply) {
        this.group = group;
        this.transferId = transferId;
        this.targetOf = targetOf;
        this.reply = reply;
    }

    /** Processes one message of this transfer; returns true once the checkpoint is complete and verified. */
    boolean handle(CheckpointWire.Msg m) throws TransferException, IOException {
        if (complete) return true;
        if (m instanceof CheckpointWire.Begin b) begin(b);
        else if (m instanceof CheckpointWire.RequestsPart r) requestsPart(r);
        else if (m instanceof CheckpointWire.FileStart f) fileStart(f);
        else if (m instanceof CheckpointWire.Chunk c) chunk(c);
        else if (m instanceof CheckpointWire.FileEnd e) fileEnd(e);
        else if (m instanceof CheckpointWire.Done d) done(d);
        else if (m instanceof CheckpointWire.Abort a) throw new TransferException(TransferOutcome.PEER_ABORTED, "sender aborted: " + a.reason());
        return complete;
    }

    private void begin(CheckpointWire.Begin b) throws TransferException, IOException {
        if (master != null) throw new TransferException("second begin");
        if (b.parts().isEmpty()) throw new TransferException(TransferOutcome.UNSUPPORTED, "the sender's group has no state machine");
        for (CheckpointWire.Part p : b.parts()) {
            Path target = targetOf.apply(p.stateMachineId());
            if (target == null)
                throw new TransferException(TransferOutcome.UNSUPPORTED, "state machine " + p.stateMachineId()
                        + " of the checkpoint is not deployed here with checkpoint support");
            CheckpointInstaller.Target t = new CheckpointInstaller.Target(p.stateMachineId(), target);
            CheckpointInstaller.deleteTree(t.incoming());
            Files.createDirectories(t.incoming());
            targets.add(t);
            parts.put(p.stateMachineId(), p);
            bytesTotal += p.bytes();
            filesTotal += p.files();
        }
        master = b.master();
        versions = b.versions();
        membership = b.membership();
    }

    private void fileStart(CheckpointWire.FileStart f) throws TransferException, IOException {
        if (master == null || file != null) throw new TransferException("file out of order");
        CheckpointInstaller.Target t = targets.stream().filter(x -> x.stateMachineId() == f.stateMachineId()).findFirst()
                .orElseThrow(() -> new TransferException("file of unannounced state machine " + f.stateMachineId()));
        String name = f.name();
        if (name.isEmpty() || name.startsWith("/") || name.contains("..") || name.contains("\\") || f.size() < 0)
            throw new TransferException("bad file name or size: " + name);
        filePath = t.incoming().resolve(name);
        Files.createDirectories(filePath.getParent());
        file = FileChannel.open(filePath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        fileSize = f.size();
        fileWritten = 0;
        fileCrc.reset();
    }

    private void chunk(CheckpointWire.Chunk c) throws TransferException, IOException {
        if (c.seq() != nextSeq) throw new TransferException("chunk " + c.seq() + " arrived, expected " + nextSeq + " (lost on a reconnect?)");
        if (file == null) throw new TransferException("chunk outside a file");
        CRC32C crc = new CRC32C();
        crc.update(c.bytes());
        if ((int) crc.getValue() != c.crc32c()) throw new TransferException("chunk " + c.seq() + " fails its checksum");
        if (fileWritten + c.bytes().length > fileSize) throw new TransferException("file " + filePath.getFileName() + " longer than announced");
        ByteBuffer b = ByteBuffer.wrap(c.bytes());
        while (b.hasRemaining()) file.write(b);
        fileCrc.update(c.bytes());
        fileWritten += c.bytes().length;
        bytesDone += c.bytes().length;
        nextSeq++;
        reply.accept(new CheckpointWire.Ack(group, transferId, c.seq()));
    }

    private void fileEnd(CheckpointWire.FileEnd e) throws TransferException, IOException {
        if (file == null) throw new TransferException("file end outside a file");
        file.force(true);
        file.close();
        file = null;
        if (fileWritten != fileSize)
            throw new TransferException("file " + filePath.getFileName() + " has " + fileWritten + " bytes, announced " + fileSize);
        if ((int) fileCrc.getValue() != e.crc32c()) throw new TransferException("file " + filePath.getFileName() + " fails its checksum");
        filesDone++;
    }

    private void requestsPart(CheckpointWire.RequestsPart r) throws TransferException {
        if (master == null || requests != null) throw new TransferException("executed-requests table out of order");
        if (requestsBytes == null) requestsBytes = new byte[r.total()];
        if (r.total() != requestsBytes.length || r.offset() != requestsReceived)
            throw new TransferException("executed-requests piece at " + r.offset() + " of " + r.total() + ", expected "
                    + requestsReceived + " of " + requestsBytes.length);
        System.arraycopy(r.bytes(), 0, requestsBytes, r.offset(), r.bytes().length);
        requestsReceived += r.bytes().length;
        if (requestsReceived < requestsBytes.length) return;
        CheckpointRequests t;
        try {
            t = CheckpointRequests.decode(requestsBytes);
        } catch (IllegalArgumentException e) {
            throw new TransferException(TransferOutcome.UNSUPPORTED, "bad executed-requests table: " + e.getMessage());
        }
        // exact: the table must stand where the state machines' state stands (the lowest part, where replay resumes)
        if (t.instance() != lowestInstance())
            throw new TransferException("executed-requests table at instance " + t.instance() + ", checkpoint at " + lowestInstance());
        requests = t;
        requestsBytes = null;
    }

    private void done(CheckpointWire.Done d) throws TransferException {
        if (master == null || file != null) throw new TransferException("done out of order");
        if (requests == null) // a sender before the table (or a lost piece): installing would forget which requests ran
            throw new TransferException(TransferOutcome.UNSUPPORTED, "the checkpoint came without its executed-requests table"
                    + " (a sender of an older version?); installing it could execute a request twice");
        if (d.files() != filesDone || d.files() != filesTotal || d.bytes() != bytesDone || d.bytes() != bytesTotal)
            throw new TransferException("incomplete checkpoint: " + filesDone + "/" + filesTotal + " files, " + bytesDone + "/"
                    + bytesTotal + " bytes");
        for (CheckpointInstaller.Target t : targets) CheckpointInstaller.syncDirectory(t.incoming());
        complete = true;
    }

    /** Closes the open file and deletes every incoming directory (abort, or before a retry). */
    void discard() {
        try {
            if (file != null) file.close();
        } catch (IOException ignored) {
            // deleted below anyway
        }
        file = null;
        for (CheckpointInstaller.Target t : targets) {
            try {
                CheckpointInstaller.deleteTree(t.incoming());
            } catch (IOException ignored) {
                // the next transfer deletes it before writing
            }
        }
    }

    List<CheckpointInstaller.Target> targets() { return List.copyOf(targets); }
    MasterInfo master() { return master; }
    Map<Integer, String> versions() { return versions; }
    /** The executed-requests table at {@link #lowestInstance()}; non-null once complete. */
    CheckpointRequests requests() { return requests; }
    /** The sender's membership history (see {@code MembershipChanges}), or {@code null} from an older sender. */
    byte[] membership() { return membership; }
    long instanceOf(int id) { return parts.get(id).instance(); }
    long bytesDone() { return bytesDone; }
    long bytesTotal() { return bytesTotal; }
    int filesDone() { return filesDone; }
    int filesTotal() { return filesTotal; }

    /** The lowest checkpoint position, or -1 before the begin message. */
    long lowestInstance() {
        return parts.values().stream().mapToLong(CheckpointWire.Part::instance).min().orElse(-1);
    }
}
