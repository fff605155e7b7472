package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Arguments re-read in UTF-8 from the command line image when a non-UTF-8 locale turned them into '?'. */
class CommandLineTest {

    static byte[] image(String... parts) {
        return (String.join("\0", parts) + "\0").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aGuestNameTheCLocaleGarbledIsReadBackInUtf8() {
        String[] jvm = {"lease", "0000:01:10.0", "--guest", "vm-caf??", "--durable"};
        byte[] cmdline = image("/usr/bin/java", "-jar", "sriov4j.jar", "lease", "0000:01:10.0", "--guest", "vm-café",
                "--durable");
        assertArrayEquals(new String[] {"lease", "0000:01:10.0", "--guest", "vm-café", "--durable"},
                CommandLine.utf8(jvm, cmdline));
    }

    @Test
    void anImageThatDoesNotMatchTheArgumentsIsIgnored() {
        String[] jvm = {"lease", "--guest", "vm-a"};
        assertArrayEquals(jvm, CommandLine.utf8(jvm, image("java", "lease", "--guest", "vm-b")));
        assertArrayEquals(jvm, CommandLine.utf8(jvm, image("vm-a")));
        byte[] notUtf8 = {'j', 0, 'l', 'e', 'a', 's', 'e', 0, '-', '-', 'g', 'u', 'e', 's', 't', 0, 'v', 'm', '-',
            (byte) 0xe9, 0};
        String[] latin = {"lease", "--guest", "vm-?"};
        assertArrayEquals(latin, CommandLine.utf8(latin, notUtf8));
    }
}
