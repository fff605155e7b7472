/** KVM-VFIO backend internals. Not exported. */
@NullMarked
package org.sriov4j.vfio;

import org.jspecify.annotations.NullMarked;
