package org.sriov4j.it;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.spi.NioDeviceNodeAccess;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.spi.engine.SriovEngine;
import org.sriov4j.spi.SysfsAccess;

/**
 * A child JVM of {@link RealCrashRecoveryIT}: leases a VF through the real {@code /sys}, seen through a
 * {@link SysfsAccess} that stops the process after step {@code N} of the detach (1 after the write to the VF's
 * {@code driver_override}, 2 after the unbind from its host driver, 3 after {@code drivers_probe}), prints
 * {@code test pause after detach step N of BDF} and sleeps, so that the test can {@code kill -9} it there. The seam
 * is injected ({@link SriovEngine#open(SriovConfig, SysfsAccess, org.sriov4j.spi.DeviceNodeAccess)}): the library
 * itself has no test hook.
 *
 * <p>Usage: {@code PausingLeaseHolder STEP BDF GUEST}.
 */
public final class PausingLeaseHolder {

    private PausingLeaseHolder() {
    }

    /**
     * Runs the lease.
     *
     * @param args step, BDF, guest
     */
    public static void main(String[] args) {
        int step = Integer.parseInt(args[0]);
        PciAddress vf = PciAddress.parse(args[1]);
        SriovConfig config = SriovConfig.defaults();
        SysfsAccess sysfs = pausingAfter(step, vf, new NioSysfsAccess(config.sysfsRoot()));
        try (SriovHost host = SriovEngine.open(config, sysfs, new NioDeviceNodeAccess(config.devRoot()))) {
            host.lease(vf, args[2]);
            System.out.println("the lease completed without reaching detach step " + step);
        }
    }

    /**
     * {@code real}, except that a write that completes detach step {@code step} of {@code vf} is followed by the
     * pause. A proxy, so that it passes every other method of the interface through unchanged.
     */
    static SysfsAccess pausingAfter(int step, PciAddress vf, SysfsAccess real) {
        String bdf = vf.toString();
        InvocationHandler handler = (proxy, method, args) -> {
            Object result;
            try {
                result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (method.getName().startsWith("write") && args != null && args.length >= 2
                    && args[0] instanceof String path && args[1] instanceof String value
                    && stepOf(path, value, bdf) == step) {
                System.out.println("sriov4j: test pause after detach step " + step + " of " + bdf);
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            return result;
        };
        return (SysfsAccess) Proxy.newProxyInstance(SysfsAccess.class.getClassLoader(),
                new Class<?>[] {SysfsAccess.class}, handler);
    }

    /** Which step of the detach of {@code bdf} a sysfs write completes, or 0. */
    static int stepOf(String path, String value, String bdf) {
        if (path.endsWith("devices/" + bdf + "/driver_override") && value.strip().equals("vfio-pci")) {
            return 1;
        }
        if (path.endsWith("/unbind") && value.strip().equals(bdf)) {
            return 2;
        }
        if (path.endsWith("drivers_probe") && value.strip().equals(bdf)) {
            return 3;
        }
        return 0;
    }
}
