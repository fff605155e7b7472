package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.BackendFeature;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;

/**
 * sriov4j on the module path, as a modular VMM sees it. Runs only in surefire's {@code module-path} execution of
 * this module (the other tests run on the class path): the test class is patched into {@code org.sriov4j.vfio}, and
 * the API, the engine and JNA are named modules.
 */
class ModulePathTest {

    /** Set by the module-path execution, so that a misconfigured run fails instead of skipping. */
    private static final String EXPECT_MODULE_PATH = "sriov4j.test.expectModulePath";

    @BeforeAll
    static void onlyOnTheModulePath() {
        if (!Boolean.getBoolean(EXPECT_MODULE_PATH)) {
            assumeTrue(ModulePathTest.class.getModule().isNamed(), "runs in surefire's module-path execution");
        }
    }

    private static Set<String> exports(Module m) {
        return m.getDescriptor().exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theTestRunsInTheNamedModuleAndJnaIsAnExplicitModule() {
        assertEquals("org.sriov4j.vfio", getClass().getModule().getName(), "not on the module path");
        Module jna = ModuleLayer.boot().findModule("com.sun.jna").orElseThrow();
        assertFalse(jna.getDescriptor().isAutomatic(), "jna-jpms has a module descriptor (jlink needs one)");
        assertTrue(VfioSystem.class.getModule().canRead(jna));
    }

    @Test
    void eachModuleExportsOnlyItsApiAndTheApiNeedsNothingButTheJdk() {
        Module api = SriovHost.class.getModule();
        Module spi = org.sriov4j.spi.SysfsAccess.class.getModule();
        Module vfio = VfioSystem.class.getModule();
        assertEquals(Set.of("org.sriov4j", "org.sriov4j.bootstrap", "org.sriov4j.migration"), exports(api));
        assertFalse(api.isExported("org.sriov4j.internal.json"), "only to the engine and the CLI");
        assertTrue(api.isExported("org.sriov4j.internal.json", spi));
        assertEquals(Set.of("org.sriov4j.spi", "org.sriov4j.spi.engine"), exports(spi));
        assertEquals(Set.of("org.sriov4j.vfio"), exports(vfio));
        assertFalse(vfio.isExported("org.sriov4j.vfio.internal"));
        assertFalse(spi.isExported("org.sriov4j.spi.internal"));
        assertFalse(spi.isExported("org.sriov4j.spi.vendor"));
        assertEquals(Set.of("java.base", "org.jspecify"), api.getDescriptor().requires().stream()
                .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
    }

    @Test
    void serviceLoaderFindsTheEngineAndTheProviderInItsUnexportedPackage(@TempDir Path dir) throws IOException {
        Path sys = dir.resolve("sys");
        Path dev = dir.resolve("dev");
        Files.createDirectories(sys.resolve("bus/pci/devices"));
        Files.createDirectories(sys.resolve("bus/pci/drivers/vfio-pci"));
        Files.createDirectories(dev.resolve("vfio"));
        Files.createFile(dev.resolve("vfio/vfio"));
        SriovConfig config = SriovConfig.builder().sysfsRoot(sys).devRoot(dev).stateDir(dir.resolve("state")).build();
        try (SriovHost host = SriovHost.open(config)) {
            assertEquals("org.sriov4j.spi", host.getClass().getModule().getName());
            assertEquals(0, host.topology().physicalFunctions().size());
            assertEquals("kvm-vfio", host.backendId());
            assertTrue(host.backendFeatures().contains(BackendFeature.USER_SPACE_DMA_MAPPING));
        }
    }

    @Test
    void jnaLoadsItsNativePartAndMapsMemoryFromTheModulePath() {
        VfioSystem vfio = VfioSystem.open();
        try (HostMemory page = vfio.allocate(vfio.pageSize())) {
            page.buffer().putLong(8, 0x1122_3344_5566_7788L);
            assertEquals(0x1122_3344_5566_7788L, page.buffer().getLong(8));
        }
    }
}
