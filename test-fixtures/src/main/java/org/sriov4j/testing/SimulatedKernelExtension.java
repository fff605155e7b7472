package org.sriov4j.testing;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.sriov4j.SriovHost;

/**
 * A JUnit 5 extension that injects a fresh {@link SimulatedKernel} and/or a {@link SriovHost} opened on it into
 * test methods and lifecycle methods. Within one test, every {@code SimulatedKernel} and {@code SriovHost}
 * parameter (of {@code @BeforeEach}, the test and {@code @AfterEach}) is the same instance; the host is closed
 * after the test. Parameters of a {@code @BeforeAll} method get one kernel (and host) for the whole class, which
 * the class's tests then share.
 *
 * <pre>{@code
 * @ExtendWith(SimulatedKernelExtension.class)   // or just @SimulatedHost(...)
 * class DetachTest {
 *     @Test
 *     void vfBoundToVfioPciGetsItsGroupNode(SimulatedKernel kernel, SriovHost host) {
 *         kernel.write("bus/pci/devices/0000:01:00.0/sriov_numvfs", "1");
 *         kernel.write("bus/pci/devices/0000:01:10.0/driver_override", "vfio-pci");
 *         kernel.write("bus/pci/devices/0000:01:10.0/driver/unbind", "0000:01:10.0");
 *         kernel.write("bus/pci/drivers_probe", "0000:01:10.0");
 *         assertTrue(kernel.devices().exists("vfio/6"));
 *     }
 * }
 * }</pre>
 *
 * <p>The host shape comes from the nearest {@link SimulatedHost} annotation (default {@link Preset#INTEL_82576}).
 * Constructor parameters are not supported (the kernel would outlive a single test); use {@code @BeforeEach}.
 */
public final class SimulatedKernelExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SimulatedKernelExtension.class);
    private static final String KERNEL = "kernel";
    private static final String HOST = "host";

    /** Creates the extension (JUnit does this). */
    public SimulatedKernelExtension() {
    }

    /** Closes the host when the test's store is closed. */
    private static final class HostResource implements ExtensionContext.Store.CloseableResource {
        final SriovHost host;

        HostResource(SriovHost host) {
            this.host = host;
        }

        @Override
        public void close() {
            host.close();
        }
    }

    /**
     * Supports parameters of type {@link SimulatedKernel} and {@link SriovHost}.
     *
     * @param parameterContext the parameter
     * @param extensionContext the test or container
     * @return true for those two types
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == SimulatedKernel.class || type == SriovHost.class;
    }

    /**
     * Returns the kernel of this test (creating it from the nearest {@link SimulatedHost} preset), or the host
     * opened on it.
     *
     * @param parameterContext the parameter
     * @param extensionContext the test or container
     * @return the kernel or the host
     * @throws ParameterResolutionException for constructor parameters
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        if (parameterContext.getDeclaringExecutable() instanceof Constructor) {
            throw new ParameterResolutionException("SimulatedKernelExtension does not inject constructor parameters"
                    + " (the kernel would be shared by every test of the class): take "
                    + parameterContext.getParameter().getType().getSimpleName()
                    + " as a parameter of the test or of a @BeforeEach/@BeforeAll method");
        }
        ExtensionContext.Store store = extensionContext.getStore(NAMESPACE);
        SimulatedKernel kernel = store.getOrComputeIfAbsent(KERNEL, k -> preset(extensionContext).newKernel(),
                SimulatedKernel.class);
        if (parameterContext.getParameter().getType() == SimulatedKernel.class) {
            return kernel;
        }
        return store.getOrComputeIfAbsent(HOST, k -> new HostResource(kernel.openHost()), HostResource.class).host;
    }

    static Preset preset(ExtensionContext context) {
        Optional<java.lang.reflect.Method> method = context.getTestMethod();
        if (method.isPresent()) {
            SimulatedHost onMethod = find(method.get());
            if (onMethod != null) {
                return onMethod.value();
            }
        }
        for (Class<?> c = context.getTestClass().orElse(null); c != null; c = c.getEnclosingClass()) {
            SimulatedHost onClass = find(c);
            if (onClass != null) {
                return onClass.value();
            }
        }
        return Preset.INTEL_82576;
    }

    private static @Nullable SimulatedHost find(AnnotatedElement element) {
        return element.getAnnotation(SimulatedHost.class);
    }
}
