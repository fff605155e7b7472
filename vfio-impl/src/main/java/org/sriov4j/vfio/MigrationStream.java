package org.sriov4j.vfio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.sriov4j.PciAddress;

/**
 * The data fd of a migration session: read the device state from it in a saving state (PRE_COPY, PRE_COPY_P2P,
 * STOP_COPY), write the saved state into it in RESUMING. Close it when the session is over (after leaving the
 * saving group or RESUMING).
 */
public final class MigrationStream implements AutoCloseable {
    /** {@code ENOMSG}: a PRE_COPY data fd has no more data for now. */
    static final int ENOMSG = 42;

    private final LinuxSyscalls sys;
    private final PciAddress device;
    private final int fd;
    private final boolean resuming;
    private boolean closed;

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
