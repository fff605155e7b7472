package org.sriov4j;

import java.time.Duration;

/**
 * How a VMM adds a function to its running guest and takes it out again, for backends that do not do it
 * themselves (kvm-vfio: only the VMM knows its guests; typically QMP {@code device_add} of a {@code vfio-pci}
 * device and {@code device_del} followed by the {@code DEVICE_DELETED} event). Given with
 * {@link SriovConfig.Builder#plugActuator(GuestPlugActuator)}; with one, {@link Lease#attachToGuest(String)} and
 * {@link SriovHost#attachToGuest(PciAddress, String)} work on kvm-vfio, run the {@link GuestHook}s around it, record
 * the attachment in the ledger, and {@link SriovHost#backendFeatures()} reports {@link BackendFeature#HOT_PLUG}.
 *
 * <pre>{@code
 * final class QmpActuator implements GuestPlugActuator {
 *     public void plug(PciAddress device, String guest) {
 *         qmp(guest).execute("device_add", Map.of("driver", "vfio-pci", "host", device.toString(),
 *                 "id", "hostdev-" + device.toString().replace(':', '-')));
 *     }
 *     public void unplug(PciAddress device, String guest, Duration timeLimit) {
 *         String id = "hostdev-" + device.toString().replace(':', '-');
 *         qmp(guest).execute("device_del", Map.of("id", id));          // asks the guest to eject it
 *         qmp(guest).awaitEvent("DEVICE_DELETED", "device", id, timeLimit); // throws on timeout
 *     }
 * }
 * }</pre>
 *
 * <p>Methods may block; the engine waits for each call at most {@link SriovConfig#plugTimeLimit()} (an unplug
 * answering a kernel request: its grace period) on a thread of its own and treats an overrun as a failure; the
 * thread of a call that overran is interrupted and abandoned, as a {@link GuestHook}'s is.
 */
public interface GuestPlugActuator {

    /**
     * Adds the function (on the backend's stub driver, {@code vfio-pci}) to the running guest. Return only when the
     * guest has it.
     *
     * @param device the function
     * @param guest the guest, as named to {@link Lease#attachToGuest(String)}
     * @throws RuntimeException if the guest cannot take it; nothing must be left half-added
     */
    void plug(PciAddress device, String guest);

    /**
     * Asks the guest to give the function up and waits until it has, at most {@code timeLimit}.
     *
     * @param device the function
     * @param guest the guest it is attached to
     * @param timeLimit how long the guest may take to eject it
     * @throws RuntimeException if the guest did not give it up (it is then still attached)
     */
    void unplug(PciAddress device, String guest, Duration timeLimit);

    /**
     * Whether the guest still exists: {@link SriovHost#recover()} unplugs only from guests that exist.
     *
     * @param guest the guest
     * @return true if it exists; default true
     */
    default boolean guestExists(String guest) {
        return true;
    }
}
