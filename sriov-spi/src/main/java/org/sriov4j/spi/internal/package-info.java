/** Engine internals. Not exported; no compatibility promises. */
@NullMarked
package org.sriov4j.spi.internal;

import org.jspecify.annotations.NullMarked;
