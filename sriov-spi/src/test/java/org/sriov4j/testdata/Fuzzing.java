package org.sriov4j.testdata;

import java.util.List;
import org.sriov4j.PciAddressFormatException;
import org.sriov4j.SriovException;
import org.sriov4j.VfSelectorFormatException;

/**
 * The fuzzing harness's contract: a fuzz target feeds one input to the code under test, and only the exceptions
 * that code documents may come out. Anything else — a {@code NullPointerException}, an
 * {@code IndexOutOfBoundsException}, an {@code IllegalArgumentException} where a typed exception is promised, an
 * {@code OutOfMemoryError}, a hang — is a finding: Jazzer stops, prints the input (Base64) and writes it to
 * {@code target/fuzz/crash-*}; the input then becomes a named regression test next to the target.
 *
 * <h2>How the targets run</h2>
 * Targets are JUnit 5 classes named {@code *FuzzTest} with one {@code @FuzzTest} method each (Jazzer fuzzes one
 * target per JVM), using {@code com.code-intelligence:jazzer-junit} (coverage-guided, libFuzzer underneath). The
 * root POM's profile {@code fuzz} (active unless {@code -Dtest} is given) runs them in a surefire execution of their
 * own, one JVM per class, with {@code JAZZER_FUZZ=1}, after the module's unit tests:
 * <ul>
 *   <li>{@code mvn verify}: each target for {@code sriov4j.fuzz.seconds} (default 3) seconds, its seed inputs
 *       ({@code src/test/resources/<package>/<Class>Inputs/<method>/}) first.</li>
 *   <li>{@code -Dsriov4j.fuzz.seconds=600}: longer; {@code -Dsriov4j.fuzz.targets=PciAddressFuzzTest}: some
 *       targets only; {@code -Dsriov4j.fuzz.skip=true}: none. The corpus Jazzer grows is kept in
 *       {@code target/fuzz/.cifuzz-corpus}.</li>
 *   <li>With {@code -Dtest=X} (a single class) the profile is off and {@code X} runs in regression mode: its seeds
 *       only, no fuzzing.</li>
 * </ul>
 *
 * <h2>Adding a target (the netlink reply parser, the device-profile JSON reader...)</h2>
 * <ol>
 *   <li>In the module that holds the parser, add the test dependency
 *       {@code <dependency><groupId>com.code-intelligence</groupId><artifactId>jazzer-junit</artifactId>
 *       <scope>test</scope></dependency>} (version managed by the root POM) and, for this class, sriov-spi's test jar
 *       ({@code <type>test-jar</type>}), unless the module is sriov-spi itself.</li>
 *   <li>Write, in the parser's package (so that package-private parsers are reachable):
 * <pre>{@code
 * class NetlinkReplyFuzzTest {
 *     @FuzzTest
 *     void parse(byte[] reply) {
 *         Fuzzing.only(() -> NetlinkReply.parse(ByteBuffer.wrap(reply)), NetlinkException.class);
 *     }
 * }
 * }</pre>
 *       ({@code DeviceProfileFuzzTest} the same with {@code String json} and {@code DeviceProfile.read(json)}). The
 *       method's parameter types are what Jazzer mutates: {@code byte[]}, {@code String} (annotate
 *       {@code @NotNull}), or {@code FuzzedDataProvider} to build structured input.</li>
 *   <li>Optionally add seed files (valid replies captured from the kernel) under
 *       {@code src/test/resources/<package>/NetlinkReplyFuzzTestInputs/parse/}.</li>
 * </ol>
 * Nothing else: the profile finds every {@code *FuzzTest} class of every module.
 */
public final class Fuzzing {

    /**
     * The exceptions the engine and the API document for bad input or bad host content: {@link SriovException}
     * (and its subtypes, e.g. {@code MalformedAttributeException}, {@code SysfsIoException}),
     * {@link PciAddressFormatException} and {@link VfSelectorFormatException}.
     */
    public static final List<Class<? extends Throwable>> DOCUMENTED = List.of(SriovException.class,
            PciAddressFormatException.class, VfSelectorFormatException.class);

    private Fuzzing() {
    }

    /** Code under test, which may throw anything. */
    @FunctionalInterface
    public interface Target {
        /**
         * Runs the code under test on one input.
         *
         * @throws Exception whatever it throws
         */
        void run() throws Exception;
    }

    /**
     * Runs a target; returns normally when it returns or throws one of {@code documented} (or a subtype), and
     * rethrows anything else for the fuzzer to report.
     *
     * @param target the code under test on one input
     * @param documented the exception types it documents
     * @return true if it returned normally, false if it threw a documented exception
     * @throws Throwable the undocumented exception, unchanged (so the fuzzer's report shows where it came from)
     */
    @SafeVarargs
    public static boolean only(Target target, Class<? extends Throwable>... documented) throws Throwable {
        return only(target, List.of(documented));
    }

    /**
     * Runs a target against a list of documented exceptions, e.g. {@link #DOCUMENTED}.
     *
     * @param target the code under test on one input
     * @param documented the exception types it documents
     * @return true if it returned normally, false if it threw a documented exception
     * @throws Throwable the undocumented exception, unchanged
     */
    public static boolean only(Target target, List<Class<? extends Throwable>> documented) throws Throwable {
        try {
            target.run();
            return true;
        } catch (Throwable t) {
            for (Class<? extends Throwable> c : documented) {
                if (c.isInstance(t)) {
                    return false;
                }
            }
            throw t;
        }
    }
}
