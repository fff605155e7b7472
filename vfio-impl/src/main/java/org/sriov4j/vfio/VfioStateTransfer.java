package org.sriov4j.vfio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;
import org.sriov4j.migration.DevicePlan;
import org.sriov4j.migration.PlanStep;
import org.sriov4j.migration.StepActions;

/**
 * The VFIO migration v2 steps of a {@link org.sriov4j.migration.MigrationPlan} ({@code RESUMING}, {@code PRE_COPY},
 * {@code STOP_COPY}, {@code RESUME}) through each device's {@link DeviceMigration}:
 *
 * <ul>
 *   <li>source {@code PRE_COPY}: RUNNING → PRE_COPY, the data fd read until the driver has nothing more for now,
 *       into the device's channel; undo: back to RUNNING;</li>
 *   <li>source {@code STOP_COPY}: → STOP_COPY (in the PRE_COPY session if there was one), the data fd read to its
 *       end into the channel, then STOP; undo: back to RUNNING (the guest's device runs on);</li>
 *   <li>destination {@code RESUMING}: STOP → RESUMING; undo: device reset (back to RUNNING, nothing loaded);</li>
 *   <li>destination {@code RESUME}: the channel written into the RESUMING data fd to its end, then RESUMING → STOP →
 *       RUNNING; undo: device reset.</li>
 * </ul>
 *
 * <p>A source and a destination in two processes each bind their own side with a channel of their own (a socket):
 * {@link #source} and {@link #destination}. {@link #inProcess} binds both ends of devices opened in one process with
 * an in-memory channel per device (one host, or a test).
 */
public final class VfioStateTransfer implements StepActions {
    private final Map<PciAddress, AssignedDevice> devices;
    private final @Nullable Function<PciAddress, OutputStream> sinks;
    private final @Nullable Function<PciAddress, InputStream> sources;
    private final Map<PciAddress, MigrationStream> streams = new HashMap<>();

    private VfioStateTransfer(Map<PciAddress, AssignedDevice> devices,
            @Nullable Function<PciAddress, OutputStream> sinks, @Nullable Function<PciAddress, InputStream> sources) {
        this.devices = Map.copyOf(devices);
        this.sinks = sinks;
        this.sources = sources;
    }

    /**
     * The source side: saves each device's state into its channel.
     *
     * @param devices the guest's devices on the source, open, by address
     * @param channels where each device's state goes (written, not closed)
     * @return the actions
     */
    public static VfioStateTransfer source(Map<PciAddress, AssignedDevice> devices,
            Function<PciAddress, OutputStream> channels) {
        return new VfioStateTransfer(devices, Objects.requireNonNull(channels, "channels"), null);
    }

    /**
     * The destination side: loads each device's state from its channel.
     *
     * @param devices the chosen devices on the destination, open, by address
     * @param channels where each device's state comes from (read to its end)
     * @return the actions
     */
    public static VfioStateTransfer destination(Map<PciAddress, AssignedDevice> devices,
            Function<PciAddress, InputStream> channels) {
        return new VfioStateTransfer(devices, null, Objects.requireNonNull(channels, "channels"));
    }

    /**
     * Both sides in one process, the state of each source device buffered in memory for the destination device its
     * device plan names.
     *
     * @param devices the source and destination devices, open, by address
     * @return the actions
     */
    public static StepActions inProcess(Map<PciAddress, AssignedDevice> devices) {
        Map<PciAddress, java.io.ByteArrayOutputStream> buffers = new HashMap<>();
        VfioStateTransfer src = source(devices, a -> buffers.computeIfAbsent(a,
                x -> new java.io.ByteArrayOutputStream()));
        Map<PciAddress, PciAddress> sourceOf = new HashMap<>();
        VfioStateTransfer dst = destination(devices, a -> {
            java.io.ByteArrayOutputStream b = buffers.get(sourceOf.get(a));
            return new java.io.ByteArrayInputStream(b == null ? new byte[0] : b.toByteArray());
        });
        return new StepActions() {
            @Override
            public void perform(PlanStep step, DevicePlan device) {
                sourceOf.put(device.destination(), device.source());
                (step.side() == PlanStep.Side.SOURCE ? src : dst).perform(step, device);
            }

            @Override
            public void undo(PlanStep step, DevicePlan device) {
                (step.side() == PlanStep.Side.SOURCE ? src : dst).undo(step, device);
            }
        };
    }

    private AssignedDevice device(PlanStep step) {
        AssignedDevice d = devices.get(step.device());
        if (d == null) {
            throw new IllegalArgumentException("no open device given for " + step.device());
        }
        return d;
    }

    @Override
    public void perform(PlanStep step, DevicePlan plan) {
        AssignedDevice dev = device(step);
        DeviceMigration m = dev.migrationControl();
        switch (step.action()) {
            case RESUMING -> streams.put(step.device(), m.transition(MigrationState.RESUMING).orElseThrow(
                    () -> new IllegalStateException("RESUMING opened no data fd on " + step.device())));
            case PRE_COPY -> {
                MigrationStream s = m.transition(MigrationState.PRE_COPY).orElseThrow(
                        () -> new IllegalStateException("PRE_COPY opened no data fd on " + step.device()));
                streams.put(step.device(), s);
                copy(s.input(), sink(step.device()), step);
            }
            case STOP_COPY -> {
                MigrationStream s = streams.get(step.device());
                java.util.Optional<MigrationStream> opened = m.transition(MigrationState.STOP_COPY);
                if (opened.isPresent()) {
                    if (s != null) {
                        s.close();
                    }
                    s = opened.get();
                    streams.put(step.device(), s);
                }
                if (s == null) {
                    throw new IllegalStateException("STOP_COPY without a data fd on " + step.device());
                }
                copy(s.input(), sink(step.device()), step);
                m.transition(MigrationState.STOP);
                streams.remove(step.device());
                s.close();
            }
            case RESUME -> {
                MigrationStream s = streams.get(step.device());
                if (s == null) {
                    throw new IllegalStateException("RESUME before RESUMING on " + step.device());
                }
                try (InputStream in = source(step.device())) {
                    copy(in, s.output(), step);
                } catch (IOException e) {
                    throw new UncheckedIOException("close the state channel of " + step.device(), e);
                }
                m.transition(MigrationState.STOP);
                streams.remove(step.device());
                s.close();
                m.transition(MigrationState.RUNNING);
            }
            default -> throw new IllegalArgumentException("VfioStateTransfer carries out the VFIO migration steps, not "
                    + step.action());
        }
    }

    @Override
    public void undo(PlanStep step, DevicePlan plan) {
        AssignedDevice dev = device(step);
        MigrationStream s = streams.remove(step.device());
        if (s != null) {
            s.close();
        }
        switch (step.action()) {
            case PRE_COPY, STOP_COPY -> {
                DeviceMigration m = dev.migrationControl();
                if (m.state() == MigrationState.ERROR) {
                    dev.reset();
                } else if (m.state() != MigrationState.RUNNING) {
                    m.transition(MigrationState.RUNNING).ifPresent(MigrationStream::close);
                }
            }
            case RESUMING, RESUME -> dev.reset(); // whatever was loaded is discarded; the device is RUNNING, empty
            default -> {
            }
        }
    }

    private OutputStream sink(PciAddress device) {
        return Objects.requireNonNull(sinks, "this side has no outgoing channels").apply(device);
    }

    private InputStream source(PciAddress device) {
        return Objects.requireNonNull(sources, "this side has no incoming channels").apply(device);
    }

    private static void copy(InputStream in, OutputStream out, PlanStep step) {
        try {
            in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("step " + step.number() + " " + step.action() + " " + step.device()
                    + ": the state transfer failed: " + e.getMessage(), e);
        }
    }
}
