/**
 * JMH benchmarks of sriov4j, and the sysfs tree generator they run on. Not part of the library; not deployed.
 *
 * <p>Run {@code benchmarks/run-discovery.sh}, or {@code java -jar benchmarks/target/benchmarks.jar -h}.
 */
@NullMarked
package org.sriov4j.benchmarks;

import org.jspecify.annotations.NullMarked;
