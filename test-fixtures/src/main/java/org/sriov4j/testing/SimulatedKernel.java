package org.sriov4j.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.PciId;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.DeviceNodeAccess;
import org.sriov4j.spi.HostCommands;
import org.sriov4j.spi.engine.SriovEngine;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.testing.Kernel.BootFunction;
import org.sriov4j.testing.Kernel.Device;

/**
 * An in-memory Linux kernel for tests: PCI functions, drivers, IOMMU groups and {@code /dev/vfio}, seen through
 * sysfs. Reads, listings and links are rendered from the model; writes change it with the semantics measured on
 * Linux 6.12 (see {@code docs/kernel-facts.md} in the repository), so code that drives sysfs can be tested without hardware or root.
 *
 * <pre>{@code
 * SimulatedKernel kernel = SimulatedKernel.intel82576Host();       // 82576 PF 0000:01:00.0 on igb, 0 VFs
 * kernel.write("bus/pci/devices/0000:01:00.0/sriov_numvfs", "2");  // two VFs appear, probed by igbvf
 * kernel.read("bus/pci/devices/0000:01:10.0/device");              // "0x10ca\n"
 * kernel.readLink("bus/pci/devices/0000:01:10.2/driver");          // "../../../../bus/pci/drivers/igbvf"
 * try (SriovHost host = kernel.openHost()) {                       // the sriov4j engine on this kernel
 *     host.topology().virtualFunctions();                          // 01:10.0 and 01:10.2
 * }
 * }</pre>
 *
 * <h2>What is simulated</h2>
 * <ul>
 *   <li><b>{@code sriov_numvfs}</b>: parsed as {@code kstrtou16} with base 0 ({@code 0x2} is 2, {@code 010} is 8,
 *       one trailing newline allowed; blanks, signs other than a leading {@code +}, garbage and overflow are
 *       {@code EINVAL}); above {@code sriov_totalvfs} is {@code ERANGE} (checked first); the current value is a
 *       no-op; a PF without driver, or with a driver that cannot configure SR-IOV ({@code vfio-pci}), is
 *       {@code ENOENT}; {@code 0} removes every VF (unbinding it, removing its directory, links, IOMMU group and
 *       {@code /dev/vfio} node); a non-zero count while VFs exist is {@code EBUSY}; otherwise VF {@code i} appears
 *       at routing id {@code PF + offset + stride * i} in a new IOMMU group (lowest free number) and is probed at
 *       once when the PF's {@code sriov_drivers_autoprobe} is 1.</li>
 *   <li><b>probing</b> ({@code drivers_probe}, new VFs, driver loading, {@code new_id}) as the driver core does it:
 *       a VF probes only if its PF's autoprobe is 1 or its {@code driver_override} is set; with an override only
 *       the driver of that name may bind; otherwise the first loaded driver whose dynamic or static ids match.
 *       {@code drivers_probe} succeeds even when nothing binds.</li>
 *   <li><b>{@code driver_override}</b>: stored verbatim up to the first newline or NUL; a value that is empty after
 *       the cut clears it (reads {@code (null)}); writes of 4095 bytes or more are {@code EINVAL}.</li>
 *   <li><b>{@code bus/pci/drivers/NAME/bind}</b>: unknown BDF or no match {@code ENODEV}, bound elsewhere
 *       {@code EBUSY}, rejected by probe {@code ENODEV} (or {@code EINVAL} from vfio-pci without IOMMU group);
 *       <b>{@code unbind}</b>: not bound to NAME {@code ENODEV}; a driver that is not loaded has no directory, so
 *       writing there is {@code ENOENT}. <b>{@code new_id}</b> binds every unbound matching device and is
 *       {@code EEXIST} when the driver already matches the id; <b>{@code remove_id}</b> is {@code ENODEV} when the
 *       id was not added.</li>
 *   <li><b>drivers</b>: a network driver gives each network-class function it binds a netdev {@code ethN} (lowest
 *       free number), under the device's {@code net/} and in {@code class/net}; an SR-IOV PF driver limits
 *       {@code sriov_totalvfs} while bound and disables SR-IOV when unbound.</li>
 *   <li><b>IOMMU</b>: {@code iommu_group} links and {@code kernel/iommu_groups/N/devices}, none at all when the
 *       IOMMU is off; {@code /dev/vfio/vfio} while vfio-pci is loaded; {@code /dev/vfio/N} exactly while a
 *       device of group N is bound to vfio-pci ({@link #devices()}).</li>
 *   <li><b>access</b>: reading a write-only attribute ({@code bind}, {@code unbind}, {@code new_id},
 *       {@code remove_id}, {@code drivers_probe}, {@code reset}, {@code remove} ...) or writing a read-only one
 *       ({@code vendor}, {@code class}, {@code sriov_totalvfs} ...) is {@code EACCES}; anything absent is
 *       {@code ENOENT}; listing a file {@code ENOTDIR}; reading or writing a directory {@code EISDIR}. A write of
 *       zero bytes succeeds and changes nothing (sysfs never calls the attribute); an attribute sees at most
 *       4096 bytes of a write.</li>
 *   <li>also: {@code remove} and {@code bus/pci/rescan} (the function comes back fresh: 0 VFs, autoprobe 1,
 *       no override), {@code reset}, {@code reset_method}, {@code numa_node}, {@code uevent},
 *       {@code sriov_vf_msix_count} ({@code EOPNOTSUPP}), pciback's {@code slots}, {@code new_slot} and
 *       {@code remove_slot}.</li>
 *   <li><b>routing netlink</b> ({@link #netlink()}): VF network settings as {@code ip link} sees them, with igb's
 *       rules and errnos for a PF on igb (see {@link SimulatedNetlink}).</li>
 * </ul>
 *
 * <p>Not simulated: timing (every write has its full effect when it returns, as measured on 6.12), open VFIO
 * file descriptors (so the real kernel's blocking of {@code sriov_numvfs} while a VF's device fd is open does not
 * happen here), VF reset hangs, and attributes sriov4j does not use.
 *
 * <p>Every failure is a {@link SysfsIoException} with the kernel's {@link Errno} and the path as
 * {@code /sys/...}. Tests can also make writes fail ({@link #failWrite(String, int, Errno)}) and see every write
 * that was made ({@link #writes()}). Instances are thread-safe: every method runs under one lock.
 *
 * @see Builder
 * @see Preset
 * @see SimulatedKernelExtension
 */
public final class SimulatedKernel implements SysfsAccess {

    /** The largest write a sysfs attribute sees (one page). */
    private static final int PAGE_SIZE = 4096;

    private final ReentrantLock lock = new ReentrantLock();
    private final Kernel kernel;
    private final SysfsTree tree;
    private final List<String> writes = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private final DeviceNodeAccess devNodes = new DevNodes();
    private volatile HostCommands commands = HostCommands.none();
    private final SimulatedNetlink netlink;

    /** A write fault: {@code nth} 0 means every matching write. */
    private static final class Fault {
        final String path;
        final int nth;
        final Errno errno;
        int seen;

        Fault(String path, int nth, Errno errno) {
            this.path = path;
            this.nth = nth;
            this.errno = errno;
        }
    }

    private SimulatedKernel(Kernel kernel) {
        this.kernel = kernel;
        this.tree = new SysfsTree(kernel);
        this.netlink = new SimulatedNetlink(lock, kernel);
    }

    /**
     * This kernel's routing netlink: VF network settings as {@code ip link} sees them, with igb's rules for a PF on
     * igb; also brings netdevs up and renames them. Hosts opened with {@link #openHost()} use it.
     *
     * @return the netlink (the same instance every time)
     */
    public SimulatedNetlink netlink() {
        return netlink;
    }

    /**
     * A builder for a host of your own shape; see {@link Builder} for an example.
     *
     * @return a new builder: IOMMU on, no functions, no drivers
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The reference host, as the project's real-kernel tests run it: QEMU's q35 chipset (see
     * {@link Builder#qemuQ35()}) and one Intel 82576 PF at {@code 0000:01:00.0} behind the root port
     * {@code 0000:00:01.0}, bound to {@code igb} with netdev {@code eth0}, IOMMU group 5, {@code sriov_totalvfs} 7
     * and no VFs enabled; {@code igbvf} and {@code vfio-pci} are loaded, so new VFs bind to igbvf (groups 6, 7 ...,
     * netdevs eth1, eth2 ...) unless autoprobe is turned off first.
     *
     * @return a new kernel
     */
    public static SimulatedKernel intel82576Host() {
        return builder().qemuQ35().intel82576("0000:01:00.0").loadDrivers("igbvf", "vfio-pci").build();
    }

    // ------------------------------------------------------------------ SysfsAccess

    private static String checkPath(String path) {
        Objects.requireNonNull(path, "path");
        if (path.startsWith("/") || path.indexOf('\0') >= 0 || path.equals("..") || path.startsWith("../")
                || path.endsWith("/..") || path.contains("/../")) {
            throw new IllegalArgumentException("not a relative sysfs path: \"" + KernelText.escape(path) + "\"");
        }
        return path;
    }

    private SysfsIoException failure(String op, String path, KernelError e) {
        return new SysfsIoException(op, describe(path), e.errno(), e.detail(), null);
    }

    /**
     * Reads an attribute, following symbolic links.
     *
     * @param path relative to {@code /sys}, e.g. {@code bus/pci/devices/0000:01:00.0/sriov_numvfs}
     * @return the content as the kernel shows it, e.g. {@code "7\n"}
     * @throws SysfsIoException {@code ENOENT} if absent, {@code EACCES} if write-only, {@code EISDIR} for a directory
     */
    @Override
    public String read(String path) {
        checkPath(path);
        lock.lock();
        try {
            Node n = tree.resolve(path, true).node();
            if (n instanceof Node.Dir) {
                throw new KernelError(Errno.EISDIR, "");
            }
            Node.Attr a = (Node.Attr) n;
            if (a.show() == null) {
                throw new KernelError(Errno.EACCES, "write-only attribute");
            }
            return a.show().get();
        } catch (KernelError e) {
            throw failure("read", path, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes an attribute, following symbolic links, and lets the simulated kernel react. The write is recorded in
     * {@link #writes()} first, then checked against the injected faults, then performed.
     *
     * @param path relative to {@code /sys}
     * @param value the bytes to write (characters above U+00FF are written as {@code ?}, as ISO-8859-1 does)
     * @throws SysfsIoException with the errno the kernel would return (see the class description), or an injected one
     */
    @Override
    public void write(String path, String value) {
        checkPath(path);
        String bytes = new String(Objects.requireNonNull(value, "value").getBytes(StandardCharsets.ISO_8859_1),
                StandardCharsets.ISO_8859_1);
        lock.lock();
        try {
            writes.add(path + "=" + bytes);
            String canonical = null;
            try {
                canonical = tree.resolve(path, true).canonicalPath();
            } catch (KernelError e) {
                // reported by the write itself below, unless a fault fires first
            }
            Fault f = firingFault(path, canonical);
            if (f != null) {
                throw new SysfsIoException("write", describe(path), f.errno, "injected fault ("
                        + (f.nth == 0 ? "every write" : "write " + f.nth) + " to \"" + f.path + "\"); nothing changed",
                        null);
            }
            Node n = tree.resolve(path, true).node();
            if (n instanceof Node.Dir) {
                throw new KernelError(Errno.EISDIR, "");
            }
            Node.Attr a = (Node.Attr) n;
            if (a.store() == null) {
                throw new KernelError(Errno.EACCES, "read-only attribute");
            }
            if (bytes.isEmpty()) {
                return;
            }
            String seen = bytes.length() > PAGE_SIZE ? bytes.substring(0, PAGE_SIZE) : bytes;
            a.store().accept(seen);
            if (seen.length() < bytes.length()) {
                throw new SysfsIoException("write", describe(path), Errno.EIO,
                        "short write: " + seen.length() + " of " + bytes.length() + " bytes", null);
            }
        } catch (KernelError e) {
            throw failure("write", path, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lists a directory, following symbolic links.
     *
     * @param dir relative to {@code /sys} ({@code ""} is the root)
     * @return the entry names, sorted
     * @throws SysfsIoException {@code ENOENT} if absent, {@code ENOTDIR} if not a directory
     */
    @Override
    public List<String> list(String dir) {
        checkPath(dir);
        lock.lock();
        try {
            Node n = tree.resolve(dir, true).node();
            if (!(n instanceof Node.Dir d)) {
                throw new KernelError(Errno.ENOTDIR, "");
            }
            return List.copyOf(d.entries().get().keySet());
        } catch (KernelError e) {
            throw failure("list", dir, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads a symbolic link (links before the last component are followed).
     *
     * @param path relative to {@code /sys}
     * @return the relative target, exactly as the kernel shows it, e.g. {@code ../../../../bus/pci/drivers/igb}
     * @throws SysfsIoException {@code ENOENT} if absent, {@code EINVAL} if not a link
     */
    @Override
    public String readLink(String path) {
        checkPath(path);
        lock.lock();
        try {
            Node n = tree.resolve(path, false).node();
            if (!(n instanceof Node.Link l)) {
                throw new KernelError(Errno.EINVAL, "not a symbolic link");
            }
            return l.target();
        } catch (KernelError e) {
            throw failure("readlink", path, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether an entry exists (a link counts as itself, not as its target).
     *
     * @param path relative to {@code /sys}
     * @return true if present
     */
    @Override
    public boolean exists(String path) {
        checkPath(path);
        lock.lock();
        try {
            tree.resolve(path, false);
            return true;
        } catch (KernelError e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Names a path as a person would find it on a real host.
     *
     * @param path relative to {@code /sys}
     * @return {@code "/sys/" + path}
     */
    @Override
    public String describe(String path) {
        return "/sys/" + path;
    }

    /**
     * The simulated {@code /dev}: {@code vfio/vfio} while vfio-pci is loaded, {@code vfio/N} while a device of IOMMU
     * group N is bound to vfio-pci, and with {@link Builder#vfioCdev(boolean)} also {@code iommu} and
     * {@code vfio/devices/vfioX}.
     *
     * @return a live view (it always shows the current state)
     */
    public DeviceNodeAccess devices() {
        return devNodes;
    }

    /**
     * Opens the sriov4j engine on this kernel ({@link SriovEngine#open(SriovConfig, SysfsAccess, DeviceNodeAccess)}
     * with this kernel, {@link #devices()}, its {@link #netlink()}, and {@link SriovConfig#defaults()} except for the
     * state directory, which is {@link #stateDir()}, and the proc root, which is {@link #procRoot()}: every host opened
     * on one simulated kernel shares its ledger and locks, as the
     * processes of one real host share {@code /run/sriov4j}).
     *
     * @return an open host; close it when done
     */
    public SriovHost openHost() {
        return SriovEngine.open(SriovConfig.builder().stateDir(stateDir()).procRoot(procRoot()).build(), this, devNodes,
                commands, netlink);
    }

    /**
     * Gives hosts opened with {@link #openHost()} files outside sysfs and hypervisor tools, e.g. a {@link FakeXl}.
     * Default: {@link HostCommands#none()} (nothing outside sysfs: the real host's {@code /proc} never leaks in).
     *
     * @param commands what the backends may read and run
     * @return this kernel
     */
    public SimulatedKernel hostCommands(HostCommands commands) {
        this.commands = Objects.requireNonNull(commands, "commands");
        return this;
    }

    /**
     * What hosts opened with {@link #openHost()} may read outside sysfs and run.
     *
     * @return the host commands
     */
    public HostCommands hostCommands() {
        return commands;
    }

    /**
     * A Xen control domain (PV dom0 of Xen 4.17 on Linux 6.12, docs/xen.md): the host of
     * {@link #intel82576Host()} with {@code /sys/hypervisor/type} {@code xen}, no IOMMU visible to Linux (Xen owns
     * it), igbvf and pciback loaded, and a {@link FakeXl} (domains, xenstore, {@code /proc/xen/capabilities} with
     * {@code control_d}) as its host commands. Xen reports an IOMMU ({@code pv_directio}); change that and add
     * domains through {@link #fakeXl()}.
     *
     * @return a new kernel
     */
    public static SimulatedKernel xenDom0Host() {
        SimulatedKernel k = builder().qemuQ35().iommu(false).hypervisor("xen").intel82576("0000:01:00.0")
                .loadDrivers("igbvf", "pciback").build();
        return k.hostCommands(new FakeXl(k));
    }

    /**
     * The fake {@code xl} given with {@link #hostCommands(HostCommands)}.
     *
     * @return it
     * @throws IllegalStateException if the host commands are not a {@link FakeXl}
     */
    public FakeXl fakeXl() {
        if (commands instanceof FakeXl x) {
            return x;
        }
        throw new IllegalStateException("this kernel's host commands are not a FakeXl");
    }

    /**
     * The state directory (ledger, lock files) of hosts opened with {@link #openHost()}: a temporary directory made
     * for this kernel on first use, deleted when the JVM exits. Open a second host on the same directory to act as a
     * second process would.
     *
     * @return the directory
     */
    public synchronized java.nio.file.Path stateDir() {
        if (stateDir == null) {
            try {
                java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sriov4j-simulated-state");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                stateDir = dir;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot create a state directory", e);
            }
        }
        return stateDir;
    }

    private java.nio.file.@Nullable Path stateDir;
    private java.nio.file.@Nullable Path procRoot;
    private long nextPid = 4000;
    private volatile boolean fdinfoSyspath;

    /**
     * The fake {@code /proc} of this kernel, which hosts opened with {@link #openHost()} read to find the holders of
     * VFIO devices: one directory per running {@link SimulatedProcess} ({@code comm}, {@code fd/N} links,
     * {@code fdinfo/N}). A temporary directory made on first use, deleted when the JVM exits.
     *
     * @return the directory
     */
    public synchronized java.nio.file.Path procRoot() {
        if (procRoot == null) {
            try {
                java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sriov4j-simulated-proc");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                procRoot = dir;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot create a proc directory", e);
            }
        }
        return procRoot;
    }

    /**
     * Starts a process that can open VFIO groups and devices ({@link SimulatedProcess}); it shows in
     * {@link #procRoot()} until it {@linkplain SimulatedProcess#exit() exits}.
     *
     * @param command its command, e.g. {@code qemu-system-x86}
     * @return the process
     */
    public synchronized SimulatedProcess startProcess(String command) {
        java.util.Objects.requireNonNull(command, "command");
        long pid = nextPid++;
        return new SimulatedProcess(this, pid, command, procRoot().resolve(Long.toString(pid)));
    }

    /**
     * Starts a process with a given pid, e.g. {@code ProcessHandle.current().pid()} to stand for the process under
     * test holding a device itself.
     *
     * @param command its command
     * @param pid its pid; must not be running in this kernel already
     * @return the process
     * @throws IllegalArgumentException if {@code pid} is not positive or already running here
     */
    public synchronized SimulatedProcess startProcess(String command, long pid) {
        java.util.Objects.requireNonNull(command, "command");
        java.nio.file.Path dir = procRoot().resolve(Long.toString(pid));
        if (pid <= 0 || java.nio.file.Files.exists(dir)) {
            throw new IllegalArgumentException("pid " + pid + " is not free");
        }
        return new SimulatedProcess(this, pid, command, dir);
    }

    /**
     * Opens the engine on this kernel as {@link #openHost()} does, with a configuration of your own: {@code customize}
     * gets a builder whose state directory and proc root are this kernel's ({@link #stateDir()}, {@link #procRoot()}).
     *
     * <pre>{@code
     * SriovHost host = kernel.openHost(b -> b.plugActuator(actuator).hook(new AuditHook()));
     * }</pre>
     *
     * @param customize changes to the configuration
     * @return an open host; close it when done
     */
    public SriovHost openHost(java.util.function.UnaryOperator<SriovConfig.Builder> customize) {
        SriovConfig config = customize.apply(SriovConfig.builder().stateDir(stateDir()).procRoot(procRoot())).build();
        return SriovEngine.open(config, this, devNodes, commands, netlink);
    }

    /**
     * Makes the {@code fdinfo} of VFIO device fds carry a {@code vfio-device-syspath} line, as kernels newer than
     * 6.12 do. Default: off (6.12 names no device there).
     *
     * @param on whether to write the line
     * @return this kernel
     */
    public SimulatedKernel fdinfoSyspath(boolean on) {
        this.fdinfoSyspath = on;
        return this;
    }

    boolean fdinfoSyspath() {
        return fdinfoSyspath;
    }

    /** The IOMMU group of a function on vfio-pci. */
    int vfioGroupOf(PciAddress f) {
        lock.lock();
        try {
            Kernel.Device d = vfioDevice(f);
            return java.util.Objects.requireNonNull(d.group, "group").number;
        } finally {
            lock.unlock();
        }
    }

    /** The cdev name ({@code vfioN}) of a function on vfio-pci. */
    String vfioCdevOf(PciAddress f) {
        lock.lock();
        try {
            Kernel.Device d = vfioDevice(f);
            if (!kernel.vfioCdev) {
                throw new IllegalStateException("this kernel has no VFIO device cdevs (Builder.vfioCdev)");
            }
            return "vfio" + d.vfioIndex;
        } finally {
            lock.unlock();
        }
    }

    private Kernel.Device vfioDevice(PciAddress f) {
        Kernel.Device d = kernel.devices.get(f);
        if (d == null || d.driver == null
                || kernel.loadedDriver(d.driver).spec.role() != DriverSpec.Role.VFIO) {
            throw new IllegalStateException(f + " is not bound to vfio-pci");
        }
        return d;
    }

    void vfioOpened(PciAddress f) {
        lock.lock();
        try {
            vfioDevice(f).vfioOpen++;
        } finally {
            lock.unlock();
        }
    }

    void vfioClosed(PciAddress f) {
        lock.lock();
        try {
            Kernel.Device d = kernel.devices.get(f);
            if (d != null && d.vfioOpen > 0) {
                d.vfioOpen--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The device's canonical sysfs path, e.g. {@code devices/pci0000:00/0000:00:01.0/0000:01:00.0}. */
    String canonicalDevicePath(PciAddress f) {
        lock.lock();
        try {
            return tree.resolve("bus/pci/devices/" + f, true).canonicalPath();
        } catch (KernelError e) {
            return "bus/pci/devices/" + f;
        } finally {
            lock.unlock();
        }
    }

    static void deleteTree(java.nio.file.Path dir) {
        try (var walk = java.nio.file.Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | RuntimeException e) {
            // best effort at exit
        }
    }

    // ------------------------------------------------------------------ runtime controls

    /**
     * Loads a driver by name ({@code modprobe}): a built-in one ({@link DriverSpec#knownNames()}) or one given to
     * {@link Builder#registerDriver(DriverSpec)}. Like the kernel, loading binds the driver to every unbound device it
     * matches and accepts (while {@code bus/pci/drivers_autoprobe} is 1). Loading a loaded driver does nothing.
     *
     * @param name the driver's name, e.g. {@code vfio-pci}
     * @throws IllegalArgumentException if no driver of that name is known
     */
    public void loadDriver(String name) {
        lock.lock();
        try {
            DriverSpec spec = kernel.available.get(name);
            if (spec == null) {
                spec = DriverSpec.known(name).orElseThrow(() -> new IllegalArgumentException("unknown driver \""
                        + name + "\"; built-in drivers: " + DriverSpec.knownNames() + ", registered: "
                        + kernel.available.keySet()));
            }
            kernel.loadDriver(spec);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Loads a driver described here (replacing any not-loaded driver of the same name), binding it as
     * {@link #loadDriver(String)} does.
     *
     * @param driver the driver
     * @throws IllegalStateException if a different driver of that name is loaded
     */
    public void loadDriver(DriverSpec driver) {
        Objects.requireNonNull(driver, "driver");
        lock.lock();
        try {
            Kernel.Driver current = kernel.loaded.get(driver.name());
            if (current != null && !current.spec.equals(driver)) {
                throw new IllegalStateException("a different driver named " + driver.name() + " is loaded: "
                        + current.spec);
            }
            kernel.available.put(driver.name(), driver);
            kernel.loadDriver(driver);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Unloads a driver ({@code rmmod}): every device bound to it is unbound first (an SR-IOV PF driver disables
     * its VFs; vfio-pci's {@code /dev/vfio} nodes go away), and its dynamic ids are forgotten. Unloading a driver
     * that is not loaded does nothing.
     *
     * @param name the driver's name
     */
    public void unloadDriver(String name) {
        lock.lock();
        try {
            kernel.unloadDriver(name);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ inspectors

    /**
     * The functions present now, sorted: declared functions that were not removed, and enabled VFs.
     *
     * @return the addresses
     */
    public List<PciAddress> functions() {
        lock.lock();
        try {
            return List.copyOf(kernel.devices.keySet());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a function is present now.
     *
     * @param address the function
     * @return true if present
     */
    public boolean isPresent(PciAddress address) {
        lock.lock();
        try {
            return kernel.devices.containsKey(address);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The driver a function is bound to.
     *
     * @param address a present function
     * @return the driver's name, or empty if unbound
     * @throws IllegalArgumentException if the function is not present
     */
    public Optional<String> driverOf(PciAddress address) {
        lock.lock();
        try {
            return Optional.ofNullable(kernel.require(address).driver);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A function's {@code driver_override}.
     *
     * @param address a present function
     * @return the value, or empty when unset
     * @throws IllegalArgumentException if the function is not present
     */
    public Optional<String> driverOverrideOf(PciAddress address) {
        lock.lock();
        try {
            return Optional.ofNullable(kernel.require(address).override);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The number of VFs a PF has enabled.
     *
     * @param pf a present PF
     * @return {@code sriov_numvfs}
     * @throws IllegalArgumentException if the function is not present or not a PF
     */
    public int numVfs(PciAddress pf) {
        lock.lock();
        try {
            return requirePf(pf).vfs.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * What a PF's {@code sriov_totalvfs} shows now (the bound driver's limit, or the hardware's total).
     *
     * @param pf a present PF
     * @return the total
     * @throws IllegalArgumentException if the function is not present or not a PF
     */
    public int totalVfs(PciAddress pf) {
        lock.lock();
        try {
            return kernel.totalVfs(requirePf(pf));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The VFs a PF has enabled, by index.
     *
     * @param pf a present PF
     * @return the VF addresses ({@code virtfn0}, {@code virtfn1} ...)
     * @throws IllegalArgumentException if the function is not present or not a PF
     */
    public List<PciAddress> vfsOf(PciAddress pf) {
        lock.lock();
        try {
            List<PciAddress> out = new ArrayList<>();
            for (Device vf : requirePf(pf).vfs) {
                out.add(vf.address);
            }
            return List.copyOf(out);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A PF's {@code sriov_drivers_autoprobe}.
     *
     * @param pf a present PF
     * @return the value
     * @throws IllegalArgumentException if the function is not present or not a PF
     */
    public boolean driversAutoprobe(PciAddress pf) {
        lock.lock();
        try {
            return requirePf(pf).autoprobe;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A function's IOMMU group.
     *
     * @param address a present function
     * @return the group number, or empty when the IOMMU is off
     * @throws IllegalArgumentException if the function is not present
     */
    public OptionalInt iommuGroupOf(PciAddress address) {
        lock.lock();
        try {
            Kernel.Group g = kernel.require(address).group;
            return g == null ? OptionalInt.empty() : OptionalInt.of(g.number);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A function's network interface.
     *
     * @param address a present function
     * @return its name, e.g. {@code eth0}, or empty if it has none
     * @throws IllegalArgumentException if the function is not present
     */
    public Optional<String> netdevOf(PciAddress address) {
        lock.lock();
        try {
            Kernel.Netdev n = kernel.require(address).netdev;
            return n == null ? Optional.empty() : Optional.of(n.name());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The loaded drivers, in load order.
     *
     * @return their names
     */
    public List<String> loadedDrivers() {
        lock.lock();
        try {
            return List.copyOf(kernel.loaded.keySet());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether this host has an IOMMU (fixed when built).
     *
     * @return true if functions have IOMMU groups
     */
    public boolean hasIommu() {
        return kernel.iommu;
    }

    private Device requirePf(PciAddress pf) {
        Device d = kernel.require(pf);
        if (!d.isPf()) {
            throw new IllegalArgumentException(pf + " is not an SR-IOV physical function");
        }
        return d;
    }

    // ------------------------------------------------------------------ faults and the write log

    private static String checkFaultPath(String path) {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
            throw new IllegalArgumentException("fault path must be a relative path or a suffix of whole path "
                    + "components, without leading or trailing '/': \"" + path + "\"");
        }
        return path;
    }

    /**
     * Makes the {@code nth} write (counting from this call, 1-based) to a path fail with {@code errno}, without
     * any effect. The write is still recorded in {@link #writes()}.
     *
     * <p>{@code path} is either a full relative path or a suffix made of whole components, and is compared with the
     * path as written and with the path after symbolic links are resolved. So {@code "sriov_numvfs"} hits the
     * {@code sriov_numvfs} of every PF, {@code "0000:01:10.0/driver_override"} one VF's override whichever way it is
     * reached, and {@code "bus/pci/drivers_probe"} only that file.
     *
     * <pre>{@code
     * kernel.failWrite("bus/pci/drivers_probe", 1, Errno.EIO);   // the next probe fails, later ones work
     * }</pre>
     *
     * @param path the path or path suffix
     * @param nth which matching write fails, 1 for the next one
     * @param errno the error it fails with
     * @throws IllegalArgumentException if {@code nth < 1} or the path is empty or starts or ends with {@code /}
     */
    public void failWrite(String path, int nth, Errno errno) {
        checkFaultPath(path);
        Objects.requireNonNull(errno, "errno");
        if (nth < 1) {
            throw new IllegalArgumentException("nth is 1-based: " + nth);
        }
        lock.lock();
        try {
            faults.add(new Fault(path, nth, errno));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes every write to a path fail with {@code errno}, without any effect, until {@link #clearFaults()}.
     * {@code path} matches as in {@link #failWrite(String, int, Errno)}.
     *
     * @param path the path or path suffix
     * @param errno the error every matching write fails with
     * @throws IllegalArgumentException if the path is empty or starts or ends with {@code /}
     */
    public void failWrites(String path, Errno errno) {
        checkFaultPath(path);
        Objects.requireNonNull(errno, "errno");
        lock.lock();
        try {
            faults.add(new Fault(path, 0, errno));
        } finally {
            lock.unlock();
        }
    }

    /** Removes every injected fault. */
    public void clearFaults() {
        lock.lock();
        try {
            faults.clear();
        } finally {
            lock.unlock();
        }
    }

    private static boolean pathMatches(String rule, @Nullable String path) {
        return path != null && (path.equals(rule) || path.endsWith("/" + rule));
    }

    private @Nullable Fault firingFault(String path, @Nullable String canonical) {
        Fault firing = null;
        for (Fault f : faults) {
            if (pathMatches(f.path, path) || pathMatches(f.path, canonical)) {
                f.seen++;
                if (firing == null && (f.nth == 0 || f.seen == f.nth)) {
                    firing = f;
                }
            }
        }
        return firing;
    }

    /**
     * Every write made so far, failed ones included, in order, as {@code path=value} with the path as written and
     * the value verbatim (a trailing newline stays).
     *
     * @return a snapshot of the log
     */
    public List<String> writes() {
        lock.lock();
        try {
            return List.copyOf(writes);
        } finally {
            lock.unlock();
        }
    }

    /** Empties the write log. */
    public void clearWrites() {
        lock.lock();
        try {
            writes.clear();
        } finally {
            lock.unlock();
        }
    }

    /**
     * One line per present function (address, ids, driver, override, IOMMU group, netdev, VFs), for test failure
     * messages.
     *
     * @return the summary
     */
    @Override
    public String toString() {
        lock.lock();
        try {
            StringBuilder b = new StringBuilder("SimulatedKernel[IOMMU ").append(kernel.iommu ? "on" : "off")
                    .append(", drivers ").append(kernel.loaded.keySet()).append(']');
            for (Device d : kernel.devices.values()) {
                b.append("\n  ").append(d.name).append(' ').append(d.spec.id())
                        .append(" driver=").append(d.driver == null ? "-" : d.driver);
                if (d.override != null) {
                    b.append(" override=").append(d.override);
                }
                if (d.group != null) {
                    b.append(" group=").append(d.group.number);
                }
                if (d.netdev != null) {
                    b.append(" net=").append(d.netdev.name());
                }
                if (d.isPf()) {
                    b.append(" vfs=").append(d.vfs.size()).append('/').append(kernel.totalVfs(d))
                            .append(" autoprobe=").append(d.autoprobe ? 1 : 0);
                }
                if (d.physfn != null) {
                    b.append(" pf=").append(d.physfn.name).append(" vf_index=").append(d.vfIndex);
                }
            }
            return b.toString();
        } finally {
            lock.unlock();
        }
    }

    /** The /dev view. */
    private final class DevNodes implements DeviceNodeAccess {

        private String norm(String path) {
            checkPath(path);
            String p = path;
            while (p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            return p;
        }

        @Override
        public boolean exists(String path) {
            String p = norm(path);
            if (p.isEmpty()) {
                return true;
            }
            int slash = p.lastIndexOf('/');
            lock.lock();
            try {
                SortedMap<String, Boolean> parent = tree.devDir(slash < 0 ? "" : p.substring(0, slash));
                return parent != null && parent.containsKey(p.substring(slash + 1));
            } finally {
                lock.unlock();
            }
        }

        @Override
        public List<String> list(String dir) {
            String p = norm(dir);
            lock.lock();
            try {
                SortedMap<String, Boolean> entries = tree.devDir(p);
                return entries == null ? List.of() : List.copyOf(entries.keySet());
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            return "/dev of " + SimulatedKernel.this.getClass().getSimpleName() + " " + list("vfio");
        }
    }

    /**
     * Describes a host for {@link SimulatedKernel}: its PCI functions, which of them are SR-IOV PFs, where bridges
     * lead, which functions share an IOMMU group, which drivers are loaded, and whether there is an IOMMU. Not
     * thread-safe; every method checks its arguments at once and {@link #build()} checks the whole.
     *
     * <pre>{@code
     * SimulatedKernel kernel = SimulatedKernel.builder()
     *         .bridge("0000:00:01.0", 0x01)                                   // root port to bus 01
     *         .pf("0000:01:00.0", PfSpec.intel82576().withNumaNode(0))       // igb, 7 VFs max
     *         .bridge("0000:80:01.0", 0x81)
     *         .pf("0000:81:00.0", PfSpec.intel82576().withNumaNode(1).withEnabledVfs(2))
     *         .function("0000:03:00.0", FunctionSpec.of("8086:105e", 0x020000))
     *         .function("0000:03:00.1", FunctionSpec.of("8086:105e", 0x020000).withDriver("e1000e"))
     *         .iommuGroup("0000:03:00.0", "0000:03:00.1")                    // one group, companion on the host
     *         .loadDrivers("igbvf", "vfio-pci")
     *         .build();
     * }</pre>
     *
     * <p>Where a function appears under {@code /sys/devices}: below the bridge declared with its bus as secondary
     * bus, else directly under the root bus {@code pciDDDD:BB}. IOMMU groups (with the IOMMU on) are numbered from 0
     * in address order of their first function; every function not named in {@link #iommuGroup(String...)} has its
     * own group, and every VF gets a new group when it is created. Functions bound to network drivers at boot get
     * {@code eth0}, {@code eth1} ... in address order, with MAC addresses {@code 52:54:00:12:34:56},
     * {@code 52:54:00:12:34:57} ...; VFs get random (but reproducible) MACs.
     */
    public static final class Builder {

        private record Declared(FunctionSpec function, @Nullable PfSpec pf, int secondaryBus) {
        }

        private boolean iommu = true;
        private @Nullable String hypervisor;
        private boolean vfioCdev;
        private final TreeMap<PciAddress, Declared> functions = new TreeMap<>();
        private final List<List<PciAddress>> groups = new ArrayList<>();
        private final List<String> loadOrder = new ArrayList<>();
        private final Map<String, DriverSpec> custom = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Turns the IOMMU on or off. Default: on. Without an IOMMU no function has an {@code iommu_group} link,
         * {@code kernel/iommu_groups} is empty and vfio-pci refuses every device ({@code EINVAL}).
         *
         * @param enabled whether the host has an IOMMU
         * @return this builder
         */
        public Builder iommu(boolean enabled) {
            this.iommu = enabled;
            return this;
        }

        /**
         * Runs the kernel under a hypervisor: {@code /sys/hypervisor/type} reads {@code type} (e.g. {@code xen}).
         * Default: none (no {@code hypervisor} directory, as on bare metal and KVM hosts).
         *
         * @param type the hypervisor type
         * @return this builder
         */
        public Builder hypervisor(String type) {
            this.hypervisor = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * Whether the kernel has VFIO device cdevs and iommufd ({@code /dev/iommu},
         * {@code /dev/vfio/devices/vfioX}). Default: off, like the Debian 6.12 kernels seen so far.
         *
         * @param enabled whether the cdev nodes exist
         * @return this builder
         */
        public Builder vfioCdev(boolean enabled) {
            this.vfioCdev = enabled;
            return this;
        }

        private static PciAddress parse(String address) {
            return PciAddress.parse(Objects.requireNonNull(address, "address"));
        }

        private void declare(PciAddress a, Declared d) {
            if (functions.containsKey(a)) {
                throw new IllegalArgumentException("duplicate PCI address " + a + ": already declared as "
                        + functions.get(a));
            }
            functions.put(a, d);
            d.function().driver().ifPresent(name -> {
                if (!loadOrder.contains(name)) {
                    loadOrder.add(name);
                }
            });
        }

        /**
         * Declares a function without SR-IOV. Its boot driver, if any, is loaded.
         *
         * @param address {@code DDDD:BB:DD.F}
         * @param spec the function
         * @return this builder
         * @throws IllegalArgumentException if the address is malformed or already declared
         */
        public Builder function(String address, FunctionSpec spec) {
            declare(parse(address), new Declared(Objects.requireNonNull(spec, "spec"), null, -1));
            return this;
        }

        /**
         * Declares an SR-IOV physical function. Its boot driver, if any, is loaded.
         *
         * @param address {@code DDDD:BB:DD.F}
         * @param spec the PF
         * @return this builder
         * @throws IllegalArgumentException if the address is malformed or already declared
         */
        public Builder pf(String address, PfSpec spec) {
            Objects.requireNonNull(spec, "spec");
            declare(parse(address), new Declared(spec.function(), spec, -1));
            return this;
        }

        /**
         * Declares an Intel 82576 PF ({@link PfSpec#intel82576()}: igb, 7 VFs of {@code 8086:10ca} at most) at
         * {@code address}. Load {@code igbvf} too if its VFs should get their host driver.
         *
         * @param address {@code DDDD:BB:DD.F}
         * @return this builder
         * @throws IllegalArgumentException if the address is malformed or already declared
         */
        public Builder intel82576(String address) {
            return pf(address, PfSpec.intel82576());
        }

        /**
         * Declares a PCIe root port ({@link FunctionSpec#pcieRootPort()}) whose secondary bus is
         * {@code secondaryBus}: functions on that bus appear below it in {@code /sys/devices}.
         *
         * @param address {@code DDDD:BB:DD.F}
         * @param secondaryBus the bus behind it, above the port's own bus, 1 to 0xff
         * @return this builder
         * @throws IllegalArgumentException if the address is malformed or taken, or the bus is invalid or taken
         */
        public Builder bridge(String address, int secondaryBus) {
            return bridge(address, secondaryBus, FunctionSpec.pcieRootPort());
        }

        /**
         * Declares a PCI bridge with the given description (its class must be {@code 0x0604xx}).
         *
         * @param address {@code DDDD:BB:DD.F}
         * @param secondaryBus the bus behind it, above the bridge's own bus, 1 to 0xff
         * @param spec the bridge function
         * @return this builder
         * @throws IllegalArgumentException if the address is malformed or taken, the spec is not a bridge, or the
         *     bus is invalid or taken
         */
        public Builder bridge(String address, int secondaryBus, FunctionSpec spec) {
            PciAddress a = parse(address);
            Objects.requireNonNull(spec, "spec");
            if (!spec.isBridge()) {
                throw new IllegalArgumentException("bridge " + a + " needs a PCI-to-PCI bridge class (0x0604xx): "
                        + spec);
            }
            if (secondaryBus <= a.bus() || secondaryBus > 0xff) {
                throw new IllegalArgumentException("secondary bus of bridge " + a + " must be above its own bus "
                        + String.format("%02x", a.bus()) + " and at most ff: " + secondaryBus);
            }
            for (Map.Entry<PciAddress, Declared> e : functions.entrySet()) {
                if (e.getValue().secondaryBus() == secondaryBus && e.getKey().domain() == a.domain()) {
                    throw new IllegalArgumentException("bus " + String.format("%02x", secondaryBus)
                            + " is already behind bridge " + e.getKey());
                }
            }
            declare(a, new Declared(spec, null, secondaryBus));
            return this;
        }

        /**
         * Puts declared functions into one IOMMU group (say, the functions of a multi-function device without
         * ACS). Ignored when the IOMMU is off (there are no groups then).
         *
         * @param addresses two or more declared (or later declared) functions
         * @return this builder
         * @throws IllegalArgumentException if fewer than two addresses are given, one is malformed or repeated, or
         *     one is already in another {@code iommuGroup}
         */
        public Builder iommuGroup(String... addresses) {
            if (addresses.length < 2) {
                throw new IllegalArgumentException("an explicit IOMMU group needs at least two functions: "
                        + Arrays.toString(addresses));
            }
            List<PciAddress> members = new ArrayList<>();
            for (String s : addresses) {
                PciAddress a = parse(s);
                if (members.contains(a)) {
                    throw new IllegalArgumentException("function " + a + " named twice in one IOMMU group");
                }
                for (List<PciAddress> g : groups) {
                    if (g.contains(a)) {
                        throw new IllegalArgumentException("function " + a + " is already in IOMMU group " + g);
                    }
                }
                members.add(a);
            }
            groups.add(List.copyOf(members));
            return this;
        }

        /**
         * Loads drivers by name, in this order (after the boot drivers of functions declared before this call):
         * built-in ones ({@link DriverSpec#knownNames()}) or ones given to {@link #registerDriver(DriverSpec)}.
         * Loading at boot binds nothing by itself: only declared boot drivers are bound.
         *
         * @param names driver names, e.g. {@code "igbvf", "vfio-pci"}
         * @return this builder; unknown names are reported by {@link #build()}
         */
        public Builder loadDrivers(String... names) {
            for (String n : names) {
                DriverSpec.checkName(n, "driver");
                if (!loadOrder.contains(n)) {
                    loadOrder.add(n);
                }
            }
            return this;
        }

        /**
         * Registers a driver of your own and loads it.
         *
         * @param driver the driver (it replaces a built-in driver of the same name)
         * @return this builder
         * @throws IllegalArgumentException if a different driver of that name was registered
         */
        public Builder loadDriver(DriverSpec driver) {
            registerDriver(driver);
            return loadDrivers(driver.name());
        }

        /**
         * Registers a driver of your own without loading it, so that {@link SimulatedKernel#loadDriver(String)}
         * finds it later.
         *
         * @param driver the driver (it replaces a built-in driver of the same name)
         * @return this builder
         * @throws IllegalArgumentException if a different driver of that name was registered
         */
        public Builder registerDriver(DriverSpec driver) {
            Objects.requireNonNull(driver, "driver");
            DriverSpec old = custom.get(driver.name());
            if (old != null && !old.equals(driver)) {
                throw new IllegalArgumentException("driver " + driver.name() + " registered twice differently: "
                        + old + " and " + driver);
            }
            custom.put(driver.name(), driver);
            return this;
        }

        /**
         * Adds the functions of QEMU's q35 machine as the project's real-kernel tests run it: host bridge
         * {@code 0000:00:00.0} (8086:29c0), PCIe root port {@code 0000:00:01.0} (1b36:000c, pcieport) to bus 01,
         * two virtio devices {@code 0000:00:02.0} and {@code 0000:00:03.0} (1af4:1009, virtio-pci), and the ICH9
         * functions {@code 0000:00:1f.0}, {@code 1f.2}, {@code 1f.3} (no driver) sharing one IOMMU group; loads
         * {@code pcieport} and {@code virtio-pci}.
         *
         * @return this builder
         * @throws IllegalArgumentException if one of those addresses is already declared
         */
        public Builder qemuQ35() {
            PciId qemuSubsystem = new PciId(0x1af4, 0x1100);
            function("0000:00:00.0", FunctionSpec.of("8086:29c0", 0x060000).withSubsystem(qemuSubsystem)
                    .withRevision(0));
            bridge("0000:00:01.0", 0x01);
            FunctionSpec virtio = FunctionSpec.of("1af4:1009", 0x000200).withSubsystem(new PciId(0x1af4, 0x0009))
                    .withRevision(0).withDriver("virtio-pci");
            function("0000:00:02.0", virtio);
            function("0000:00:03.0", virtio);
            function("0000:00:1f.0", FunctionSpec.of("8086:2918", 0x060100).withSubsystem(qemuSubsystem)
                    .withRevision(2));
            function("0000:00:1f.2", FunctionSpec.of("8086:2922", 0x010601).withSubsystem(qemuSubsystem)
                    .withRevision(2));
            function("0000:00:1f.3", FunctionSpec.of("8086:2930", 0x0c0500).withSubsystem(qemuSubsystem)
                    .withRevision(2));
            iommuGroup("0000:00:1f.0", "0000:00:1f.2", "0000:00:1f.3");
            return loadDrivers("pcieport", "virtio-pci");
        }

        private String pathOf(PciAddress a, Map<PciAddress, String> memo) {
            String known = memo.get(a);
            if (known != null) {
                return known;
            }
            PciAddress bridge = null;
            for (Map.Entry<PciAddress, Declared> e : functions.entrySet()) {
                if (e.getValue().secondaryBus() == a.bus() && e.getKey().domain() == a.domain()) {
                    bridge = e.getKey();
                }
            }
            String parent = bridge == null ? String.format("devices/pci%04x:%02x", a.domain(), a.bus())
                    : pathOf(bridge, memo);
            String path = parent + "/" + a;
            memo.put(a, path);
            return path;
        }

        /**
         * Builds the kernel: loads the drivers, creates the functions and their IOMMU groups, binds the boot
         * drivers (in address order), then enables the VFs PFs ask for at boot (probed as if written to
         * {@code sriov_numvfs}).
         *
         * @return a new kernel
         * @throws IllegalArgumentException if the description is inconsistent: an unknown driver; a boot driver
         *     that does not claim its function; an IOMMU group naming an undeclared function; VFs whose routing ids leave the PF's bus or land on another function or another PF's VF;
         *     VFs enabled at boot on a PF whose boot driver cannot configure SR-IOV or allows fewer
         */
        public SimulatedKernel build() {
            Map<String, DriverSpec> available = new LinkedHashMap<>();
            for (String n : DriverSpec.knownNames()) {
                available.put(n, DriverSpec.known(n).orElseThrow());
            }
            available.putAll(custom);
            for (String n : loadOrder) {
                if (!available.containsKey(n)) {
                    throw new IllegalArgumentException("unknown driver \"" + n + "\"; built-in drivers: "
                            + DriverSpec.knownNames() + (custom.isEmpty() ? "" : ", registered: " + custom.keySet())
                            + "; describe others with DriverSpec.hostDriver(name) and registerDriver/loadDriver");
                }
            }
            Map<PciAddress, Integer> groupKeys = new HashMap<>();
            for (int g = 0; g < groups.size(); g++) {
                for (PciAddress a : groups.get(g)) {
                    if (!functions.containsKey(a)) {
                        throw new IllegalArgumentException("IOMMU group " + groups.get(g) + " names " + a
                                + ", which is not declared");
                    }
                    groupKeys.put(a, -1 - g);
                }
            }
            checkVfAddresses();

            Kernel k = new Kernel(iommu, vfioCdev);
            k.hypervisorType = hypervisor;
            k.available.putAll(available);
            for (String n : loadOrder) {
                k.loaded.put(n, new Kernel.Driver(Objects.requireNonNull(available.get(n), n)));
            }
            Map<PciAddress, String> paths = new HashMap<>();
            int key = 0;
            int macs = 0;
            for (Map.Entry<PciAddress, Declared> e : functions.entrySet()) {
                PciAddress a = e.getKey();
                Declared d = e.getValue();
                String mac = null;
                if ((d.function().classCode() >> 16) == 0x02) {
                    int low = 0x123456 + macs++;
                    mac = String.format("52:54:00:%02x:%02x:%02x", (low >> 16) & 0xff, (low >> 8) & 0xff, low & 0xff);
                }
                Integer declaredKey = groupKeys.get(a);
                BootFunction b = new BootFunction(a, d.function(), d.pf(), declaredKey != null ? declaredKey : key++,
                        pathOf(a, paths), mac);
                k.boot.put(a, b);
                if (d.function().numaNode() >= 0) {
                    k.onlineNodes.add(d.function().numaNode());
                }
            }
            for (BootFunction b : k.boot.values()) {
                k.addBootFunction(b, true);
            }
            for (BootFunction b : k.boot.values()) {
                Optional<String> driver = b.function().driver();
                if (driver.isEmpty()) {
                    continue;
                }
                Kernel.Driver drv = k.loaded.get(driver.get());
                Device dev = k.devices.get(b.address());
                if (drv == null || dev == null) {
                    throw new IllegalStateException("boot driver " + driver.get() + " of " + b.address() + " missing");
                }
                if (!k.matches(drv, dev)) {
                    throw new IllegalArgumentException(b.address() + ": boot driver " + drv.name() + " does not claim "
                            + b.function().id() + " class " + String.format("%06x", b.function().classCode())
                            + (dev.override != null ? " with driver_override " + dev.override : "")
                            + "; its ids are " + drv.spec.ids() + ". Use FunctionSpec.withDriverOverride(\""
                            + drv.name() + "\") or a DriverSpec that matches the function");
                }
                KernelError refused = k.probeError(drv, dev);
                if (refused != null) {
                    throw new IllegalArgumentException(b.address() + ": boot driver " + drv.name()
                            + " refuses the function: " + refused.errno() + " (" + refused.detail() + ")");
                }
                k.bind(dev, drv);
            }
            for (BootFunction b : k.boot.values()) {
                PfSpec pf = b.pf();
                if (pf != null) {
                    k.enableAtBoot(k.require(b.address()), pf.enabledVfs());
                }
            }
            return new SimulatedKernel(k);
        }

        private void checkVfAddresses() {
            Map<PciAddress, PciAddress> vfOwners = new HashMap<>();
            for (Map.Entry<PciAddress, Declared> e : functions.entrySet()) {
                PfSpec pf = e.getValue().pf();
                if (pf == null) {
                    continue;
                }
                PciAddress a = e.getKey();
                for (int i = 0; i < pf.totalVfs(); i++) {
                    int rid = a.routingId() + pf.vfOffset() + pf.vfStride() * i;
                    if ((rid >> 8) != a.bus()) {
                        throw new IllegalArgumentException("VF routing ids of PF " + a + " overflow bus "
                                + String.format("%02x", a.bus()) + ": VF " + i + " of " + pf.totalVfs()
                                + " would be at routing id " + String.format("0x%x", rid)
                                + "; the simulator keeps VFs on their PF's bus (lower totalVfs, offset or stride)");
                    }
                    PciAddress vf = a.withRoutingId(rid);
                    if (functions.containsKey(vf)) {
                        throw new IllegalArgumentException("VF " + i + " of PF " + a + " would be at " + vf
                                + ", which is declared as " + functions.get(vf));
                    }
                    PciAddress other = vfOwners.put(vf, a);
                    if (other != null) {
                        throw new IllegalArgumentException("VF " + i + " of PF " + a + " would be at " + vf
                                + ", where a VF of PF " + other + " can be");
                    }
                }
            }
        }
    }
}
