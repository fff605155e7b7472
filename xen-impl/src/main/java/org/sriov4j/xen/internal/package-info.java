/**
 * The Xen pciback backend's implementation: its {@link java.util.ServiceLoader} provider (public only because
 * ServiceLoader needs it), the pciback steps and the {@code xl} toolstack. Not exported; no compatibility promises.
 */
@NullMarked
package org.sriov4j.xen.internal;

import org.jspecify.annotations.NullMarked;
