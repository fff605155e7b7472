package org.sriov4j.vfio.testing.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.sriov4j.spi.DeviceNodeAccess;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.vfio.VfioSystem;
import org.sriov4j.vfio.kernel.LinuxSyscalls;

/**
 * Builds a {@link VfioSystem} over a fake kernel. VfioSystem's only public factories load the C library, and its
 * constructor over the seams is package-private (the exported API stays small); module {@code org.sriov4j.vfio}
 * opens its package to this module, and to no other, for this one call.
 */
public final class VfioSystems {
    private static final Constructor<VfioSystem> CONSTRUCTOR;

    static {
        try {
            CONSTRUCTOR = VfioSystem.class.getDeclaredConstructor(LinuxSyscalls.class, String.class,
                    SysfsAccess.class, DeviceNodeAccess.class, BooleanSupplier.class);
            CONSTRUCTOR.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError("sriov4j-vfio-testing does not match sriov4j-vfio's version: " + e);
        }
    }

    private VfioSystems() {
    }

    /**
     * A VFIO system whose system calls go to {@code sys} (device nodes named under {@code /dev/}) and whose sysfs
     * and /dev look-ups go to {@code sysfs} and {@code devices}.
     *
     * @param sys the system calls
     * @param sysfs sysfs
     * @param devices /dev
     * @param cdevNodesPresent whether VFIO device cdevs exist; null: ask {@code devices}
     * @return the system
     */
    public static VfioSystem over(LinuxSyscalls sys, SysfsAccess sysfs, DeviceNodeAccess devices,
            @Nullable BooleanSupplier cdevNodesPresent) {
        try {
            return CONSTRUCTOR.newInstance(sys, "/dev/", sysfs, devices, cdevNodesPresent);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("cannot build a VfioSystem over the fake kernel", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build a VfioSystem over the fake kernel", e);
        }
    }
}
