/** Xen pciback backend internals. Not exported. */
@NullMarked
package org.sriov4j.xen;

import org.jspecify.annotations.NullMarked;
