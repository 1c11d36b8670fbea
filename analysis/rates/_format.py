"""Wording specific to rates; numbers, p-values and JSON live in :mod:`analysis._format`."""

from __future__ import annotations

__all__ = ["ESTIMANDS", "FAMILY_NAMES", "plural_label"]

#: How each count distribution is named in a summary.
FAMILY_NAMES = {
    "poisson": "exact Poisson",
    "negbin": "negative binomial",
    "quasipoisson": "Jeffreys, Poisson scaled by the design effect",
}

#: What a rate estimates, in words (``estimand=``).
ESTIMANDS = {
    "process": "the rate of the process that generated the window",
    "realised": "the realised number of events in the window per day (no sampling error)",
}


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
