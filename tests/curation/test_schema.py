"""Tests of the pandera schemas and their translation into plain problems."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.curation.schema import (
    FIGURES,
    INCIDENTS,
    UNITS,
    blanks_to_na,
    check_table,
    figure_schema,
    incident_schema,
    parse_table,
    parse_timestamp,
    parse_whole_number,
)


def incidents(n: int = 3, **changes) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "incident_id": [f"i{k}" for k in range(n)],
            "start": ["2024-11-04"] * n,
            "weapon": ["drone"] * n,
            "quantity": ["2"] * n,
            "unit": ["launch"] * n,
            "source_url": ["https://example.org/a"] * n,
        }
    )
    for column, values in changes.items():
        df[column] = values
    return df


def figures(n: int = 2, **changes) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "figure_id": [f"f{k}" for k in range(n)],
            "period_start": ["2024-10-29"] * n,
            "period_end": ["2024-11-04"] * n,
            "value": ["41"] * n,
            "qualifier": ["exact"] * n,
            "unit": ["claim"] * n,
            "source_url": ["https://example.org/f"] * n,
        }
    )
    for column, values in changes.items():
        df[column] = values
    return df


def where(problems):
    return [(p.row, p.column) for p in problems]


def test_valid_tables_have_no_problems():
    assert check_table(incidents(), INCIDENTS) == []
    assert check_table(figures(), FIGURES) == []


def test_schemas_keep_extra_columns():
    assert incident_schema().strict is False
    assert figure_schema().strict is False
    assert check_table(incidents(my_extra=["x", "y", "z"]), INCIDENTS) == []


def test_required_columns_match_the_architecture():
    # the source is required too, as source_url or source_name with source_ref (tests below)
    assert INCIDENTS.required == ("incident_id", "start", "weapon", "quantity", "unit")
    assert set(FIGURES.required) >= {"figure_id", "period_start", "period_end", "value"}


def test_missing_required_columns_one_problem_each():
    problems = check_table(incidents().drop(columns=["weapon", "source_url"]), INCIDENTS)
    assert where(problems) == [(None, "weapon"), (None, "source_url")]
    assert all("required column is missing" in p.message for p in problems)


def test_optional_columns_may_be_absent_or_empty():
    df = incidents(time_precision=["day", None, ""], notes=[None, "", "x"])
    assert check_table(df, INCIDENTS) == []


def test_unparseable_date_names_row_column_value():
    problems = check_table(incidents(start=["2024-11-04", "04/11/2024", "2024-02-30"]), INCIDENTS)
    assert where(problems) == [(3, "start"), (4, "start")]
    assert [p.value for p in problems] == ["04/11/2024", "2024-02-30"]
    assert "ISO 8601" in problems[0].message


@pytest.mark.parametrize(
    "text", ["2024-11-04", "2024-11-04T21:30", "2024-11-04 21:30:05", "2024-11-04T21:30:00+02:00"]
)
def test_iso_dates_and_datetimes_are_accepted(text):
    assert parse_timestamp(text) is not None
    assert check_table(incidents(start=[text] * 3), INCIDENTS) == []


@pytest.mark.parametrize("text", ["2024", "2024-13-01", "yesterday", "4.11.2024", ""])
def test_non_iso_dates_are_rejected(text):
    assert parse_timestamp(text) is None


def test_negative_quantity():
    problems = check_table(incidents(quantity=["2", "-1", "0"]), INCIDENTS)
    assert where(problems) == [(3, "quantity")]
    assert "must not be negative" in problems[0].message
    assert problems[0].value == "-1"


@pytest.mark.parametrize("bad", ["2.5", "two", "1e3", "3 drones"])
def test_non_integer_quantity(bad):
    problems = check_table(incidents(quantity=["2", "2", bad]), INCIDENTS)
    assert where(problems) == [(4, "quantity")]
    assert "whole number" in problems[0].message
    assert problems[0].value == bad


def test_parse_whole_number():
    assert parse_whole_number("12") == 12
    assert parse_whole_number(" 3 ") == 3
    assert parse_whole_number(4.0) == 4
    assert parse_whole_number(2.5) is None
    assert parse_whole_number(True) is None
    assert parse_whole_number("") is None


def test_duplicate_ids_name_every_row_and_the_first():
    df = incidents(4, incident_id=["a", "b", "a", "a"])
    problems = check_table(df, INCIDENTS, file="t.csv")
    assert where(problems) == [(2, "incident_id"), (4, "incident_id"), (5, "incident_id")]
    assert "again on row(s) 4, 5" in problems[0].message
    assert "first used on row 2" in problems[1].message
    assert "first used on row 2" in problems[2].message


def test_unknown_unit_lists_the_allowed_ones():
    problems = check_table(incidents(unit=["launch", "drones", "projectile"]), INCIDENTS)
    assert where(problems) == [(3, "unit"), (4, "unit")]
    for unit in UNITS:
        assert unit in problems[0].message


def test_unit_synonyms_and_case_are_accepted_and_normalised():
    df = incidents(unit=["Launch", "launches", "ALERTS"])
    assert check_table(df, INCIDENTS) == []
    assert parse_table(df, INCIDENTS)["unit"].tolist() == ["launch", "launch", "alert"]


def test_weapon_synonyms_are_one_weapon():
    df = incidents(weapon=["Drone", "UAV", "drone"])
    assert check_table(df, INCIDENTS) == []
    assert parse_table(df, INCIDENTS)["weapon"].tolist() == ["drone"] * 3


def test_unknown_weapon_is_reported_not_made_a_group():
    problems = check_table(incidents(weapon=["drone", "balloon", "Rocket"]), INCIDENTS)
    assert where(problems) == [(3, "weapon")]
    assert problems[0].value == "balloon"
    assert "drone" in problems[0].message and "unknown weapon" in problems[0].message


def test_figure_weapon_is_checked_against_the_vocabulary():
    problems = check_table(figures(3, weapon=["drones", "kite", None]), FIGURES)
    assert [(p.column, p.value) for p in problems] == [("weapon", "kite")]


# --- provenance -------------------------------------------------------------------------


def test_a_source_name_with_an_identifier_needs_no_address():
    df = incidents(
        source_url=[None, None, "https://example.org/c"],
        source_name=["Telegram @channel", "IDF statement", None],
        source_ref=["post 4512", "2024-11-04", None],
    )
    assert check_table(df, INCIDENTS) == []


def test_a_row_with_no_source_is_refused():
    df = incidents(source_url=[None, "https://example.org/b", None], source_ref=[None, None, "x"])
    problems = check_table(df, INCIDENTS)
    assert where(problems) == [(2, "source_url"), (4, "source_url")]
    assert "no source" in problems[0].message


def test_a_source_name_without_identifier_or_address_is_refused():
    df = incidents(source_url=[None, None, None], source_name=["IDF", "IDF", "IDF"])
    df["source_ref"] = ["statement of 2024-11-04", None, ""]
    problems = check_table(df, INCIDENTS)
    assert where(problems) == [(3, "source_ref"), (4, "source_ref")]
    assert "source_name without an identifier" in problems[0].message


def test_a_table_without_any_source_column_is_one_problem():
    problems = check_table(incidents().drop(columns=["source_url"]), INCIDENTS)
    assert where(problems) == [(None, "source_url")]
    assert "source_name with source_ref" in problems[0].message


def test_figures_may_cite_by_name_and_identifier():
    df = figures(3, source_url=[None] * 3)
    df["source_name"] = ["Telegram @channel"] * 3
    df["source_ref"] = ["post 1", "post 2", "post 3"]
    assert check_table(df, FIGURES) == []
    df["source_ref"] = [None, "post 2", "post 3"]
    assert where(check_table(df, FIGURES)) == [(2, "source_ref")]


def test_unknown_time_precision():
    problems = check_table(incidents(time_precision=["day", "fortnight", None]), INCIDENTS)
    assert where(problems) == [(3, "time_precision")]
    assert "minute" in problems[0].message


def test_empty_required_cell():
    problems = check_table(incidents(weapon=["drone", "", None]), INCIDENTS)
    assert where(problems) == [(3, "weapon"), (4, "weapon")]
    assert all("empty cell" in p.message for p in problems)


def test_source_url_must_be_an_address():
    ok = ["https://example.org/a", "thehansindia.com", "jpost.com/israel-news/article-821978"]
    assert check_table(incidents(source_url=ok), INCIDENTS) == []
    problems = check_table(incidents(source_url=["see above", "ftp://x", "n/a"]), INCIDENTS)
    assert where(problems) == [(2, "source_url"), (3, "source_url"), (4, "source_url")]


def test_rows_argument_sets_file_lines():
    problems = check_table(incidents(quantity=["1", "-1", "1"]), INCIDENTS, rows=[10, 14, 15])
    assert where(problems) == [(14, "quantity")]


def test_rows_must_match_the_frame():
    with pytest.raises(ValueError, match="one line number per row"):
        check_table(incidents(), INCIDENTS, rows=[2, 3])


def test_typed_table_is_checked_on_values():
    df = incidents(start=pd.to_datetime(["2024-11-04"] * 3), quantity=[1, 2, -3])
    assert where(check_table(df, INCIDENTS)) == [(4, "quantity")]


def test_duplicate_column_names_in_a_frame():
    df = pd.concat([incidents(), incidents()[["weapon"]]], axis=1)
    problems = check_table(df, INCIDENTS)
    assert where(problems) == [(None, "weapon")]


def test_qualifier_must_be_known():
    problems = check_table(figures(qualifier=["exact", "more than"]), FIGURES)
    assert where(problems) == [(3, "qualifier")]
    assert "at_least" in problems[0].message


def test_period_start_after_period_end():
    df = figures(period_start=["2024-11-05", "2024-11-04"], period_end=["2024-11-04"] * 2)
    problems = check_table(df, FIGURES)
    assert where(problems) == [(2, "period_start")]
    assert "after period_end" in problems[0].message
    assert problems[0].value == "2024-11-05"


def test_figure_value_negative_or_not_a_number():
    problems = check_table(figures(3, value=["-4", "many", "4"]), FIGURES)
    assert where(problems) == [(2, "value"), (3, "value")]
    assert "negative" in problems[0].message
    assert "number" in problems[1].message


def test_count_figure_must_be_whole_but_rate_need_not():
    df = figures(value=["5.5", "5.5"], measure=["count", "rate_per_day"])
    problems = check_table(df, FIGURES)
    assert where(problems) == [(2, "value")]


def test_unknown_measure():
    problems = check_table(figures(measure=["count", "per_week"]), FIGURES)
    assert where(problems) == [(3, "measure")]


def test_problems_sorted_by_row_then_column_order():
    df = incidents(quantity=["-1", "1", "x"], start=["bad", "2024-11-04", "bad"])
    assert where(check_table(df, INCIDENTS)) == [
        (2, "start"),
        (2, "quantity"),
        (4, "start"),
        (4, "quantity"),
    ]


def test_parse_table_types():
    df = incidents(start=["2024-11-04", "2024-11-04T21:30", "2024-11-05"], extra=["a", "b", "c"])
    out = parse_table(df, INCIDENTS)
    assert pd.api.types.is_datetime64_dtype(out["start"])
    assert out["start"].iloc[1] == pd.Timestamp("2024-11-04 21:30")
    assert out["quantity"].dtype == "int64"
    assert out["extra"].tolist() == ["a", "b", "c"]
    assert out.index.equals(df.index)


def test_parse_table_keeps_local_day_and_adds_utc_instants():
    df = incidents(3, start=["2024-11-04T01:00+02:00", "2024-11-04T10:00Z", "2024-11-05"])
    out = parse_table(df, INCIDENTS)
    assert out["start"].dt.tz is None
    assert out["start"].tolist() == [
        pd.Timestamp("2024-11-04 01:00"),
        pd.Timestamp("2024-11-04 10:00"),
        pd.Timestamp("2024-11-05"),
    ]
    assert str(out["start_utc"].dt.tz) == "UTC"
    assert out["start_utc"].iloc[0] == pd.Timestamp("2024-11-03 23:00", tz="UTC")
    assert out["start_utc"].iloc[1] == pd.Timestamp("2024-11-04 10:00", tz="UTC")
    assert pd.isna(out["start_utc"].iloc[2])


def test_parse_table_without_offsets_adds_no_utc_column():
    assert "start_utc" not in parse_table(incidents(), INCIDENTS).columns


def test_parse_table_keeps_typed_datetimes_with_their_zone():
    start = pd.to_datetime(["2024-11-04 01:00"] * 3).tz_localize("Asia/Jerusalem")
    out = parse_table(incidents(start=start), INCIDENTS)
    assert out["start"].equals(incidents(start=start)["start"])


def test_parse_table_figures_default_measure_and_dates():
    out = parse_table(figures(), FIGURES)
    assert out["measure"].tolist() == ["count", "count"]
    assert out["value"].dtype == "float64"
    assert out["period_end"].iloc[0] == pd.Timestamp("2024-11-04")
    filled = parse_table(figures(measure=[None, "rate_per_day"]), FIGURES)
    assert filled["measure"].tolist() == ["count", "rate_per_day"]


def test_blanks_to_na_leaves_other_values():
    df = pd.DataFrame({"a": ["x", " ", ""], "n": [1, 2, 3]})
    out = blanks_to_na(df)
    assert out["a"].isna().tolist() == [False, True, True]
    assert out["n"].tolist() == [1, 2, 3]
    assert df["a"].tolist() == ["x", " ", ""]  # input untouched


def test_docstring_examples_run():
    import doctest
    import importlib

    module = importlib.import_module("analysis.curation.schema")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31T10:00:00"])
def test_far_out_year_is_flagged(start):
    problems = check_table(incidents(2, start=["2024-11-04", start]), INCIDENTS, file="t.csv")
    assert [(p.row, p.column) for p in problems if "placeholder" in p.message] == [(3, "start")]


# ---------------------------------------------------------------- whole-column checks = one-value


_TRICKY_TIMES = [
    "2024-11-04",
    "2024-11-04T21:30",
    "2024-11-04 21:30:00",
    "2024-11-04T21:30:00.5",
    "2024-11-04T21:30:00.123456",
    "2024-11-04T21:30:00+02:00",
    "2024-11-04T21:30Z",
    "2024-02-29",
    "2023-02-29",
    "2024-04-31",
    "0000-01-01",
    "0001-01-01",
    "1899-12-31",
    "9999-12-31T23:59:59.999999-23:59",
    "2024-11-04T24:00",
    "2024-11-04T23:60",
    "2024-11-04T21:30:60",
    "2024-11-04T21:30+24:00",
    "2024-11-04T21:30:00.1234567",
    "2024-11-04x21:30",
    " 2024-11-04 ",
    "2024-13-01",
    "2024-00-10",
    "2024-11-00",
    "2024-11-04T21:30+0200",
    "2024-11-04T21",
    "2024-11-04Z",
    "2024-11-04+02:00",
    "1900-02-29",
    "2000-02-29",
    "abcd-ef-gh",
    "2024-11-04T21:30:00-00:30",
    "04/11/2024",
    "2024-11-04T21:30:00.12Z",
    "٢٠٢٤-11-04",
    "",
    None,
]
_TRICKY_NUMBERS = [
    "12",
    "+3",
    "-0",
    " 7 ",
    "2.5",
    "x",
    "-",
    "+",
    "1 2",
    "٣",
    "0007",
    "123456789012345678",
    "9223372036854775807",
    "9223372036854775808",
    "-5",
    "",
    None,
    "1e3",
]


def _mutated(values, n, seed):
    import random

    rng = random.Random(seed)
    chars = "0123456789-:T .Z+x"
    out = list(values)
    for _ in range(n):
        s = list(rng.choice([v for v in values if v]))
        for _ in range(rng.randint(0, 2)):
            s[rng.randrange(len(s))] = rng.choice(chars)
        out.append("".join(s))
    return out


def _as_object(frame):
    return frame.astype(object).where(frame.notna(), None)


def test_whole_column_checks_give_the_problems_of_the_one_value_parsers():
    # text columns take the whole-column path, object columns the one-value path
    times = _mutated(_TRICKY_TIMES, 3000, seed=1)
    numbers = (_TRICKY_NUMBERS * 200)[: len(times)]
    numbers += [None] * (len(times) - len(numbers))
    table = incidents(len(times), start=times, quantity=numbers)
    text = table.astype("str").where(table.notna(), None)
    fast = check_table(text, INCIDENTS)
    exact = check_table(_as_object(table), INCIDENTS)
    assert fast == exact
    assert {p.column for p in fast} >= {"start", "quantity"}  # the comparison is not empty
    assert len(fast) > 500


def test_whole_column_parsing_gives_the_values_of_the_one_value_parsers():
    # the rows that pass check_table: ISO times with a plausible year (1900-2100)
    times = [
        t
        for t in _mutated(_TRICKY_TIMES, 3000, seed=2)
        if t and parse_timestamp(t) and 1900 <= parse_timestamp(t).year <= 2100
    ]
    numbers = [str(k) for k in range(len(times))]
    table = incidents(
        len(times),
        start=times,
        quantity=numbers,
        weapon=["UAV", "Drone"] * (len(times) // 2) + ["drone"] * (len(times) % 2),
    )
    fast = parse_table(table.astype("str"), INCIDENTS)
    exact = parse_table(_as_object(table), INCIDENTS)
    for column in ("start", "start_utc", "quantity", "weapon"):
        pd.testing.assert_series_equal(fast[column], exact[column], check_dtype=True)
    assert fast["start_utc"].notna().sum() > 100  # offsets were present


def test_whole_column_parsing_keeps_gaps_in_optional_counts_and_times():
    table = incidents(3, start=["2024-11-04T01:00+02:00", "2024-11-05", "2024-11-06"])
    table["time_precision"] = ["minute", None, "day"]
    table["quantity"] = ["1", "2", "3"]
    fast = parse_table(table.astype("str").where(table.notna(), None), INCIDENTS)
    exact = parse_table(_as_object(table), INCIDENTS)
    pd.testing.assert_frame_equal(
        fast[["start", "start_utc", "quantity"]], exact[["start", "start_utc", "quantity"]]
    )


def _cases(frame):
    out = set()
    for case in frame.itertuples(index=False):
        index = None if pd.isna(case.index) else int(case.index)
        column = None if pd.isna(case.column) else str(case.column)
        if case.check in ("has_source", "name_has_reference", "period_order", "count_is_whole"):
            column = None  # pandera names each cell of a failing row; check_table names one
        if case.check == "column_in_dataframe":
            column, index = str(case.failure_case), None
        out.add((str(case.check), column, index))
    return out


@pytest.mark.parametrize("spec_name", ["incidents", "figures"])
def test_failure_cases_are_those_of_the_pandera_schema(spec_name):
    from analysis.curation.schema import _failure_cases, _pandera_failure_cases

    times = _mutated(_TRICKY_TIMES, 400, seed=4)
    n = len(times)
    numbers = (_TRICKY_NUMBERS * 40)[:n]
    urls = (["https://example.org/a", "example.org", "not a url", None, "HTTP://X.ORG/b c"] * n)[:n]
    ids = [f"i{k % (n - 20)}" if k % 7 else None for k in range(n)]  # repeats and gaps
    if spec_name == "incidents":
        table = incidents(n, incident_id=ids, start=times, quantity=numbers, source_url=urls)
        table["weapon"] = (["drone", "UAV", "catapult", None] * n)[:n]
        table["source_name"] = (["IDF", None, None] * n)[:n]
        table["time_precision"] = (["minute", "week", None] * n)[:n]
        spec = INCIDENTS
    else:
        table = figures(n, figure_id=ids, period_start=times, value=numbers, source_url=urls)
        table["period_end"] = list(reversed(times))
        table["measure"] = (["count", "rate_per_day", "bogus", None] * n)[:n]
        spec = FIGURES
    table.loc[5] = None  # a row missing in every column
    work = blanks_to_na(table.astype("str").where(table.notna(), None))
    ours = _cases(_failure_cases(work, spec))
    theirs = _cases(_pandera_failure_cases(work, spec))
    assert ours == theirs
    assert len(ours) > 300
    assert len({c[0] for c in ours}) >= 6  # many different checks take part


def test_failure_cases_report_a_missing_required_column_like_pandera():
    from analysis.curation.schema import _failure_cases, _pandera_failure_cases

    work = incidents(2).drop(columns=["unit"])
    assert _cases(_failure_cases(work, INCIDENTS)) == _cases(
        _pandera_failure_cases(work, INCIDENTS)
    )


def test_whole_column_readers_give_the_same_answers_in_chunks(monkeypatch):
    import numpy as np

    import analysis.curation._fast as fast

    times = pd.Series(_mutated(_TRICKY_TIMES, 1000, seed=9), dtype="str")
    numbers = pd.Series((_TRICKY_NUMBERS * 60)[:1000], dtype="str")
    whole_iso, whole_num = fast.iso_times(times), fast.whole_numbers(numbers)
    monkeypatch.setattr(fast, "_CHUNK", 97)
    for key, value in fast.iso_times(times).items():
        np.testing.assert_array_equal(value, whole_iso[key])
    for key, value in fast.whole_numbers(numbers).items():
        np.testing.assert_array_equal(value, whole_num[key])


def test_blanks_to_na_of_text_finds_every_blank_and_only_those():
    values = ["x", " ", "", "\u3000", " x", "\tx\t", "\u00a0\u00a0", None, "\n"]
    text = pd.DataFrame({"a": pd.array(values, dtype="str")})
    got = blanks_to_na(text)["a"].isna().tolist()
    assert got == [v is None or not v.strip() for v in values]


def test_address_check_of_a_column_equals_the_one_value_check():
    # the joined-text search (_full_matches) against fullmatch value by value, on values that
    # are addresses, near misses, blank, padded, non-ASCII and holding line feeds
    import numpy as np

    from analysis.curation import schema as sc

    pool = [
        "https://example.org/a", " http://x.y ", "x.org", "not an address", "", "HTTPS://A.B/c?d",
        "https://a.b\nhttps://c.d", "a.b.cc/x y", "https://a/b", "ftp://a.b", "https://a.b/\u00e9",
        "\u00e9.org", "https://a.b#x", "foo.c", "a-b.io", "https://a.b\n", "\nhttps://a.b",
        "https://.b", "www.x.com/page", "http://a.b\u3000",
    ]  # fmt: skip
    rng = np.random.default_rng(7)
    values = [pool[i] for i in rng.integers(0, len(pool), 3000)] + [None] * 5
    column = pd.Series(pd.array(values, dtype="str"))
    got = sc._addresses(column)
    sc._CACHE.clear()
    sc._CACHE["column"] = None
    expected = np.array([v is not None and sc._is_address(v) for v in values])
    assert got[:3000].tolist() == expected[:3000].tolist()  # missing cells are not checked
    assert got.sum() > 500 and (~got[:3000]).sum() > 500


# --- vectorised web addresses and duplicate ids (issue 10): the same answers


def _random_texts(n: int, seed: int) -> list[str]:
    """Made-up strings built from URL pieces, blanks, line breaks and non-ASCII letters."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pieces = [*"hHtTpPsS:/.?#ab x-", "\t", "é", "ſ", "\xa0", "\x1c", "\n"]
    pieces += ["https://", "http://", "HTTPS://", ".org", "example", "/a?b#c"]
    return ["".join(rng.choice(pieces, size=int(rng.integers(0, 8)))) for _ in range(n)]


@pytest.mark.parametrize("seed", [0, 1])
def test_vectorised_web_addresses_are_the_regular_expression(seed):
    import numpy as np

    from analysis.curation import _fast
    from analysis.curation.schema import _URL, _addresses, _is_address

    values = [
        *_random_texts(30_000, seed),
        "https://x.org", "http://a.b", "http://.ab", "http://ab.", "http://a.b/c d",
        " https://a.b ", "https://a.b#", "http://a..b", "httpſ://a.b", "HtTpS://a.b?x=1",
        "", "http://a/b.c", "example.org", "https://",
    ]  # fmt: skip
    column = pd.Series(values, dtype="str")
    found = _fast.web_addresses(column)
    want = np.array([bool(_URL.fullmatch(v.strip())) for v in values])
    assert found["certain"].mean() > 0.3 and want[found["certain"]].any()  # not vacuous
    assert (found["ok"][found["certain"]] == want[found["certain"]]).all()
    column[::7] = None
    expected = [False if pd.isna(v) else _is_address(v) for v in column.tolist()]
    assert _addresses(column).tolist() == expected


def test_duplicated_ids_by_hash_are_pandas_duplicated():
    import numpy as np

    from analysis.curation.schema import _duplicated, id_hashes

    rng = np.random.default_rng(3)
    ids = pd.Series([f"id-{k}" for k in rng.integers(0, 5_000, 8_000)], dtype="str")
    ids[::97] = None
    want = ids.duplicated(keep=False).to_numpy()
    assert want.any() and not want.all()
    assert (_duplicated(ids) == want).all()
    assert (_duplicated(ids, id_hashes(ids)) == want).all()
    mixed = pd.Series(["1", 1, 1.0, None, "a\udc80", "a\udc80"], dtype=object)
    assert id_hashes(mixed) is None
    assert _duplicated(mixed).tolist() == mixed.duplicated(keep=False).tolist()
