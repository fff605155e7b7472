package org.sriov4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SriovConfigTest {

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void theDefaultsAreTheRealHostAndReadNothingFromOutside() {
        SriovConfig c = SriovConfig.defaults();
        assertEquals(Path.of("/sys"), c.sysfsRoot());
        assertEquals(Path.of("/dev"), c.devRoot());
        assertEquals(Path.of("/run/sriov4j"), c.stateDir());
        assertEquals(Optional.empty(), c.backend());
        assertFalse(c.xenPermissive());
        assertFalse(c.allowUnsafeAssignmentWithoutIommu());
        assertEquals(c.toString(), SriovConfig.fromEnvironment(new Properties(), Map.of()).toString());
    }

    @Test
    void anEnvironmentVariableMovesTheSysfsRootForContainers() {
        assertEquals(Path.of("/host/sys"), SriovConfig.fromEnvironment(new Properties(),
                Map.of(SriovConfig.SYSFS_ROOT_ENV, "/host/sys")).sysfsRoot());
    }

    @Test
    void theSystemPropertyWinsOverTheEnvironmentAndBlankMeansUnset() {
        SriovConfig c = SriovConfig.fromEnvironment(props(SriovConfig.SYSFS_ROOT_PROPERTY, "/prop/sys",
                SriovConfig.STATE_DIR_PROPERTY, " "), Map.of(SriovConfig.SYSFS_ROOT_ENV, "/host/sys",
                        SriovConfig.STATE_DIR_ENV, "/tmp/state"));
        assertEquals(Path.of("/prop/sys"), c.sysfsRoot());
        assertEquals(Path.of("/tmp/state"), c.stateDir());
    }

    @Test
    void everySettingOfTheDocumentedListIsRead() {
        SriovConfig c = SriovConfig.fromEnvironment(new Properties(), Map.of(
                SriovConfig.SYSFS_ROOT_ENV, "/s", SriovConfig.DEV_ROOT_ENV, "/d", SriovConfig.STATE_DIR_ENV, "/st",
                SriovConfig.BACKEND_ENV, "xen-pciback", SriovConfig.XEN_PERMISSIVE_ENV, "true"));
        assertEquals(Path.of("/s"), c.sysfsRoot());
        assertEquals(Path.of("/d"), c.devRoot());
        assertEquals(Path.of("/st"), c.stateDir());
        assertEquals(Optional.of("xen-pciback"), c.backend());
        assertTrue(c.xenPermissive());
        assertFalse(SriovConfig.fromEnvironment(props(SriovConfig.XEN_PERMISSIVE_PROPERTY, "false"),
                Map.of(SriovConfig.XEN_PERMISSIVE_ENV, "true")).xenPermissive());
    }

    @Test
    void anInvalidValueIsRefusedNamingWhereItCameFrom() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SriovConfig
                .fromEnvironment(props(SriovConfig.BACKEND_PROPERTY, "KVM VFIO"), Map.of()));
        assertTrue(e.getMessage().startsWith("system property sriov4j.backend: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SriovConfig.fromEnvironment(new Properties(),
                Map.of(SriovConfig.XEN_PERMISSIVE_ENV, "yes")));
        assertTrue(e.getMessage().contains("environment variable SRIOV4J_XEN_PERMISSIVE: expected true or false"),
                e.getMessage());
    }

    @Test
    void builderValueWinsOverEverythingAndToBuilderKeepsIt() {
        SriovConfig c = SriovConfig.fromEnvironment(new Properties(), Map.of(SriovConfig.SYSFS_ROOT_ENV, "/e"))
                .toBuilder().sysfsRoot(Path.of("/x")).devRoot(Path.of("/d")).xenPermissive().build();
        assertEquals(Path.of("/x"), c.sysfsRoot());
        assertEquals(Path.of("/d"), c.toBuilder().build().devRoot());
        assertTrue(c.toBuilder().build().xenPermissive());
    }
}
