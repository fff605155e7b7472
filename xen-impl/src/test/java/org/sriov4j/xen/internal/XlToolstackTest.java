package org.sriov4j.xen.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;
import org.sriov4j.spi.HostCommands;
import org.sriov4j.xen.XenToolstackException;

/** The argument vectors XlToolstack builds, its validation, and its reading of libxl's answers. */
class XlToolstackTest {

    private final List<List<String>> calls = new ArrayList<>();

    private HostCommands answering(HostCommands.Result result) {
        return new HostCommands() {
            @Override
            public Result run(List<String> argv, Duration timeout) {
                calls.add(argv);
                return result;
            }

            @Override
            public Optional<String> readFile(String path) {
                return Optional.empty();
            }
        };
    }

    private static final PciAddress VF = PciAddress.parse("0000:01:10.0");

    @Test
    void argumentVectorsAreExactlyXlsSyntax() {
        XlToolstack xl = new XlToolstack(answering(new HostCommands.Result(0, "", "")));
        xl.pciAttach("domu1", VF, List.of("permissive=1"));
        xl.pciDetach("7", VF);
        xl.assignableRemove(VF, true);
        xl.xenstoreWrite(XenToolstack.driverPathKey(VF), "/sys/bus/pci/drivers/igbvf");
        assertEquals(List.of(List.of("xl", "pci-attach", "domu1", "0000:01:10.0,permissive=1"),
                List.of("xl", "pci-detach", "7", "0000:01:10.0"),
                List.of("xl", "pci-assignable-remove", "-r", "0000:01:10.0"),
                List.of("xenstore-write", "/libxl/pci/0000-01-10-0/driver_path", "/sys/bus/pci/drivers/igbvf")),
                calls);
    }

    @Test
    void namesAndOptionsThatCouldBeReadAsSomethingElseNeverReachTheCommand() {
        XlToolstack xl = new XlToolstack(answering(new HostCommands.Result(0, "", "")));
        for (String bad : List.of("", "-r", "--help", "a b", "a;b", "../x", "x".repeat(65), "dom\n1")) {
            assertThrows(IllegalArgumentException.class, () -> xl.pciAttach(bad, VF, List.of()), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> xl.pciAttach("d", VF, List.of("seize=1,x=2")));
        assertThrows(IllegalArgumentException.class, () -> xl.xenstoreWrite("/libxl/../x", "v"));
        assertThrows(IllegalArgumentException.class, () -> xl.xenstoreWrite("/libxl/x", "a b"));
        assertTrue(calls.isEmpty(), calls.toString());
    }

    @Test
    void libxlErrorLinesBecomeKinds() {
        record Case(String stderr, XenToolstackException.Kind kind) {
        }
        for (Case c : List.of(
                new Case("nosuch is an invalid domain identifier (rc=-6)\n", XenToolstackException.Kind.NO_SUCH_DOMAIN),
                new Case("libxl: error: libxl_pci.c:1497:do_pci_add: Domain 3:xc_assign_device failed: Operation "
                        + "not supported\n", XenToolstackException.Kind.PASSTHROUGH_NOT_ENABLED),
                new Case("libxl: error: ...: failed to quarantine 0000:01:10.0\n", XenToolstackException.Kind.NO_IOMMU),
                new Case("libxl: error: ...: PCI device 0:1:10.0 is not assignable\n",
                        XenToolstackException.Kind.ALREADY_ASSIGNED),
                new Case("libxl: error: ...: PCI device not attached to this domain\n",
                        XenToolstackException.Kind.NOT_ATTACHED),
                new Case("something else\n", XenToolstackException.Kind.FAILED))) {
            XlToolstack xl = new XlToolstack(answering(new HostCommands.Result(1, "", c.stderr())));
            XenToolstackException e = assertThrows(XenToolstackException.class,
                    () -> xl.pciAttach("domu1", VF, List.of()));
            assertEquals(c.kind(), e.kind(), c.stderr());
            assertTrue(e.getMessage().contains("xl pci-attach domu1 0000:01:10.0"), e.getMessage());
        }
    }

    @Test
    void aTimeoutIsItsOwnKind() {
        HostCommands slow = new HostCommands() {
            @Override
            public Result run(List<String> argv, Duration timeout) {
                throw new SriovException("run xl", null, Errno.ETIMEDOUT, null, "killed", null);
            }

            @Override
            public Optional<String> readFile(String path) {
                return Optional.empty();
            }
        };
        XenToolstackException e = assertThrows(XenToolstackException.class,
                () -> new XlToolstack(slow).pciDetach("domu1", VF));
        assertEquals(XenToolstackException.Kind.TIMEOUT, e.kind());
        assertEquals(Optional.of(Errno.ETIMEDOUT), e.errno());
    }

    @Test
    void aDomainThatShutDownDuringDetachIsNotAnError() {
        new XlToolstack(answering(new HostCommands.Result(0, "", "libxl: error: Backend 3 not ready\n")))
                .pciDetach("domu1", VF);
    }
}
