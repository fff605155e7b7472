package org.sriov4j.spi.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;

/**
 * Exclusive ownership of one PCI function, taken with {@link FunctionLocks#tryLock}: no other thread of this JVM and
 * no other process of this host holds it until {@link #close()} (or until this process dies, when the kernel frees
 * it).
 *
 * <p>Closing releases the lock; it is idempotent and may be called from any thread. The lock file stays (see
 * {@link FunctionLocks} on why lock files are not simply deleted); its holder information is cleared first
 * (overwritten with NUL bytes). The
 * lock file's channel is kept open, unlocked, for the next lock of the same function in this JVM
 * ({@link FunctionLocks.Slot#channel}), or closed if {@link FunctionLocks#MAX_IDLE} channels are kept already.
 */
final class FunctionLock implements AutoCloseable {

    private final PciAddress device;
    private final Path file;
    private final FileChannel channel;
    private final FileLock fileLock;
    private final FunctionLocks.Holder holder;
    /** How many bytes of the file the holder text (and its padding) takes: cleared to NUL bytes on release. */
    private final int written;
    /** The registry slot; its monitor guards {@link #closed} and the slot's {@code held}. */
    private final FunctionLocks.Slot slot;
    private boolean closed;

    /**
     * Wraps a locked channel; only {@link FunctionLocks} creates locks.
     *
     * @param device the function
     * @param file the lock file's real path
     * @param channel the locked channel
     * @param fileLock the channel's lock
     * @param holder what was written into the file
     * @param slot the registry slot that records this lock
     * @param written the length of the text written into the file, with its padding
     */
    FunctionLock(PciAddress device, Path file, FileChannel channel, FileLock fileLock, FunctionLocks.Holder holder,
            FunctionLocks.Slot slot, int written) {
        this.written = written;
        this.device = device;
        this.file = file;
        this.channel = channel;
        this.fileLock = fileLock;
        this.holder = holder;
        this.slot = slot;
    }

    /**
     * The function.
     *
     * @return the function this lock owns
     */
    PciAddress device() {
        return device;
    }

    /**
     * The lock file (its real path).
     *
     * @return the file
     */
    Path file() {
        return file;
    }

    /**
     * Who holds the lock: this process, the description given to {@link FunctionLocks#tryLock}, and when.
     *
     * @return the holder information written into the lock file
     */
    FunctionLocks.Holder holder() {
        return holder;
    }

    /**
     * Whether this lock is still held (not closed).
     *
     * @return true until {@link #close()}
     */
    boolean isValid() {
        synchronized (slot) {
            return !closed;
        }
    }

    /**
     * Releases the function. Does nothing if already released.
     *
     * @throws SriovException if closing the lock file fails; the lock is released all the same
     */
    @Override
    public void close() {
        synchronized (slot) {
            if (closed) {
                return;
            }
            closed = true;
            if (slot.held == this) {
                slot.held = null;
            }
            try {
                // a free lock file names no holder: its text becomes NUL bytes, in one pwrite that keeps the page
                FunctionLocks.writeFully(channel, java.nio.ByteBuffer.allocate(written));
            } catch (IOException x) {
                // informational content only
            }
            boolean released;
            try {
                fileLock.release(); // fcntl(F_UNLCK) on the whole file
                released = true;
            } catch (IOException x) {
                released = false; // closing releases it, whatever the unlock said
            }
            if (!released || !FunctionLocks.keepIdle(channel, slot)) {
                slot.channelKey = null;
                try {
                    channel.close();
                } catch (IOException x) {
                    throw FunctionLocks.failure("release lock", device, file, x);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "FunctionLock[" + device + ", " + holder + (isValid() ? "" : ", released") + "]";
    }
}
