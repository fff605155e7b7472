package org.sriov4j.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.sriov4j.PciAddress;
import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.VfioDeviceHolder;
import org.sriov4j.testing.contract.VfioHolderContract;

/**
 * The VFIO holder contract kit on the real kernel: the holder is a child JVM ({@link VfioHolderMain}) that opens the
 * VF's group and device through VFIO; reattach, the end of a lease and disabling VFs must refuse within 2 s naming
 * its pid (the kernel would block the unbind until it exits), and succeed after it exits.
 */
class RealVfioHolderContractIT extends VfioHolderContract {

    @Override
    protected ContractHost host() {
        return RealKernel.host().withVfioDeviceHolders(RealVfioHolderContractIT::start);
    }

    static VfioDeviceHolder start(PciAddress f, boolean keepGroupFd) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(VfioHolderMain.class.getName());
        cmd.add(f.toString());
        cmd.add(keepGroupFd ? "keep-group" : "close-group");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = r.readLine()) != null;) {
                seen.append(line).append('\n');
                if (line.startsWith("READY ")) {
                    System.out.println("stand-in VMM: " + line);
                    return holder(p);
                }
            }
            throw new AssertionError("the stand-in VMM ended without READY:\n" + seen);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static VfioDeviceHolder holder(Process p) {
        return new VfioDeviceHolder() {
            @Override
            public long pid() {
                return p.pid();
            }

            @Override
            public void close() {
                try {
                    p.getOutputStream().close(); // stdin closes: it exits
                    if (!p.waitFor(20, TimeUnit.SECONDS)) {
                        p.destroyForcibly().waitFor();
                    }
                } catch (IOException | InterruptedException e) {
                    p.destroyForcibly();
                }
            }
        };
    }
}
