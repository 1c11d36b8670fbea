"""What every rate result shares: the deprecated ``method`` name and the provisional tail."""

from __future__ import annotations

import warnings
from typing import Any

from analysis._results import Result

__all__ = ["RateResultBase"]


class RateResultBase(Result):
    """Base of the rate results: subclasses are dataclasses with ``family`` and ``vintage_tail``."""

    family: str
    vintage_tail: Any

    @property
    def provisional_days(self) -> int:
        """Days treated as provisional (0 without ``vintage=``)."""
        return 0 if self.vintage_tail is None else int(self.vintage_tail.days)

    @property
    def method(self) -> str:
        """Deprecated name of :attr:`family` (the count distribution)."""
        name = type(self).__name__
        warnings.warn(
            f"{name}.method is deprecated: use {name}.family", DeprecationWarning, stacklevel=2
        )
        return self.family
