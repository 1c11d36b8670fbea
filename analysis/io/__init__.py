"""io layer: one module per source format; file or URL -> raw DataFrame in the source's own columns."""
