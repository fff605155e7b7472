package org.sriov4j.vfio;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;
import org.sriov4j.vfio.kernel.LinuxSyscalls;

/**
 * {@link LinuxSyscalls} through JNA direct mapping into the C library.
 *
 * <p>The native library is registered when this class is initialised, which happens only when a backend is opened
 * ({@link VfioSystem#open()}); neither the provider's constructor nor its probe touch this class. Direct mapping does
 * not support varargs, so {@code ioctl} is declared with fixed arities; pointers to structures are passed as
 * {@link Pointer}s to direct buffers. {@code errno} is read with {@link Native#getLastError()} right after each call
 * that failed, on the same thread (JNA saves it per thread when the call returns).
 */
final class JnaLinuxSyscalls implements LinuxSyscalls {

    /** The only instance. Initialising this class registers the natives. */
    static final JnaLinuxSyscalls INSTANCE = new JnaLinuxSyscalls();

    private static final int SC_PAGESIZE = 30;

    private JnaLinuxSyscalls() {
        C.touch();
    }

    /** The directly mapped C library functions (method names are the symbol names). */
    private static final class C {
        static {
            Native.register(C.class, NativeLibrary.getInstance("c"));
        }

        private C() {
        }

        static void touch() {
            // forces class initialisation
        }

        static native int open(String path, int flags, int mode);

        static native int close(int fd);

        static native int ioctl(int fd, long request, long arg);

        static native int ioctl(int fd, long request, Pointer arg);

        static native long pread(int fd, Pointer buffer, long count, long offset);

        static native long pwrite(int fd, Pointer buffer, long count, long offset);

        static native long read(int fd, Pointer buffer, long count);

        static native long write(int fd, Pointer buffer, long count);

        static native long mmap(@Nullable Pointer address, long length, int prot, int flags, int fd, long offset);

        static native int munmap(Pointer address, long length);

        static native int eventfd(int initialValue, int flags);

        static native long sysconf(int name);

        static native int poll(Pointer fds, long nfds, int timeout);
    }

    private static int fail32(int ret) {
        return ret < 0 ? -Native.getLastError() : ret;
    }

    private static long fail64(long ret) {
        return ret < 0 ? -Native.getLastError() : ret;
    }

    private static Pointer at(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("system call buffers must be direct");
        }
        return Native.getDirectBufferPointer(buffer).share(buffer.position());
    }

    @Override
    public int open(String path, int flags) {
        return fail32(C.open(path, flags, 0));
    }

    @Override
    public int close(int fd) {
        return fail32(C.close(fd));
    }

    @Override
    public int ioctl(int fd, long request, long arg) {
        return fail32(C.ioctl(fd, request, arg));
    }

    @Override
    public int ioctl(int fd, long request, ByteBuffer arg) {
        return fail32(C.ioctl(fd, request, at(arg)));
    }

    @Override
    public int ioctl(int fd, long request, ByteBuffer arg, long address) {
        return fail32(C.ioctl(fd, request, address));
    }

    @Override
    public long pread(int fd, ByteBuffer buffer, long offset) {
        return fail64(C.pread(fd, at(buffer), buffer.remaining(), offset));
    }

    @Override
    public long pwrite(int fd, ByteBuffer buffer, long offset) {
        return fail64(C.pwrite(fd, at(buffer), buffer.remaining(), offset));
    }

    @Override
    public long read(int fd, ByteBuffer buffer) {
        return fail64(C.read(fd, at(buffer), buffer.remaining()));
    }

    @Override
    public long write(int fd, ByteBuffer buffer) {
        return fail64(C.write(fd, at(buffer), buffer.remaining()));
    }

    @Override
    public long mmap(long length, int prot, int flags, int fd, long offset) {
        long address = C.mmap(null, length, prot, flags, fd, offset);
        return address == -1L ? -Native.getLastError() : address;
    }

    @Override
    public int munmap(long address, long length) {
        return fail32(C.munmap(new Pointer(address), length));
    }

    @Override
    public int eventfd(int initialValue, int flags) {
        return fail32(C.eventfd(initialValue, flags));
    }

    @Override
    public int poll(int[] fds, short events, short[] revents, int timeoutMillis) {
        if (fds.length == 0 || revents.length != fds.length) {
            throw new IllegalArgumentException("poll needs at least one descriptor and one revents slot for each");
        }
        try (Memory pollfds = new Memory(8L * fds.length)) { // struct pollfd { int fd; short events, revents; }
            for (int i = 0; i < fds.length; i++) {
                pollfds.setInt(8L * i, fds[i]);
                pollfds.setShort(8L * i + 4, events);
                pollfds.setShort(8L * i + 6, (short) 0);
            }
            int r = fail32(C.poll(pollfds, fds.length, timeoutMillis));
            for (int i = 0; i < fds.length; i++) {
                revents[i] = r < 0 ? 0 : pollfds.getShort(8L * i + 6);
            }
            return r;
        }
    }

    @Override
    public ByteBuffer memory(long address, int length) {
        return new Pointer(address).getByteBuffer(0, length);
    }

    @Override
    public long addressOf(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    @Override
    public long pageSize() {
        return C.sysconf(SC_PAGESIZE);
    }
}
