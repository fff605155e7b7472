package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.vfio.MigrationState.ERROR;
import static org.sriov4j.vfio.MigrationState.PRE_COPY;
import static org.sriov4j.vfio.MigrationState.PRE_COPY_P2P;
import static org.sriov4j.vfio.MigrationState.RESUMING;
import static org.sriov4j.vfio.MigrationState.RUNNING;
import static org.sriov4j.vfio.MigrationState.RUNNING_P2P;
import static org.sriov4j.vfio.MigrationState.STOP;
import static org.sriov4j.vfio.MigrationState.STOP_COPY;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.VfioAbi;
import org.sriov4j.vfio.testing.internal.FakeDevice;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;

/** The migration v2 state machine on the fake kernel: ABI, FSM arcs, data streams, recover-else-reset. */
class DeviceMigrationTest {
    static final long SC = VfioAbi.MIGRATION_STOP_COPY;
    static final long P2P = VfioAbi.MIGRATION_P2P;
    static final long PRE = VfioAbi.MIGRATION_PRE_COPY;
    static final PciAddress SRC = PciAddress.parse("0000:01:10.0");
    static final PciAddress DST = PciAddress.parse("0000:01:10.2");

    FakeVfioKernel kernel;
    FakeDevice src;
    FakeDevice dst;
    IommuDomain domain;

    @BeforeEach
    void setUp() {
        kernel = new FakeVfioKernel();
        src = new FakeDevice("0000:01:10.0", 0x8086, 0x10ca);
        dst = new FakeDevice("0000:01:10.2", 0x8086, 0x10ca);
        kernel.addGroup(6, true, src);
        kernel.addGroup(7, true, dst);
        domain = new VfioSystem(kernel, "/dev/").newDomain();
    }

    @AfterEach
    void tearDown() {
        domain.close();
    }

    private AssignedDevice open(FakeDevice d, long flags) {
        d.migrationFlags = flags;
        return d == src ? domain.openDevice(SRC, 6) : domain.openDevice(DST, 7);
    }

    // --- ABI ---

    @Test
    void abiLayoutsAndNumbersMatchVfioH() {
        assertEquals(8, VfioAbi.DeviceFeature.SIZE);
        assertEquals(0, VfioAbi.DeviceFeature.ARGSZ);
        assertEquals(4, VfioAbi.DeviceFeature.FLAGS);
        assertEquals(8, VfioAbi.DeviceFeature.DATA);
        assertEquals(8, VfioAbi.DeviceFeature.MIGRATION_DATA_SIZE);
        assertEquals(8, VfioAbi.MigState.SIZE);
        assertEquals(0, VfioAbi.MigState.DEVICE_STATE);
        assertEquals(4, VfioAbi.MigState.DATA_FD);
        assertEquals(24, VfioAbi.PrecopyInfo.SIZE);
        assertEquals(0, VfioAbi.PrecopyInfo.ARGSZ);
        assertEquals(4, VfioAbi.PrecopyInfo.FLAGS);
        assertEquals(8, VfioAbi.PrecopyInfo.INITIAL_BYTES);
        assertEquals(16, VfioAbi.PrecopyInfo.DIRTY_BYTES);
        assertEquals(0x3b75, VfioAbi.DEVICE_FEATURE); // _IO(';', 100 + 17)
        assertEquals(0x3b79, VfioAbi.MIG_GET_PRECOPY_INFO); // _IO(';', 100 + 21)
        assertEquals(1, VfioAbi.DEVICE_FEATURE_MIGRATION);
        assertEquals(2, VfioAbi.DEVICE_FEATURE_MIG_DEVICE_STATE);
        assertEquals(0xffff, VfioAbi.DEVICE_FEATURE_MASK);
        assertEquals(1 << 16, VfioAbi.DEVICE_FEATURE_GET);
        assertEquals(1 << 17, VfioAbi.DEVICE_FEATURE_SET);
        assertEquals(1 << 18, VfioAbi.DEVICE_FEATURE_PROBE);
        assertEquals(1, SC);
        assertEquals(2, P2P);
        assertEquals(4, PRE);
        int[] values = {0, 1, 2, 3, 4, 5, 6, 7};
        MigrationState[] states = {ERROR, STOP, RUNNING, STOP_COPY, RESUMING, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P};
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], states[i].value());
            assertEquals(Optional.of(states[i]), MigrationState.ofValue(values[i]));
        }
        assertEquals(Optional.empty(), MigrationState.ofValue(8));
    }

    // --- FSM ---

    static Set<String> expectedArcs(long flags) {
        Set<String> arcs = new TreeSet<>(List.of("STOP -> STOP_COPY", "STOP_COPY -> STOP", "STOP -> RESUMING",
                "RESUMING -> STOP"));
        if ((flags & P2P) != 0) {
            arcs.addAll(List.of("RUNNING -> RUNNING_P2P", "RUNNING_P2P -> RUNNING", "RUNNING_P2P -> STOP",
                    "STOP -> RUNNING_P2P"));
        } else {
            arcs.addAll(List.of("RUNNING -> STOP", "STOP -> RUNNING"));
        }
        if ((flags & PRE) != 0) {
            arcs.addAll(List.of("RUNNING -> PRE_COPY", "PRE_COPY -> RUNNING"));
            if ((flags & P2P) != 0) {
                arcs.addAll(List.of("PRE_COPY -> PRE_COPY_P2P", "PRE_COPY_P2P -> PRE_COPY",
                        "PRE_COPY_P2P -> RUNNING_P2P", "RUNNING_P2P -> PRE_COPY_P2P", "PRE_COPY_P2P -> STOP_COPY"));
            } else {
                arcs.add("PRE_COPY -> STOP_COPY");
            }
        }
        return arcs;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 3, 5, 7})
    void supportedArcsAreTheKernelsFsm(long flags) {
        try (AssignedDevice dev = open(src, flags)) {
            DeviceMigration m = dev.migrationControl();
            assertEquals(flags, m.flags());
            assertEquals(expectedArcs(flags), new TreeSet<>(m.supportedArcs()));
            Set<MigrationState> states = EnumSet.of(STOP, RUNNING, STOP_COPY, RESUMING);
            if ((flags & P2P) != 0) {
                states.add(RUNNING_P2P);
            }
            if ((flags & PRE) != 0) {
                states.add(PRE_COPY);
                if ((flags & P2P) != 0) {
                    states.add(PRE_COPY_P2P);
                }
            }
            assertEquals(states, m.supportedStates());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 3, 5, 7})
    void everyArcWorksOnTheFakeAndOnlyDataArcsYieldAStream(long flags) {
        for (String arc : expectedArcs(flags)) {
            MigrationState a = MigrationState.valueOf(arc.substring(0, arc.indexOf(' ')));
            MigrationState b = MigrationState.valueOf(arc.substring(arc.lastIndexOf(' ') + 1));
            try (AssignedDevice dev = open(src, flags)) {
                DeviceMigration m = dev.migrationControl();
                m.transition(a).ifPresent(MigrationStream::close);
                assertEquals(a, m.state(), arc);
                src.arcsTaken.clear();
                Optional<MigrationStream> s = m.transition(b);
                assertEquals(List.of(a + "->" + b), src.arcsTaken, arc);
                assertEquals(b, m.state(), arc);
                assertEquals(MigrationFsm.opensDataFd(a, b), s.isPresent(), arc);
                s.ifPresent(st -> assertEquals(b == RESUMING, st.resuming()));
                s.ifPresent(MigrationStream::close);
                m.transition(RUNNING).ifPresent(MigrationStream::close);
                assertEquals(RUNNING, m.state());
            }
        }
    }

    @Test
    void combinationTransitionsWalkTheKernelsPathArcByArc() {
        try (AssignedDevice dev = open(src, SC | P2P | PRE)) {
            DeviceMigration m = dev.migrationControl();
            m.transition(STOP_COPY).orElseThrow().close();
            assertEquals(List.of("RUNNING->RUNNING_P2P", "RUNNING_P2P->STOP", "STOP->STOP_COPY"), src.arcsTaken);
            src.arcsTaken.clear();
            m.transition(RESUMING).orElseThrow().close();
            assertEquals(List.of("STOP_COPY->STOP", "STOP->RESUMING"), src.arcsTaken);
            src.arcsTaken.clear();
            assertTrue(m.transition(PRE_COPY).isPresent());
            assertEquals(List.of("RESUMING->STOP", "STOP->RUNNING_P2P", "RUNNING_P2P->RUNNING", "RUNNING->PRE_COPY"),
                    src.arcsTaken);
        }
        try (AssignedDevice dev = open(src, SC)) {
            DeviceMigration m = dev.migrationControl();
            src.arcsTaken.clear();
            m.transition(STOP_COPY).orElseThrow().close();
            assertEquals(List.of("RUNNING->STOP", "STOP->STOP_COPY"), src.arcsTaken);
        }
    }

    @Test
    void theFakeKernelAcceptsCombinationTransitionsLikeTheRealOne() {
        try (AssignedDevice dev = open(src, SC | P2P)) {
            assertEquals(0, rawSet(dev, STOP.value()));
            assertEquals(List.of("RUNNING->RUNNING_P2P", "RUNNING_P2P->STOP"), src.arcsTaken);
            // a data fd must come from the last arc: RESUMING -> STOP -> STOP_COPY opens it last, fine
            assertEquals(0, rawSet(dev, RESUMING.value()));
            assertEquals(0, rawSet(dev, STOP_COPY.value()));
            assertEquals(STOP_COPY, src.migState);
        }
    }

    // --- invalid requests ---

    @Test
    void unsupportedTargetsAreRefusedBeforeTheKernelWithEinval() {
        try (AssignedDevice dev = open(src, SC)) {
            DeviceMigration m = dev.migrationControl();
            for (MigrationState t : List.of(PRE_COPY, PRE_COPY_P2P, RUNNING_P2P, ERROR)) {
                VfioException e = assertThrows(VfioException.class, () -> m.transition(t));
                assertEquals(Errno.EINVAL.number(), e.errnoNumber().orElseThrow());
                assertTrue(e.rejectedBeforeKernel());
            }
            assertEquals(RUNNING, m.state());
        }
    }

    @Test
    void theFakeKernelRefusesInvalidSetsWithEinval() {
        try (AssignedDevice dev = open(src, SC)) {
            assertEquals(-FakeVfioKernel.EINVAL, rawSet(dev, PRE_COPY.value())); // not supported by the flags
            assertEquals(-FakeVfioKernel.EINVAL, rawSet(dev, RUNNING_P2P.value()));
            assertEquals(-FakeVfioKernel.EINVAL, rawSet(dev, ERROR.value()));
            assertEquals(-FakeVfioKernel.EINVAL, rawSet(dev, 8));
            assertEquals(RUNNING, src.migState);
            src.migState = ERROR;
            assertEquals(-FakeVfioKernel.EINVAL, rawSet(dev, RUNNING.value())); // only a reset leaves ERROR
            VfioException e = assertThrows(VfioException.class, () -> dev.migrationControl().transition(STOP));
            assertTrue(e.getMessage().contains("ERROR"), e.getMessage());
            dev.reset();
            assertEquals(RUNNING, dev.migrationControl().state());
            ByteBuffer small = VfioAbi.struct(VfioAbi.DeviceFeature.SIZE + 4);
            small.putInt(VfioAbi.DeviceFeature.FLAGS, VfioAbi.DEVICE_FEATURE_GET
                    | VfioAbi.DEVICE_FEATURE_MIG_DEVICE_STATE);
            assertEquals(-FakeVfioKernel.EINVAL, kernel.ioctl(dev.fd().fd(), VfioAbi.DEVICE_FEATURE, small));
            ByteBuffer probe = VfioAbi.struct(VfioAbi.DeviceFeature.SIZE);
            probe.putInt(VfioAbi.DeviceFeature.FLAGS, VfioAbi.DEVICE_FEATURE_PROBE | VfioAbi.DEVICE_FEATURE_SET
                    | VfioAbi.DEVICE_FEATURE_MIG_DEVICE_STATE);
            assertEquals(0, kernel.ioctl(dev.fd().fd(), VfioAbi.DEVICE_FEATURE, probe));
        }
    }

    @Test
    void aDeviceWithoutMigrationSaysSoClearly() {
        try (AssignedDevice dev = domain.openDevice(SRC, 6)) { // migrationFlags -1: no migration driver
            assertFalse(dev.migration().supported());
            VfioException e = assertThrows(VfioException.class, dev::migrationControl);
            assertEquals(Errno.ENOTTY.number(), e.errnoNumber().orElseThrow());
            assertTrue(e.getMessage().contains("does not support migration"), e.getMessage());
            assertEquals(-FakeVfioKernel.ENOTTY, rawSet(dev, STOP.value()));
            ByteBuffer probe = VfioAbi.struct(VfioAbi.DeviceFeature.SIZE);
            probe.putInt(VfioAbi.DeviceFeature.FLAGS, VfioAbi.DEVICE_FEATURE_PROBE | VfioAbi.DEVICE_FEATURE_GET
                    | VfioAbi.DEVICE_FEATURE_MIGRATION);
            assertEquals(-FakeVfioKernel.ENOTTY, kernel.ioctl(dev.fd().fd(), VfioAbi.DEVICE_FEATURE, probe));
        }
    }

    // --- recover-else-reset ---

    @Test
    void aFailedArcRecoversToTheStartingState() {
        try (AssignedDevice dev = open(src, SC | P2P)) {
            DeviceMigration m = dev.migrationControl();
            src.failArc(STOP, STOP_COPY, FakeVfioKernel.EIO);
            MigrationException e = assertThrows(MigrationException.class, () -> m.transition(STOP_COPY));
            assertEquals(STOP, e.from());
            assertEquals(STOP_COPY, e.to());
            assertEquals(MigrationException.Outcome.RECOVERED, e.outcome());
            assertEquals(RUNNING, e.stateNow());
            assertEquals(RUNNING, m.state());
            assertEquals(Errno.EIO.number(), e.errnoNumber().orElseThrow());
            assertTrue(e.getMessage().contains("STOP -> STOP_COPY") && e.getMessage().contains("recovered"),
                    e.getMessage());
            assertEquals(0, src.resets);
        }
    }

    @Test
    void anExplicitRecoveryStateIsUsed() {
        try (AssignedDevice dev = open(src, SC | P2P)) {
            DeviceMigration m = dev.migrationControl();
            src.failArc(STOP, STOP_COPY, FakeVfioKernel.EIO);
            MigrationException e = assertThrows(MigrationException.class, () -> m.transition(STOP_COPY, STOP));
            assertEquals(MigrationException.Outcome.RECOVERED, e.outcome());
            assertEquals(STOP, m.state());
        }
    }

    @Test
    void whenRecoveryFailsTheDeviceIsResetToRunning() {
        try (AssignedDevice dev = open(src, SC)) {
            DeviceMigration m = dev.migrationControl();
            src.failArc(STOP, STOP_COPY, FakeVfioKernel.EIO);
            src.failArc(STOP, RUNNING, FakeVfioKernel.EIO); // the recovery arc
            MigrationException e = assertThrows(MigrationException.class, () -> m.transition(STOP_COPY));
            assertEquals(MigrationException.Outcome.RESET, e.outcome());
            assertEquals(RUNNING, e.stateNow());
            assertEquals(1, src.resets);
            assertEquals(RUNNING, m.state());
            assertTrue(e.getMessage().contains("reset"), e.getMessage());
        }
    }

    @Test
    void aDeviceLeftInErrorIsReset() {
        try (AssignedDevice dev = open(src, SC)) {
            DeviceMigration m = dev.migrationControl();
            src.errorOnFailure = true;
            src.failArc(RUNNING, STOP, FakeVfioKernel.EIO);
            MigrationException e = assertThrows(MigrationException.class, () -> m.transition(STOP));
            assertEquals(RUNNING, e.from());
            assertEquals(MigrationException.Outcome.RESET, e.outcome());
            assertEquals(RUNNING, m.state());
        }
    }

    @Test
    void recoveryStateErrorMeansResetAtOnce() {
        try (AssignedDevice dev = open(src, SC)) {
            DeviceMigration m = dev.migrationControl();
            src.failArc(STOP, STOP_COPY, FakeVfioKernel.EIO);
            MigrationException e = assertThrows(MigrationException.class, () -> m.transition(STOP_COPY, ERROR));
            assertEquals(MigrationException.Outcome.RESET, e.outcome());
            assertEquals(1, src.resets);
        }
    }

    @Test
    void whenTheResetFailsTooTheDeviceIsInError() {
        try (AssignedDevice dev = open(src, SC)) {
            DeviceMigration m = dev.migrationControl();
            src.errorOnFailure = true;
            src.failReset = true;
            src.failArc(STOP, STOP_COPY, FakeVfioKernel.EIO);
            MigrationException e = assertThrows(MigrationException.class, () -> m.transition(STOP_COPY));
            assertEquals(MigrationException.Outcome.ERROR, e.outcome());
            assertEquals(ERROR, e.stateNow());
            assertEquals(ERROR, m.state());
            assertTrue(e.getMessage().contains("ERROR"), e.getMessage());
        }
    }

    @Test
    void aDataFdOpenedBeforeTheFailureIsClosed() {
        try (AssignedDevice dev = open(src, SC | PRE)) {
            DeviceMigration m = dev.migrationControl();
            int before = kernel.openFds();
            src.failArc(RUNNING, PRE_COPY, FakeVfioKernel.EIO);
            assertThrows(MigrationException.class, () -> m.transition(PRE_COPY));
            assertEquals(before, kernel.openFds());
        }
    }

    // --- data streams ---

    @Test
    void stopCopyOnOneDeviceResumesAnotherWithTheSameBytes() throws IOException {
        byte[] state = new byte[100_000];
        new Random(5).nextBytes(state);
        src.stopCopyData = state;
        try (AssignedDevice a = open(src, SC); AssignedDevice b = open(dst, SC)) {
            DeviceMigration out = a.migrationControl();
            DeviceMigration in = b.migrationControl();
            byte[] saved;
            try (MigrationStream s = out.transition(STOP_COPY).orElseThrow()) {
                assertFalse(s.resuming());
                assertThrows(IllegalStateException.class, s::output);
                saved = s.input().readAllBytes();
                out.transition(STOP);
                assertThrows(IOException.class, () -> s.input().read()); // the session ended: ENODEV
            }
            assertArrayEquals(state, saved);
            try (MigrationStream s = in.transition(RESUMING).orElseThrow()) {
                assertTrue(s.resuming());
                assertThrows(IllegalStateException.class, s::input);
                try (OutputStream o = s.output()) {
                    o.write(saved, 0, 10);
                    o.write(saved, 10, saved.length - 10);
                }
                in.transition(RUNNING);
            }
            assertArrayEquals(state, dst.resumed);
            assertEquals(RUNNING, in.state());
        }
    }

    @Test
    void preCopyReportsInitialAndDirtyBytesAndContinuesIntoStopCopy() throws IOException {
        byte[] pre = new byte[5000];
        byte[] rest = new byte[3000];
        new Random(1).nextBytes(pre);
        new Random(2).nextBytes(rest);
        src.preCopyData = pre;
        src.stopCopyData = rest;
        src.dirtyBytes = 77;
        try (AssignedDevice dev = open(src, SC | P2P | PRE)) {
            DeviceMigration m = dev.migrationControl();
            try (MigrationStream s = m.transition(PRE_COPY).orElseThrow()) {
                assertEquals(new PreCopyInfo(5000, 77), m.preCopyInfo(s));
                InputStream in = s.input();
                byte[] first = in.readNBytes(2000);
                assertEquals(new PreCopyInfo(3000, 77), s.preCopyInfo());
                byte[] second = in.readAllBytes(); // ends at ENOMSG: no more initial data for now
                assertEquals(3000, second.length);
                assertEquals(new PreCopyInfo(0, 77), s.preCopyInfo());
                assertTrue(m.transition(PRE_COPY_P2P).isEmpty()); // same session
                assertTrue(m.transition(STOP_COPY).isEmpty()); // same session, same stream
                VfioException e = assertThrows(VfioException.class, s::preCopyInfo);
                assertEquals(Errno.EINVAL.number(), e.errnoNumber().orElseThrow());
                byte[] third = in.readAllBytes();
                byte[] joined = new byte[first.length + second.length];
                System.arraycopy(first, 0, joined, 0, first.length);
                System.arraycopy(second, 0, joined, first.length, second.length);
                assertArrayEquals(pre, joined);
                assertArrayEquals(rest, third);
                m.transition(RUNNING);
            }
        }
    }

    @Test
    void preCopyInfoOnAResumingStreamIsEnotty() {
        try (AssignedDevice dev = open(src, SC | PRE)) {
            DeviceMigration m = dev.migrationControl();
            try (MigrationStream s = m.transition(RESUMING).orElseThrow()) {
                VfioException e = assertThrows(VfioException.class, s::preCopyInfo);
                assertEquals(Errno.ENOTTY.number(), e.errnoNumber().orElseThrow());
            }
            m.transition(RUNNING);
        }
    }

    @Test
    void aResetEndsTheSessionAndReturnsToRunning() throws IOException {
        src.stopCopyData = new byte[] {1, 2, 3};
        try (AssignedDevice dev = open(src, SC)) {
            DeviceMigration m = dev.migrationControl();
            try (MigrationStream s = m.transition(STOP_COPY).orElseThrow()) {
                dev.reset();
                assertEquals(RUNNING, m.state());
                assertThrows(IOException.class, () -> s.input().read());
            }
            assertThrows(IOException.class, () -> {
                MigrationStream s = m.transition(STOP_COPY).orElseThrow();
                s.close();
                s.input().read();
            });
        }
    }

    // --- MIG_DATA_SIZE ---

    @Test
    void estimatedStopCopySizeIsTheDriversEstimateInEveryState() {
        src.stopCopyLength = 123_456_789_012L;
        try (AssignedDevice dev = open(src, SC | P2P | PRE)) {
            DeviceMigration m = dev.migrationControl();
            for (MigrationState st : List.of(RUNNING, PRE_COPY, PRE_COPY_P2P, STOP_COPY, STOP, RESUMING, RUNNING_P2P,
                    RUNNING)) {
                m.transition(st).ifPresent(MigrationStream::close);
                assertEquals(123_456_789_012L, m.estimatedStopCopySize(), st.toString());
            }
            src.migState = ERROR; // "Can be called on each device state": vfio_main.c does not check it
            assertEquals(123_456_789_012L, m.estimatedStopCopySize());
            src.stopCopyLength = 4096; // an estimate: it follows the device
            assertEquals(4096, m.estimatedStopCopySize());
        }
    }

    @Test
    void theFakesDefaultEstimateIsTheStopCopyDataLength() throws IOException {
        src.stopCopyData = new byte[3000];
        try (AssignedDevice dev = open(src, SC)) {
            DeviceMigration m = dev.migrationControl();
            assertEquals(3000, m.estimatedStopCopySize());
            try (MigrationStream s = m.transition(STOP_COPY).orElseThrow()) {
                assertEquals(3000, s.input().readAllBytes().length);
            }
            m.transition(RUNNING);
        }
    }

    @Test
    void migDataSizeIsGetOnlyAndNeedsEightBytesOfData() {
        try (AssignedDevice dev = open(src, SC)) {
            int fd = dev.fd().fd();
            assertEquals(-FakeVfioKernel.EINVAL, rawDataSize(fd, VfioAbi.DEVICE_FEATURE_SET, 8));
            assertEquals(-FakeVfioKernel.EINVAL, rawDataSize(fd, VfioAbi.DEVICE_FEATURE_SET
                    | VfioAbi.DEVICE_FEATURE_PROBE, 8)); // PROBE of an unsupported op fails too
            assertEquals(-FakeVfioKernel.EINVAL, rawDataSize(fd, VfioAbi.DEVICE_FEATURE_GET, 7));
            assertEquals(-FakeVfioKernel.EINVAL, rawDataSize(fd, 0, 8)); // neither GET nor SET
            assertEquals(0, rawDataSize(fd, VfioAbi.DEVICE_FEATURE_GET | VfioAbi.DEVICE_FEATURE_PROBE, 0));
            assertEquals(0, rawDataSize(fd, VfioAbi.DEVICE_FEATURE_GET, 8));
        }
    }

    @Test
    void aDeviceWithoutAMigrationDriverAnswersMigDataSizeWithEnotty() {
        try (AssignedDevice dev = domain.openDevice(SRC, 6)) {
            assertEquals(-FakeVfioKernel.ENOTTY, rawDataSize(dev.fd().fd(), VfioAbi.DEVICE_FEATURE_GET, 8));
            assertEquals(-FakeVfioKernel.ENOTTY, rawDataSize(dev.fd().fd(), VfioAbi.DEVICE_FEATURE_GET
                    | VfioAbi.DEVICE_FEATURE_PROBE, 8));
        }
    }

    @Test
    void aFailedDriverQueryIsReportedWithItsErrno() {
        try (AssignedDevice dev = open(src, SC)) {
            DeviceMigration m = dev.migrationControl();
            src.dataSizeErrno = FakeVfioKernel.EIO;
            VfioException e = assertThrows(VfioException.class, m::estimatedStopCopySize);
            assertEquals(Errno.EIO.number(), e.errnoNumber().orElseThrow());
            assertFalse(e.rejectedBeforeKernel());
            assertTrue(e.getMessage().contains("MIG_DATA_SIZE") && e.getMessage().contains(SRC.toString()),
                    e.getMessage());
        }
    }

    @Test
    void aKernelWithoutMigDataSizeIsNamedInTheEnottyMessage() {
        try (AssignedDevice dev = open(src, SC)) {
            DeviceMigration m = dev.migrationControl();
            src.dataSizeErrno = FakeVfioKernel.ENOTTY; // what an older kernel answers for feature 9
            VfioException e = assertThrows(VfioException.class, m::estimatedStopCopySize);
            assertEquals(Errno.ENOTTY.number(), e.errnoNumber().orElseThrow());
            assertTrue(e.getMessage().contains("no VFIO_DEVICE_FEATURE_MIG_DATA_SIZE"), e.getMessage());
        }
    }

    @Test
    void estimatedStopCopySizeOnAClosedDeviceIsRefused() {
        AssignedDevice dev = open(src, SC);
        DeviceMigration m = dev.migrationControl();
        dev.close();
        assertThrows(IllegalStateException.class, m::estimatedStopCopySize);
    }

    // --- waiting for PRE_COPY data ---

    @Test
    void awaitDataIsTrueAtOnceWhileUnreadPreCopyDataIsLeft() {
        src.preCopyData = new byte[10];
        try (AssignedDevice dev = open(src, SC | PRE)) {
            try (MigrationStream s = dev.migrationControl().transition(PRE_COPY).orElseThrow()) {
                assertTrue(s.awaitData(Duration.ZERO));
            }
        }
    }

    @Test
    void awaitDataTimesOutWhenPreCopyIsDrained() throws IOException {
        src.preCopyData = new byte[100];
        try (AssignedDevice dev = open(src, SC | PRE)) {
            try (MigrationStream s = dev.migrationControl().transition(PRE_COPY).orElseThrow()) {
                assertEquals(100, s.input().readAllBytes().length); // up to ENOMSG
                assertFalse(s.awaitData(Duration.ZERO));
                long t0 = System.nanoTime();
                assertFalse(s.awaitData(Duration.ofMillis(80)));
                assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(75));
            }
        }
    }

    @Test
    void awaitDataWakesWhenAnotherThreadAddsPreCopyData() throws Exception {
        byte[] initial = {1, 2, 3};
        byte[] dirty = {9, 8, 7, 6};
        src.preCopyData = initial;
        try (AssignedDevice dev = open(src, SC | PRE)) {
            try (MigrationStream s = dev.migrationControl().transition(PRE_COPY).orElseThrow()) {
                InputStream in = s.input();
                assertArrayEquals(initial, in.readAllBytes());
                assertEquals(new PreCopyInfo(0, 0), s.preCopyInfo());
                CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                    sleep(150);
                    kernel.appendPreCopyData(src, dirty);
                });
                long t0 = System.nanoTime();
                assertTrue(s.awaitData(Duration.ofSeconds(20)));
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
                producer.get(5, TimeUnit.SECONDS);
                assertEquals(new PreCopyInfo(0, 4), s.preCopyInfo()); // added data counts as dirty, not initial
                assertArrayEquals(dirty, in.readAllBytes());
                assertEquals(new PreCopyInfo(0, 0), s.preCopyInfo());
                assertFalse(s.awaitData(Duration.ZERO));
            }
        }
    }

    @Test
    void onMlx5DirtyDataIsSavedOnlyWhenPreCopyInfoIsAskedOnADrainedStream() throws IOException {
        src.preCopyData = new byte[] {1, 2};
        src.dirtyBytes = 77;
        src.saveDirtyOnPrecopyInfo = true;
        try (AssignedDevice dev = open(src, SC | PRE)) {
            try (MigrationStream s = dev.migrationControl().transition(PRE_COPY).orElseThrow()) {
                assertEquals(2, s.input().readAllBytes().length);
                assertFalse(s.awaitData(Duration.ofMillis(20))); // nothing comes without the query
                assertEquals(new PreCopyInfo(0, 77), s.preCopyInfo()); // mlx5vf_precopy_ioctl starts a SAVE
                assertTrue(s.awaitData(Duration.ofSeconds(5)));
                assertEquals(77, s.input().readAllBytes().length);
                assertEquals(new PreCopyInfo(0, 0), s.preCopyInfo());
            }
        }
    }

    @Test
    void awaitDataWakesWhenTheDeviceMovesToStopCopy() throws Exception {
        src.preCopyData = new byte[] {1};
        src.stopCopyData = new byte[] {2, 3};
        try (AssignedDevice dev = open(src, SC | PRE)) {
            DeviceMigration m = dev.migrationControl();
            try (MigrationStream s = m.transition(PRE_COPY).orElseThrow()) {
                InputStream in = s.input();
                assertEquals(1, in.readAllBytes().length);
                CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(
                        () -> s.awaitData(Duration.ofSeconds(20)));
                sleep(100);
                assertFalse(waiter.isDone());
                assertTrue(m.transition(STOP_COPY).isEmpty());
                assertTrue(waiter.get(10, TimeUnit.SECONDS));
                assertArrayEquals(new byte[] {2, 3}, in.readAllBytes());
                assertTrue(s.awaitData(Duration.ZERO)); // the end of STOP_COPY stays readable
                assertEquals(-1, in.read());
            }
            m.transition(STOP);
        }
    }

    @Test
    void awaitDataOnAnEndedSessionThrowsEnodev() {
        try (AssignedDevice dev = open(src, SC | PRE)) {
            DeviceMigration m = dev.migrationControl();
            try (MigrationStream s = m.transition(PRE_COPY).orElseThrow()) {
                m.transition(RUNNING); // PRE_COPY -> RUNNING ends the session; this stream stays open
                VfioException e = assertThrows(VfioException.class, () -> s.awaitData(Duration.ofSeconds(5)));
                assertEquals(Errno.ENODEV.number(), e.errnoNumber().orElseThrow());
                assertTrue(e.getMessage().contains(SRC.toString()) && e.getMessage().contains("poll")
                        && e.getMessage().contains("POLLRDHUP"), e.getMessage());
            }
        }
    }

    @Test
    void aResetWhileWaitingEndsTheWaitWithEnodev() throws Exception {
        try (AssignedDevice dev = open(src, SC | PRE)) {
            DeviceMigration m = dev.migrationControl();
            try (MigrationStream s = m.transition(PRE_COPY).orElseThrow()) {
                CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(
                        () -> s.awaitData(Duration.ofSeconds(20)));
                sleep(100);
                dev.reset();
                Exception e = assertThrows(Exception.class, () -> waiter.get(10, TimeUnit.SECONDS));
                VfioException v = assertInstanceOf(VfioException.class, e.getCause());
                assertEquals(Errno.ENODEV.number(), v.errnoNumber().orElseThrow());
            }
        }
    }

    @Test
    void awaitDataOnAClosedStreamThrowsEbadfBeforeTheKernel() {
        try (AssignedDevice dev = open(src, SC | PRE)) {
            MigrationStream s = dev.migrationControl().transition(PRE_COPY).orElseThrow();
            s.close();
            VfioException e = assertThrows(VfioException.class, () -> s.awaitData(Duration.ofSeconds(1)));
            assertEquals(Errno.EBADF.number(), e.errnoNumber().orElseThrow());
            assertTrue(e.rejectedBeforeKernel());
            assertTrue(e.getMessage().contains("closed") && e.getMessage().contains(SRC.toString()),
                    e.getMessage());
        }
    }

    @Test
    void aDataFdClosedBehindTheStreamsBackIsPollnvalAndEbadf() {
        try (AssignedDevice dev = open(src, SC | PRE)) {
            MigrationStream s = dev.migrationControl().transition(PRE_COPY).orElseThrow();
            kernel.close(s.fd());
            VfioException e = assertThrows(VfioException.class, () -> s.awaitData(Duration.ofSeconds(1)));
            assertEquals(Errno.EBADF.number(), e.errnoNumber().orElseThrow());
            assertFalse(e.rejectedBeforeKernel());
            assertTrue(e.getMessage().contains("POLLNVAL"), e.getMessage());
        }
    }

    @Test
    void awaitDataRetriesWhenASignalInterruptsPoll() throws IOException {
        src.preCopyData = new byte[1];
        try (AssignedDevice dev = open(src, SC | PRE)) {
            try (MigrationStream s = dev.migrationControl().transition(PRE_COPY).orElseThrow()) {
                kernel.pollEintr = 3;
                assertTrue(s.awaitData(Duration.ofSeconds(5)));
                assertEquals(0, kernel.pollEintr);
                assertEquals(1, s.input().readAllBytes().length);
                kernel.pollEintr = 2;
                assertFalse(s.awaitData(Duration.ofMillis(30))); // two signals, then the timeout
                assertEquals(0, kernel.pollEintr);
            }
        }
    }

    @Test
    void anInterruptedWaiterGetsEintr() {
        try (AssignedDevice dev = open(src, SC | PRE)) {
            try (MigrationStream s = dev.migrationControl().transition(PRE_COPY).orElseThrow()) {
                Thread.currentThread().interrupt();
                try {
                    VfioException e = assertThrows(VfioException.class, () -> s.awaitData(Duration.ofSeconds(5)));
                    assertEquals(Errno.EINTR.number(), e.errnoNumber().orElseThrow());
                    assertTrue(Thread.currentThread().isInterrupted()); // the interrupt is kept for the caller
                } finally {
                    Thread.interrupted();
                }
            }
        }
    }

    @Test
    void awaitDataRefusesResumingStreamsAndNegativeTimeouts() {
        try (AssignedDevice dev = open(src, SC | PRE)) {
            DeviceMigration m = dev.migrationControl();
            try (MigrationStream s = m.transition(RESUMING).orElseThrow()) {
                assertThrows(IllegalStateException.class, () -> s.awaitData(Duration.ZERO));
            }
            try (MigrationStream s = m.transition(PRE_COPY).orElseThrow()) {
                assertThrows(IllegalArgumentException.class, () -> s.awaitData(Duration.ofMillis(-1)));
                assertThrows(NullPointerException.class, () -> s.awaitData(null));
            }
            m.transition(RUNNING);
        }
    }

    @Test
    void theDocumentedPreCopyLoopMovesEveryByteInOrder() throws Exception {
        byte[] initial = new byte[10_000];
        new Random(7).nextBytes(initial);
        byte[] rest = new byte[500];
        new Random(8).nextBytes(rest);
        src.preCopyData = initial;
        src.stopCopyData = rest;
        src.stopCopyLength = rest.length;
        List<byte[]> dirtyRounds = List.of(new byte[700], new byte[300], new byte[50]);
        for (int i = 0; i < dirtyRounds.size(); i++) {
            Arrays.fill(dirtyRounds.get(i), (byte) (i + 1));
        }
        ByteArrayOutputStream channel = new ByteArrayOutputStream();
        try (AssignedDevice dev = open(src, SC | PRE)) {
            DeviceMigration m = dev.migrationControl();
            try (MigrationStream s = m.transition(PRE_COPY).orElseThrow()) {
                InputStream in = s.input();
                int rounds = 0;
                for (int round = 0; ; round++) {
                    in.transferTo(channel);
                    PreCopyInfo info = s.preCopyInfo();
                    if (info.initialBytes() == 0 && info.dirtyBytes() < 100 && round >= dirtyRounds.size()) {
                        break;
                    }
                    if (round < dirtyRounds.size()) { // the running device dirties some state
                        byte[] d = dirtyRounds.get(round);
                        CompletableFuture.runAsync(() -> {
                            sleep(20);
                            kernel.appendPreCopyData(src, d);
                        });
                    }
                    assertTrue(s.awaitData(Duration.ofSeconds(10)), "round " + round);
                    rounds++;
                }
                assertEquals(3, rounds);
                assertEquals(rest.length, m.estimatedStopCopySize());
                m.transition(STOP_COPY);
                in.transferTo(channel);
            }
            m.transition(STOP);
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(initial);
        for (byte[] d : dirtyRounds) {
            expected.write(d);
        }
        expected.write(rest);
        assertArrayEquals(expected.toByteArray(), channel.toByteArray());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int rawDataSize(int fd, int flags, int dataBytes) {
        ByteBuffer b = VfioAbi.struct(VfioAbi.DeviceFeature.SIZE + dataBytes);
        b.putInt(VfioAbi.DeviceFeature.FLAGS, flags | VfioAbi.DEVICE_FEATURE_MIG_DATA_SIZE);
        return kernel.ioctl(fd, VfioAbi.DEVICE_FEATURE, b);
    }

    private int rawSet(AssignedDevice dev, int state) {
        ByteBuffer b = VfioAbi.struct(VfioAbi.DeviceFeature.SIZE + VfioAbi.MigState.SIZE);
        b.putInt(VfioAbi.DeviceFeature.FLAGS, VfioAbi.DEVICE_FEATURE_SET | VfioAbi.DEVICE_FEATURE_MIG_DEVICE_STATE);
        b.putInt(VfioAbi.DeviceFeature.DATA + VfioAbi.MigState.DEVICE_STATE, state);
        int r = kernel.ioctl(dev.fd().fd(), VfioAbi.DEVICE_FEATURE, b);
        int dataFd = b.getInt(VfioAbi.DeviceFeature.DATA + VfioAbi.MigState.DATA_FD);
        if (r == 0 && dataFd >= 0) {
            kernel.close(dataFd);
        }
        return r;
    }
}
