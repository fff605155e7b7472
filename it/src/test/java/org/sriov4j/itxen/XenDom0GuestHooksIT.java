package org.sriov4j.itxen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.it.GuestSysfs.driver;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sriov4j.BackendFeature;
import org.sriov4j.GuestHook;
import org.sriov4j.HookVerdict;
import org.sriov4j.HotplugContext;
import org.sriov4j.HotplugException;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;

/**
 * The guest hooks around {@code xl pci-attach}/{@code pci-detach} in a real Xen 4.17 dom0 (it/scripts/xen-kits.sh):
 * a PV domU {@code hooks1} (passthrough enabled); two hooks record their calls and what {@code xl pci-list} shows at
 * each, proving prepare runs before the attach and commit after it (and the reverse for detach); a vetoing hook
 * leaves nothing attached and the VF unchanged on pciback.
 */
class XenDom0GuestHooksIT {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final String DOMU = "hooks1";

    final List<String> calls = new CopyOnWriteArrayList<>();
    SriovHost host;

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    static String domu() {
        return Path.of(System.getenv("SRIOV4J_IT_XEN_SCRIPTS"), "domu.sh").toString();
    }

    @BeforeAll
    static void createDomU() throws Exception {
        run("bash", domu(), "create", DOMU);
    }

    @AfterAll
    static void destroyDomU() throws Exception {
        run("bash", domu(), "destroy", DOMU);
    }

    /** Whether {@code xl pci-list DOMU} shows the function. */
    static boolean attached(PciAddress f) {
        try {
            String out = run("xl", "pci-list", DOMU);
            String bdf = f.toString();
            return out.contains(bdf) || out.contains(bdf.substring(5)); // xl prints DDDD:BB:DD.F
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    GuestHook hook(String name, int order, PciAddress vf, String veto) {
        return new GuestHook() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int order() {
                return order;
            }

            @Override
            public java.time.Duration timeLimit() {
                return java.time.Duration.ofSeconds(30); // xl pci-list takes ~1 s under TCG
            }

            @Override
            public HookVerdict prepare(HotplugContext c) {
                calls.add(name + ".prepare " + c.operation() + " attached=" + attached(vf));
                return veto != null ? HookVerdict.veto(veto) : HookVerdict.proceed();
            }

            @Override
            public void commit(HotplugContext c) {
                calls.add(name + ".commit " + c.operation() + " attached=" + attached(vf));
            }

            @Override
            public void abort(HotplugContext c) {
                calls.add(name + ".abort " + c.operation() + " attached=" + attached(vf));
            }
        };
    }

    SriovHost open(GuestHook... hooks) {
        SriovConfig.Builder b = SriovConfig.builder().sysfsRoot(Path.of("/sys")).devRoot(Path.of("/dev"))
                .backend("xen-pciback").loadGuestHooks(false);
        for (GuestHook h : hooks) {
            b.hook(h);
        }
        host = SriovHost.open(b.build());
        return host;
    }

    @AfterEach
    void giveBack() {
        if (host != null) {
            host.close();
        }
        try (SriovHost h = open()) {
            h.recover().keptDetached().forEach(h::reattach);
            h.disableVfs(PF);
        }
    }


    @Test
    void theHooksRunAroundXlPciAttachAndPciDetachInOrder() throws Exception {
        PciAddress vf = PciAddress.parse("0000:01:10.0");
        open(hook("b", 2, vf, null), hook("a", 1, vf, null));
        assertTrue(host.backendFeatures().contains(BackendFeature.HOT_PLUG));
        vf = host.enableVfs(PF, 1).vfs().get(0);
        try (Lease lease = host.lease(vf, DOMU)) {
            lease.attachToGuest(DOMU);
            assertEquals(List.of("a.prepare PLUG attached=false", "b.prepare PLUG attached=false",
                    "a.commit PLUG attached=true", "b.commit PLUG attached=true"), calls);
            calls.clear();
            lease.detachFromGuest();
            assertEquals(List.of("b.prepare UNPLUG attached=true", "a.prepare UNPLUG attached=true",
                    "b.commit UNPLUG attached=false", "a.commit UNPLUG attached=false"), calls);
        }
        assertEquals(Optional.of("igbvf"), driver(vf));
    }

    @Test
    void aVetoingHookLeavesNothingAttachedAndTheVfUnchanged() throws Exception {
        PciAddress vf = PciAddress.parse("0000:01:10.0");
        open(hook("a", 1, vf, null), hook("veto", 2, vf, "not in this maintenance window"));
        vf = host.enableVfs(PF, 1).vfs().get(0);
        try (Lease lease = host.lease(vf, DOMU)) {
            HotplugException e = assertThrows(HotplugException.class, () -> lease.attachToGuest(DOMU));
            assertEquals(HotplugException.Kind.VETOED, e.kind());
            assertEquals("veto", e.hook());
            assertEquals(List.of("a.prepare PLUG attached=false", "veto.prepare PLUG attached=false",
                    "a.abort PLUG attached=false"), calls);
            assertFalse(attached(vf), "xl pci-list shows nothing");
            assertEquals(Optional.of("pciback"), driver(vf), "still assignable, as before");
            assertEquals(Optional.empty(), lease.attachedTo());
            assertEquals(Optional.empty(), host.assignments().get(0).attachedTo());
        }
        assertEquals(Optional.of("igbvf"), driver(vf));
    }
}
