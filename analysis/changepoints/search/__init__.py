"""Change-point searches, one module per algorithm, each working with any cost.

Optimal partitioning (``_brute``, the O(n^2) reference), PELT (``_pelt``),
FPOP (``_fpop``, for costs in natural one-parameter form), binary and seeded
binary segmentation (``_binseg``, ``_seeded_binseg``) and segment
neighbourhood (``_segneigh``, for ``max_changes``); ``_dispatch`` maps
method names to them.
"""

from analysis.changepoints.search._dispatch import EXACT, GENERIC, METHODS

__all__ = ["EXACT", "GENERIC", "METHODS"]
