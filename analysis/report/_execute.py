"""Execute one notebook with papermill: declared parameters only, failures named by cell."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from analysis.report._common import ReportError, first_line, require_report_extra


@contextlib.contextmanager
def _inline_figures() -> Iterator[None]:
    """Make the kernel draw figures inline even when ``MPLBACKEND`` says otherwise.

    Test runs set ``MPLBACKEND=Agg``; a kernel that inherits it would render no
    image. The kernel inherits this process's environment, so the variable is
    set for the duration of the execution and restored afterwards.
    """
    old = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = old


def declared_parameters(notebook: str | Path) -> dict[str, Any]:
    r"""The parameters a notebook's ``parameters`` cell declares, with their defaults as written.

    Read by :func:`papermill.inspect_notebook` (no kernel is started). Its line
    parser skips an assignment whose comment holds another ``=`` (``vintage =
    "2024-10-12"  # 23:43 UTC = 02:43 local``); the names assigned at the top
    level of the cell, found with :mod:`ast`, fill those in, so that such a
    parameter is not refused.

    Parameters
    ----------
    notebook : str or Path
        The notebook.

    Returns
    -------
    dict
        Name -> default (the source text of the default value).

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell("window = 14  # days\nvintage = None  # UTC = local - 3h")
    >>> cell.metadata["tags"] = ["parameters"]
    >>> nb.cells = [cell]
    >>> nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = pathlib.Path(d) / "nb.ipynb"
    ...     nbformat.write(nb, path)
    ...     declared_parameters(path)
    {'window': '14', 'vintage': 'None'}
    """
    require_report_extra()
    import logging

    import nbformat
    import papermill as pm

    path = Path(notebook)
    if not path.is_file():
        raise ReportError(f"notebook not found: {path}")
    papermill_log = logging.getLogger("papermill")
    level = papermill_log.level
    papermill_log.setLevel(logging.ERROR)  # its "Unable to parse line" warnings: handled below
    try:
        found = pm.inspect_notebook(str(path))
    except ValueError as exc:  # no kernel named in the notebook, a parameters cell that won't parse
        raise ReportError(f"{path.name}: its parameters cannot be read: {exc}") from None
    finally:
        papermill_log.setLevel(level)
    out = {name: spec.get("default") for name, spec in found.items()}
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in _tags(cell):
            for name, default in _assigned_names(cell.source).items():
                out.setdefault(name, default)
            break
    return out


def _assigned_names(source: str) -> dict[str, str]:
    """Names assigned at the top level of a cell, with the source text of their values."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = list(node.targets), node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                out[target.id] = ast.get_source_segment(source, value) or ""
    return out


def parameters_for(
    notebook: str | Path, parameters: Mapping[str, Any] | None, *, strict: bool
) -> dict[str, Any]:
    """The subset of ``parameters`` that ``notebook`` declares.

    With ``strict`` a parameter the notebook does not declare is an error
    (naming it and the declared ones); otherwise it is left out.
    """
    given = dict(parameters or {})
    if not given:
        return {}
    declared = declared_parameters(notebook)
    unknown = sorted(set(given) - set(declared))
    if strict and unknown:
        names = ", ".join(sorted(declared)) or "none"
        raise ReportError(
            f"{Path(notebook).name}: parameter(s) {', '.join(unknown)} not declared in its "
            f"parameters cell (declared: {names})"
        )
    return {k: v for k, v in given.items() if k in declared}


def _failed_cell(executed: Path, cell_index: int, source: str) -> tuple[int, str]:
    """Position (1-based, in the notebook as stored) and first line of the failed cell.

    ``cell_index`` is papermill's: a position in the executed notebook before it
    added its error banner cells, counting the injected parameters cell.
    """
    import nbformat

    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):  # pragma: no cover - papermill always writes it
        return cell_index + 1, first_line(source)
    cells = [c for c in nb.cells if "papermill-error-cell-tag" not in _tags(c)]
    injected = sum("injected-parameters" in _tags(c) for c in cells[:cell_index])
    return cell_index - injected + 1, first_line(source)


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def execute_notebook(
    notebook: str | Path,
    *,
    parameters: Mapping[str, Any] | None = None,
    output: str | Path | None = None,
    timeout: int = 900,
) -> Any:
    """Execute a notebook with papermill and return the executed notebook node.

    Parameters
    ----------
    notebook : str or Path
        The notebook to run. It is executed with its own folder as the working
        directory, so relative paths in it behave as in Jupyter.
    parameters : mapping, optional
        Values injected after the cell tagged ``parameters``; every name must
        be declared there (see :func:`declared_parameters`).
    output : str or Path, optional
        Where to write the executed notebook (default ``reports/executed/``).
    timeout : int
        Seconds allowed for one cell.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook with its outputs.

    Raises
    ------
    ReportError
        When the notebook is missing, declares no such parameter, or a cell
        fails or times out: the message names the notebook, the cell's number
        (counting every cell of the stored notebook from 1) and its first
        line, and where the partly executed notebook was written.
    """
    require_report_extra()
    import nbformat
    import papermill as pm

    from analysis.datasets import PROJECT_ROOT

    notebook = Path(notebook)
    if not notebook.is_file():
        raise ReportError(f"notebook not found: {notebook}")
    if not isinstance(timeout, int) or timeout <= 0:
        raise ReportError(f"timeout must be a positive number of seconds, got {timeout!r}")
    values = parameters_for(notebook, parameters, strict=True)
    out = Path(output) if output else PROJECT_ROOT / "reports" / "executed" / notebook.name
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _inline_figures():
            pm.execute_notebook(
                str(notebook),
                str(out),
                parameters=values,
                cwd=str(notebook.parent),
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=timeout,
                log_output=False,
            )
    except pm.PapermillExecutionError as exc:
        number, line = _failed_cell(out, exc.cell_index, exc.source)
        raise ReportError(
            f"{notebook.name}: cell {number} failed with {exc.ename}: {exc.evalue}\n"
            f"  the cell begins: {line}\n"
            f"  the partly executed notebook is at {out}"
        ) from None
    except Exception as exc:
        # nbclient's CellTimeoutError and DeadKernelError, a kernel that will not start:
        # name the notebook; the cell, where papermill recorded it, is in the written notebook
        raise ReportError(
            f"{notebook.name}: execution stopped with {type(exc).__name__}: {exc}\n"
            f"  the partly executed notebook is at {out}"
        ) from exc
    return nbformat.read(out, as_version=4)
