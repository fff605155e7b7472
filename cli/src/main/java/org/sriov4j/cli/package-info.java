/** The sriov4j command line. Not an API. */
@NullMarked
package org.sriov4j.cli;

import org.jspecify.annotations.NullMarked;
