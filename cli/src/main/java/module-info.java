/**
 * The {@code sriov4j} command line: list and show SR-IOV functions, run the demo on a simulated host.
 */
module org.sriov4j.cli {
    requires org.sriov4j;
    requires org.sriov4j.spi;
    requires org.sriov4j.testing;
    requires org.sriov4j.vfio;
    requires static org.jspecify;

    uses org.sriov4j.bootstrap.SriovHostFactory;
}
