"""io layer: one module per source format.

File or URL -> raw DataFrame in the source's own columns.
"""
