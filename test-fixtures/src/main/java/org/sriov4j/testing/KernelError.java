package org.sriov4j.testing;

import org.sriov4j.Errno;

/**
 * A failure inside the simulated kernel: the errno a system call would return, with the kernel's log message.
 * Turned into a {@link org.sriov4j.SysfsIoException} at the {@link SimulatedKernel} boundary.
 */
final class KernelError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Errno errno;

    KernelError(Errno errno, String detail) {
        super(detail, null, false, false);
        this.errno = errno;
    }

    Errno errno() {
        return errno;
    }

    String detail() {
        String m = getMessage();
        return m == null ? "" : m;
    }
}
