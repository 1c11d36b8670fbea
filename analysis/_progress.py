"""One progress bar for the package's long calls (opt-in, ``progress=True``).

``tqdm.auto`` (a dependency): a widget in notebooks, text on a terminal. The bar
appears only once a call has run for :data:`PROGRESS_DELAY` seconds, so quick
calls print nothing even with ``progress=True``.
"""

from __future__ import annotations

from typing import Any

#: Seconds a call runs before its bar appears.
PROGRESS_DELAY = 2.0


def progress_bar(
    total: int | None,
    *,
    enabled: bool,
    desc: str,
    unit: str = "it",
    delay: float | None = None,
) -> Any:
    """A tqdm bar over ``total`` steps, or a silent one when ``enabled`` is false.

    Parameters
    ----------
    total : int or None
        Number of steps (None: unknown).
    enabled : bool
        Show the bar (the caller's ``progress`` argument).
    desc, unit : str
        What the bar counts, in words.
    delay : float, optional
        Seconds before the bar appears (default :data:`PROGRESS_DELAY`).

    Examples
    --------
    >>> with progress_bar(3, enabled=False, desc="fits") as bar:
    ...     for _ in range(3):
    ...         _ = bar.update(1)
    >>> bar.disable
    True
    """
    from tqdm.auto import tqdm

    wait = PROGRESS_DELAY if delay is None else delay
    return tqdm(total=total, desc=desc, unit=unit, disable=not enabled, delay=wait, leave=False)
