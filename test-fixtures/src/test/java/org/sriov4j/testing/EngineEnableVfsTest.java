package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.spi.engine.SriovEngine;
import org.sriov4j.spi.SysfsAccess;

/**
 * The engine's enableVfs/disableVfs where the contract kits cannot reach: injected kernel failures, writes that
 * block, and the order of writes (what the kernel saw).
 */
class EngineEnableVfsTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final String NUMVFS = "bus/pci/devices/0000:01:00.0/sriov_numvfs";
    static final String AUTOPROBE = "bus/pci/devices/0000:01:00.0/sriov_drivers_autoprobe";

    final SimulatedKernel kernel = SimulatedKernel.intel82576Host();
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void unblock() {
        release.countDown();
    }

    List<String> numvfsWrites() {
        return kernel.writes().stream().filter(w -> w.contains("sriov_numvfs")).toList();
    }

    @Test
    void aChangeOfANonZeroCountWritesZeroThenTheNewCount() {
        try (SriovHost host = kernel.openHost()) {
            host.enableVfs(PF, 7);
            host.enableVfs(PF, 3);
        }
        assertEquals(3, numvfsWrites().size(), numvfsWrites().toString());
        assertTrue(numvfsWrites().get(1).contains("0") && numvfsWrites().get(2).contains("3"), numvfsWrites().toString());
    }

    @Test
    void theSameCountWritesNothing() {
        try (SriovHost host = kernel.openHost()) {
            host.enableVfs(PF, 2);
            host.enableVfs(PF, 2);
        }
        assertEquals(1, numvfsWrites().size(), numvfsWrites().toString());
    }

    @Test
    void aCountAboveTotalWritesNothing() {
        try (SriovHost host = kernel.openHost()) {
            assertThrows(SriovException.class, () -> host.enableVfs(PF, 8));
        }
        assertEquals(List.of(), numvfsWrites());
    }

    @Test
    void whenTheNewCountIsRefusedThePreviousCountIsRestoredAndSaid() {
        try (SriovHost host = kernel.openHost()) {
            host.enableVfs(PF, 2);
            kernel.failWrite("sriov_numvfs", 2, Errno.ENOSPC); // the write of 5, after the write of 0
            SriovException e = assertThrows(SriovException.class, () -> host.enableVfs(PF, 5));
            assertEquals(Optional.of(Errno.ENOSPC), e.errno());
            assertTrue(e.getMessage().contains("restored the previous 2 VFs"), e.getMessage());
            assertTrue(e.getMessage().contains("interrupt vectors"), e.getMessage());
            assertEquals(2, host.topology().physicalFunction(PF).orElseThrow().numVfs());
        }
    }

    @Test
    void whenRestoringFailsTooTheExceptionSaysSo() {
        try (SriovHost host = kernel.openHost()) {
            host.enableVfs(PF, 2);
            kernel.failWrite("sriov_numvfs", 2, Errno.ENOSPC);
            kernel.failWrite("sriov_numvfs", 3, Errno.EIO);
            SriovException e = assertThrows(SriovException.class, () -> host.enableVfs(PF, 5));
            assertTrue(e.getMessage().contains("could not restore the previous 2 VFs"), e.getMessage());
        }
    }

    @Test
    void aWriteThatBlocksIsAbandonedAfterTheTimeoutWithEtimedout() {
        SysfsAccess blocking = new DelegatingSysfs(kernel) {
            @Override
            public void write(String path, String value) {
                if (path.endsWith("sriov_numvfs")) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.write(path, value);
            }
        };
        try (SriovHost host = SriovEngine.open(SriovConfig.builder().stateDir(kernel.stateDir()).build(), blocking, kernel.devices())) {
            SriovException e = assertThrows(SriovException.class, () -> host.enableVfs(PF, 2,
                    VfEnableOptions.builder().timeout(Duration.ofMillis(200)).build()));
            assertEquals(Optional.of(Errno.ETIMEDOUT), e.errno());
            assertTrue(e.getMessage().contains("still pending"), e.getMessage());
        }
    }

    @Test
    void vfsThatNeverAppearAreEtimedoutNamingTheMissingLink() {
        SysfsAccess noLinks = new DelegatingSysfs(kernel) {
            @Override
            public boolean exists(String path) {
                return !path.endsWith("/physfn") && super.exists(path);
            }
        };
        try (SriovHost host = SriovEngine.open(SriovConfig.builder().stateDir(kernel.stateDir()).build(), noLinks, kernel.devices())) {
            SriovException e = assertThrows(SriovException.class, () -> host.enableVfs(PF, 2,
                    VfEnableOptions.builder().timeout(Duration.ofMillis(200)).build()));
            assertEquals(Optional.of(Errno.ETIMEDOUT), e.errno());
            assertTrue(e.path().orElseThrow().endsWith("/physfn"), e.toString());
        }
    }

    @Test
    void autoprobeIsWrittenBeforeTheVfsAreCreated() {
        try (SriovHost host = kernel.openHost()) {
            host.enableVfs(PF, 2, VfEnableOptions.builder().driversAutoprobe(false).build());
        }
        List<String> writes = kernel.writes();
        int autoprobe = indexOf(writes, "sriov_drivers_autoprobe");
        int numvfs = indexOf(writes, "sriov_numvfs");
        assertTrue(autoprobe >= 0 && autoprobe < numvfs, writes.toString());
        assertEquals("0\n", kernel.read(AUTOPROBE));
    }

    private static int indexOf(List<String> writes, String part) {
        for (int i = 0; i < writes.size(); i++) {
            if (writes.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    /** Passes everything to a delegate; tests override what they change. */
    static class DelegatingSysfs implements SysfsAccess {
        private final SysfsAccess delegate;

        DelegatingSysfs(SysfsAccess delegate) {
            this.delegate = delegate;
        }

        @Override
        public String read(String path) {
            return delegate.read(path);
        }

        @Override
        public void write(String path, String value) {
            delegate.write(path, value);
        }

        @Override
        public List<String> list(String dir) {
            return delegate.list(dir);
        }

        @Override
        public String readLink(String path) {
            return delegate.readLink(path);
        }

        @Override
        public boolean exists(String path) {
            return delegate.exists(path);
        }

        @Override
        public String describe(String path) {
            return delegate.describe(path);
        }
    }
}
