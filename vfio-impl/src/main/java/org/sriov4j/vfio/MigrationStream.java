package org.sriov4j.vfio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * The data fd of a migration session: read the device state from it in a saving state (PRE_COPY, PRE_COPY_P2P,
 * STOP_COPY), write the saved state into it in RESUMING. Close it when the session is over (after leaving the
 * saving group or RESUMING).
 *
 * <p>The pre-copy loop of a source VMM, following include/uapi/linux/vfio.h ({@code VFIO_MIG_GET_PRECOPY_INFO}):
 * in PRE_COPY the stream has a <em>temporary</em> end ({@code read} fails with {@code ENOMSG}, which
 * {@link #input()} turns into end of stream) whenever the driver has nothing more for now; new data may come later
 * as the running device dirties its state, and {@code poll} says when. In STOP_COPY the end is permanent.
 * <pre>{@code
 * try (MigrationStream s = m.transition(MigrationState.PRE_COPY).orElseThrow()) {
 *     InputStream in = s.input();
 *     for (int round = 0; ; round++) {
 *         in.transferTo(channel);                  // read until drained (ENOMSG)
 *         PreCopyInfo info = s.preCopyInfo();      // ask before waiting: mlx5 starts saving the dirty state here
 *         if (info.initialBytes() == 0 && (info.dirtyBytes() < smallEnough || round == maxRounds)) {
 *             break;                               // converged, or give up: stop the device now
 *         }
 *         s.awaitData(Duration.ofMillis(100));     // false on timeout: just ask again
 *     }
 *     m.transition(MigrationState.STOP_COPY);      // the same session and stream (P2P devices: all to
 *                                                  // PRE_COPY_P2P first)
 *     in.transferTo(channel);                      // now to the real end of the stream
 * }
 * m.transition(MigrationState.STOP);
 * }</pre>
 * {@link DeviceMigration#estimatedStopCopySize()} estimates what the final {@code transferTo} will move, and so
 * the downtime.
 */
public final class MigrationStream implements AutoCloseable {
    /** {@code ENOMSG}: a PRE_COPY data fd has no more data for now. */
    static final int ENOMSG = 42;
    /** {@code EINTR}: a signal interrupted the system call. */
    static final int EINTR = 4;
    private static final String POLL = "poll migration data fd";

    private final LinuxSyscalls sys;
    private final PciAddress device;
    private final int fd;
    private final boolean resuming;
    private volatile boolean closed;

    MigrationStream(LinuxSyscalls sys, PciAddress device, int fd, boolean resuming) {
        this.sys = sys;
        this.device = device;
        this.fd = fd;
        this.resuming = resuming;
    }

    /**
     * Whether this stream takes state in (RESUMING) rather than giving it out (saving).
     *
     * @return true for a RESUMING stream
     */
    public boolean resuming() {
        return resuming;
    }

    int fd() {
        return fd;
    }

    /**
     * The device state, for a saving stream. End of stream is the kernel's end of data (a read of 0 bytes) or,
     * in PRE_COPY, {@code ENOMSG} (no more data for now: ask {@link #preCopyInfo()} and read again later).
     *
     * @return an input stream over the data fd (not buffered; closing it does not close the fd)
     * @throws IllegalStateException for a RESUMING stream
     */
    public InputStream input() {
        if (resuming) {
            throw new IllegalStateException("a RESUMING data fd is written, not read");
        }
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                checkOpen();
                ByteBuffer buf = ByteBuffer.allocateDirect(len);
                long r = sys.read(fd, buf);
                if (r == -ENOMSG || r == 0) {
                    return -1;
                }
                if (r < 0) {
                    throw new IOException(VfioException.kernel("read migration data", device, null, r, "")
                            .getMessage());
                }
                buf.get(0, b, off, (int) r);
                return (int) r;
            }
        };
    }

    /**
     * Takes the saved state, for a RESUMING stream. Every write is passed on whole (short writes are retried).
     *
     * @return an output stream over the data fd (closing it does not close the fd)
     * @throws IllegalStateException for a saving stream
     */
    public OutputStream output() {
        if (!resuming) {
            throw new IllegalStateException("a saving data fd is read, not written");
        }
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                checkOpen();
                ByteBuffer buf = ByteBuffer.allocateDirect(len);
                buf.put(b, off, len).flip();
                while (buf.hasRemaining()) {
                    long r = sys.write(fd, buf.slice());
                    if (r <= 0) {
                        throw new IOException(VfioException.kernel("write migration data", device, null,
                                r == 0 ? -5 : r, "").getMessage());
                    }
                    buf.position(buf.position() + (int) r);
                }
            }
        };
    }

    /**
     * {@code VFIO_MIG_GET_PRECOPY_INFO}: how much initial and dirty state is left to read in PRE_COPY.
     *
     * @return the sizes
     * @throws VfioException {@code EINVAL} from the kernel outside PRE_COPY/PRE_COPY_P2P, {@code ENOTTY} on a
     *     RESUMING stream
     */
    public PreCopyInfo preCopyInfo() {
        checkOpenUnchecked();
        ByteBuffer b = VfioAbi.struct(VfioAbi.PrecopyInfo.SIZE);
        int r = sys.ioctl(fd, VfioAbi.MIG_GET_PRECOPY_INFO, b);
        if (r < 0) {
            throw VfioException.kernel("VFIO_MIG_GET_PRECOPY_INFO", device, null, r, "");
        }
        return new PreCopyInfo(b.getLong(VfioAbi.PrecopyInfo.INITIAL_BYTES), b.getLong(VfioAbi.PrecopyInfo.DIRTY_BYTES));
    }

    /**
     * Waits until reading the data fd would not block: new PRE_COPY data arrived (e.g. the driver finished saving
     * state the device dirtied), or the device is in STOP_COPY (whose end of stream is always readable). Call it
     * after {@link #input()} reached the temporary end of PRE_COPY and after {@link #preCopyInfo()} (mlx5 only
     * starts saving newly dirtied state when the info is asked for on a drained stream, mlx5vf_precopy_ioctl).
     *
     * <p>{@code true} means a read will not block, not that it returns data: a driver without a {@code poll}
     * operation (hisi_acc) always looks readable, so the read may end at once again; bound the number of rounds.
     * A signal ({@code EINTR}) does not end the wait; the rest of the timeout is waited.
     *
     * @param timeout how long to wait at most; {@link Duration#ZERO} only checks
     * @return true when the fd is readable, false when the timeout passed first
     * @throws IllegalStateException for a RESUMING stream
     * @throws IllegalArgumentException for a negative timeout
     * @throws VfioException {@code EBADF} when this stream is closed (before the kernel) or the fd is not open
     *     ({@code POLLNVAL}); {@code ENODEV} when the session ended or failed ({@code POLLHUP}, or {@code POLLRDHUP}
     *     as mlx5vf_save_poll reports for a session that a state change, a reset or a driver error ended: reads then
     *     fail with {@code ENODEV}); {@code EIO} on {@code POLLERR}; {@code EINTR} when the waiting thread was
     *     interrupted; another errno when {@code poll} fails
     */
    public boolean awaitData(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout " + timeout);
        }
        if (resuming) {
            throw new IllegalStateException("a RESUMING data fd is written, not read: there is no data to await");
        }
        long total = saturatedNanos(timeout);
        long start = System.nanoTime();
        int[] fds = {fd};
        short[] revents = new short[1];
        while (true) {
            if (closed) {
                throw VfioException.rejected(VfioError.CLOSED, POLL, device, Errno.EBADF,
                        "the migration stream is closed");
            }
            long left = total - (System.nanoTime() - start);
            int millis = left <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
            revents[0] = 0;
            int r = sys.poll(fds, (short) (LinuxSyscalls.POLLIN | LinuxSyscalls.POLLRDHUP), revents, millis);
            if (r == -EINTR) {
                if (Thread.currentThread().isInterrupted()) {
                    throw VfioException.kernel(POLL, device, null, r, "the waiting thread was interrupted");
                }
                continue; // a signal: wait for what is left of the timeout
            }
            if (r < 0) {
                throw VfioException.kernel(POLL, device, null, r, "");
            }
            if (r == 0) {
                if (millis == 0 || total - (System.nanoTime() - start) <= 0) {
                    return false;
                }
                continue; // a wait longer than poll(2) takes at once
            }
            short ev = revents[0];
            if ((ev & LinuxSyscalls.POLLNVAL) != 0) {
                throw VfioException.kernel(POLL, device, null, -Errno.EBADF.number(),
                        "POLLNVAL: the data fd is not open");
            }
            if ((ev & LinuxSyscalls.POLLERR) != 0) {
                throw VfioException.kernel(POLL, device, null, -Errno.EIO.number(), "POLLERR on the data fd");
            }
            if ((ev & (LinuxSyscalls.POLLHUP | LinuxSyscalls.POLLRDHUP)) != 0) {
                throw VfioException.kernel(POLL, device, null, -Errno.ENODEV.number(),
                        "the migration session ended or failed (" + ((ev & LinuxSyscalls.POLLHUP) != 0 ? "POLLHUP"
                                : "POLLRDHUP") + "): the device left the saving states, was reset or closed, or"
                                + " its driver failed");
            }
            if ((ev & LinuxSyscalls.POLLIN) != 0) {
                return true;
            }
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("migration data fd of " + device + " is closed");
        }
    }

    private void checkOpenUnchecked() {
        if (closed) {
            throw new IllegalStateException("migration data fd of " + device + " is closed");
        }
    }

    /**
     * Whether the data fd is still open.
     *
     * @return false once closed
     */
    public boolean isOpen() {
        return !closed;
    }

    /** Closes the data fd. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            sys.close(fd);
        }
    }
}
