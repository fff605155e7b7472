package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vfio-check}: argument handling, and the steps before the kernel on a sysfs tree in a folder (the real run
 * against the kernel is in the real-kernel suite, it/RealVfioIT). The backend's own steps are unit-tested on the
 * fake kernel in vfio-impl.
 */
class CliVfioCheckTest {

    @TempDir
    Path sysfs;
    @TempDir
    Path dev;

    @BeforeEach
    void twoVfs() throws IOException {
        function("0000:01:10.0", "vfio-pci", 6);
        function("0000:01:10.2", "igbvf", 7);
    }

    void function(String bdf, String driver, int group) throws IOException {
        Path dir = Files.createDirectories(sysfs.resolve("bus/pci/devices").resolve(bdf));
        Path groupDir = Files.createDirectories(sysfs.resolve("kernel/iommu_groups/" + group + "/devices"));
        Files.createSymbolicLink(groupDir.resolve(bdf), Path.of("../../../../bus/pci/devices/" + bdf));
        Files.createSymbolicLink(dir.resolve("iommu_group"), Path.of("../../../../kernel/iommu_groups/" + group));
        Files.createDirectories(sysfs.resolve("bus/pci/drivers/" + driver));
        Files.createSymbolicLink(dir.resolve("driver"), Path.of("../../../../bus/pci/drivers/" + driver));
    }

    CliTest.Result check(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "--sysfs-root";
        all[1] = sysfs.toString();
        all[2] = "--dev-root";
        all[3] = dev.toString();
        all[4] = "vfio-check";
        System.arraycopy(args, 0, all, 5, args.length);
        return CliTest.run(all);
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertEquals(2, check().status());
        assertEquals(2, check("0000:01:10.0", "0000:01:10.2").status());
        assertEquals(2, check("0000:01:10.0", "--yaml").status());
        CliTest.Result r = check("01:10.0/../x");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("vfio-check"), r.err());
    }

    @Test
    void helpListsTheCommand() {
        assertTrue(CliTest.run("--help").out().contains("vfio-check BDF [--json]"));
    }

    @Test
    void aFunctionOnItsHostDriverFailsAtTheDeviceStepWithOneLine() {
        CliTest.Result r = check("0000:01:10.2");
        assertEquals(1, r.status(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("vfio-check 0000:01:10.2: device failed"), r.err());
        assertTrue(r.err().contains("bound to igbvf, not vfio-pci"), r.err());
        assertTrue(r.out().contains("ok   backend"), r.out());
        assertTrue(r.out().contains("FAIL device"), r.out());
    }

    @Test
    void jsonReportsTheStepsAndTheFailure() {
        CliTest.Result r = check("01:10.2", "--json");
        assertEquals(1, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.out().contains("\"device\": \"0000:01:10.2\""), r.out());
        assertTrue(r.out().contains("\"ok\": false"), r.out());
        assertTrue(r.out().contains("\"step\": \"device\""), r.out());
        assertTrue(r.out().startsWith("{") && r.out().strip().endsWith("}"), r.out());
    }

    @Test
    void withoutVfioDeviceNodesTheContainerStepFails() {
        CliTest.Result r = check("0000:01:10.0");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("0000:01:10.0 is on vfio-pci, IOMMU group 6"), r.out());
        assertTrue(r.err().contains("container failed"), r.err());
        assertTrue(r.err().contains("ENOENT"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
