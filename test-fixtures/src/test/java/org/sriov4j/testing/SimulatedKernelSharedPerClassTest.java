package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sriov4j.PciAddress;

/** A kernel injected into {@code @BeforeAll} is the one every test of the class gets. */
@SimulatedHost(Preset.SHARED_GROUP_WITH_HOST_COMPANION)
class SimulatedKernelSharedPerClassTest {

    private static SimulatedKernel shared;

    @BeforeAll
    static void keep(SimulatedKernel kernel) {
        shared = kernel;
    }

    @Test
    void aBeforeAllKernelIsSharedByTheTests(SimulatedKernel kernel) {
        assertSame(shared, kernel);
        assertTrue(kernel.isPresent(PciAddress.parse("0000:03:00.0")));
    }

    @Test
    void andByTheOtherTests(SimulatedKernel kernel) {
        assertSame(shared, kernel);
    }
}
