/**
 * The vendor plugins shipped with sriov4j: {@link org.sriov4j.spi.vendor.GenericVendorPlugin} (every PF, no
 * steps) and {@link org.sriov4j.spi.vendor.IntelIgbVendorPlugin} (Intel 82576 on igb). Not exported: the classes
 * are public only because {@link java.util.ServiceLoader} instantiates them; they double as examples for vendors
 * writing their own {@link org.sriov4j.spi.VendorPlugin}.
 */
@NullMarked
package org.sriov4j.spi.vendor;

import org.jspecify.annotations.NullMarked;
