/**
 * The KVM-VFIO backend's {@link java.util.ServiceLoader} provider, public only because ServiceLoader needs it. Not
 * exported; no compatibility promises.
 */
@NullMarked
package org.sriov4j.vfio.internal;

import org.jspecify.annotations.NullMarked;
