/**
 * {@link org.sriov4j.vfio.testing.SimulatedVfio}: VFIO on a simulated host, for unit tests of a VMM's code that uses
 * {@code org.sriov4j.vfio}.
 */
@NullMarked
package org.sriov4j.vfio.testing;

import org.jspecify.annotations.NullMarked;
