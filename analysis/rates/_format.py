"""Wording specific to rates; numbers, p-values and JSON live in :mod:`analysis._format`."""

from __future__ import annotations

__all__ = ["FAMILY_NAMES", "plural_label"]

#: How each count distribution is named in a summary.
FAMILY_NAMES = {"poisson": "exact Poisson", "negbin": "negative binomial"}


def plural_label(name: str) -> str:
    """A count series' name as the noun of a summary: "events" unless already a plural word.

    A column named "claims" or "incidents" reads well ("41 claims"); a column
    named after a group ("drone") does not say what was counted (incidents?
    alerts? drones?), so it becomes the neutral "events".

    Examples
    --------
    >>> plural_label("claims"), plural_label("drone"), plural_label("counts")
    ('claims', 'events', 'events')
    """
    if name.isalpha() and name.endswith("s") and name.lower() != "counts":
        return name
    return "events"
