package org.sriov4j.cli;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A process that holds a function's lock file the way a sriov4j lease holder does (a POSIX lock on the whole file and
 * its own pid, start time and description written into it), for {@link CliReleaseTest}: {@code LockHolderChild
 * LOCKFILE DESCRIPTION [LOCKFILE...]} locks every file (one process holding several functions, as {@code lease A B
 * --hold} does), prints {@code LOCKED} and sleeps until it is killed.
 */
public final class LockHolderChild {

    private LockHolderChild() {
    }

    /**
     * Runs the child.
     *
     * @param args the lock file, the holder description and more lock files
     * @throws Exception if a lock cannot be taken
     */
    public static void main(String[] args) throws Exception {
        List<FileLock> locks = new ArrayList<>();
        for (int i = 0; i < args.length; i = i == 0 ? 2 : i + 1) {
            FileChannel ch = FileChannel.open(Path.of(args[i]), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                System.out.println("BUSY");
                return;
            }
            locks.add(lock);
            ProcessHandle me = ProcessHandle.current();
            String text = "sriov4j-lock 1\npid=" + me.pid() + "\nstart=" + me.info().startInstant().orElseThrow()
                    + "\nsince=" + Instant.now() + "\nholder=" + args[1] + "\n";
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(true);
        }
        System.out.println("LOCKED");
        System.out.flush();
        while (true) {
            Thread.sleep(60_000);
        }
    }
}
