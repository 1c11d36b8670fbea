"""select_figures: the published figures of one actor, unit, target and weapon, for a model.

:func:`analysis.estimate_rates_from_figures` takes the figures of one actor and
one unit; this is the selection, written once so that notebooks do not filter
tables by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["select_figures"]


def _as_list(value: Any, name: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [str(v) for v in value]
    raise TypeError(
        f"{name} must be a string, a list of strings or None, not {type(value).__name__}"
    )


def select_figures(
    figures: pd.DataFrame,
    *,
    figure_ids: Sequence[str] | None = None,
    actor: str | Sequence[str] | None = None,
    unit: str | Sequence[str] | None = None,
    origin: str | Sequence[str] | None = None,
    target: str | Sequence[str] | None = None,
    weapon: str | Sequence[str] | None = None,
    measure: str | Sequence[str] | None = "count",
    pool_weapons: bool = False,
) -> pd.DataFrame:
    """The rows of the reported-figures table that match every filter given.

    Parameters
    ----------
    figures : pandas.DataFrame
        :func:`analysis.load_reported_figures`.
    figure_ids : sequence of str, optional
        Only these figures, in this order; an unknown id is an error.
    actor, unit, origin, target, weapon, measure : str or list of str, optional
        Exact values to keep (a list keeps any of them); ``measure`` defaults
        to ``"count"`` (totals; ``None`` keeps stated rates and maxima too).
    pool_weapons : bool, default False
        With several ``weapon`` values: write them joined ("unknown or mixed")
        in the ``weapon`` column of the result, so that a model of one weapon
        accepts the pooled figures (the pooling is then visible in the column).

    Returns
    -------
    pandas.DataFrame
        The matching rows, index kept.

    Raises
    ------
    TypeError, ValueError
        A filter of the wrong type, a column missing from ``figures``, or an
        unknown ``figure_ids`` entry; the message names the parameter.

    Examples
    --------
    >>> import analysis as it
    >>> f = select_figures(it.load_reported_figures(), actor="Islamic Resistance in Iraq",
    ...                    unit="claim", target="Israel", weapon=["unknown", "mixed"],
    ...                    pool_weapons=True)
    >>> sorted(set(f["weapon"]))
    ['unknown or mixed']
    """
    if not isinstance(figures, pd.DataFrame):
        raise TypeError(f"figures must be a DataFrame, not {type(figures).__name__}")
    out = figures
    if figure_ids is not None:
        ids = _as_list(figure_ids, "figure_ids") or []
        unknown = [i for i in ids if i not in set(figures["figure_id"])]
        if unknown:
            raise ValueError(f"figure_ids: not in the figures table: {unknown}")
        out = figures[figures["figure_id"].isin(ids)]
        order = {figure_id: k for k, figure_id in enumerate(ids)}
        out = out.iloc[out["figure_id"].map(order).to_numpy().argsort(kind="stable")]
    filters = {
        "actor": actor,
        "unit": unit,
        "origin": origin,
        "target": target,
        "weapon": weapon,
        "measure": measure,
    }
    for column, value in filters.items():
        values = _as_list(value, column)
        if values is None:
            continue
        if column not in out.columns:
            raise ValueError(f"{column}: figures has no column {column!r}")
        out = out[out[column].astype("string").isin(values).fillna(False).astype(bool)]
    weapons = _as_list(weapon, "weapon")
    if pool_weapons and weapons is not None and len(weapons) > 1:
        out = out.assign(weapon=" or ".join(weapons))
    return out
