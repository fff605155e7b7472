package org.sriov4j.testing;

import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** An entry of the rendered sysfs tree: computed from the model each time it is looked at. */
sealed interface Node permits Node.Dir, Node.Attr, Node.Link {

    /** A directory; its entries are computed when asked for. */
    record Dir(Supplier<SortedMap<String, Node>> entries) implements Node {
    }

    /**
     * An attribute. A null {@code show} makes it write-only (reading is {@code EACCES}), a null {@code store}
     * read-only (writing is {@code EACCES}). {@code store} throws {@link KernelError} to fail the write.
     */
    record Attr(@Nullable Supplier<String> show, @Nullable Consumer<String> store) implements Node {
    }

    /** A symbolic link with a relative target. */
    record Link(String target) implements Node {
    }
}
