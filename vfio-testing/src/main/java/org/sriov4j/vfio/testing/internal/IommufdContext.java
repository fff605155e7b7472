package org.sriov4j.vfio.testing.internal;

import java.util.HashMap;
import java.util.Map;

/** An iommufd context: its objects by id (IOAS; bound devices take ids too). */
public final class IommufdContext {
    public final Map<Integer, FakeIoas> ioas = new HashMap<>();
    public int nextId = 1;
}
