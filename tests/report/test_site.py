"""build_site: the pages, the index with provenance, parameters, atomic and loud failures."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from analysis import __version__
from analysis.report import PageBuild, ReportError, build_site, find_notebooks, outside_resources
from analysis.report._site import _swap_in

from .conftest import FIXTURE_NOTEBOOKS, INCIDENTS_CSV


def test_find_notebooks_takes_numbered_notebooks_in_name_order():
    names = [p.name for p in find_notebooks(FIXTURE_NOTEBOOKS)]
    assert names == ["01-figures.ipynb", "02-incidents.ipynb"]  # not stray/, failing/ or scripts


def test_find_notebooks_refuses_a_missing_folder(tmp_path):
    with pytest.raises(ReportError, match="notebooks: no such folder"):
        find_notebooks(tmp_path / "nope")


def test_a_folder_without_numbered_notebooks_is_an_error(tmp_path):
    (tmp_path / "notes.ipynb").write_text("{}")
    with pytest.raises(ReportError, match=r"no notebook named \[0-9\]\[0-9\]-\*\.ipynb"):
        build_site(tmp_path / "out", tmp_path)


def test_a_parameter_no_notebook_declares_is_an_error_naming_the_declared_ones(tmp_path):
    with pytest.raises(ReportError, match=r"parameters: windw declared by no notebook") as err:
        build_site(tmp_path / "out", FIXTURE_NOTEBOOKS, {"windw": 3})
    assert "01-figures.ipynb: label, n_days" in str(err.value)
    assert "02-incidents.ipynb: incidents_path" in str(err.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"parameters": ["label=1"]}, "parameters must be a mapping"),
        ({"notebooks": 3}, "notebooks must be a notebook, a folder or a list"),
        ({"output_dir": 3}, "output_dir must be a folder path"),
    ],
)
def test_bad_arguments_are_errors_naming_them(tmp_path, kwargs, message):
    kwargs = {"output_dir": tmp_path / "out", "notebooks": FIXTURE_NOTEBOOKS, **kwargs}
    with pytest.raises(ReportError, match=message):
        build_site(**kwargs)


def test_an_output_that_is_a_file_is_an_error(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(ReportError, match=r"output_dir: .* is not a folder"):
        build_site(tmp_path / "out", FIXTURE_NOTEBOOKS)


def test_a_missing_incidents_file_is_an_error_naming_the_parameter(tmp_path):
    with pytest.raises(ReportError, match="incidents_path: no such file"):
        build_site(tmp_path / "out", FIXTURE_NOTEBOOKS, incidents_path=tmp_path / "none.csv")


def test_swap_replaces_the_pages_and_index_and_leaves_the_rest(tmp_path):
    out = tmp_path / "reports"
    (out / "pages").mkdir(parents=True)
    (out / "pages" / "old.html").write_text("old page")
    (out / "index.html").write_text("old index")
    (out / "validation").mkdir()
    (out / "validation" / "validation.json").write_text("{}")
    built = tmp_path / ".reports-building-x"
    (built / "pages").mkdir(parents=True)
    (built / "pages" / "01-new.html").write_text("new page")
    (built / "index.html").write_text("new index")
    _swap_in(built, out)
    assert (out / "index.html").read_text() == "new index"
    assert sorted(p.name for p in (out / "pages").iterdir()) == ["01-new.html"]
    assert (out / "validation" / "validation.json").read_text() == "{}"


# ---- the site of the fixture notebooks (executed once per session) -------------------


@pytest.mark.slow
def test_site_has_one_page_per_notebook_with_its_first_heading(site):
    assert [p.notebook.name for p in site.pages] == ["01-figures.ipynb", "02-incidents.ipynb"]
    assert [p.title for p in site.pages] == [
        "Figures, a wide table and hostile strings (SIMULATED)",
        "Incidents from a user-supplied file (SIMULATED)",
    ]
    for page in site.pages:
        assert isinstance(page, PageBuild)
        assert page.html.is_file() and page.executed.is_file()
    assert site.index == site.index.parent / "index.html" and site.index.is_file()
    # nothing is left of the build folder beside the output
    assert not [p for p in site.index.parent.parent.iterdir() if p.name.startswith(".")]
    assert site.seconds > 0 and "2 page(s)" in site.summary()


@pytest.mark.slow
def test_each_notebook_gets_only_the_parameters_it_declares(site):
    figures, incidents = site.pages
    assert figures.parameters == {"label": "L-42"}
    assert incidents.parameters == {"incidents_path": str(INCIDENTS_CSV.resolve())}
    assert "label is L-42; 84 SIMULATED days" in figures.html.read_text(encoding="utf-8")


@pytest.mark.slow
def test_index_links_every_page_and_says_when_and_with_what(site):
    text = site.index.read_text(encoding="utf-8")
    for page in site.pages:
        assert f'href="pages/{page.html.name}"' in text
        assert page.title in text
    assert f"incident-trends {__version__}" in text
    assert re.search(r"Run on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", text)
    assert not outside_resources(text)


@pytest.mark.slow
def test_index_provenance_has_checksum_rows_dates_and_licence_of_each_source(site):
    text = site.index.read_text(encoding="utf-8")
    by_name = {s.name: s for s in site.sources}
    user = by_name["incidents (user-supplied)"]
    assert user.sha256 == hashlib.sha256(INCIDENTS_CSV.read_bytes()).hexdigest()
    assert user.sha256 in text
    assert (user.rows, user.first, user.last) == (110, "2024-03-01", "2024-04-11")
    figures = by_name["reported_figures"]
    assert figures.licence == "CC-BY-4.0" and figures.rows and figures.first and figures.vintage
    assert f'<code class="it-sha">{figures.sha256}</code>' in text
    # every data package resource is listed
    import json

    from analysis.datasets import data_dir

    package = json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in package["resources"]} <= set(by_name)
    assert "Data vintage" in text and "Provenance" in text


@pytest.mark.slow
def test_every_page_links_back_to_the_index_and_is_self_contained(site):
    for page in site.pages:
        text = page.html.read_text(encoding="utf-8")
        assert 'href="../index.html"' in text
        assert (page.html.parent / "../index.html").resolve() == site.index.resolve()
        assert not outside_resources(text)
        images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
        assert images and all(base64.b64decode(i)[:4] == b"\x89PNG" for i in images)


@pytest.mark.slow
def test_hostile_strings_in_tables_notes_and_figures_are_text(site):
    figures = site.pages[0].html.read_text(encoding="utf-8")
    incidents = site.pages[1].html.read_text(encoding="utf-8")
    for text in (figures, incidents):
        assert "<script>alert" not in text
        assert "onerror=alert" not in text.replace("onerror=alert(2)&gt;", "")
    assert "&lt;script&gt;alert(" in figures  # the table note, as text
    assert "&lt;b&gt;bold&lt;/b&gt;" in figures
    assert "javascript:alert(3)" in figures and 'href="javascript' not in figures
    assert "&lt;script&gt;alert(" in incidents  # the incident note of the user's file
    assert "&lt;img src=x onerror=alert(2)&gt;" in incidents
    # the SVG figure's title is escaped inside the SVG (which is shown as an image)
    svgs = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', figures)
    assert len(svgs) == 1
    svg = base64.b64decode(svgs[0]).decode("utf-8")
    assert "<script" not in svg and "&lt;script&gt;alert(" in svg


@pytest.mark.slow
def test_the_user_incidents_file_is_read_end_to_end(site):
    text = site.pages[1].html.read_text(encoding="utf-8")
    assert "110 incident records, 110 incidents over 42 days" in text
    # the rate and interval shown are those of the package on the same file
    import analysis as it
    from analysis.report import format_interval

    incidents = it.load_curated_incidents(INCIDENTS_CSV)
    rate = it.estimate_rate(it.count_incidents(incidents))
    assert rate.events == 110 and rate.exposure == 42
    assert format_interval(rate.rate, rate.ci_low, rate.ci_high) in text
    assert "sim-2024-03-01-01" in text
    assert 'href="https://example.org/simulated/2024-03-01-1"' in text


@pytest.mark.slow
def test_a_failed_notebook_fails_the_report_and_leaves_the_previous_one(site, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(site.index.parent, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    ok = nbformat.v4.new_notebook()  # a first notebook that runs: its page is not swapped in
    ok.cells = [nbformat.v4.new_markdown_cell("# Runs"), nbformat.v4.new_code_cell("1 + 1")]
    ok.metadata["kernelspec"] = {"name": "python3", "display_name": "Py", "language": "python"}
    nbformat.write(ok, notebooks / "01-runs.ipynb")
    shutil.copy(FIXTURE_NOTEBOOKS / "failing" / "01-fails.ipynb", notebooks / "02-fails.ipynb")
    with pytest.raises(ReportError) as err:
        build_site(out, notebooks)
    message = str(err.value)
    assert "02-fails.ipynb: cell 4 failed with ValueError: SIMULATED failure" in message
    assert "the cell begins: total = n + 1  # the failing cell" in message
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "failed" not in p.parts}
    assert after == before  # the previous report, byte for byte
    assert (out / "failed" / "02-fails.ipynb").is_file()  # the partial run, for a look
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".reports-building")]
    failed = nbformat.read(out / "failed" / "02-fails.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in failed.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_stray_output_fails_the_report_naming_each_cell(tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(ReportError) as err:
        build_site(out, FIXTURE_NOTEBOOKS / "stray")
    message = str(err.value)
    assert message.startswith("01-stray.ipynb: 7 stray output(s)")
    for cell, what in [
        (3, "Text repr"),
        (4, "Axes repr"),
        (5, "Figure repr"),
        (6, "Line2D"),
        (7, "matplotlib object repr"),
        (8, "unformatted object repr"),
        (9, "unformatted object repr"),
    ]:
        lines = [line for line in message.splitlines() if line.startswith(f"  cell {cell} (")]
        assert len(lines) == 1 and what in lines[0], (cell, what, message)
    assert "cell 10" not in message and "cell 2 " not in message
    assert not (out / "index.html").exists()


def test_the_index_escapes_every_value(tmp_path):
    import datetime as dt

    from analysis.report import DataSource
    from analysis.report._site import _index_html

    hostile = '<script>alert("x")</script>'
    page = PageBuild(
        Path(f"01-{hostile}.ipynb"),
        tmp_path / "01-x.html",
        tmp_path / "x.ipynb",
        hostile,
        {"label": hostile},
        1.0,
    )
    source = DataSource(
        name=hostile,
        title=hostile,
        path=hostile,
        origin="user",
        licence=hostile,
        sha256="0" * 64,
        rows=3,
        first="2024-01-01",
        last="2024-01-03",
        vintage=hostile,
    )
    text = _index_html(
        [page],
        [source],
        output_dir=tmp_path,
        parameters={"label": hostile},
        started=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        seconds=1.0,
    )
    assert "<script>" not in text
    assert text.count("&lt;script&gt;alert(") >= 6


def test_pages_get_progress_bars_off_unless_the_caller_gives_them(tmp_path):
    from analysis.report._site import _split_parameters

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("progress = True\nlabel = 'a'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# P"), params]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    with_bar, without = tmp_path / "01-p.ipynb", tmp_path / "02-q.ipynb"
    nbformat.write(nb, with_bar)
    nb.cells[1].source = "label = 'b'"
    nbformat.write(nb, without)
    assert _split_parameters([with_bar, without], {}) == [{"progress": False}, {}]
    assert _split_parameters([with_bar], {"progress": True}) == [{"progress": True}]
