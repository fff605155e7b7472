package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;

@ExtendWith(SimulatedKernelExtension.class)
class SimulatedKernelExtensionTest {

    private static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    private SimulatedKernel kernelOfBeforeEach;
    private SriovHost hostOfBeforeEach;

    @BeforeEach
    void remember(SimulatedKernel kernel, SriovHost host) {
        this.kernelOfBeforeEach = kernel;
        this.hostOfBeforeEach = host;
    }

    @Test
    void injectsTheSameKernelAndHostIntoBeforeEachAndTheTest(SimulatedKernel kernel, SriovHost host) {
        assertSame(kernelOfBeforeEach, kernel);
        assertSame(hostOfBeforeEach, host);
    }

    @Test
    void injectsTheIntel82576HostByDefault(SimulatedKernel kernel) {
        assertEquals(Optional.of("igb"), kernel.driverOf(PF));
        assertTrue(kernel.hasIommu());
    }

    @RepeatedTest(2)
    void everyTestGetsAFreshKernel(SimulatedKernel kernel) {
        assertEquals(0, kernel.numVfs(PF));
        kernel.write("bus/pci/devices/0000:01:00.0/sriov_numvfs", "3");
    }

    @Test
    void theInjectedHostRunsOnTheInjectedKernel(SimulatedKernel kernel, SriovHost host) {
        kernel.write("bus/pci/devices/0000:01:00.0/sriov_numvfs", "2");
        assertEquals(2, host.topology().virtualFunctions().size());
    }

    @Test
    @SimulatedHost(Preset.NO_IOMMU)
    void aMethodAnnotationChoosesThePreset(SimulatedKernel kernel) {
        assertFalse(kernel.hasIommu());
    }

    @Nested
    @SimulatedHost(Preset.TWO_PFS_TWO_NUMA_NODES)
    class AnnotatedNestedClass {
        @Test
        void theNestedClassAnnotationApplies(SimulatedKernel kernel) {
            assertTrue(kernel.isPresent(PciAddress.parse("0000:81:00.0")));
        }

        @Test
        @SimulatedHost(Preset.SHARED_GROUP_WITH_HOST_COMPANION)
        void theMethodAnnotationStillWins(SimulatedKernel kernel) {
            assertTrue(kernel.isPresent(PciAddress.parse("0000:03:00.1")));
        }

        @Nested
        class DeeperNestedClass {
            @Test
            void theNearestEnclosingAnnotationApplies(SimulatedKernel kernel) {
                assertTrue(kernel.isPresent(PciAddress.parse("0000:81:00.0")));
            }
        }
    }

    @Test
    void constructorInjectionFailsWithAClearMessage() {
        ConstructorInjected.launchedFromTest = true;
        try {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(DiscoverySelectors.selectClass(ConstructorInjected.class)).build();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            LauncherFactory.create().execute(request, listener);
            TestExecutionSummary summary = listener.getSummary();
            assertEquals(1, summary.getTotalFailureCount());
            Throwable failure = summary.getFailures().get(0).getException();
            assertNotNull(failure.getMessage());
            assertTrue(failure.getMessage().contains("does not inject constructor parameters"),
                    failure.getMessage());
        } finally {
            ConstructorInjected.launchedFromTest = false;
        }
    }

    /** Run only through the launcher above. */
    @SimulatedHost
    @EnabledIf("launched")
    static class ConstructorInjected {
        static volatile boolean launchedFromTest;

        ConstructorInjected(SimulatedKernel kernel) {
            assertNotNull(kernel);
        }

        static boolean launched() {
            return launchedFromTest;
        }

        @Test
        void neverRuns() {
        }
    }
}
