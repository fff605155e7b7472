package org.sriov4j.spi.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.sriov4j.MalformedAttributeException;
import org.sriov4j.PciAddress;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.spi.SysfsNames;
import org.sriov4j.testdata.Fuzzing;

/**
 * Fuzz target: every parser of sysfs attribute content ({@link Attributes}: hex ids and class codes, decimal counts,
 * booleans, NUMA nodes, {@code driver_override}) and of names read from sysfs ({@link SysfsNames}: addresses, driver
 * names, numbers) throws only {@link MalformedAttributeException}, whose message names the file and stays one line
 * of bounded length; what they accept is in range (and, for names, safe as a path component). The content is
 * decoded as ISO-8859-1, as {@code NioSysfsAccess} reads it. See {@link Fuzzing}.
 */
class AttributeParsersFuzzTest {

    static final String PATH = "bus/pci/devices/0000:01:00.0/attribute";

    /** A sysfs with one attribute and one link, holding the fuzzed text. */
    record OneFile(String content) implements SysfsAccess {
        @Override
        public String read(String path) {
            return content;
        }

        @Override
        public void write(String path, String value) {
            throw new SysfsIoException("write", path, org.sriov4j.Errno.EROFS, "", null);
        }

        @Override
        public List<String> list(String dir) {
            return List.of(content);
        }

        @Override
        public String readLink(String path) {
            return "../../../bus/pci/drivers/" + content;
        }

        @Override
        public boolean exists(String path) {
            return true;
        }

        @Override
        public String describe(String path) {
            return "/sys/" + path;
        }
    }

    @FuzzTest
    void parse(FuzzedDataProvider data) throws Throwable {
        int parser = data.consumeInt(0, 9);
        String content = new String(data.consumeRemainingAsBytes(), StandardCharsets.ISO_8859_1);
        OneFile sysfs = new OneFile(content);
        Attributes attrs = new Attributes(sysfs);
        Fuzzing.only(() -> {
            switch (parser) {
                case 0 -> inRange(attrs.hex(PATH, 4), 0xffff, content);
                case 1 -> inRange(attrs.hex(PATH, 6), 0xffffff, content);
                case 2 -> inRange(attrs.decimal(PATH), 999_999_999, content);
                case 3 -> attrs.bool(PATH);
                case 4 -> {
                    OptionalInt n = attrs.numaNode(PATH);
                    if (n.isPresent()) {
                        inRange(n.getAsInt(), 999_999_999, content);
                    }
                }
                case 5 -> {
                    Optional<String> o = attrs.driverOverride(PATH);
                    if (o.isPresent() && (o.get().isEmpty() || o.get().indexOf('\n') >= 0)) {
                        throw new AssertionError("override \"" + o.get() + "\" from \"" + content + "\"");
                    }
                }
                case 6 -> {
                    PciAddress a = SysfsNames.address(sysfs, PATH, content);
                    if (!a.toString().equals(content)) {
                        throw new AssertionError(a + " accepted from \"" + content + "\"");
                    }
                }
                case 7 -> safeName(SysfsNames.driver(sysfs, PATH, content));
                case 8 -> SysfsNames.linkedDriver(sysfs, PATH).ifPresent(AttributeParsersFuzzTest::safeName);
                default -> inRange(SysfsNames.number(sysfs, PATH, content), 999_999_999, content);
            }
        }, MalformedAttributeException.class);
        try {
            attrs.hex(PATH, 4);
        } catch (MalformedAttributeException e) {
            String m = e.getMessage();
            if (!m.contains(PATH) || m.indexOf('\n') >= 0 || m.length() > 1000) {
                throw new AssertionError("message not one bounded line naming the file: " + m);
            }
        }
    }

    static void inRange(int v, int max, String content) {
        if (v < 0 || v > max) {
            throw new AssertionError(v + " out of range from \"" + content + "\"");
        }
    }

    static void safeName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || !name.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new AssertionError("unsafe driver name accepted: \"" + name + "\"");
        }
    }
}
