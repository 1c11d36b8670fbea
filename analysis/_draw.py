"""Drawing helpers that every result's ``plot(ax=None)`` uses, written once.

They sit at the bottom of the package (below the result objects, unlike
:mod:`analysis.plots`, which combines results), import matplotlib only when
called, never call ``plt.show()`` and never change global matplotlib state.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "OKABE_ITO",
    "STYLE_FILE",
    "add_source_line",
    "concise_dates",
    "errorbar",
    "get_ax",
    "house_style",
    "line_and_band",
    "plot_x",
    "require_matplotlib",
    "use_house_style",
]

#: The house style sheet (opt-in): colour-blind-safe cycle, concise dates, light grid.
STYLE_FILE = Path(__file__).resolve().parent / "styles" / "incident-trends.mplstyle"

#: The Okabe & Ito (2008) colour-blind-safe palette, in the order of the style's cycle
#: (blue, vermillion, bluish green, reddish purple, orange, sky blue, yellow, black).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

#: ``gid`` of the text artist :func:`add_source_line` draws (one per figure).
SOURCE_LINE_GID = "incident-trends-source-line"


def require_matplotlib() -> Any:
    """Import and return ``matplotlib.pyplot`` with a clear message when missing."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is a core dependency
        raise ImportError(
            "Plotting needs matplotlib: pip install 'incident-trends' (it is a core dependency)."
        ) from exc
    return plt


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Use the house matplotlib style inside a ``with`` block, and only there.

    The style (``analysis/styles/incident-trends.mplstyle``) has the
    colour-blind-safe Okabe-Ito colour cycle (:data:`OKABE_ITO`), concise date
    ticks (``date.converter: concise``), a light horizontal grid and no top or
    right spines. Nothing outside the block changes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with house_style():
    ...     inside = plt.rcParams["axes.prop_cycle"].by_key()["color"][0]
    >>> inside.upper() == OKABE_ITO[0]
    True
    """
    plt = require_matplotlib()
    with plt.style.context(str(STYLE_FILE)):
        yield


def use_house_style() -> None:
    """Apply the house style for the rest of the session (for notebooks; opt-in).

    The library itself never calls this: it changes matplotlib's global
    settings, which only the user may decide. Use :func:`house_style` to
    confine the style to a block.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with mpl.rc_context():  # restore the settings afterwards
    ...     use_house_style()
    ...     mpl.rcParams["date.converter"]
    'concise'
    """
    plt = require_matplotlib()
    plt.style.use(str(STYLE_FILE))


def finish_figure(fig: Any, title: str, source: str | None = None) -> Any:
    """Title a figure of several panels at its left, lay it out, add the source line; return it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, axes = plt.subplots(1, 2)
    >>> finish_figure(fig, "Two panels", "Source: simulated").get_suptitle()
    'Two panels'
    >>> plt.close(fig)
    """
    fig.suptitle(title, x=0.02, ha="left", fontweight="bold")
    fig.tight_layout()
    if source:
        add_source_line(fig, source)
    return fig


def add_source_line(fig_or_ax: Any, text: str, *, fontsize: float | None = None) -> Any:
    """Write a source line under a chart ("Source: ...") and return the text artist.

    The line is placed below everything the figure holds (tick labels, axis
    labels), left-aligned with its left-most Axes and wrapped to the figure's
    width; saved or inline figures
    (``bbox_inches="tight"``) grow to include it. Calling it again on the same
    figure replaces the line.

    Parameters
    ----------
    fig_or_ax : matplotlib Figure or Axes
        The chart; an Axes stands for its figure.
    text : str
        The source, e.g. ``"Source: Israel Home Front Command alert history"``.
        Drawn as plain text (no mathtext: ``$`` is shown as it is).
    fontsize : float, optional
        Default: 0.8 times the figure's font size.

    Returns
    -------
    matplotlib.text.Text

    Raises
    ------
    TypeError
        When ``fig_or_ax`` is neither a Figure nor an Axes, or ``text`` is not a string.
    ValueError
        When ``text`` is empty.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> line = add_source_line(ax, "Source: simulated counts")
    >>> line.get_text()
    'Source: simulated counts'
    >>> plt.close(fig)
    """
    require_matplotlib()
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    fig: Any
    if isinstance(fig_or_ax, Axes):
        fig = fig_or_ax.get_figure(root=True)
    elif isinstance(fig_or_ax, Figure | SubFigure):
        fig = fig_or_ax.get_figure(root=True) if isinstance(fig_or_ax, SubFigure) else fig_or_ax
    else:
        raise TypeError(
            f"fig_or_ax must be a matplotlib Figure or Axes, not {type(fig_or_ax).__name__}"
        )
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, not {type(text).__name__}")
    if not text.strip():
        raise ValueError("text must not be empty: name the source of the data")
    for old in [t for t in fig.texts if t.get_gid() == SOURCE_LINE_GID]:
        old.remove()
    import textwrap

    import matplotlib as mpl

    size = fontsize if fontsize is not None else 0.8 * float(mpl.rcParams["font.size"])
    axes = [a for a in fig.axes if a.get_visible()]
    left = min((a.get_position().x0 for a in axes), default=0.02)
    # wrap to the width of the figure (an average character is about half the font size wide)
    width_pt = fig.get_figwidth() * (1.0 - left) * 72.0
    chars = max(40, int(width_pt / (0.5 * size)))
    text = "\n".join(textwrap.wrap(text, width=chars, break_on_hyphens=False)) or text
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    renderer = get_renderer() if callable(get_renderer) else None
    bottom = 0.0
    found: list[Any] = [a.get_tightbbox(renderer) for a in axes] if renderer is not None else []
    boxes = [b for b in found if b is not None]
    if boxes:
        lowest = min(b.y0 for b in boxes)
        bottom = min(0.0, lowest / fig.bbox.height)
    return fig.text(
        left,
        bottom - 0.01,
        text,
        ha="left",
        va="top",
        fontsize=size,
        color="0.35",
        gid=SOURCE_LINE_GID,
        usetex=False,
        parse_math=False,
        wrap=False,
    )


def get_ax(ax: Any = None, *, figsize: tuple[float, float] = (9, 3.5)) -> Any:
    """Return ``ax``, or a new Axes on a new figure."""
    if ax is not None:
        return ax
    plt = require_matplotlib()
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def concise_dates(ax: Any) -> Any:
    """Put concise date ticks on the x axis of ``ax`` and return it."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    return ax


def plot_x(value: Any) -> Any:
    """Index labels as matplotlib can place them: periods as their start, durations in days.

    Examples
    --------
    >>> plot_x(pd.TimedeltaIndex(["1D", "36h"])).tolist()
    [1.0, 1.5]
    """
    if isinstance(value, pd.PeriodIndex):
        return value.to_timestamp()
    if isinstance(value, pd.TimedeltaIndex):
        return pd.Index(value / pd.Timedelta(days=1))
    if isinstance(value, pd.Period):
        return value.to_timestamp()
    if isinstance(value, pd.Timedelta):
        return value / pd.Timedelta(days=1)
    return value


def line_and_band(
    ax: Any,
    frame: pd.DataFrame,
    column: str,
    *,
    low: str,
    high: str,
    color: str,
    label: str | None,
    band_label: str | None,
) -> Any:
    """Draw ``frame[column]`` as a line and ``frame[low]..frame[high]`` as a band."""
    x = plot_x(frame.index)
    ax.plot(x, frame[column], color=color, lw=1.5, label=label)
    ax.fill_between(x, frame[low], frame[high], color=color, alpha=0.25, label=band_label)
    return ax


def errorbar(ax: Any, x: Any, value: float, low: float, high: float, **kw: Any) -> Any:
    """One point with an asymmetric interval; an infinite upper end is drawn as none."""
    yerr = [[value - low], [high - value if math.isfinite(high) else 0.0]]
    ax.errorbar([x], [value], yerr=yerr, fmt="o", capsize=4, **kw)
    return ax
