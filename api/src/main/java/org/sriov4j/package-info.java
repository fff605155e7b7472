/**
 * SR-IOV for Java virtual machine monitors: discover physical and virtual functions, and (in later versions) take
 * virtual functions from the host, lease them to exactly one guest and give them back.
 *
 * <p>Start with {@link org.sriov4j.SriovHost#open(SriovConfig)}:
 * <pre>{@code
 * try (SriovHost host = SriovHost.open(SriovConfig.defaults())) {
 *     Topology topology = host.topology();
 *     for (PhysicalFunction pf : topology.physicalFunctions()) {
 *         System.out.println(pf.address() + " " + pf.numVfs() + "/" + pf.totalVfs() + " VFs");
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
