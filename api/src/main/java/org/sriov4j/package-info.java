/**
 * SR-IOV for Java virtual machine monitors: discover physical and virtual functions, enable and disable VFs, take
 * functions from the host ({@link org.sriov4j.SriovHost#detach}), lease them to exactly one guest across threads
 * and processes ({@link org.sriov4j.SriovHost#lease}, {@link org.sriov4j.VfPool}), give them back to exactly their
 * original driver, and finish what a killed process left ({@link org.sriov4j.SriovHost#recover()}).
 *
 * <p>Start with {@link org.sriov4j.SriovHost#open(SriovConfig)}:
 * <pre>{@code
 * try (SriovHost host = SriovHost.open(SriovConfig.defaults())) {
 *     Topology topology = host.topology();
 *     for (PhysicalFunction pf : topology.physicalFunctions()) {
 *         System.out.println(pf.address() + " " + pf.numVfs() + "/" + pf.totalVfs() + " VFs");
 *     }
 *     try (Lease lease = host.pool(VfSelector.parse("ens1f0#0-3")).lease("vm-42")) {
 *         // lease.device() is on the backend's stub driver (vfio-pci), leased to vm-42 alone
 *     }
 * }
 * }</pre>
 *
 * <p>All types in this package are null-marked: no parameter or return value is {@code null} unless annotated
 * {@code @Nullable}; absent values are {@link java.util.Optional} or {@link java.util.OptionalInt}.
 */
@NullMarked
package org.sriov4j;

import org.jspecify.annotations.NullMarked;
