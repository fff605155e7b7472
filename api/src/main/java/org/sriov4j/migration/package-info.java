/**
 * Moving a guest's SR-IOV devices to another host: the {@link org.sriov4j.migration.DeviceProfile} of a VF (its JSON
 * form is the transfer format, documented in {@code docs/device-profile.md}), the destination's check for an
 * identical device configuration ({@link MigrationHost#checkDestination}, per-field
 * {@link org.sriov4j.migration.FieldRule}s), the PF/VF driver compatibility verdicts of the vendors' matrices, and
 * the {@link org.sriov4j.migration.MigrationPlan} of ordered steps with its {@link
 * org.sriov4j.migration.MigrationExecutor}.
 */
@NullMarked
package org.sriov4j.migration;

import org.jspecify.annotations.NullMarked;
