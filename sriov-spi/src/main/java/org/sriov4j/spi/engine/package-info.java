/**
 * {@link org.sriov4j.spi.engine.SriovEngine}: opens sriov4j's engine as a {@link org.sriov4j.SriovHost} on any
 * {@link org.sriov4j.spi.SysfsAccess} and {@link org.sriov4j.spi.DeviceNodeAccess} (a simulated kernel, a captured
 * tree, a wrapper that injects faults). Above the engine's internals, which it alone names; the interfaces it takes
 * are in {@link org.sriov4j.spi}, which depends on neither.
 */
@NullMarked
package org.sriov4j.spi.engine;

import org.jspecify.annotations.NullMarked;
