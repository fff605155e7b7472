package org.sriov4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.RollbackOutcome;
import org.sriov4j.SriovException;

/** The one rollback mechanism: undo order, the typed outcome, and a message that says each fact once. */
class RollbackTest {
    static final PciAddress VF = PciAddress.parse("0000:01:10.0");

    @Test
    void stepsAreUndoneNewestFirstAndAFailedUndoDoesNotStopTheOthers() {
        List<String> ran = new ArrayList<>();
        Rollback rb = new Rollback("detach", VF);
        rb.done("restored driver_override", () -> ran.add("override"));
        rb.done("rebound igbvf", () -> {
            throw new SriovException("write", VF, Errno.EIO, null, "", null);
        });
        rb.done("unbound other", () -> ran.add("other"));
        RollbackOutcome o = rb.undoAll();
        assertEquals(List.of("other", "override"), ran);
        assertEquals(List.of("unbound other", "restored driver_override"), o.restored());
        assertEquals(1, o.notRestored().size());
        assertTrue(o.notRestored().get(0).startsWith("rebound igbvf (write 0000:01:10.0 failed: EIO"), o.toString());
        assertFalse(o.complete());
        assertTrue(rb.undoAll().complete(), "emptied: a second undo has nothing to do");
    }

    @Test
    void theExceptionCarriesTheOutcomeAndTheFailuresErrnoAndPathOnce() {
        Rollback rb = new Rollback("detach", VF);
        rb.done("restored driver_override", () -> { });
        SriovException failure = new SriovException("detach", VF, Errno.EIO, "/sys/bus/pci/drivers_probe",
                "writing '0000:01:10.0' was refused", null);
        SriovException e = rb.fail(failure, "probe vfio-pci");
        assertSame(failure, e.getCause());
        assertEquals(Optional.of(Errno.EIO), e.errno());
        assertEquals(Optional.of("/sys/bus/pci/drivers_probe"), e.path());
        assertEquals(new RollbackOutcome(List.of("restored driver_override"), List.of()), e.rollback().orElseThrow());
        String m = e.getMessage();
        assertEquals("detach 0000:01:10.0 failed: EIO (Input/output error) at /sys/bus/pci/drivers_probe; probe "
                + "vfio-pci failed (writing '0000:01:10.0' was refused); restored: restored driver_override", m);
    }

    @Test
    void aFailureOfAnotherOperationOrDeviceKeepsWhatItNames() {
        SriovException other = new SriovException("RTM_SETLINK", PciAddress.parse("0000:01:00.0"), Errno.EPERM,
                null, "vf 0", null);
        SriovException e = new Rollback("configure VF", VF).fail(other, "set mac");
        assertEquals("configure VF 0000:01:10.0 failed: EPERM (Operation not permitted); set mac failed "
                + "(RTM_SETLINK 0000:01:00.0: vf 0); nothing needed restoring", e.getMessage());
        assertTrue(e.rollback().orElseThrow().complete());
        SriovException plain = new Rollback("detach", VF).fail(new IllegalStateException("boom"), "bind");
        assertEquals(Optional.empty(), plain.errno());
        assertTrue(plain.getMessage().contains("bind failed (boom)"), plain.getMessage());
    }
}
