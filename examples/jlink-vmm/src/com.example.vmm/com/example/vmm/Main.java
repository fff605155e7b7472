package com.example.vmm;

import java.nio.file.Path;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.vfio.HostMemory;
import org.sriov4j.vfio.VfioSystem;

/**
 * Runs in the jlink image: opens sriov4j on the sysfs and /dev trees named on the command line (ServiceLoader finds
 * the engine and the kvm-vfio provider through the modules' {@code provides}), and loads JNA from the image to map
 * and use a page of memory the way a VMM maps guest RAM.
 */
public final class Main {

    private Main() {
    }

    /**
     * Prints one line per check.
     *
     * @param args the sysfs root and the /dev root
     */
    public static void main(String[] args) {
        SriovConfig config = SriovConfig.builder().sysfsRoot(Path.of(args[0])).devRoot(Path.of(args[1]))
                .stateDir(Path.of(args[2])).build();
        try (SriovHost host = SriovHost.open(config)) {
            System.out.println("engine: " + host.getClass().getModule().getName() + ", "
                    + host.topology().physicalFunctions().size() + " PFs");
            System.out.println("backend: " + host.backendId() + " " + host.backendFeatures().contains(
                    org.sriov4j.BackendFeature.USER_SPACE_DMA_MAPPING));
        }
        VfioSystem vfio = VfioSystem.open();
        try (HostMemory ram = vfio.allocate(vfio.pageSize())) {
            ram.buffer().putLong(0, 0x5eed_c0de_1234_5678L);
            Module jna = ModuleLayer.boot().findModule("com.sun.jna").orElseThrow();
            System.out.printf("jna: module %s (%s), a page of %d bytes mapped, read back 0x%x%n", jna.getName(),
                    jna.getDescriptor().isAutomatic() ? "automatic" : "explicit", ram.length(),
                    ram.buffer().getLong(0));
        }
    }
}
