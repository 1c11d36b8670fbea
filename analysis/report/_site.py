"""The report as a site: every numbered notebook executed, one page each, and an index page.

Built into a temporary folder beside the output and swapped in only when every
notebook ran, passed the output lint and rendered; a failure leaves the
previous report as it was.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.report._common import (
    MAIN_NOTEBOOK,
    NOTEBOOK_DIR,
    NOTEBOOK_GLOB,
    TEMPLATE_DIR,
    ReportError,
    require_report_extra,
)
from analysis.report._execute import declared_parameters, execute_notebook
from analysis.report._lint import check_outputs
from analysis.report._provenance import DataSource, data_sources
from analysis.report._render import (
    notebook_title,
    outside_resources,
    render_html,
    write_atomically,
)

#: The folder of the pages (and ``executed/`` notebooks) inside the output folder.
PAGES = "pages"


@dataclass(frozen=True)
class PageBuild:
    """One page of the report: the notebook, its HTML, the executed notebook, how long it took."""

    notebook: Path
    html: Path
    executed: Path
    title: str
    parameters: dict[str, Any]
    seconds: float


@dataclass(frozen=True)
class SiteBuild:
    """What :func:`build_site` produced: the index, the pages, the data sources, the time taken."""

    index: Path
    pages: tuple[PageBuild, ...]
    sources: tuple[DataSource, ...]
    seconds: float

    def summary(self) -> str:
        """One line for the command line."""
        return f"wrote {self.index}: {len(self.pages)} page(s) in {self.seconds:.0f} s"


@dataclass(frozen=True)
class ReportBuild:
    """What :func:`build_report` produced (one page)."""

    html: Path
    executed: Path
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def find_notebooks(folder: str | Path = NOTEBOOK_DIR) -> list[Path]:
    """The report's notebooks in ``folder``: ``NN-name.ipynb``, in name order.

    Examples
    --------
    >>> from analysis.datasets import PROJECT_ROOT
    >>> [p.name for p in find_notebooks(PROJECT_ROOT / "tests" / "fixtures" / "notebooks")]
    ['01-figures.ipynb', '02-incidents.ipynb']
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"notebooks: no such folder {folder}")
    return sorted(folder.glob(NOTEBOOK_GLOB))


def _notebook_list(notebooks: str | Path | Sequence[str | Path] | None) -> list[Path]:
    if notebooks is None:
        found = find_notebooks(NOTEBOOK_DIR)
        where = NOTEBOOK_DIR
    elif isinstance(notebooks, str | Path) and Path(notebooks).is_dir():
        found = find_notebooks(notebooks)
        where = Path(notebooks)
    elif isinstance(notebooks, str | Path):
        found, where = [Path(notebooks)], Path(notebooks).parent
    elif isinstance(notebooks, Sequence) and all(isinstance(n, str | Path) for n in notebooks):
        found, where = [Path(n) for n in notebooks], Path(".")
    else:
        raise ReportError(
            "notebooks must be a notebook, a folder or a list of notebook paths, "
            f"got {type(notebooks).__name__}"
        )
    if not found:
        raise ReportError(f"notebooks: no notebook named {NOTEBOOK_GLOB} in {where}")
    missing = [str(p) for p in found if not p.is_file()]
    if missing:
        raise ReportError(f"notebooks: not found: {', '.join(missing)}")
    names = [p.stem for p in found]
    if len(set(names)) != len(names):
        raise ReportError(f"notebooks: two notebooks with one name would share a page: {names}")
    return found


#: Parameters a rendered page always gets unless the caller gives them: a page has no
#: use for progress bars (and a bar's notebook widget would need scripts to show).
PAGE_DEFAULTS: dict[str, Any] = {"progress": False}


def _split_parameters(notebooks: list[Path], parameters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each notebook's share of the parameters; a name no notebook declares is an error."""
    declared = [declared_parameters(nb) for nb in notebooks]
    unknown = sorted(set(parameters) - {name for d in declared for name in d})
    if unknown:
        listing = "; ".join(
            f"{nb.name}: {', '.join(d) or 'none'}"
            for nb, d in zip(notebooks, declared, strict=True)
        )
        raise ReportError(
            f"parameters: {', '.join(unknown)} declared by no notebook (declared: {listing})"
        )
    return [
        {
            **{k: v for k, v in PAGE_DEFAULTS.items() if k in d},
            **{k: v for k, v in parameters.items() if k in d},
        }
        for d in declared
    ]


def _swap_in(built: Path, output_dir: Path) -> None:
    """Move the pages, then the index, of a finished build into ``output_dir``.

    The index is replaced last by one atomic rename; before that, the old
    pages folder is renamed aside and the new one renamed in (same file
    system, so each step is a rename, not a copy).
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / PAGES
    old = built / "previous-pages"
    if target.exists():
        target.rename(old)
    (built / PAGES).rename(target)
    (built / "index.html").replace(output_dir / "index.html")


def _index_html(
    pages: list[PageBuild],
    sources: list[DataSource],
    *,
    output_dir: Path,
    parameters: Mapping[str, Any],
    started: _dt.datetime,
    seconds: float,
) -> str:
    import jinja2

    from analysis import __version__

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(TEMPLATE_DIR / "site"), str(TEMPLATE_DIR / "offline")]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    rows = []
    for p in pages:
        rows.append(
            {
                "title": p.title,
                "href": f"{PAGES}/{p.html.name}",
                "notebook": p.notebook.name,
                "seconds": f"{p.seconds:.0f}",
                "parameters": ", ".join(f"{k}={v!r}" for k, v in p.parameters.items()),
            }
        )
    text = env.get_template("index.html.j2").render(
        title="incident-trends report",
        version=__version__,
        run_date=started.strftime("%Y-%m-%d %H:%M UTC"),
        seconds=f"{seconds:.0f}",
        pages=rows,
        sources=[s.to_dict() for s in sources],
        parameters=[f"{k}={v!r}" for k, v in parameters.items()],
    )
    return text


def build_site(
    output_dir: str | Path = "reports",
    notebooks: str | Path | Sequence[str | Path] | None = None,
    parameters: Mapping[str, Any] | None = None,
    *,
    incidents_path: str | Path | None = None,
    show_code: bool = False,
    timeout: int = 900,
    progress: Callable[[str], None] | None = None,
) -> SiteBuild:
    """Execute every report notebook, render one page each and an index page.

    Parameters
    ----------
    output_dir : str or Path
        The report's folder (default ``reports``, relative to the working
        directory): ``index.html`` there, the pages in ``pages/`` and the
        executed notebooks in ``pages/executed/``. Nothing else in it is
        touched (``reports/validation`` stays).
    notebooks : path, folder or list of paths, optional
        The notebooks, in page order (default: every ``notebooks/NN-*.ipynb``
        of the project, in name order; a folder: its ``NN-*.ipynb``).
    parameters : mapping, optional
        Values for the notebooks' ``parameters`` cells. Each notebook gets
        only the ones its ``parameters`` cell declares (read with
        :func:`papermill.inspect_notebook`); a name no notebook declares is
        an error.
    incidents_path : str or Path, optional
        A canonical incidents file supplied by the user, passed to the
        notebooks as the parameter ``incidents_path`` (its absolute path) and
        listed first in the provenance table.
    show_code : bool
        Include code cells in the pages.
    timeout : int
        Seconds allowed for one cell.
    progress : callable, optional
        Called with a line of text as each notebook starts and ends (the
        command line passes :func:`print`: a report takes minutes).

    Returns
    -------
    SiteBuild
        The index, the pages (with the time each took) and the data sources.

    Raises
    ------
    ReportError
        When a notebook fails (naming it and the cell: number and first
        line), leaves stray output (see :func:`analysis.report.stray_outputs`)
        or would load outside resources. The previous report is left in
        place; the partly executed notebook is kept in ``failed/``.

    Examples
    --------
    >>> build = build_site("reports")  # doctest: +SKIP
    >>> print(build.summary())  # doctest: +SKIP
    wrote reports/index.html: 4 page(s) in 95 s
    """
    require_report_extra()
    clock = time.perf_counter()
    started = _dt.datetime.now(_dt.UTC)
    if not isinstance(output_dir, str | Path):
        raise ReportError(f"output_dir must be a folder path, got {type(output_dir).__name__}")
    if parameters is not None and not isinstance(parameters, Mapping):
        raise ReportError(
            f"parameters must be a mapping of name to value, got {type(parameters).__name__}"
        )
    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise ReportError(f"output_dir: {output_dir} exists and is not a folder")
    paths = _notebook_list(notebooks)
    values = dict(parameters or {})
    if incidents_path is not None:
        user = Path(incidents_path).expanduser()
        if not user.is_file():
            raise ReportError(f"incidents_path: no such file {user}")
        values["incidents_path"] = str(user.resolve())
    shares = _split_parameters(paths, values)

    output_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}-building-", dir=output_dir.parent))
    pages: list[PageBuild] = []
    try:
        for number, (nb_path, share) in enumerate(zip(paths, shares, strict=True), start=1):
            t0 = time.perf_counter()
            if progress is not None:
                progress(f"[{number}/{len(paths)}] {nb_path.name} ...")
            executed = work / PAGES / "executed" / nb_path.name
            try:
                nb = execute_notebook(nb_path, parameters=share, output=executed, timeout=timeout)
                check_outputs(nb, nb_path.name)
            except ReportError:
                _keep_failed(executed, output_dir)
                raise
            title = notebook_title(nb, nb_path.stem)
            html_path = render_html(
                nb,
                work / PAGES / f"{nb_path.stem}.html",
                show_code=show_code,
                title=title,
                index_href="../index.html",
            )
            pages.append(
                PageBuild(nb_path, html_path, executed, title, share, time.perf_counter() - t0)
            )
            if progress is not None:
                progress(f"[{number}/{len(paths)}] {nb_path.name}: {pages[-1].seconds:.0f} s")
        sources = data_sources(incidents_path=values.get("incidents_path"))
        index_text = _index_html(
            pages,
            sources,
            output_dir=output_dir,
            parameters=values,
            started=started,
            seconds=time.perf_counter() - clock,
        )
        external = outside_resources(index_text)
        if external:  # pragma: no cover - the template has none
            raise ReportError(f"the index page would load outside resources: {external[:3]}")
        write_atomically(work / "index.html", index_text)
        _swap_in(work, output_dir)
        shutil.rmtree(output_dir / "failed", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    final = [
        PageBuild(
            p.notebook,
            output_dir / PAGES / p.html.name,
            output_dir / PAGES / "executed" / p.executed.name,
            p.title,
            p.parameters,
            p.seconds,
        )
        for p in pages
    ]
    return SiteBuild(
        output_dir / "index.html", tuple(final), tuple(sources), time.perf_counter() - clock
    )


def _keep_failed(executed: Path, output_dir: Path) -> None:
    """Keep a failed notebook's partial output in ``output_dir/failed/`` (the report stays)."""
    if executed.is_file():
        failed = output_dir / "failed"
        failed.mkdir(parents=True, exist_ok=True)
        shutil.copy2(executed, failed / executed.name)


def build_report(
    output: str | Path = Path("reports") / "index.html",
    *,
    notebook: str | Path = MAIN_NOTEBOOK,
    parameters: Mapping[str, Any] | None = None,
    show_code: bool = False,
    timeout: int = 900,
) -> ReportBuild:
    """Execute one notebook and render it to one HTML page (``--notebook``).

    Parameters
    ----------
    output : str or Path
        The HTML file (written atomically: a failure leaves the previous one).
    notebook : str or Path
        The notebook to run (default ``notebooks/01-overview.ipynb``).
    parameters : mapping, optional
        Values for the notebook's ``parameters`` cell (each must be declared there).
    show_code : bool
        Include code cells in the HTML.
    timeout : int
        Seconds allowed for one cell.

    Returns
    -------
    ReportBuild
        Paths of the HTML and the executed notebook (in ``executed/`` beside the HTML).

    Raises
    ------
    ReportError
        As :func:`build_site`, for the one notebook.
    """
    clock = time.perf_counter()
    output = Path(output)
    executed = output.parent / "executed" / Path(notebook).name
    declared = declared_parameters(notebook)
    parameters = {
        **{k: v for k, v in PAGE_DEFAULTS.items() if k in declared},
        **dict(parameters or {}),
    }
    nb = execute_notebook(notebook, parameters=parameters, output=executed, timeout=timeout)
    check_outputs(nb, Path(notebook).name)
    html_path = render_html(nb, output, show_code=show_code)
    return ReportBuild(
        html_path, executed, Path(notebook), dict(parameters or {}), time.perf_counter() - clock
    )
