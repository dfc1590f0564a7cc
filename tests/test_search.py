"""Search, theme tables across visits, and the db commands, on letters invented for the tests."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lettermine.cli import app
from lettermine.db import connect, open_db
from lettermine.errors import LettermineError
from lettermine.labels import label_unit, reclassify
from lettermine.letters import UnitThemes, effective_themes, resolve_unit, save_letter
from lettermine.migrations import migrations
from lettermine.records import Letter, Unit
from lettermine.search import (
    Hit,
    db_status,
    fts_query,
    scratch_index,
    search_units,
    theme_table,
    themes_by_year,
)

AFI, PA, FINDING = "area_for_improvement", "priority_action", "finding"

# (printed name, kind, visit date, [(unit kind, section, text, themes, polarity)])
UnitRow = tuple[str, str | None, str, list[str], str]
LETTERS: list[tuple[str, str, str, list[UnitRow]]] = [
    (
        "North East Lincolnshire Council",
        "focused_visit",
        "2019-05-08",
        [
            (AFI, None, "The stability of the workforce, so that children do not experience "
             "frequent changes of social worker.", ["workforce"], "concern"),
            (AFI, None, "Management oversight and supervision of social workers' practice.",
             ["supervision_oversight"], "concern"),
            (FINDING, "Children in care", "Pre-proceedings under the Public Law Outline are not "
             "always timely; the PLO-358 tracker shows drift.", ["legal_plo"], "concern"),
            (FINDING, "Children in care", "Children's plans are clear and reviewed on time.",
             ["planning"], "strength"),
        ],
    ),
    (
        "North East Lincolnshire",
        "ilacs",
        "2021-11-26",
        [
            (AFI, None, "Recruitment and retention of social workers.", ["workforce"], "concern"),
            (AFI, None, "Caseloads that are too high for purposeful direct work.",
             ["caseloads"], "concern"),
            (FINDING, "Help and protection", "Caseloads are too high and not all visits happen; "
             "workers leave and children see changes of social worker.",
             ["caseloads", "workforce"], "mixed"),
            (FINDING, "Help and protection", "Strategy meetings are timely and well attended, "
             "AND OR NOT are words here.", ["child_protection"], "strength"),
        ],
    ),
    (
        "City of Bradford Metropolitan District Council",
        "ilacs",
        "2023-01-31",
        [
            (PA, None, "Supervision that gives social workers direction.",
             ["supervision_oversight"], "concern"),
            (FINDING, "Care leavers", "Return home interviews after missing episodes are "
             "not recorded.", ["exploitation_missing"], "concern"),
        ],
    ),
    (
        "North East Lincolnshire",
        "focused_visit",
        "2024-06-18",
        [
            (AFI, None, "The sufficiency of the workforce and reliance on agency social "
             "workers.", ["workforce"], "concern"),
        ],
    ),
]  # fmt: skip


def _save(conn: sqlite3.Connection) -> None:
    for n, (printed, kind, date, units) in enumerate(LETTERS, start=1):
        _add(conn, n, printed, kind, date, units)


def _add(
    conn: sqlite3.Connection,
    n: int,
    printed: str,
    kind: str,
    date: str | None,
    units: list[UnitRow],
    authority: str | None = None,
) -> None:
    """Letter n (its id in a database that holds letters 1..n-1)."""
    from lettermine.authorities import authority_name

    letter = Letter(
        kind=kind,
        local_authority=printed,
        authority=authority or authority_name(printed),
        inspection_start=date,
        inspection_end=date,
        published=date,
        units=[Unit(k, text, section) for k, section, text, _, _ in units],
    )
    verdicts = [
        UnitThemes([(code, 0.9) for code in codes], polarity) for _, _, _, codes, polarity in units
    ]
    save_letter(conn, letter, sha256=f"{n:064d}", source=f"letter{n}.txt", themes=verdicts)


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    """The test letters in a fresh database."""
    c = connect(db_path, create=True)
    _save(c)
    return c


def ids(hits: list[Hit]) -> list[str]:
    return [h.id for h in hits]


# --- a person's query --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "fts"),
    [
        ("supervision", '"supervision"'),
        ("changes of social worker", '"changes" "social" "worker"'),  # 'of' says nothing
        ('"changes of social worker"', '"changes of social worker"'),  # a phrase keeps it
        ("PLO-358", '"PLO-358"'),
        ("children's plans", '"children\'s" "plans"'),
        ("children\u2019s", '"children\u2019s"'),
        ("AND OR NOT", '"NOT"'),
        ("the", '"the"'),  # only common words: keep them
        ('"social worker', '"social" "worker"'),  # unbalanced: the quote is dropped
        ('say "no" "', '"say" "no"'),
        ("\u201cmanagement oversight\u201d", '"management oversight"'),
        ("superv*", '"superv"*'),
        ("NEAR(a b) text:care ^x", '"NEAR(a" "b)" "text:care" "^x"'),
        ('x""y', '"x" "y"'),  # an empty phrase is nothing
        ('"a b" c"', '"a b" "c"'),  # the unbalanced quote is the last one
        ("TAX*", '"TAX"*'),  # only the * goes
    ],
)
def test_a_persons_query_becomes_safe_fts(typed: str, fts: str) -> None:
    assert fts_query(typed) == fts


@pytest.mark.parametrize("typed", ["", "   ", "-", '"', '""', "& - *"])
def test_nothing_to_search_for_is_a_clear_error(typed: str) -> None:
    with pytest.raises(LettermineError, match="nothing to search for"):
        fts_query(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("changes of social worker", {"1:1", "2:3"}),  # every word, stems: workers, change
        ('"changes of social worker"', {"1:1", "2:3"}),
        ("PLO-358", {"1:3"}),
        ("children's plans", {"1:4"}),
        ("children\u2019s plans", {"1:4"}),
        ("AND OR NOT", {"1:1", "1:3", "2:3", "2:4", "3:2"}),
        ('"social worker', {"1:1", "1:2", "2:1", "2:3", "3:1", "4:1"}),
        ("superv*", {"1:2", "3:1"}),
        ("visited", {"2:3"}),  # porter: visits
        ("pre-proceedings", {"1:3"}),
        ("NOT", {"1:1", "1:3", "2:3", "2:4", "3:2"}),
        ("OR", {"2:4"}),
    ],
)
def test_quoting_cases_search(conn: sqlite3.Connection, typed: str, expected: set[str]) -> None:
    assert set(ids(search_units(conn, typed))) == expected


def test_raw_passes_fts5_syntax_through(conn: sqlite3.Connection) -> None:
    assert set(ids(search_units(conn, "supervision OR caseloads", raw=True))) == {
        "1:2", "2:2", "2:3", "3:1",
    }  # fmt: skip
    assert ids(search_units(conn, "caseloads NOT visits", raw=True)) == ["2:2"]
    assert ids(search_units(conn, "supervis*", raw=True))
    assert ids(search_units(conn, "section:care AND leavers", raw=True)) == ["3:2"]
    # Without --raw the same words are words.
    assert ids(search_units(conn, "caseloads NOT visits")) == ["2:3"]


@pytest.mark.parametrize("query", ['"unbalanced', "AND", "NEAR(", "nosuchcolumn:care", "(a OR"])
def test_raw_syntax_errors_are_one_clear_line(conn: sqlite3.Connection, query: str) -> None:
    with pytest.raises(LettermineError) as caught:
        search_units(conn, query, raw=True)
    message = str(caught.value)
    assert "\n" not in message
    assert "cannot search for" in message and "without --raw" in message


# --- results -----------------------------------------------------------------------------------


def test_a_hit_says_where_it_comes_from(conn: sqlite3.Connection) -> None:
    (hit,) = search_units(conn, "PLO-358")
    assert hit.id == "1:3"
    assert hit.letter_id == 1
    assert hit.authority == "North East Lincolnshire"
    assert hit.kind == "focused_visit"
    assert hit.date == "2019-05-08"
    assert hit.section == "Children in care"
    assert hit.unit_kind == FINDING
    assert hit.polarity == "concern"
    assert hit.themes == ["legal_plo"]
    assert "the [PLO-358] tracker" in hit.snippet  # a phrase is marked as one
    assert hit.text.startswith("Pre-proceedings")
    assert hit.rank > 0


def test_best_match_first_and_text_weighs_more_than_section(conn: sqlite3.Connection) -> None:
    # "care" is in two findings' section heading only, and in no unit's text.
    hits = search_units(conn, "care")
    assert set(ids(hits)) == {"1:3", "1:4", "3:2"}
    hits = search_units(conn, "children")
    # The AFI that says children in its text ranks above findings filed under "Children in care".
    assert ids(hits)[0] in {"1:1", "1:4", "2:3"}
    assert ids(hits)[-1] == "1:3"  # children only in its section heading
    assert hits == sorted(hits, key=lambda h: -h.rank)


def test_newest_first(conn: sqlite3.Connection) -> None:
    hits = search_units(conn, "social workers", order="newest")
    assert ids(hits) == ["4:1", "3:1", "2:1", "2:3", "1:1", "1:2"]
    assert all(h.rank > 0 for h in hits)


def test_limit(conn: sqlite3.Connection) -> None:
    assert len(search_units(conn, "social workers", limit=2)) == 2
    with pytest.raises(LettermineError, match="at least 1"):
        search_units(conn, "social", limit=0)


def test_custom_marks(conn: sqlite3.Connection) -> None:
    (hit,) = search_units(conn, "PLO-358", marks=("<b>", "</b>"))
    assert "<b>PLO-358</b>" in hit.snippet


@pytest.mark.parametrize(
    ("query", "raw"),
    [
        ("social workers", False),
        ('"changes of social worker"', False),
        ("superv*", False),
        ("children care", False),  # "care" only in section headings
        ("NEAR(caseloads high, 3)", True),
        ("section:care OR text:supervision", True),
        ("social NOT workforce", True),
    ],
)
def test_snippets_are_the_ones_fts5_cuts_from_the_index(
    conn: sqlite3.Connection, query: str, raw: bool
) -> None:
    # Snippets come from a scratch index of the units shown: they must be what snippet() gives
    # on units_fts itself.
    match = query if raw else fts_query(query)
    expected = dict(
        conn.execute(
            "SELECT rowid, snippet(units_fts, 0, '[', ']', '…', 24) FROM units_fts"
            " WHERE units_fts MATCH ?",
            [match],
        ).fetchall()
    )
    hits = search_units(conn, query, raw=raw)
    assert hits
    for hit in hits:
        assert hit.snippet == expected[resolve_unit(conn, hit.id)]


def test_the_scratch_index_is_defined_like_the_search_index(conn: sqlite3.Connection) -> None:
    (sql,) = scratch_index(conn).execute("SELECT sql FROM sqlite_master").fetchone()
    assert "content" not in sql
    assert "tokenize='porter'" in sql and '"text", "section"' in sql
    assert scratch_index(conn).execute("SELECT count(*) FROM units_fts").fetchone() == (0,)


# --- filters -----------------------------------------------------------------------------------


def test_theme_filter_any_of_several(conn: sqlite3.Connection) -> None:
    assert set(ids(search_units(conn, "social", themes=["workforce"]))) == {
        "1:1",
        "2:1",
        "2:3",
        "4:1",
    }
    either = search_units(conn, "social", themes=["supervision_oversight", "caseloads"])
    assert set(ids(either)) == {"1:2", "2:3", "3:1"}
    with pytest.raises(LettermineError, match="unknown theme nonsense"):
        search_units(conn, "social", themes=["nonsense"])


@pytest.mark.parametrize("many", [False, True])
def test_theme_filter_honours_a_persons_labels(
    conn: sqlite3.Connection, many: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lettermine import search

    # Both ways of checking themes (unit by unit, or collecting a theme's units) agree.
    monkeypatch.setattr(search, "_few", lambda *a: not many)
    label_unit(conn, "2:1", add=[], remove=["workforce"])  # model said workforce; person: no
    label_unit(conn, "3:1", add=["workforce"], remove=[])  # model did not; person: yes
    label_unit(conn, "1:1", add=[], remove=["workforce"])
    label_unit(conn, "1:1", add=["workforce"], remove=[])  # the latest decision wins
    hits = search_units(conn, "social", themes=["workforce"])
    assert set(ids(hits)) == {"1:1", "2:3", "3:1", "4:1"}
    # The same answer as the rule every other command uses.
    everyone = [int(r[0]) for r in conn.execute("SELECT id FROM units")]
    themed = effective_themes(conn, everyone)
    expected = {
        f"{letter}:{seq}"
        for unit_id, letter, seq in conn.execute("SELECT id, letter_id, seq FROM units")
        if any(t["code"] == "workforce" for t in themed[unit_id])
    }
    assert set(ids(search_units(conn, "the OR workers OR social OR supervision", raw=True,
                                themes=["workforce"]))) == expected  # fmt: skip
    assert "workforce" in search_units(conn, "supervision", themes=["workforce"])[0].themes


def test_authority_filter_takes_printed_forms(conn: sqlite3.Connection) -> None:
    for name in [
        "Bradford",
        "bradford",
        "  BRADFORD ",
        "City of Bradford Metropolitan District Council",
    ]:
        assert ids(search_units(conn, "supervision", authority=name)) == ["3:1"]
    assert set(ids(search_units(conn, "social", authority="north east lincolnshire council"))) == {
        "1:1", "1:2", "2:1", "2:3", "4:1",
    }  # fmt: skip
    with pytest.raises(LettermineError, match="no letters about 'Bradfrod'"):
        search_units(conn, "supervision", authority="Bradfrod")


def test_letter_kind_filter(conn: sqlite3.Connection) -> None:
    assert set(ids(search_units(conn, "social", kind="ilacs"))) == {"2:1", "2:3", "3:1"}
    assert set(ids(search_units(conn, "social", kind="Focused-Visit"))) == {"1:1", "1:2", "4:1"}
    with pytest.raises(LettermineError, match="unknown letter kind 'inspection'"):
        search_units(conn, "social", kind="inspection")


def test_unit_kind_filter(conn: sqlite3.Connection) -> None:
    assert set(ids(search_units(conn, "social", unit_kind=FINDING))) == {"2:3"}
    assert set(ids(search_units(conn, "social", unit_kind="priority_action"))) == {"3:1"}
    assert set(ids(search_units(conn, "social", unit_kind="afi"))) == {"1:1", "1:2", "2:1", "4:1"}
    with pytest.raises(LettermineError, match="unknown unit kind"):
        search_units(conn, "social", unit_kind="recommendation")


def test_section_filter_is_a_case_insensitive_substring(conn: sqlite3.Connection) -> None:
    assert set(ids(search_units(conn, "children", section="children in CARE"))) == {"1:3", "1:4"}
    assert ids(search_units(conn, "caseloads", section="protection")) == ["2:3"]
    assert ids(search_units(conn, "caseloads", section="100%_")) == []  # LIKE wildcards escaped


def test_section_filter_takes_like_wildcards_and_backslashes_literally(
    conn: sqlite3.Connection,
) -> None:
    """Bug class 3 of issue 19: each answer here changes if an escaping step is removed."""
    # Unescaped, "%" and "_" match any section and "\\" escapes the letter after it.
    for typed in ("%", "_", "%%", "_elp", "Hel%", "H\\elp"):
        assert ids(search_units(conn, "caseloads", section=typed)) == [], typed
    unit = conn.execute("SELECT u.id FROM units u WHERE u.letter_id = 2 AND u.seq = 3").fetchone()
    conn.execute(
        "UPDATE units SET section = ? WHERE id = ?", ["Help_and 100% protection \\ Ofsted", unit[0]]
    )
    conn.commit()
    for typed in ("%", "_", "help_and", "100% protection", "\\", "% protection \\ of"):
        assert ids(search_units(conn, "caseloads", section=typed)) == ["2:3"], typed
    assert ids(search_units(conn, "caseloads", section="Help and")) == []


def test_a_kind_or_theme_can_be_typed_with_spaces_or_hyphens() -> None:
    from lettermine.records import LETTER_KINDS
    from lettermine.search import check_choice, check_themes

    assert check_choice(" Focused visit ", LETTER_KINDS, "letter kind") == "focused_visit"
    assert check_choice("focused-visit", LETTER_KINDS, "letter kind") == "focused_visit"
    assert check_themes(["Supervision oversight", "care-leavers", "care_leavers"]) == [
        "supervision_oversight",
        "care_leavers",
    ]


def test_an_authority_is_found_by_any_name_it_goes_by(conn: sqlite3.Connection) -> None:
    from lettermine.search import authority_names

    assert authority_names(conn, "  city of  bradford ") == ["Bradford"]  # the canonical name
    assert authority_names(conn, "NORTH EAST LINCOLNSHIRE") == ["North East Lincolnshire"]
    # a name printed on a letter, whatever its case, that is no known name of a council
    conn.execute("UPDATE letters SET local_authority = 'NE Lincs Childrens Services' WHERE id = 4")
    conn.commit()
    assert authority_names(conn, "ne lincs CHILDRENS services") == ["North East Lincolnshire"]
    with pytest.raises(LettermineError, match="no letters about 'Atlantis'"):
        authority_names(conn, "Atlantis")


def test_an_authority_stored_under_two_names_is_searched_under_both(
    conn: sqlite3.Connection,
) -> None:
    """An older database may hold a council's letters under its printed name and its canonical
    one: searching for it, and its theme tables, take both."""
    _add(
        conn, 5, "North East Lincolnshire Council", "monitoring_visit", "2025-01-10",
        [(AFI, None, "Caseloads in the assessment team.", ["caseloads"], "concern")],
        authority="North East Lincolnshire Council",
    )  # fmt: skip
    hits = search_units(conn, "caseloads", authority="North East Lincolnshire Council")
    assert set(ids(hits)) == {"2:2", "2:3", "5:1"}
    assert [v.letter_id for v in theme_table(conn, "North East Lincolnshire Council").visits] == [
        1, 2, 4, 5,
    ]  # fmt: skip
    by_year = themes_by_year(conn, "North East Lincolnshire Council")
    assert by_year.columns == ["2019", "2021", "2024", "2025"]


def test_since_and_until_may_be_the_same_day(conn: sqlite3.Connection) -> None:
    hits = search_units(conn, "caseloads", since="2021-11-26", until="2021-11-26")
    assert set(ids(hits)) == {"2:2", "2:3"}
    with pytest.raises(LettermineError, match="--since 2021-11-27 is after --until 2021-11-26"):
        search_units(conn, "caseloads", since="2021-11-27", until="2021-11-26")


def test_newest_first_with_filters(conn: sqlite3.Connection) -> None:
    assert ids(search_units(conn, "social", order="newest", kind="ilacs")) == ["3:1", "2:1", "2:3"]


def test_limits(conn: sqlite3.Connection) -> None:
    assert len(search_units(conn, "social", limit=1)) == 1
    _add(
        conn, 5, "Testshire", "ilacs", "2022-02-02",
        [(FINDING, "Help", f"Caseloads in team {n} are high.", ["caseloads"], "concern")
         for n in range(25)],
    )  # fmt: skip
    assert len(search_units(conn, "caseloads")) == 20  # the default
    assert len(search_units(conn, "caseloads", limit=30)) == 27  # 25 and 2:2, 2:3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"order": "oldest"}, "unknown order 'oldest' (choose from rank, newest)"),
        ({"raw": True, "query": "  "}, "nothing to search for: give at least one word"),
        ({"limit": 0}, "--limit must be at least 1, not 0"),
    ],
)
def test_search_units_says_what_is_wrong(
    conn: sqlite3.Connection, call: dict[str, object], message: str
) -> None:
    call = dict(call)  # the parameter is shared by every run of the test in a process
    query = str(call.pop("query", "caseloads"))
    with pytest.raises(LettermineError) as e:
        search_units(conn, query, **call)  # type: ignore[arg-type]
    assert str(e.value) == message


def test_polarity_filter(conn: sqlite3.Connection) -> None:
    assert ids(search_units(conn, "caseloads", polarity="mixed")) == ["2:3"]
    assert ids(search_units(conn, "children", polarity="strength")) == ["1:4"]
    with pytest.raises(LettermineError, match="unknown polarity"):
        search_units(conn, "children", polarity="bad")


def test_date_filters(conn: sqlite3.Connection) -> None:
    assert set(ids(search_units(conn, "social", since="2021-11-26"))) == {
        "2:1",
        "2:3",
        "3:1",
        "4:1",
    }
    assert set(ids(search_units(conn, "social", until="2021-11-25"))) == {"1:1", "1:2"}
    assert ids(search_units(conn, "social", since="2022-01-01", until="2023-12-31")) == ["3:1"]
    for bad in ["2021-13-01", "01/02/2021", "2021-1-1", "yesterday", "20210101"]:
        with pytest.raises(LettermineError, match="use YYYY-MM-DD"):
            search_units(conn, "social", since=bad)
    with pytest.raises(LettermineError, match="is after"):
        search_units(conn, "social", since="2022-01-01", until="2021-01-01")


def test_filters_combine(conn: sqlite3.Connection) -> None:
    hits = search_units(
        conn,
        "social",
        themes=["workforce"],
        authority="North East Lincolnshire",
        kind="ilacs",
        unit_kind=FINDING,
        section="help",
        polarity="mixed",
        since="2020-01-01",
        until="2022-01-01",
    )
    assert ids(hits) == ["2:3"]


# --- the index stays in step -------------------------------------------------------------------


def _integrity(conn: sqlite3.Connection) -> None:
    # FTS5 compares its index with the units table and raises if they disagree.
    conn.execute("INSERT INTO units_fts (units_fts, rank) VALUES ('integrity-check', 1)")


def test_index_follows_relabelled_reclassified_edited_and_deleted_units(
    conn: sqlite3.Connection,
) -> None:
    unit = resolve_unit(conn, "2:3")
    reclassify(conn, {unit: UnitThemes([("caseloads", 0.8)], "concern")})
    label_unit(conn, "2:3", add=["direct_work"], remove=[])
    _integrity(conn)
    (hit,) = search_units(conn, "caseloads", polarity="concern", unit_kind=FINDING)
    assert hit.id == "2:3" and set(hit.themes) == {"caseloads", "direct_work"}
    assert ids(search_units(conn, "caseloads", themes=["direct_work"])) == ["2:3"]

    conn.execute("UPDATE units SET text = 'Thresholds are applied well.' WHERE id = ?", [unit])
    conn.commit()
    _integrity(conn)
    assert ids(search_units(conn, "thresholds")) == ["2:3"]
    assert "2:3" not in ids(search_units(conn, "caseloads"))

    conn.execute("UPDATE units SET section = 'Leaving care' WHERE id = ?", [unit])
    conn.commit()
    _integrity(conn)
    assert ids(search_units(conn, "leaving")) == ["2:3"]

    conn.execute("DELETE FROM labels WHERE unit_id = ?", [unit])
    conn.execute("DELETE FROM unit_themes WHERE unit_id = ?", [unit])
    conn.execute("DELETE FROM units WHERE id = ?", [unit])
    conn.commit()
    _integrity(conn)
    assert search_units(conn, "thresholds") == []
    assert db_status(conn, Path("x"))["search_index_rows"] == 10


@pytest.mark.parametrize("step", [m.name for m in migrations._migrations[1:]] + [None])
def test_index_in_step_across_every_migration(db_path: Path, step: str | None) -> None:
    from sqlite_utils import Database

    # A database made by an older lettermine, with letters in it, then brought up to date.
    db = Database(db_path)
    migrations.apply(db, stop_before=step) if step else migrations.apply(db)
    db.conn.execute(
        "INSERT INTO letters (id, sha256, source, kind, authority, inspection_start) "
        "VALUES (1, 'a', 'a.txt', 'ilacs', 'Bradford', '2020-01-01')"
    )
    db.conn.execute(
        "INSERT INTO units (id, letter_id, seq, kind, section, text) VALUES "
        "(1, 1, 1, 'finding', 'Care leavers', 'Personal advisers keep in touch.')"
    )
    db.conn.commit()
    db.conn.close()
    conn = connect(db_path)  # applies the migrations still pending
    c = conn.execute("INSERT INTO units (letter_id, seq, kind, text) VALUES (1, 2, 'finding', ?)",
                     ["Personal advisers change often."])  # fmt: skip
    conn.commit()
    _integrity(conn)
    assert set(ids(search_units(conn, "personal advisers"))) == {"1:1", "1:2"}
    assert ids(search_units(conn, "leavers")) == ["1:1"]
    conn.execute("DELETE FROM units WHERE id = ?", [c.lastrowid])
    conn.commit()
    _integrity(conn)
    assert ids(search_units(conn, "personal advisers")) == ["1:1"]


def test_the_index_is_configured_the_way_datasette_detects(conn: sqlite3.Connection) -> None:
    # Datasette finds a table's search index by a virtual table whose SQL says content="units".
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'units_fts'").fetchone()
    assert "USING FTS5" in sql and 'content="units"' in sql


# --- themes across visits ----------------------------------------------------------------------


def test_theme_table_marks_themes_that_recur(conn: sqlite3.Connection) -> None:
    table = theme_table(conn, "north east lincolnshire council")
    assert table.authority == "North East Lincolnshire"
    assert table.columns == ["2019-05-08", "2021-11-26", "2024-06-18"]
    assert [v.letter_id for v in table.visits] == [1, 2, 4]
    rows = {r.code: r for r in table.rows}
    workforce = rows["workforce"]
    assert [(c.areas, c.concerns) for c in workforce.cells] == [(1, 0), (1, 1), (1, 0)]
    assert [c.repeat for c in workforce.cells] == [False, True, True]
    assert workforce.recurring and workforce.streak == 3
    assert table.rows[0].code == "workforce"  # recurring and most raised first
    caseloads = rows["caseloads"]
    assert [(c.areas, c.concerns) for c in caseloads.cells] == [(0, 0), (1, 1), (0, 0)]
    assert not caseloads.recurring and caseloads.streak == 0
    assert rows["legal_plo"].cells[0].concerns == 1
    assert "planning" not in rows  # a strength is not a concern
    assert "child_protection" not in rows


def test_theme_table_honours_labels(conn: sqlite3.Connection) -> None:
    label_unit(conn, "2:1", add=[], remove=["workforce"])
    label_unit(conn, "2:3", add=[], remove=["workforce"])
    rows = {r.code: r for r in theme_table(conn, "North East Lincolnshire").rows}
    assert not rows["workforce"].recurring
    label_unit(conn, "2:2", add=["workforce"], remove=[])
    rows = {r.code: r for r in theme_table(conn, "North East Lincolnshire").rows}
    assert rows["workforce"].recurring and rows["workforce"].cells[1].areas == 1


def test_themes_by_year(conn: sqlite3.Connection) -> None:
    table = themes_by_year(conn)
    assert table.columns == ["2019", "2021", "2023", "2024"]
    assert table.letters == [1, 1, 1, 1]
    rows = {r.code: r for r in table.rows}
    assert [(c.areas, c.concerns, c.authorities) for c in rows["workforce"].cells] == [
        (1, 0, 1), (1, 1, 1), (0, 0, 0), (1, 0, 1),
    ]  # fmt: skip
    assert rows["workforce"].recurring_authorities == 1
    assert rows["supervision_oversight"].recurring_authorities == 0  # two councils, once each
    assert rows["supervision_oversight"].cells[2].authorities == 1
    one = themes_by_year(conn, "Bradford")
    assert one.columns == ["2023"] and {r.code for r in one.rows} == {
        "supervision_oversight", "exploitation_missing",
    }  # fmt: skip


def test_theme_table_order_recurring_then_most_raised_then_taxonomy(
    conn: sqlite3.Connection,
) -> None:
    table = theme_table(conn, "North East Lincolnshire")
    # workforce recurs; caseloads twice (an area and a mixed finding); legal_plo and
    # supervision_oversight once each, in the taxonomy's order
    assert [r.code for r in table.rows] == [
        "workforce", "caseloads", "legal_plo", "supervision_oversight",
    ]  # fmt: skip


def test_theme_tables_as_at_a_date_leave_out_later_letters(conn: sqlite3.Connection) -> None:
    table = theme_table(conn, "North East Lincolnshire", as_at="2021-11-26")
    assert table.columns == ["2019-05-08", "2021-11-26"]
    assert themes_by_year(conn, as_at="2021-11-25").columns == ["2019"]
    one = themes_by_year(conn, "North East Lincolnshire", as_at="2023-12-31")
    assert one.columns == ["2019", "2021"] and one.authority == "North East Lincolnshire"


def test_theme_tables_skip_codes_no_longer_in_the_taxonomy(conn: sqlite3.Connection) -> None:
    # an older model's code on the first unit of the first letter (sorted first)
    conn.execute(
        "INSERT INTO unit_themes (unit_id, code, score, source) VALUES (1, 'a_gone', 0.9, 'model')"
    )
    conn.commit()
    table = theme_table(conn, "North East Lincolnshire")
    assert "a_gone" not in {r.code for r in table.rows}
    assert [r.code for r in table.rows][0] == "workforce"
    assert "a_gone" not in {r.code for r in themes_by_year(conn).rows}


def test_a_letter_without_dates_is_a_column_of_its_own(conn: sqlite3.Connection) -> None:
    _add(conn, 5, "Testshire", "focused_visit", None,
         [(AFI, None, "Caseloads in the duty team.", ["caseloads"], "concern")])  # fmt: skip
    assert theme_table(conn, "Testshire").columns == ["?"]
    assert themes_by_year(conn).columns == ["2019", "2021", "2023", "2024", "?"]


def test_themes_by_year_adds_up_the_letters_of_a_year(conn: sqlite3.Connection) -> None:
    # a second Bradford letter in 2023, raising supervision again and missing children again
    _add(
        conn, 5, "Bradford", "monitoring_visit", "2023-06-01",
        [
            (AFI, None, "Supervision in the front door.", ["supervision_oversight"], "concern"),
            (FINDING, "Front door", "Return home interviews are late.",
             ["exploitation_missing"], "concern"),
        ],
    )  # fmt: skip
    table = themes_by_year(conn)
    assert table.letters == [1, 1, 2, 1]
    rows = {r.code: r for r in table.rows}
    supervision = rows["supervision_oversight"].cells[2]
    assert (supervision.areas, supervision.letters, supervision.authorities) == (2, 2, 1)
    missing = rows["exploitation_missing"].cells[2]
    assert (missing.concerns, missing.letters) == (2, 2)
    assert rows["supervision_oversight"].recurring
    assert rows["supervision_oversight"].recurring_authorities == 1
    assert not rows["caseloads"].recurring
    # councils it recurs in, then how often raised (4, 3, 2), then the code
    assert [r.code for r in table.rows][:3] == [
        "workforce", "supervision_oversight", "exploitation_missing",
    ]  # fmt: skip


def test_db_status_counts_everything_it_names(conn: sqlite3.Connection, db_path: Path) -> None:
    from lettermine.actions import add_action

    status = db_status(conn, db_path)
    assert status["path"] == str(db_path.resolve())
    assert (status["letters"], status["authorities"], status["units"]) == (4, 2, 11)
    assert (status["units_with_themes"], status["labels"], status["actions"]) == (11, 0, 0)
    add_action(conn, title="Reduce caseloads", units=["2:2"], date="2024-01-01")
    label_unit(conn, "1:1", add=["caseloads"], remove=[])
    status = db_status(conn, db_path)
    assert (status["labels"], status["actions"]) == (1, 1)
    fresh = db_path.with_name("empty.db")
    empty = db_status(connect(fresh, create=True), fresh)
    assert empty["units_by_kind"] == {AFI: 0, PA: 0, FINDING: 0}
    assert [m["name"] for m in empty["migrations"]] == [m.name for m in migrations._migrations]


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def cli(conn: sqlite3.Connection, runner: CliRunner) -> CliRunner:
    return runner


def test_search_command_table(cli: CliRunner) -> None:
    result = cli.invoke(app, ["search", "changes of social worker"])
    assert result.exit_code == 0, result.output
    assert "1:1" in result.stdout and "North East Lincolnshire" in result.stdout
    assert "[changes] of [social] [worker]" in result.stdout  # plain brackets when piped
    assert "\x1b[" not in result.stdout


def test_search_command_bold_on_a_terminal(conn: sqlite3.Connection) -> None:
    from lettermine.cli.search import _OPEN, _marked

    assert _marked(f"a {_OPEN}b\ue001 c", styled=True) == "a \x1b[1mb\x1b[0m c"
    assert _marked(f"a {_OPEN}b\ue001 c", styled=False) == "a [b] c"


def test_search_command_json(cli: CliRunner) -> None:
    result = cli.invoke(
        app,
        ["search", "supervision", "--theme", "supervision_oversight", "--la", "Bradford",
         "--since", "2018-01-01", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (hit,) = json.loads(result.stdout)
    assert hit["id"] == "3:1" and hit["unit_kind"] == "priority_action"
    assert hit["snippet"] == "[Supervision] that gives social workers direction."
    assert set(hit) == {
        "id", "letter_id", "authority", "kind", "date", "section", "unit_kind", "text",
        "snippet", "themes", "polarity", "rank",
    }  # fmt: skip


def test_search_command_csv(cli: CliRunner) -> None:
    import csv
    import io

    result = cli.invoke(
        app,
        ["search", "PLO", "--kind", "focused_visit", "--section", "children in care",
         "--polarity", "concern", "--unit-kind", "finding", "--csv"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["1:3"]
    assert rows[0]["themes"] == "legal_plo" and rows[0]["authority"] == "North East Lincolnshire"


def test_search_command_options(cli: CliRunner) -> None:
    result = cli.invoke(app, ["search", "social", "--newest", "--limit", "2", "--json"])
    assert [h["id"] for h in json.loads(result.stdout)] == ["4:1", "3:1"]
    assert "First 2 shown" not in result.stdout
    result = cli.invoke(app, ["search", "supervision OR caseloads", "--raw", "--json"])
    assert len(json.loads(result.stdout)) == 4
    result = cli.invoke(app, ["search", "nothingmatchesthis"])
    assert result.exit_code == 0 and result.stdout == "" and "No units match" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--theme", "nope"], "unknown theme nope"),
        (["--since", "2021/01/01"], "--since '2021/01/01' is not a date: use YYYY-MM-DD"),
        (["--until", "soon"], "--until 'soon' is not a date: use YYYY-MM-DD"),
        (["--la", "Atlantis"], "no letters about 'Atlantis'"),
        (["--kind", "x"], "unknown letter kind"),
        (["--unit-kind", "x"], "unknown unit kind"),
        (["--polarity", "x"], "unknown polarity"),
        (["--limit", "0"], "at least 1"),
        (["--raw"], "cannot search for"),
    ],
)
def test_search_command_bad_input(cli: CliRunner, args: list[str], message: str) -> None:
    result = cli.invoke(app, ["search", '"social', *args])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert "Traceback" not in result.output


def test_commands_need_an_existing_database(runner: CliRunner, db_path: Path) -> None:
    for args in (["search", "x"], ["themes"], ["db", "status"], ["db", "backup", "b.db"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert "no database at" in result.stderr
    assert not db_path.exists()  # searching never creates an empty database


def test_themes_command(cli: CliRunner) -> None:
    result = cli.invoke(app, ["themes", "--la", "North East Lincolnshire"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    workforce = next(line for line in lines if line.startswith("workforce"))
    assert workforce.split() == ["workforce", "1/0", "1/1*", "1/0*", "yes", "3"]
    assert "2019-05-08" in result.stdout and "focused" in result.stdout

    result = cli.invoke(app, ["themes", "--la", "North East Lincolnshire", "--json"])
    data = json.loads(result.stdout)
    assert data["by"] == "visit" and data["columns"] == ["2019-05-08", "2021-11-26", "2024-06-18"]
    row = data["rows"][0]
    assert row["code"] == "workforce" and row["recurring"] and row["streak"] == 3
    assert row["cells"][1] == {"areas": 1, "concerns": 1, "repeat": True, "raised": True}

    result = cli.invoke(app, ["themes", "--by", "year", "--json"])
    data = json.loads(result.stdout)
    assert data["by"] == "year" and data["columns"] == ["2019", "2021", "2023", "2024"]
    assert cli.invoke(app, ["themes"]).exit_code == 0

    result = cli.invoke(app, ["themes", "--by", "visit"])
    assert result.exit_code == 1 and "--la" in result.stderr
    result = cli.invoke(app, ["themes", "--by", "month"])
    assert result.exit_code == 1 and "visit or year" in result.stderr


def test_db_path(runner: CliRunner, db_path: Path) -> None:
    result = runner.invoke(app, ["db", "path"])
    assert result.exit_code == 0
    assert result.stdout.strip() == str(db_path.resolve())
    assert not db_path.exists()


def test_db_status(cli: CliRunner) -> None:
    from lettermine.schema import SCHEMA_VERSION

    result = cli.invoke(app, ["db", "status", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["letters"] == 4 and status["units"] == 11
    assert status["units_by_kind"] == {AFI: 5, PA: 1, FINDING: 5}
    assert status["search_index_rows"] == 11 and status["size_bytes"] > 0
    assert status["schema_version"] == SCHEMA_VERSION
    assert [m["name"] for m in status["migrations"]] == [m.name for m in migrations._migrations]
    result = cli.invoke(app, ["db", "status"])
    assert "11 units indexed" in result.stdout and "m001_letters_and_units" in result.stdout


def test_db_backup(cli: CliRunner, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    result = cli.invoke(app, ["db", "backup", str(dest)])
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(dest)
    assert copy.execute("SELECT count(*) FROM units").fetchone()[0] == 11
    hits = search_units(connect(dest), "PLO-358")  # the copy's search index works too
    assert ids(hits) == ["1:3"]
    result = cli.invoke(app, ["db", "backup", str(dest)])
    assert result.exit_code == 1 and "already exists" in result.stderr


def test_db_backup_while_another_connection_writes(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    writer = open_db().conn
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM labels")
    from lettermine.db import backup

    backup(connect(), tmp_path / "during.db")  # WAL: the last committed state, no waiting
    writer.execute("ROLLBACK")
    assert sqlite3.connect(tmp_path / "during.db").execute("SELECT count(*) FROM units").fetchone()


def test_search_process_imports_nothing_heavy(conn: sqlite3.Connection, db_path: Path) -> None:
    # Start-up is most of what a person waits for: see ../shared/STACK-NOTES.md.
    code = (
        "import runpy, sys\n"
        "sys.argv = ['lettermine', 'search', 'social workers', '--theme', 'workforce']\n"
        "try:\n    runpy.run_module('lettermine', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = {'sqlite_utils', 'spacy', 'numpy', 'docx', 'rich', 'pypdfium2'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "4:1" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]"
