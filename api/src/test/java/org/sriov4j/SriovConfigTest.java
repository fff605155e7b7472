package org.sriov4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SriovConfigTest {

    private static Path root(Properties p, Map<String, String> env) {
        return SriovConfig.Builder.defaultRoot(p, env, SriovConfig.SYSFS_ROOT_PROPERTY, SriovConfig.SYSFS_ROOT_ENV,
                "/sys");
    }

    @Test
    void sysfsRootDefaultsToSys() {
        assertEquals(Path.of("/sys"), root(new Properties(), Map.of()));
    }

    @Test
    void environmentVariableMovesTheSysfsRootForContainers() {
        assertEquals(Path.of("/host/sys"), root(new Properties(), Map.of(SriovConfig.SYSFS_ROOT_ENV, "/host/sys")));
    }

    @Test
    void systemPropertyWinsOverTheEnvironment() {
        Properties p = new Properties();
        p.setProperty(SriovConfig.SYSFS_ROOT_PROPERTY, "/prop/sys");
        assertEquals(Path.of("/prop/sys"), root(p, Map.of(SriovConfig.SYSFS_ROOT_ENV, "/host/sys")));
    }

    @Test
    void builderValueWinsOverEverythingAndToBuilderKeepsIt() {
        SriovConfig c = SriovConfig.builder().sysfsRoot(Path.of("/x")).devRoot(Path.of("/d")).build();
        assertEquals(Path.of("/x"), c.sysfsRoot());
        assertEquals(Path.of("/d"), c.toBuilder().build().devRoot());
    }
}
