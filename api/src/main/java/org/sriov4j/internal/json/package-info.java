/**
 * A small, strict JSON reader and writer (RFC 8259) for sriov4j's own formats: the device profile
 * ({@link org.sriov4j.migration.DeviceProfile}) and the vendors' PF/VF driver compatibility matrices. Not exported
 * to applications; the engine and the command line use it through qualified exports.
 */
@NullMarked
package org.sriov4j.internal.json;

import org.jspecify.annotations.NullMarked;
