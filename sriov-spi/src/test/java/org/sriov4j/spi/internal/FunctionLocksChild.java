package org.sriov4j.spi.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.sriov4j.PciAddress;

/**
 * A second process for {@link FunctionLocksTest}: {@code hold <stateDir> <BDF> <description>} takes the lock, prints
 * {@code LOCKED} (or {@code BUSY}) and keeps it until its standard input ends or it is killed;
 * {@code try <stateDir> <BDF>} prints {@code LOCKED} or {@code BUSY} and then {@code HOLDER <holder>} and exits.
 */
public final class FunctionLocksChild {

    private FunctionLocksChild() {
    }

    /**
     * Runs the child.
     *
     * @param args mode, state directory, BDF, description
     * @throws IOException if standard input fails
     */
    public static void main(String[] args) throws IOException {
        FunctionLocks locks = new FunctionLocks(Path.of(args[1]));
        PciAddress device = PciAddress.parse(args[2]);
        Optional<FunctionLock> lock = locks.tryLock(device, args.length > 3 ? args[3] : "child");
        System.out.println(lock.isPresent() ? "LOCKED" : "BUSY");
        if (args[0].equals("try")) {
            lock.ifPresent(FunctionLock::close);
            System.out.println("HOLDER " + locks.holder(device).map(h -> h.pid().orElse(-1) + " " + h.description()
                    .replace("\n", "\\n")).orElse("none"));
            System.out.flush();
            return;
        }
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until the parent ends our input or kills us
        }
    }
}
