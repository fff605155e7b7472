package org.sriov4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.SriovException;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.DeviceNodeAccess;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.testing.SimulatedKernel;

/**
 * The demo's simulated kernel seen from a second process: the demo's child JVM ({@link DemoChild}) reads and writes
 * the parent's {@link SimulatedKernel} through its standard input and output, so that the child's lease changes the
 * same simulated host, and killing the child leaves what a killed VMM leaves. One request per line
 * ({@code op TAB base64(arg) TAB base64(arg)}), one answer per line ({@code ok TAB base64(result)} or
 * {@code err TAB operation TAB base64(path) TAB errno-or-dash TAB base64(detail)}).
 */
final class DemoPipe {

    private DemoPipe() {
    }

    private static String enc(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String dec(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    /**
     * Answers the child's requests on {@code kernel} until the child's output ends (it exited or was killed).
     *
     * @param kernel the simulated kernel
     * @param requests the child's standard output
     * @param answers the child's standard input
     */
    static void serve(SimulatedKernel kernel, InputStream requests, OutputStream answers) {
        PrintStream out = new PrintStream(answers, false, StandardCharsets.UTF_8);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(requests, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null;) {
                String[] f = line.split("\t", -1);
                String a = f.length > 1 ? dec(f[1]) : "";
                String b = f.length > 2 ? dec(f[2]) : "";
                String answer;
                try {
                    answer = "ok\t" + enc(switch (f[0]) {
                        case "read" -> kernel.read(a);
                        case "write" -> {
                            kernel.write(a, b);
                            yield "";
                        }
                        case "list" -> String.join("\n", kernel.list(a));
                        case "readLink" -> kernel.readLink(a);
                        case "exists" -> Boolean.toString(kernel.exists(a));
                        case "describe" -> kernel.describe(a);
                        case "devExists" -> Boolean.toString(kernel.devices().exists(a));
                        case "devList" -> String.join("\n", kernel.devices().list(a));
                        default -> throw new IllegalArgumentException("unknown request " + f[0]);
                    });
                } catch (SriovException e) {
                    answer = "err\t" + e.operation() + "\t" + enc(e.path().orElse(a)) + "\t"
                            + e.errno().map(Enum::name).orElse("-") + "\t" + enc(e.detail());
                } catch (RuntimeException e) {
                    answer = "err\t" + f[0] + "\t" + enc(a) + "\t-\t" + enc(String.valueOf(e));
                }
                out.println(answer);
                out.flush();
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    /** The child's side: every call is a request to the parent. */
    static final class Client implements SysfsAccess {
        private final BufferedReader answers;
        private final PrintStream requests;

        Client(InputStream answers, PrintStream requests) {
            this.answers = new BufferedReader(new InputStreamReader(answers, StandardCharsets.UTF_8));
            this.requests = requests;
        }

        private synchronized String call(String op, String a, String b) {
            requests.println(op + "\t" + enc(a) + "\t" + enc(b));
            requests.flush();
            String line;
            try {
                line = answers.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (line == null) {
                throw new IllegalStateException("the demo's parent process is gone");
            }
            String[] f = line.split("\t", -1);
            if (f[0].equals("ok")) {
                return dec(f[1]);
            }
            @Nullable Errno errno = f[3].equals("-") ? null : Errno.valueOf(f[3]);
            throw new SysfsIoException(f[1], dec(f[2]), errno, dec(f[4]), null);
        }

        private static List<String> lines(String s) {
            return s.isEmpty() ? List.of() : List.of(s.split("\n", -1));
        }

        @Override
        public String read(String path) {
            return call("read", path, "");
        }

        @Override
        public void write(String path, String value) {
            call("write", path, value);
        }

        @Override
        public List<String> list(String dir) {
            return lines(call("list", dir, ""));
        }

        @Override
        public String readLink(String path) {
            return call("readLink", path, "");
        }

        @Override
        public boolean exists(String path) {
            return Boolean.parseBoolean(call("exists", path, ""));
        }

        @Override
        public String describe(String path) {
            return call("describe", path, "");
        }

        /** The /dev side of the pipe. */
        DeviceNodeAccess devices() {
            Client self = this;
            return new DeviceNodeAccess() {
                @Override
                public boolean exists(String path) {
                    return Boolean.parseBoolean(self.call("devExists", path, ""));
                }

                @Override
                public List<String> list(String dir) {
                    return lines(self.call("devList", dir, ""));
                }
            };
        }
    }
}
