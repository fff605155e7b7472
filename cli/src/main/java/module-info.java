/**
 * The {@code sriov4j} command line ({@code sriov4j --help} lists its commands): discovery ({@code list},
 * {@code show}), VF enable/disable, detach/reattach, leases and recovery ({@code lease}, {@code release},
 * {@code status}, {@code recover}), Xen guest attachment ({@code attach}, {@code detach-guest}), a VFIO check of a
 * detached function ({@code vfio-check}) and a tour of the library on a simulated host ({@code demo}, which is why
 * it reads {@code org.sriov4j.testing} and
 * {@code org.sriov4j.vfio.testing}). Exports nothing.
 */
module org.sriov4j.cli {
    requires org.sriov4j;
    requires org.sriov4j.spi;
    requires org.sriov4j.testing;
    requires org.sriov4j.vfio;
    requires org.sriov4j.vfio.testing;
    requires java.logging; // to quiet JNA's own logger: the command line reports a load failure in one line
    requires static org.jspecify;

    uses org.sriov4j.bootstrap.SriovHostFactory;
}
