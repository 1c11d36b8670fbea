"""analysis._progress: the opt-in bar of long calls."""

from __future__ import annotations

from analysis._progress import progress_bar


def test_a_disabled_bar_writes_nothing(capsys):
    with progress_bar(5, enabled=False, desc="fits", delay=0.0) as bar:
        for _ in range(5):
            bar.update(1)
    assert capsys.readouterr().err == ""


def test_an_enabled_bar_reports_its_steps(capsys):
    with progress_bar(5, enabled=True, desc="fits", unit="fit", delay=0.0) as bar:
        for _ in range(5):
            bar.update(1)
    err = capsys.readouterr().err
    assert "fits:" in err and "/5" in err


def test_a_quick_call_shows_no_bar_before_the_delay(capsys):
    with progress_bar(5, enabled=True, desc="fits", delay=60.0) as bar:
        for _ in range(5):
            bar.update(1)
    assert capsys.readouterr().err == ""
