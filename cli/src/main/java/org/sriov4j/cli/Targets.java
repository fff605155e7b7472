package org.sriov4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.sriov4j.PciAddress;
import org.sriov4j.PciAddressFormatException;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.VfSelector;
import org.sriov4j.VfSelectorFormatException;
import org.sriov4j.VirtualFunction;

/**
 * The functions one command acts on: several PCI addresses and VF selectors ({@code PF#RANGES}, e.g.
 * {@code 0000:01:00.0#0-6} or {@code ens1f0#0-3,6}: the VFs of that PF with those indices that exist, in address
 * order), each function once, in the order given; and running an operation on each of them, reporting each one's
 * outcome and going on after a failure.
 */
final class Targets {

    private Targets() {
    }

    /**
     * Checks the arguments' syntax before anything is opened.
     *
     * @param command the command, for messages
     * @param args the positional arguments
     * @throws UsageException when there is none, or one is neither a PCI address nor a selector
     */
    static void check(String command, List<String> args) {
        if (args.isEmpty()) {
            throw new UsageException(command + " needs at least one PCI address (BDF) or VF selector (PF#RANGES)");
        }
        for (String a : args) {
            parse(command, a);
        }
    }

    private static Object parse(String command, String a) {
        try {
            if (a.contains("#")) {
                return VfSelector.parse(a);
            }
            return PciAddress.parse(a);
        } catch (VfSelectorFormatException | PciAddressFormatException e) {
            throw new UsageException(command + ": " + e.getMessage()
                    + (a.contains("#") ? "" : " (a PCI address, or PF#RANGES for VFs)"));
        }
    }

    /**
     * The functions the arguments name, each once: a PCI address as it is (the command says whether it exists);
     * a selector as the VFs that match it in the current topology, in address order.
     *
     * @param command the command, for messages
     * @param host the host
     * @param args the positional arguments, checked by {@link #check}
     * @return the addresses
     * @throws SriovException when a selector matches no VF
     */
    static List<PciAddress> resolve(String command, SriovHost host, List<String> args) {
        Set<PciAddress> out = new LinkedHashSet<>();
        Topology topology = null;
        for (String a : args) {
            Object p = parse(command, a);
            if (p instanceof PciAddress address) {
                out.add(address);
                continue;
            }
            VfSelector s = (VfSelector) p;
            if (topology == null) {
                topology = host.topology();
            }
            List<PciAddress> matched = new ArrayList<>();
            for (VirtualFunction vf : topology.virtualFunctions()) {
                if (s.matches(topology, vf)) {
                    matched.add(vf.address());
                }
            }
            if (matched.isEmpty()) {
                throw new SriovException(command, null, org.sriov4j.Errno.ENOENT, null,
                        "the selector " + a + " matches no VF", null);
            }
            matched.sort(null);
            out.addAll(matched);
        }
        return List.copyOf(out);
    }

    /**
     * Runs {@code operation} on each function; prints what each one returned on {@code out} and each failure as
     * {@code sriov4j: MESSAGE} on {@code err}, going on with the next; with more than one function, a last line
     * says how many succeeded.
     *
     * @param command the command, for the summary ("detach": "detached")
     * @param done the past participle for the summary
     * @param functions the functions
     * @param operation what to do with one function; returns the line to print
     * @param out where results go
     * @param err where failures go
     * @return 0 when every function succeeded, 1 otherwise
     */
    static int each(String command, String done, List<PciAddress> functions, Function<PciAddress, String> operation,
            PrintStream out, PrintStream err) {
        return eachWithStatus(done, functions, f -> {
            out.println(operation.apply(f));
            return Cli.OK;
        }, out, err);
    }

    /**
     * Prints the outcomes of a change of many functions in one call ({@link SriovHost#detachAll},
     * {@link SriovHost#reattachAll}) as {@link #each} prints those of single calls: each success's line on
     * {@code out}, each failure as {@code sriov4j: MESSAGE} on {@code err}, and with more than one function the
     * summary line.
     *
     * @param done the past participle for the summary
     * @param outcomes the outcomes, one per function
     * @param line the line to print for a changed function
     * @param out where results go
     * @param err where failures go
     * @return 0 when every function succeeded, 1 otherwise
     */
    static int outcomes(String done, List<org.sriov4j.FunctionOutcome> outcomes,
            Function<org.sriov4j.PciFunction, String> line, PrintStream out, PrintStream err) {
        List<PciAddress> functions = outcomes.stream().map(org.sriov4j.FunctionOutcome::function).toList();
        java.util.Iterator<org.sriov4j.FunctionOutcome> next = outcomes.iterator();
        return eachWithStatus(done, functions, f -> {
            org.sriov4j.FunctionOutcome o = next.next();
            if (o.failure().isPresent()) {
                throw o.failure().get();
            }
            out.println(line.apply(o.result().orElseThrow()));
            return Cli.OK;
        }, out, err);
    }

    /**
     * Like {@link #each}, for an operation that prints its own lines and returns its exit status: a function fails
     * when the operation throws a {@link SriovException} (printed on {@code err}) or returns a status other than 0.
     *
     * @param done the past participle for the summary
     * @param functions the functions
     * @param operation what to do with one function; returns 0 when it succeeded
     * @param out where the summary goes
     * @param err where failures go
     * @return 0 when every function succeeded, 1 otherwise
     */
    static int eachWithStatus(String done, List<PciAddress> functions, ToIntFunction<PciAddress> operation,
            PrintStream out, PrintStream err) {
        List<PciAddress> failed = new ArrayList<>();
        for (PciAddress f : functions) {
            try {
                if (operation.applyAsInt(f) != Cli.OK) {
                    failed.add(f);
                }
            } catch (SriovException e) {
                err.println("sriov4j: " + Table.printable(e.getMessage()));
                if (e instanceof org.sriov4j.DeviceInUseException d) {
                    Cli.printHolders(err, d); // who still has its VFIO device open
                }
                failed.add(f);
            }
        }
        if (functions.size() > 1) {
            out.println(done + " " + (functions.size() - failed.size()) + " of " + functions.size() + " functions"
                    + (failed.isEmpty() ? "" : "; failed: " + failed.stream().map(PciAddress::toString)
                            .reduce((x, y) -> x + ", " + y).orElse("")));
        }
        return failed.isEmpty() ? Cli.OK : Cli.FAILED;
    }
}
