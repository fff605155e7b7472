package org.sriov4j.spi;

import java.util.Map;
import java.util.Optional;
import org.sriov4j.migration.FieldRule;
import org.sriov4j.migration.ProfileRules;
import java.util.OptionalInt;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.VfNetConfig;

/**
 * Device-specific knowledge about a family of physical functions, found through {@link java.util.ServiceLoader}.
 *
 * <p><b>Selection.</b> For each PF the engine asks every plugin for its {@link #match(PciFunction) match}; the best
 * {@link MatchLevel} wins, then the highest {@link #priority()}. Two plugins with the same best level and the same
 * priority are an error naming both: the engine never picks one by class-path order. sriov4j ships a
 * {@code generic} plugin that matches every PF at {@link MatchLevel#GENERIC} and does nothing, so a plugin that
 * matches at {@link MatchLevel#VENDOR} or {@link MatchLevel#DEVICE} always wins over it.
 *
 * <p><b>Hooks.</b> When the engine changes the VF count of a PF (docs/kernel-facts.md, "Enable N VFs", step 4) it calls
 * the chosen plugin's hooks, on the caller's thread, while it holds the PF:
 * <ol>
 * <li>{@link #vfLimit(PhysicalFunction)} before anything is written: a count above the limit is refused and nothing
 * changes;</li>
 * <li>{@link #beforeDisable(VendorContext, PhysicalFunction)} before {@code 0} is written to
 * {@code sriov_numvfs} of a PF that has VFs (by {@code disableVfs}, and by {@code enableVfs} going through 0);</li>
 * <li>{@link #beforeEnable(VendorContext, PhysicalFunction, int)} when the PF has no VFs, just before a non-zero
 * count is written;</li>
 * <li>{@link #afterEnable(VendorContext, PhysicalFunction, int)} once the kernel has created the VFs and their
 * {@code physfn} links.</li>
 * </ol>
 * Every hook has a no-op default. A hook that throws fails the whole operation as a transaction: the engine removes
 * the VFs it created, writes back the previous VF count and {@code sriov_drivers_autoprobe}, and throws a
 * {@link org.sriov4j.SriovException} that names the plugin, the hook, and what was restored. Hooks see the host only
 * through {@link VendorContext} (sysfs); keep them quick, they run inside the engine's PF lock.
 *
 * <p><b>Writing one.</b> Implement this interface in a public class with a public no-argument constructor and
 * register it: {@code provides org.sriov4j.spi.VendorPlugin with com.example.AcmePlugin;} in your
 * {@code module-info.java} and a {@code META-INF/services/org.sriov4j.spi.VendorPlugin} file naming the class
 * (for the class path). {@code ExampleVendorPluginTest} in the sriov4j sources is a complete example with tests on
 * the simulated kernel:
 *
 * <pre>{@code
 * public final class AcmePlugin implements VendorPlugin {
 *     public String id() { return "acme-x1"; }
 *     public MatchLevel match(PciFunction pf) {
 *         return pf.id().equals(new PciId(0x1bad, 0x0a01)) ? MatchLevel.DEVICE : MatchLevel.NONE;
 *     }
 *     public void beforeEnable(VendorContext ctx, PhysicalFunction pf, int count) {
 *         ctx.sysfs().write(ctx.pfPath("acme/vf_mode"), "legacy");   // the PF driver wants this first
 *     }
 * }
 * }</pre>
 */
public interface VendorPlugin {

    /** How well a plugin matches a PF; later constants are better matches. */
    enum MatchLevel {
        /** Does not apply: the plugin is never chosen for this PF. */
        NONE,
        /** Applies to any SR-IOV device. */
        GENERIC,
        /** Applies to this vendor's devices. */
        VENDOR,
        /** Written for exactly this device. */
        DEVICE
    }

    /**
     * A stable id for diagnostics: the engine's log and its error messages name plugins by it.
     *
     * @return e.g. {@code generic} or {@code intel-igb}
     */
    String id();

    /**
     * Breaks ties between plugins of the same match level; higher wins. A tie on both level and priority is an
     * error.
     *
     * @return the priority; 0 by default
     */
    default int priority() {
        return 0;
    }

    /**
     * How well this plugin matches a PF. Called for every PF whose VFs are changed; must be cheap, must not touch
     * the device, and must not throw (an exception fails the operation, naming this plugin).
     *
     * @param pf the physical function
     * @return the match level; {@link MatchLevel#NONE} if the plugin does not apply
     */
    MatchLevel match(PciFunction pf);

    /**
     * The host driver for VFs of this PF, when the plugin knows it.
     *
     * @param pf the physical function
     * @return e.g. {@code igbvf}; empty by default
     */
    default Optional<String> vfDriver(PciFunction pf) {
        return Optional.empty();
    }

    /**
     * The most VFs this PF supports with its current driver, when the plugin knows a limit that
     * {@code sriov_totalvfs} may not show (e.g. it shows the hardware's limit while no driver is bound). The engine
     * refuses a larger count before writing anything.
     *
     * @param pf the physical function, as read before the operation
     * @return the limit; empty (no limit beyond {@code sriov_totalvfs}) by default
     */
    default OptionalInt vfLimit(PhysicalFunction pf) {
        return OptionalInt.empty();
    }

    /**
     * Called when the PF has no VFs, just before the engine writes {@code count} to {@code sriov_numvfs}: the
     * place for steps the PF driver needs first (e.g. an eswitch mode). Throw to refuse; the engine then restores
     * the previous VF count and autoprobe setting.
     *
     * @param ctx what the plugin may use
     * @param pf the PF as it was when the operation started (its {@code numVfs} may since have become 0)
     * @param count the VF count about to be written, at least 1
     */
    default void beforeEnable(VendorContext ctx, PhysicalFunction pf, int count) {
    }

    /**
     * Called once the kernel has created {@code count} VFs and their {@code physfn} links, before the engine
     * returns: the place to check or finish what the device needs. Throw to fail; the engine then removes the new
     * VFs and restores the previous VF count and autoprobe setting.
     *
     * @param ctx what the plugin may use
     * @param pf the PF as it is now, with its new VFs
     * @param count the VF count that was written
     */
    default void afterEnable(VendorContext ctx, PhysicalFunction pf, int count) {
    }

    /**
     * Called just before the engine writes {@code 0} to {@code sriov_numvfs} of a PF that has VFs (by
     * {@code disableVfs}, and by {@code enableVfs} when it changes a non-zero count). Throw to refuse; nothing has
     * been written to {@code sriov_numvfs} then.
     *
     * @param ctx what the plugin may use
     * @param pf the PF as it is now, with its VFs
     */
    default void beforeDisable(VendorContext ctx, PhysicalFunction pf) {
    }

    /**
     * Whether the device refuses a VF network setting, known before the kernel is asked, so that a change that
     * would fail is refused before any setting of the VF changes (and the error names the setting and the device).
     * Called once per setting of a change, with the whole change and the PF's link as the kernel reports it. The
     * default refuses nothing: the kernel decides.
     *
     * @param ctx sysfs and the PF
     * @param setting the setting about to be changed
     * @param change the whole change (the rates: both, the missing one filled in from the VF's current value)
     * @param pfLinkUp whether the PF's netdev is up with a carrier ({@code IFF_UP} and {@code IFF_LOWER_UP})
     * @return the refusal, or empty to let the kernel decide
     */
    default Optional<VfNetRefusal> vfNetRefusal(VendorContext ctx, VfNetConfig.Setting setting, VfNetConfig change,
            boolean pfLinkUp) {
        return Optional.empty();
    }

    /**
     * The vendor's PF/VF driver compatibility matrix for the PFs this plugin matches, used when a guest's VF driver
     * is checked ({@code MigrationHost.vfDriverCompatibility}, {@code MigrationHost.checkDestination} with a guest driver).
     * Ship it as a JSON resource next to the plugin class and load it from there, so that the lookup works in the
     * plugin's own module:
     * <pre>{@code
     * public Optional<CompatibilityMatrix> compatibilityMatrix() {
     *     return Optional.of(CompatibilityMatrix.load(AcmePlugin.class, "acme-compatibility.json"));
     * }
     * }</pre>
     *
     * @return the matrix; empty (every pair UNKNOWN) by default
     * @throws org.sriov4j.migration.ProfileFormatException if the shipped matrix is malformed
     */
    default Optional<CompatibilityMatrix> compatibilityMatrix() {
        return Optional.empty();
    }

    /**
     * Rules of the destination check for VFs of this PF that differ from {@link ProfileRules#defaults()}, and rules
     * for the fields {@link #profileFields} adds (named {@code vendor.NAME}; {@link FieldRule#MUST_MATCH} unless
     * given here). Applied on top of the caller's rules for candidates on this PF.
     *
     * @param pf the physical function
     * @return field to rule; empty by default
     */
    default Map<String, FieldRule> profileRules(PciFunction pf) {
        return Map.of();
    }

    /**
     * Device-specific fields to add to the profile of a VF of this PF (e.g. a firmware feature level read from the
     * PF's sysfs): they appear as {@code vendor.NAME} in the profile and are compared by the destination check. Must
     * not change the device.
     *
     * @param ctx sysfs and the PF
     * @param vf the VF being profiled
     * @return name ({@code [a-zA-Z][a-zA-Z0-9_.-]*}) to value; empty by default
     */
    default Map<String, String> profileFields(VendorContext ctx, PciAddress vf) {
        return Map.of();
    }
}
