"""The cost contract: ``fit(signal)`` then ``error(start, end)``, usable by any search.

:class:`Cost` is the public extension point. A subclass sets :attr:`Cost.name`
(and :attr:`Cost.params_per_segment`, for the penalty), overrides
:meth:`Cost.fit` when it needs to precompute anything (calling ``super().fit``
first) and :meth:`Cost.error`, the cost of one segment ``signal[start:end]``
(``-2 log L`` at the segment's fitted parameters, or any additive segment
cost). Every search then works through that question alone: PELT, optimal
partitioning, binary and seeded binary segmentation, segment neighbourhood
(``max_changes``), the penalty path and the location intervals.

The built-in costs (:mod:`~analysis.changepoints.costs.poisson` and its
siblings) also carry a compiled segment kernel on prefix sums, which the
searches call instead of :meth:`Cost.error` for speed; a kernel belongs to the
exact class that defines it (:meth:`Cost.kernel` returns None for any other
class, a subclass of a built-in cost included), so a user's cost is never run
through another cost's kernel.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

__all__ = ["Cost", "FunctionalForm", "SegmentKernel"]


@dataclass(frozen=True)
class SegmentKernel:
    """A compiled segment cost on prefix sums: ``cost(cs1, cs2, par, a, b)`` of ``(a, b]``.

    ``cs1`` and ``cs2`` have length ``n + 1`` with a leading zero; ``par`` is
    the cost's fixed parameter. The kernel of a built-in cost runs the searches
    through their cached entry points
    (the ``ENTRIES`` of each search module, loaded from the compiled
    cache); any other compiled kernel (a user's cost returning its own from
    :meth:`Cost.kernel`) has the searches compiled once in each process.
    """

    cost: Callable[..., float]
    cs1: np.ndarray
    cs2: np.ndarray
    par: float

    @property
    def n(self) -> int:
        """Number of observations."""
        return int(self.cs1.size - 1)


@dataclass(frozen=True)
class FunctionalForm:
    """A one-parameter cost in natural form, for functional pruning (FPOP).

    The cost of a segment with sum ``S`` and length ``n`` at parameter ``v``
    is ``2 [-S v + W G(v)]`` with ``W = weight(S, n, par)``, convex in ``v``;
    its minimum is ``segment(S, n, par)``. Every field but ``quadratic`` and
    the range is a compiled function:

    * ``segment(s, n, par)``: the segment cost at the best ``v``;
    * ``g_value(v, par)``: ``G(v)``; ``g_slope(v, g, par)``: ``G'(v)`` given ``G(v) = g``;
    * ``g_at_mean(mean, par)``: ``G`` at the ``v`` whose mean is ``mean``;
    * ``link(mean)``: that ``v``; ``weight(s, n, par)``: ``W``;
    * ``candidate(fb, s, n, par, lm, im, l1, q0, best)``: ``fb`` plus the
      segment cost, or ``inf`` when a cheap lower bound already exceeds
      ``best``; ``lm, im, l1, q0`` are a per-candidate cache the function
      may update and returns (``(value, lm, im, l1, q0)``).

    ``slots`` is how many of ``lm, im, l1, q0`` the candidate function
    uses (2 or 4; the search keeps only those). ``quadratic`` marks
    ``G(v) = v^2 / 2`` with ``W = n`` (the Gaussian mean), whose constraints
    have closed-form roots. ``vmin, vmax`` bound the
    parameter over the data; ``vfloor`` is the parameter of the smallest
    positive segment mean (used when ``vmin = -inf``).
    """

    segment: Callable[..., float]
    g_value: Callable[..., float]
    g_slope: Callable[..., float]
    g_at_mean: Callable[..., float]
    link: Callable[..., float]
    weight: Callable[..., float]
    candidate: Callable[..., Any]
    cs1: np.ndarray
    par: float
    vmin: float
    vmax: float
    vfloor: float
    quadratic: bool = False
    slots: int = 2


class Cost:
    """Base class of change-point costs: ``fit(signal)``, then ``error(start, end)``.

    Subclass it to segment with your own model: override :meth:`error` (and
    :meth:`fit` if it precomputes, calling ``super().fit(signal)`` first).
    Costs must be additive over segments and should not increase when a
    segment is split (PELT's pruning relies on it). The searches then run as
    plain Python around your ``error``: fine for a few thousand values
    (PELT with few changes calls it about ``n^2 / 2`` times); ``fpop`` needs
    a compiled natural form and is refused.

    Attributes
    ----------
    name : str
        Short name, shown in results.
    params_per_segment : int
        Parameters fitted per segment (the ``"bic"``/``"mbic"`` penalties use it).
    signal_ : numpy.ndarray
        The fitted signal (1-D float array).
    scale_ : float
        Quasi-likelihood dispersion (1 by default): the error divided by it
        is the log-likelihood the location and level intervals use. The
        automatic choice of :func:`~analysis.changepoints.detect_changepoints`
        sets it to the long-run design effect of counts (overdispersion and
        serial dependence) and multiplies the penalty by the same factor.

    Examples
    --------
    A cost that is the sum of absolute deviations from the segment median:

    >>> import numpy as np
    >>> class L1(Cost):
    ...     name = "l1"
    ...     def error(self, start, end):
    ...         seg = self.signal_[start:end]
    ...         return float(np.abs(seg - np.median(seg)).sum())
    >>> from analysis.changepoints import detect_changepoints
    >>> y = np.r_[np.zeros(30), np.full(30, 5.0)] + np.tile([0.0, 0.5, -0.5], 20)
    >>> detect_changepoints(y, cost=L1(), penalty=3.0).indices.tolist()
    [30]
    """

    name: ClassVar[str] = "custom"
    params_per_segment: ClassVar[int] = 1

    def __init__(self) -> None:
        self.signal_: np.ndarray = np.empty(0)
        self.scale_: float = 1.0

    def fit(self, signal: Any) -> Cost:
        """Store ``signal`` (a 1-D array of floats) and return ``self``."""
        y = np.asarray(signal, dtype=float)
        if y.ndim != 1:
            raise ValueError(f"signal must be one-dimensional, got shape {y.shape}")
        self.signal_ = y
        return self

    def error(self, start: int, end: int) -> float:
        """Cost of the segment ``signal[start:end]``."""
        raise NotImplementedError(
            f"{type(self).__name__} must define error(start, end), the cost of signal[start:end]"
        )

    def errors(self, starts: Any, end: int) -> np.ndarray:
        """:meth:`error` for many starts and one end (a loop; built-in costs vectorise it)."""
        return np.array([self.error(int(s), int(end)) for s in np.asarray(starts)], dtype=float)

    # --- speed: compiled forms, only for the class that defines them --------
    def kernel(self) -> SegmentKernel | None:
        """The compiled segment kernel of a built-in cost, else None (use :meth:`error`)."""
        return None

    def functional_form(self) -> FunctionalForm | None:
        """The natural form for FPOP of a built-in one-parameter cost, else None."""
        return None

    # --- reporting -----------------------------------------------------------
    def neg2_loglik(self, bounds: np.ndarray) -> float:
        """Total cost of the segmentation with segment ends ``bounds`` (``0, ..., n``).

        The built-in costs return the full ``-2 log L``; by default the sum of
        the segment errors.
        """
        return float(sum(self.error(int(a), int(b)) for a, b in itertools.pairwise(bounds)))

    def segment_rows(self, bounds: np.ndarray, level: float) -> pd.DataFrame:
        """One row per segment: its level (``mean`` by default; no interval)."""
        y = self.signal_
        means = [float(np.mean(y[a:b])) for a, b in itertools.pairwise(bounds)]
        return pd.DataFrame({"mean": means})

    def describe(self) -> str:
        """Short description with fitted parameters."""
        return self.name


def _prefix_sum(z: np.ndarray) -> np.ndarray:
    # ``concatenate(([0], cumsum(z)))`` without the temporary: the same numbers
    out = np.empty(z.size + 1)
    out[0] = 0.0
    np.cumsum(z, out=out[1:])
    return out


class PrefixSumCost(Cost):
    """A built-in cost on prefix sums with a compiled segment kernel.

    Subclasses set ``_segment_kernel`` (a compiled ``cost(cs1, cs2, par, a, b)``)
    and ``_segment_costs`` (the same for many starts) in their own class body,
    and ``_transform``; a one-parameter cost also sets ``_form`` (the compiled
    functions of :class:`FunctionalForm`, in its field order) and
    ``_param_range``. :meth:`kernel` and :meth:`functional_form` only hand
    them out for the class that defines them.
    """

    #: does the cost need the prefix sum of squares?
    squares: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self.cs1_: np.ndarray = np.zeros(1)
        self.cs2_: np.ndarray = np.zeros(1)
        self.par_: float = 1.0

    def fit(self, signal: Any) -> PrefixSumCost:
        """Compute the prefix sums of ``signal`` (a 1-D float array); return ``self``."""
        super().fit(signal)
        z, self.par_ = self._transform(self.signal_)
        self.cs1_ = _prefix_sum(z)
        if self.squares:
            self.cs2_ = _prefix_sum(z * z)
        else:
            self.cs2_ = np.zeros(1)
        return self

    def _transform(self, y: np.ndarray) -> tuple[np.ndarray, float]:
        return y, 1.0

    def _own(self, attr: str) -> Any:
        # the attribute only if the object's own class defines it
        return type(self).__dict__.get(attr)

    def _kernel_function(self) -> Any:
        for klass in type(self).__mro__:
            if "_segment_kernel" in klass.__dict__:
                return klass.__dict__["_segment_kernel"]
        raise TypeError(f"{type(self).__name__} has no segment kernel")  # pragma: no cover

    def error(self, start: int, end: int) -> float:
        """Cost of the segment ``signal[start:end]``."""
        f = self._kernel_function()
        return float(f(self.cs1_, self.cs2_, self.par_, int(start), int(end)))

    def errors(self, starts: Any, end: int) -> np.ndarray:
        """Vectorised :meth:`error` for many starts and one end."""
        for klass in type(self).__mro__:
            if "_segment_costs" in klass.__dict__:
                f = klass.__dict__["_segment_costs"]
                s = np.asarray(starts, dtype=np.int64)
                return np.asarray(f(self.cs1_, self.cs2_, self.par_, s, int(end)))
        return super().errors(starts, end)  # pragma: no cover

    def kernel(self) -> SegmentKernel | None:
        """The compiled kernel, only for the class that defines it (never for a subclass)."""
        f = self._own("_segment_kernel")
        if f is None:
            return None
        return SegmentKernel(f, self.cs1_, self.cs2_, float(self.par_))

    def functional_form(self) -> FunctionalForm | None:
        """The natural form for FPOP, only for the class that defines ``_form``."""
        functions = self._own("_form")
        if functions is None:
            return None
        segment, g_value, g_slope, g_at_mean, link, weight, candidate = functions
        vmin, vmax, vfloor = self._param_range()
        return FunctionalForm(
            segment,
            g_value,
            g_slope,
            g_at_mean,
            link,
            weight,
            candidate,
            self.cs1_,
            float(self.par_),
            vmin,
            vmax,
            vfloor,
            quadratic=bool(self._own("_quadratic")),
            slots=int(self._own("_slots") or 2),
        )

    def _param_range(self) -> tuple[float, float, float]:
        # (vmin, vmax, vfloor) of the natural parameter over the data
        raise NotImplementedError  # pragma: no cover - only costs with a ``_form``
