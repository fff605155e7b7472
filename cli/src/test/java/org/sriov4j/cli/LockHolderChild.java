package org.sriov4j.cli;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * A process that holds a function's lock file the way a sriov4j lease holder does (a POSIX lock on the whole file and
 * its own pid, start time and description written into it), for {@link CliReleaseTest}: {@code LockHolderChild
 * LOCKFILE DESCRIPTION} prints {@code LOCKED} and sleeps until it is killed.
 */
public final class LockHolderChild {

    private LockHolderChild() {
    }

    /**
     * Runs the child.
     *
     * @param args the lock file and the holder description
     * @throws Exception if the lock cannot be taken
     */
    public static void main(String[] args) throws Exception {
        FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock = ch.tryLock();
        if (lock == null) {
            System.out.println("BUSY");
            return;
        }
        ProcessHandle me = ProcessHandle.current();
        String text = "sriov4j-lock 1\npid=" + me.pid() + "\nstart=" + me.info().startInstant().orElseThrow()
                + "\nsince=" + Instant.now() + "\nholder=" + args[1] + "\n";
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(true);
        System.out.println("LOCKED");
        System.out.flush();
        while (true) {
            Thread.sleep(60_000);
        }
    }
}
