/**
 * Contract test kits: abstract JUnit 5 classes that state, as tests, the behaviour every host sriov4j runs on must
 * show. The same kits run against the simulated kernel in the unit tests and against a real Linux kernel in the
 * project's real-kernel suite; a vendor runs them against a host with its own plugin.
 *
 * <p>To run a kit, extend it and return the host under test:
 *
 * <pre>{@code
 * class MyHostVfLifecycleTest extends VfLifecycleContract {
 *     @Override
 *     protected ContractHost host() {
 *         return ContractHost.simulated(SimulatedKernel.intel82576Host(), PfUnderTest.intel82576(PF));
 *     }
 * }
 * }</pre>
 *
 * <p>The kits change the PFs they are given (VF counts, autoprobe, VF drivers) and put them back to no VFs and
 * autoprobe on after each test. Give them PFs nothing else uses.
 */
@NullMarked
package org.sriov4j.testing.contract;

import org.jspecify.annotations.NullMarked;
