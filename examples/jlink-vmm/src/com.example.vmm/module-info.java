/**
 * A minimal modular VMM: it requires sriov4j's VFIO backend (and so the engine and the API) and nothing else, the
 * way a VMM that ships as a jlink image would.
 */
module com.example.vmm {
    requires org.sriov4j.vfio;
}
