package org.sriov4j.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.sriov4j.GuestHook;
import org.sriov4j.HookVerdict;
import org.sriov4j.HotplugContext;

/** A hook a module ships: found through {@code META-INF/services/org.sriov4j.GuestHook} of the test class path. */
public final class ServiceLoadedHook implements GuestHook {

    /** What every instance was called with. */
    static final List<String> CALLS = new CopyOnWriteArrayList<>();

    /** For ServiceLoader. */
    public ServiceLoadedHook() {
    }

    @Override
    public String name() {
        return "service-loaded";
    }

    @Override
    public HookVerdict prepare(HotplugContext c) {
        CALLS.add("prepare " + c.operation());
        return HookVerdict.proceed();
    }

    @Override
    public void commit(HotplugContext c) {
        CALLS.add("commit " + c.operation());
    }
}
