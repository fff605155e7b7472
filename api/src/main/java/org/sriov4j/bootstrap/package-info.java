/**
 * The service interface through which {@link org.sriov4j.SriovHost#open(org.sriov4j.SriovConfig)} finds its engine.
 * Only engine implementers use this package.
 */
@NullMarked
package org.sriov4j.bootstrap;

import org.jspecify.annotations.NullMarked;
