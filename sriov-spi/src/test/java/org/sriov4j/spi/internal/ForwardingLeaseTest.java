package org.sriov4j.spi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.Lease;
import org.sriov4j.LeaseHolder;
import org.sriov4j.PciAddress;
import org.sriov4j.UnplugOutcome;
import org.sriov4j.VfNetConfig;

/**
 * Every method of {@link Lease}, its defaults included, reaches the wrapped lease through {@link ForwardingLease}: a
 * method added to {@code Lease} and forgotten here would answer with the interface's default instead (what happened
 * to {@code compatibility()} in the engine's tracked lease before this class existed).
 */
class ForwardingLeaseTest {

    @Test
    void everyLeaseMethodReachesTheWrappedLease() throws Exception {
        List<String> reached = new ArrayList<>();
        Lease wrapped = (Lease) Proxy.newProxyInstance(Lease.class.getClassLoader(), new Class<?>[] {Lease.class},
                (proxy, m, args) -> {
                    reached.add(signature(m));
                    return answer(m.getReturnType());
                });
        Lease forwarding = new ForwardingLease(wrapped) {
        };
        List<String> expected = new ArrayList<>();
        for (Method m : Lease.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Object[] args = Arrays.stream(m.getParameterTypes()).map(ForwardingLeaseTest::argument).toArray();
            Object result = m.invoke(forwarding, args);
            expected.add(signature(m));
            assertEquals(answer(m.getReturnType()), result, signature(m) + " answered with something else");
        }
        assertEquals(expected, reached, "each method called on the forwarding lease reached the wrapped one");
    }

    private static String signature(Method m) {
        return m.getName() + Arrays.toString(m.getParameterTypes());
    }

    private static final PciAddress VF = PciAddress.parse("0000:01:10.0");
    private static final Runnable RUN = () -> { };
    private static final AutoCloseable CLOSE = () -> { };

    private static Object argument(Class<?> type) {
        if (type == String.class) {
            return "vm-1";
        } else if (type == VfNetConfig.class) {
            return VfNetConfig.builder().build();
        } else if (type == Duration.class) {
            return Duration.ofSeconds(1);
        } else if (type == Runnable.class) {
            return RUN;
        }
        throw new AssertionError("no test argument for " + type + ": add one");
    }

    private static Object answer(Class<?> type) {
        if (type == void.class) {
            return null;
        } else if (type == boolean.class) {
            return true;
        } else if (type == PciAddress.class) {
            return VF;
        } else if (type == String.class) {
            return "the wrapped lease's answer";
        } else if (type == LeaseHolder.class) {
            return LeaseHolder.durable();
        } else if (type == Optional.class) {
            return Optional.of("the wrapped lease's answer");
        } else if (type == VfNetConfig.class) {
            return VfNetConfig.builder().trust(true).build();
        } else if (type == UnplugOutcome.class) {
            return UnplugOutcome.values()[UnplugOutcome.values().length - 1];
        } else if (type == AutoCloseable.class) {
            return CLOSE;
        }
        throw new AssertionError("no test answer for " + type + ": add one");
    }
}
