"""`peers`: other councils' areas like one of ours, and what their next letter found.

The letters are invented in Ofsted's style; the councils are real names so that canonical names
resolve, nothing else about them is.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lettermine import peer_index, peer_terms
from lettermine.actions import add_action, set_status
from lettermine.cli import app
from lettermine.db import connect
from lettermine.errors import InvalidInput, NotFound
from lettermine.letters import UnitThemes, save_letter
from lettermine.peer_terms import failing_kinds, kind_factor, normalise, shared_phrases, terms
from lettermine.peers import find_authority_peers, find_peers, open_areas
from lettermine.records import Letter, Unit

AFI, PA, FINDING = "area_for_improvement", "priority_action", "finding"
RI, GOOD = "requires improvement to be good", "good"

# (authority, kind, visit date, judgements, [(unit kind, text, themes, polarity)]). Ids follow
# this order, which is not Kent's order in time (2018: 3, 2023: 4, 2021: 5, 2017: 6, 2014: 8),
# so a join by id rather than date would find the wrong next letter or the wrong grades before.
UnitRow = tuple[str, str, list[str], str]
LETTERS: list[tuple[str, str, str, dict[str, str], list[UnitRow]]] = [
    ("Oldham", "ilacs", "2019-03-04", {"help_and_protection": RI, "overall_effectiveness": RI}, [
        (AFI, "Social workers' caseloads, so that they can carry out purposeful direct work "
         "with children.", ["caseloads", "direct_work"], "concern"),
        (AFI, "The quality of pathway plans for care leavers.", ["care_leavers", "planning"],
         "concern"),
        (AFI, "The arrangements for registering unaccompanied minors with dentists.",
         ["health"], "concern"),
        (FINDING, "Leaders know their services well.", ["leadership_governance"], "strength"),
    ]),
    ("Oldham", "focused_visit", "2021-06-01", {}, [
        (AFI, "The size of caseloads for social workers, which limits direct work with "
         "children.", ["caseloads"], "concern"),
    ]),
    ("Kent", "focused_visit", "2018-05-10", {}, [
        (AFI, "Caseloads for social workers that are too high to allow purposeful direct work "
         "with children and families.", ["caseloads", "direct_work"], "concern"),
        (AFI, "Pathway plans that are written with care leavers.", ["care_leavers"], "concern"),
    ]),
    ("Kent", "monitoring_visit", "2023-02-01", {}, [
        (PA, "Caseloads in the assessment service are too high for purposeful direct work.",
         ["caseloads"], "concern"),
    ]),
    ("Kent", "ilacs", "2021-11-20", {"help_and_protection": GOOD, "overall_effectiveness": GOOD}, [
        (AFI, "Reduce social workers' caseloads so that purposeful direct work with children "
         "is possible.", ["caseloads", "direct_work"], "concern"),
        (FINDING, "Return home interviews are timely and inform safety plans.",
         ["exploitation_missing"], "strength"),
        (FINDING, "Caseload sizes in the disabled children's team remain high.",
         ["caseloads", "disabled_children"], "concern"),
        (FINDING, "Social workers have manageable caseloads and visit children regularly.",
         ["caseloads"], "strength"),
        (FINDING, "Supervision is regular and reflective.", ["caseloads"], "strength"),
    ]),
    ("Kent", "ilacs", "2017-01-10", {"help_and_protection": RI, "overall_effectiveness": RI}, [
        (AFI, "Timeliness of strategy meetings.", ["child_protection"], "concern"),
    ]),
    ("Sefton", "sif", "2015-09-01", {"overall_effectiveness": RI}, [
        (AFI, "Caseloads are too high for purposeful direct work.", ["caseloads"], "concern"),
        (FINDING, "Caseloads in the safeguarding teams are too high, which limits purposeful "
         "direct work with children.", ["caseloads", "direct_work"], "concern"),
    ]),
    ("Kent", "sif", "2014-03-01", {"help_and_protection": "inadequate"}, [
        (AFI, "Timeliness of initial child protection conferences.", ["child_protection"],
         "concern"),
    ]),
]  # fmt: skip


Row = tuple[str, str, str, dict[str, str], list[UnitRow]]


def _save(conn: sqlite3.Connection, rows: list[Row]) -> None:
    for authority, kind, date, grades, units in rows:
        n = conn.execute("SELECT count(*) FROM letters").fetchone()[0] + 1
        letter = Letter(
            kind=kind,
            local_authority=authority,
            authority=authority,
            inspection_start=date,
            inspection_end=date,
            published=date,
            judgements=grades,
            units=[Unit(k, text) for k, text, _, _ in units],
        )
        verdicts = [UnitThemes([(c, 0.9) for c in codes], pol) for _, _, codes, pol in units]
        save_letter(conn, letter, sha256=f"{n:064d}", source=f"letter{n}.txt", themes=verdicts)


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    c = connect(db_path, create=True)
    _save(c, LETTERS)
    return c


def ids(result: dict[str, object]) -> list[str]:
    return [p["id"] for p in result["peers"]]  # type: ignore[attr-defined,index]


# --- the terms ----------------------------------------------------------------------------------


def test_one_spelling_per_thing_and_no_boilerplate() -> None:
    assert normalise("The LADO's work") == normalise("The designated officer work")
    assert terms("Social workers' workloads") == terms("social worker caseloads")
    assert "children" not in " ".join(terms("The quality of practice with children"))


def test_the_concern_weighs_more_than_its_purpose() -> None:
    weights = terms("Supervision of social workers, so that plans progress without delay.")
    assert weights["supervision"] == 2 * weights["plan"]


def test_shared_phrases_read_as_the_text_does() -> None:
    text = "The response to allegations against professionals."
    phrases = shared_phrases(text, set(terms(text)))
    assert phrases == ["response to allegations against professionals"]


def test_the_failing_is_read_from_the_concern_not_its_purpose() -> None:
    assert failing_kinds(
        "Supervision of social workers, so that plans progress without delay."
    ) == {"oversight"}
    assert failing_kinds("The timeliness of foster carers' reviews.") == {"timeliness"}
    assert failing_kinds("Independent reviewing officers' workloads.") == {"capacity"}
    assert failing_kinds("Permanence planning.") == frozenset()


def test_only_a_conflicting_failing_counts_against() -> None:
    timely, capacity = frozenset({"timeliness"}), frozenset({"capacity"})
    assert kind_factor(timely, capacity) == peer_terms.CONFLICT < 1
    assert kind_factor(timely, timely | capacity) == 1.0  # one shared failing is enough
    assert kind_factor(timely, frozenset()) == 1.0  # unstated: no evidence against
    assert kind_factor(frozenset(), capacity) == 1.0


# --- finding peers ------------------------------------------------------------------------------


def test_own_council_is_left_out_by_default(conn: sqlite3.Connection) -> None:
    found = find_peers(conn, "1:1")
    assert found["unit"]["id"] == "1:1"
    authorities = {p["authority"] for p in found["peers"]}
    assert "Oldham" not in authorities
    assert {"Kent", "Sefton"} <= authorities


def test_include_own_adds_the_councils_other_letters_never_the_same_letter(
    conn: sqlite3.Connection,
) -> None:
    found = ids(find_peers(conn, "1:1", include_own=True, limit=10))
    assert "2:1" in found
    assert not [i for i in found if i.startswith("1:")]


def test_the_closest_come_first_with_what_they_share(conn: sqlite3.Connection) -> None:
    found = find_peers(conn, "1:1")
    first = found["peers"][0]
    assert first["id"] in ("3:1", "5:1")  # both say caseloads, purposeful direct work
    assert [p["rank"] for p in found["peers"]] == list(range(1, len(found["peers"]) + 1))
    scores = [p["score"] for p in found["peers"]]
    assert scores == sorted(scores, reverse=True)
    assert "purposeful direct work" in " ".join(first["shared_words"])
    assert first["shared_themes"] == ["caseloads", "direct_work"]
    assert "3:2" not in ids(found)  # pathway plans: Kent, but not the same ask


def test_a_peer_with_another_failing_ranks_below_one_with_the_same(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    # The two candidates share the same words with the area; only their failing differs, and the
    # one whose failing conflicts is stored first, so it would win the tie on words alone. The
    # fixture's letters (ids 1-8) give the words their weights.
    c = connect(db_path, create=True)
    _save(c, LETTERS)
    _save(c, [
        ("Oldham", "ilacs", "2019-03-04", {}, [
            (AFI, "The timeliness of foster carer reviews.", ["fostering"], "concern")]),
        ("Kent", "ilacs", "2019-05-01", {}, [
            (AFI, "The consistency of foster carer reviews.", ["fostering"], "concern")]),
        ("Sefton", "ilacs", "2019-06-01", {}, [
            (AFI, "Timely foster carer reviews.", ["fostering"], "concern")]),
    ])  # fmt: skip
    found = find_peers(c, "9:1")
    assert found["unit"]["failing"] == ["timeliness"]
    assert [(p["id"], p["failing"]) for p in found["peers"]] == [
        ("11:1", ["timeliness"]),
        ("10:1", ["consistency"]),
    ]
    first, second = (p["score"] for p in found["peers"])
    assert second == pytest.approx(first * peer_terms.CONFLICT, abs=0.002)
    # With room for one, the marked-down candidate must not keep the place it had on words.
    assert ids(find_peers(c, "9:1", limit=1)) == ["11:1"]
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["peers", "9:1", "--csv"]).stdout)))
    assert [(r["peer"], r["failing"]) for r in rows] == [
        ("11:1", "timeliness"),
        ("10:1", "consistency"),
    ]
    monkeypatch.setattr(peer_terms, "CONFLICT", 1.0)
    assert ids(find_peers(c, "9:1")) == ["10:1", "11:1"]


def test_since_keeps_only_later_visits(conn: sqlite3.Connection) -> None:
    found = find_peers(conn, "1:1", since="2019-01-01", limit=10)
    assert found["peers"]
    assert all(p["date"] >= "2019-01-01" for p in found["peers"])
    with pytest.raises(InvalidInput, match="not a date"):
        find_peers(conn, "1:1", since="last year")


def test_findings_adds_concern_findings_only_when_asked(conn: sqlite3.Connection) -> None:
    assert "7:2" not in ids(find_peers(conn, "1:1", limit=10))
    with_findings = find_peers(conn, "1:1", limit=10, findings=True)
    assert "7:2" in ids(with_findings)
    kinds = {p["id"]: p["unit_kind"] for p in with_findings["peers"]}
    assert kinds["7:2"] == FINDING
    assert "5:4" not in kinds  # a strength is not a peer


def test_a_unit_with_no_peers(conn: sqlite3.Connection) -> None:
    assert find_peers(conn, "1:3")["peers"] == []


@pytest.mark.parametrize(
    ("ref", "error", "message"),
    [
        ("abc", InvalidInput, "not a unit id"),
        ("1:99", NotFound, "no unit 1:99"),
        ("99:1", NotFound, "no unit 99:1"),
    ],
)
def test_bad_unit_ids(conn: sqlite3.Connection, ref: str, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        find_peers(conn, ref)


def test_limit_must_be_positive(conn: sqlite3.Connection) -> None:
    with pytest.raises(InvalidInput, match="at least 1"):
        find_peers(conn, "1:1", limit=0)


# --- what happened next -------------------------------------------------------------------------


def _peer(conn: sqlite3.Connection, ref: str, peer: str, **options: object) -> dict[str, object]:
    found = find_peers(conn, ref, limit=10, **options)  # type: ignore[arg-type]
    return next(p for p in found["peers"] if p["id"] == peer)


def test_next_letter_is_the_councils_next_by_date_not_by_id(conn: sqlite3.Connection) -> None:
    after = _peer(conn, "1:1", "3:1")["next"]
    # Kent: 2017 (id 6), 2018 (the match, id 3), 2021 (id 5), 2023 (id 4): the 2021 report.
    assert (after["letter_id"], after["kind"], after["date"]) == (5, "ilacs", "2021-11-20")


def test_judgements_compared_with_the_previous_graded_letter(conn: sqlite3.Connection) -> None:
    after = _peer(conn, "1:1", "3:1")["next"]
    # The 2018 focused visit grades nothing; the 2017 report is the one before (not 2014's).
    assert {"judgement": "help_and_protection", "before": RI, "after": GOOD} in after["judgements"]
    visit = _peer(conn, "1:1", "5:1")["next"]  # Kent 2021 -> the 2023 monitoring visit
    assert (visit["letter_id"], visit["judgements"]) == (4, [])


def test_the_same_ask_coming_back_and_findings_on_its_themes(conn: sqlite3.Connection) -> None:
    after = _peer(conn, "1:1", "3:1")["next"]
    assert [a["id"] for a in after["same_ask_again"]] == ["5:1"]
    found = {f["id"]: f["polarity"] for f in after["findings"]}
    # On the caseloads theme and sharing its words, most alike first ("caseload ... high"
    # before "caseloads"); not return home interviews (another theme), not supervision (the
    # theme, but none of the words).
    assert found == {"5:3": "concern", "5:4": "strength"}
    assert list(found) == ["5:3", "5:4"]


def test_no_later_letter(conn: sqlite3.Connection) -> None:
    assert _peer(conn, "1:1", "7:1")["next"] is None  # Sefton: one letter


def test_whether_the_same_ask_came_back(conn: sqlite3.Connection) -> None:
    after = _peer(conn, "1:1", "5:1")["next"]  # 2023's priority action is on caseloads too
    assert [a["id"] for a in after["same_ask_again"]] == ["4:1"]
    assert _peer(conn, "1:1", "4:1")["next"] is None  # nothing after 2023
    pathway = _peer(conn, "1:2", "3:2")["next"]  # Kent 2021 says nothing more of pathway plans
    assert pathway["same_ask_again"] == []


# --- an authority's open areas ------------------------------------------------------------------


def test_open_areas_leave_out_those_whose_actions_are_all_finished(
    conn: sqlite3.Connection,
) -> None:
    done = add_action(conn, title="Pathway plan audit", units=["1:2"], date="2019-04-01")
    set_status(conn, done, "done", force=True, date="2019-09-01")
    add_action(conn, title="Recruit two teams", units=["1:1"], date="2019-04-01")
    refs = {u: f"{letter}:{seq}" for u, letter, seq in conn.execute(
        "SELECT id, letter_id, seq FROM units")}  # fmt: skip
    assert [refs[u] for u in open_areas(conn, "Oldham")] == ["2:1", "1:1", "1:3"]
    results = find_authority_peers(conn, "Oldham", limit=2)
    assert [r["unit"]["id"] for r in results] == ["2:1", "1:1", "1:3"]
    assert all(len(r["peers"]) <= 2 for r in results)
    with pytest.raises(NotFound):
        find_authority_peers(conn, "Atlantis")


# --- the index ----------------------------------------------------------------------------------


def test_letters_stored_later_are_found(conn: sqlite3.Connection) -> None:
    find_peers(conn, "1:1")
    assert peer_index.is_current(conn)
    _save(conn, [("Leeds", "focused_visit", "2022-03-03", {}, [
        (AFI, "Caseloads too high for purposeful direct work with children.", ["caseloads"],
         "concern")])])  # fmt: skip
    assert not peer_index.is_current(conn)
    assert "9:1" in ids(find_peers(conn, "1:1", limit=10))
    assert peer_index.is_current(conn)


def test_the_index_is_rebuilt_when_its_terms_change(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    peer_index.refresh(conn)
    areas = conn.execute("SELECT count(*) FROM units WHERE kind != 'finding'").fetchone()[0]
    assert peer_index.refresh(conn) == 0
    monkeypatch.setattr(peer_index, "TERMS_VERSION", 99)
    assert peer_index.refresh(conn) == areas
    indexed = conn.execute("SELECT count(DISTINCT unit_id) FROM peer_terms").fetchone()[0]
    assert indexed == areas


def test_scores_in_python_when_sqlite_has_no_math(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_sql = find_peers(conn, "1:1", limit=10)
    monkeypatch.setattr(peer_index, "_SQL_LOGS", False)
    assert find_peers(conn, "1:1", limit=10) == with_sql


# --- the command --------------------------------------------------------------------------------


def test_cli_table_says_what_happened_next(conn: sqlite3.Connection, runner: CliRunner) -> None:
    result = runner.invoke(app, ["peers", "1:1"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("1:1  2019-03-04  Oldham  ilacs  AFI")
    assert "next: ilacs 2021-11-20 (letter 5)" in out
    assert "the same ask came back: 5:1" in out
    assert "help and protection: requires improvement to be good -> good" in out
    assert "strength (5:4): Social workers have manageable caseloads" in out
    assert "next: no later letter" in out


def test_cli_json_and_csv(conn: sqlite3.Connection, runner: CliRunner) -> None:
    data = json.loads(runner.invoke(app, ["peers", "1:1", "--json", "--limit", "2"]).stdout)
    assert data["unit"]["id"] == "1:1" and len(data["peers"]) == 2
    lines = runner.invoke(app, ["peers", "1:1", "--csv"]).stdout.splitlines()
    assert lines[0].startswith("unit,rank,score,peer,authority")
    assert any(",7:1,Sefton," in line and ",no later letter," in line for line in lines)
    many = json.loads(runner.invoke(app, ["peers", "--la", "Oldham", "--json"]).stdout)
    assert [r["unit"]["id"] for r in many] == ["2:1", "1:1", "1:2", "1:3"]


def test_cli_no_peers_says_so(conn: sqlite3.Connection, runner: CliRunner) -> None:
    result = runner.invoke(app, ["peers", "1:3"])
    assert result.exit_code == 0
    assert "No peers for 1:3" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["peers", "abc"], "Error: 'abc' is not a unit id (expected LETTER:UNIT, e.g. 3:12)"),
        (["peers", "9:1"], "Error: no unit 9:1 (see 'lettermine show 9')"),
        (["peers"], "Error: give a unit id (e.g. 'lettermine peers 3:1') or --la NAME"),
        (["peers", "1:1", "--la", "Kent"], "Error: give a unit id"),
        (["peers", "1:1", "--limit", "0"], "Error: --limit must be at least 1, not 0"),
    ],
)
def test_cli_errors_are_one_line(
    conn: sqlite3.Connection, runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message)


def test_cli_never_imports_spacy(conn: sqlite3.Connection, db_path: Path) -> None:
    code = (
        "import sys; from lettermine.cli import main; sys.argv = ['lettermine', 'peers', '1:1',"
        f" '--findings', '--db', {str(db_path)!r}];"
        "\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('spacy', 'sqlite_utils', 'docx', 'numpy') if m in sys.modules];"
        "print(heavy, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "next:" in out.stdout
    assert out.stderr.strip().splitlines()[-1] == "[]"


def test_ingest_brings_the_peer_index_up_to_date(runner: CliRunner, db_path: Path) -> None:
    from conftest import LETTERS as SAMPLES

    result = runner.invoke(app, ["ingest", "--no-classify", str(SAMPLES)])
    assert result.exit_code == 0, result.stderr
    conn = connect(db_path)
    assert peer_index.is_current(conn)
    assert conn.execute("SELECT count(*) FROM peer_terms").fetchone()[0] > 0


# --- the scrutiny report's section --------------------------------------------------------------


def test_report_peers_section(conn: sqlite3.Connection, tmp_path: Path) -> None:
    import docx

    from lettermine.report import write_report

    done = add_action(conn, title="Pathway plan audit", units=["1:2"], date="2019-04-01")
    set_status(conn, done, "done", force=True, date="2019-09-01")
    plain = write_report(conn, tmp_path / "a.docx", authority="Oldham", since="2019-01-01",
                         today="2022-01-01")  # fmt: skip
    assert "What councils told the same found next" not in _text(docx.Document(str(plain)))
    path = write_report(conn, tmp_path / "b.docx", authority="Oldham", since="2019-01-01",
                        today="2022-01-01", peers=True)  # fmt: skip
    document = docx.Document(str(path))
    assert "What councils told the same found next" in _text(document)
    table = document.tables[-1]
    assert [c.text for c in table.rows[0].cells] == [
        "Our area", "Another council told", "What their next letter found",
    ]  # fmt: skip
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    ours = [r[0].split("\n")[-1] for r in rows]  # the cell's note is its unit id
    # Open areas only (1:2's action is done), at most two peers each, newest letter first;
    # 1:3 has no peers and is named under the table.
    assert ours == ["2:1", "2:1", "1:1", "1:1"]
    kent = next(r for r in rows if "3:1" in r[1])
    assert "Inspection, 20 November 2021." in kent[2]
    assert "The same ask came back." in kent[2]
    assert "Help and protection: requires improvement to be good → good." in kent[2]
    assert any("No later letter yet." in r[2] for r in rows)
    assert "No other council's area is like 1:3." in _text(document)


def _text(document: object) -> str:
    return "\n".join(p.text for p in document.paragraphs)  # type: ignore[attr-defined]


def test_a_read_only_database_with_a_stale_index_is_one_clear_error(
    conn: sqlite3.Connection, db_path: Path
) -> None:
    from lettermine.db import DatabaseError

    find_peers(conn, "1:1")
    reader = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    assert find_peers(reader, "1:1") == find_peers(conn, "1:1")  # up to date: reads only
    later = (AFI, "Caseloads too high for purposeful direct work.", ["caseloads"], "concern")
    _save(conn, [("Leeds", "focused_visit", "2022-03-03", {}, [later])])
    with pytest.raises(DatabaseError, match="read-only"):
        find_peers(reader, "1:1")


def test_a_deleted_letter_leaves_the_index(conn: sqlite3.Connection) -> None:
    from lettermine.visits import delete_letter

    assert "7:1" in ids(find_peers(conn, "1:1", limit=10))  # Sefton's, indexed now
    delete_letter(conn, 7)
    assert not peer_index.is_current(conn)
    assert "7:1" not in ids(find_peers(conn, "1:1", limit=10))
    stale = conn.execute(
        "SELECT count(*) FROM peer_terms WHERE unit_id NOT IN (SELECT id FROM units)"
    ).fetchone()[0]
    assert stale == 0
