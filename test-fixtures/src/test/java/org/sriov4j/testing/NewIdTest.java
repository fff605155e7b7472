package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sriov4j.testing.Expect.PF;
import static org.sriov4j.testing.Expect.PF_ADDRESS;
import static org.sriov4j.testing.Expect.dev;
import static org.sriov4j.testing.Expect.errno;
import static org.sriov4j.testing.Expect.vf;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;

class NewIdTest {

    private final SimulatedKernel k = SimulatedKernel.intel82576Host();

    private void threeUnboundVfs() {
        k.write(PF + "sriov_numvfs", "3");
        for (int i = 0; i < 3; i++) {
            k.write(dev(i) + "driver/unbind", vf(i).toString());
        }
    }

    @Test
    void newIdBindsEveryUnboundMatchingDeviceThatCanProbe() {
        threeUnboundVfs();
        k.write("bus/pci/drivers/vfio-pci/new_id", "8086 10ca");
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.of("vfio-pci"), k.driverOf(vf(i)));
        }
        assertEquals(Optional.of("igb"), k.driverOf(PF_ADDRESS), "bound devices are left alone");
        k.write(PF + "sriov_numvfs", "0");
        k.write(PF + "sriov_numvfs", "1");
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(0)), "igbvf was loaded first");
    }

    @Test
    void newIdLeavesVfsThatCannotProbeUnbound() {
        threeUnboundVfs();
        k.write(PF + "sriov_drivers_autoprobe", "0");
        k.write("bus/pci/drivers/vfio-pci/new_id", "0x8086 0x10CA\n");
        assertEquals(Optional.empty(), k.driverOf(vf(0)));
    }

    @Test
    void repeatingNewIdIsEexist() {
        k.write("bus/pci/drivers/vfio-pci/new_id", "8086 10ca");
        errno(Errno.EEXIST, () -> k.write("bus/pci/drivers/vfio-pci/new_id", "8086 10ca"));
    }

    @Test
    void newIdForAnIdInTheStaticTableIsEexist() {
        errno(Errno.EEXIST, () -> k.write("bus/pci/drivers/igbvf/new_id", "8086 10ca"));
    }

    @Test
    void newIdWithFewerThanTwoHexFieldsIsEinval() {
        errno(Errno.EINVAL, () -> k.write("bus/pci/drivers/vfio-pci/new_id", "8086"));
        errno(Errno.EINVAL, () -> k.write("bus/pci/drivers/vfio-pci/new_id", "8086:10ca"));
        errno(Errno.EINVAL, () -> k.write("bus/pci/drivers/vfio-pci/new_id", "zz 10ca"));
    }

    @Test
    void removeIdRemovesTheDynamicIdWithoutUnbinding() {
        threeUnboundVfs();
        k.write("bus/pci/drivers/vfio-pci/new_id", "8086 10ca");
        k.write("bus/pci/drivers/vfio-pci/remove_id", "8086 10ca");
        assertEquals(Optional.of("vfio-pci"), k.driverOf(vf(0)));
        k.write("bus/pci/drivers/vfio-pci/new_id", "8086 10ca");
    }

    @Test
    void removeIdOfAnIdThatWasNotAddedIsEnodev() {
        errno(Errno.ENODEV, () -> k.write("bus/pci/drivers/vfio-pci/remove_id", "8086 10ca"));
        errno(Errno.ENODEV, () -> k.write("bus/pci/drivers/igbvf/remove_id", "8086 10ca"));
        errno(Errno.EINVAL, () -> k.write("bus/pci/drivers/igbvf/remove_id", "8086"));
    }

    @Test
    void unloadingADriverForgetsItsDynamicIds() {
        k.write("bus/pci/drivers/vfio-pci/new_id", "8086 10ca");
        k.unloadDriver("vfio-pci");
        k.loadDriver("vfio-pci");
        k.write("bus/pci/drivers/vfio-pci/new_id", "8086 10ca");
    }
}
