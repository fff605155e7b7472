package org.sriov4j.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Chooses the host {@link SimulatedKernelExtension} simulates for a test method or class, and registers the
 * extension. The nearest annotation wins: the method's, then its class's, then the enclosing classes'. Without any,
 * the extension uses {@link Preset#INTEL_82576}.
 *
 * <pre>{@code
 * @SimulatedHost(Preset.SHARED_GROUP_WITH_HOST_COMPANION)
 * class ViabilityTest {
 *     @Test
 *     void companionOnHostDriverMakesGroupNotViable(SriovHost host) { ... }
 *
 *     @Test
 *     @SimulatedHost(Preset.NO_IOMMU)
 *     void refusesWithoutIommu(SimulatedKernel kernel, SriovHost host) { ... }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(SimulatedKernelExtension.class)
public @interface SimulatedHost {

    /**
     * The host to simulate.
     *
     * @return the preset; default {@link Preset#INTEL_82576}
     */
    Preset value() default Preset.INTEL_82576;
}
