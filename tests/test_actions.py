"""Improvement actions: lifecycle, history, links, measures, RAG at fixed dates, coverage, CSV.

CLI calls are written as command lines (`run("update 1 --percent 40")`) so a test reads like
the transcript of a council officer's session.
"""

from __future__ import annotations

import json
import shlex
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lettermine.actions import (
    TRANSITIONS,
    add_action,
    check_transition,
    coverage,
    measure_progress,
    set_status,
    update_action,
)
from lettermine.cli import app
from lettermine.db import connect
from lettermine.errors import InvalidInput
from lettermine.letters import UnitThemes, save_letter
from lettermine.migrations import migrations
from lettermine.records import Letter, Unit
from lettermine.recurrence import content_words, head_words, match, rare_words
from lettermine.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
SEED_LETTER = ROOT / "letters" / "north-east-lincolnshire-2021-06-focused-visit.txt"
ACTION_TABLES = ("actions", "action_units", "action_history", "action_measures")

Run = Callable[..., Any]


# -- fixtures ------------------------------------------------------------------------------------


def _letter(
    authority: str, start: str, units: list[tuple[str, str, list[str]]]
) -> tuple[Letter, list[UnitThemes]]:
    letter = Letter(
        kind="focused_visit",
        local_authority=authority,
        authority=authority,
        inspection_start=start,
        inspection_end=start,
        units=[Unit(kind=kind, text=text) for kind, text, _ in units],
    )
    themes = [
        UnitThemes(themes=[(code, 0.9 - 0.1 * i) for i, code in enumerate(codes)], polarity=None)
        for _, _, codes in units
    ]
    return letter, themes


AFI, PA, FINDING = "area_for_improvement", "priority_action", "finding"
# Invented texts in the shape of one council's two visits (letters 1 and 2) and another's (3).
EARLIER = [
    (AFI, "The size of social worker caseloads in the assessment teams.", ["caseloads"]),
    (AFI, "Performance data and how senior leaders use it.", ["quality_assurance"]),
    (PA, "Visits to children at a frequency that matches their risk.", ["direct_work"]),
    (FINDING, "Caseloads are too high in most teams.", ["caseloads"]),
]
LATER = [
    (AFI, "Stability of the workforce so children keep their social worker.", ["workforce"]),
    (AFI, "Caseloads of social workers: time for direct work.", ["caseloads", "direct_work"]),
    (FINDING, "Supervision is regular but variable in quality.", ["supervision_oversight"]),
]
OTHER = [(AFI, "Caseload sizes.", ["caseloads"])]


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    """A migrated database with two letters about one council and one about another."""
    c = connect(db_path, create=True)
    letters = [
        ("North East Lincolnshire", "2019-10-22", EARLIER),
        ("North East Lincolnshire", "2021-05-05", LATER),
        ("Oldham", "2020-10-13", OTHER),
    ]
    for n, (authority, start, units) in enumerate(letters):
        letter, themes = _letter(authority, start, units)
        save_letter(c, letter, sha256=f"sha{n}", source=f"letter{n}.txt", themes=themes)
    return c


def _runner(runner: CliRunner) -> Run:
    def invoke(command: str, *extra: str, code: int = 0) -> Any:
        args = ["actions", *shlex.split(command), *extra]
        result = runner.invoke(app, args)
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        return result

    return invoke


@pytest.fixture
def run(runner: CliRunner, conn: sqlite3.Connection) -> Run:
    """Invoke `lettermine actions <command line>`, check the exit code, return the result."""
    return _runner(runner)


def snapshot(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    c = sqlite3.connect(db_path)
    try:
        return {t: c.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in ACTION_TABLES}
    finally:
        c.close()


def show(run: Run, action_id: int, today: str | None = None) -> dict[str, Any]:
    result = run(f"show {action_id} --json", *(["--today", today] if today else []))
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def listed(run: Run, options: str = "") -> list[dict[str, Any]]:
    return json.loads(run(f"list --json {options}").stdout)  # type: ignore[no-any-return]


def new_action(run: Run, options: str = "", title: str = "An action") -> int:
    return int(run(f"add {options}", "--title", title).stdout)


# -- schema --------------------------------------------------------------------------------------


def test_schema_version_counts_the_migrations(conn: sqlite3.Connection) -> None:
    assert SCHEMA_VERSION == len(migrations._migrations)
    assert "m003_actions" in [m.name for m in migrations._migrations]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(ACTION_TABLES) <= tables


def test_history_cannot_be_edited_or_deleted(conn: sqlite3.Connection) -> None:
    action_id = add_action(conn, title="x", date="2021-01-01")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE action_history SET note = 'x' WHERE action_id = ?", [action_id])
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM action_history WHERE action_id = ?", [action_id])


def test_original_due_cannot_be_changed(conn: sqlite3.Connection) -> None:
    action_id = add_action(conn, title="x", due="2021-03-31", date="2021-01-01")
    with pytest.raises(sqlite3.DatabaseError, match="original due"):
        conn.execute("UPDATE actions SET original_due = '2022-01-01' WHERE id = ?", [action_id])


@pytest.mark.parametrize("column, value", [("percent", 101), ("status", "'finished'")])
def test_database_refuses_bad_values_whatever_writes_them(
    conn: sqlite3.Connection, column: str, value: object
) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(f"INSERT INTO actions (title, {column}, created) VALUES ('x', {value}, '')")


# -- add, show, history --------------------------------------------------------------------------


def test_add_prints_the_id_alone_or_as_json(run: Run) -> None:
    result = run("add --for 1:1 --title 'Reduce caseloads to 25' --due 2022-03-31")
    assert result.stdout == "1\n"
    assert json.loads(run("add --title Second --json").stdout) == {"id": 2}


def test_add_links_units_across_letters(run: Run) -> None:
    action_id = new_action(run, "--for 1:1 --for 2:2 --owner 'Head of Service'")
    action = show(run, action_id)
    assert action["units"] == ["1:1", "2:2"]
    assert [u["date"] for u in action["unit_details"]] == ["2019-10-22", "2021-05-05"]
    assert action["owner"] == "Head of Service"
    assert [h["event"] for h in action["history"]] == ["created", "link", "link"]


def test_letter_export_lists_actions_per_unit(run: Run, runner: CliRunner) -> None:
    action_id = new_action(run, "--for 1:1 --for 2:2")
    result = runner.invoke(app, ["export", "--json"])
    assert result.exit_code == 0, result.output
    units = {u["id"]: u["actions"] for letter in json.loads(result.stdout) for u in letter["units"]}
    assert units["1:1"] == units["2:2"] == [action_id]
    assert units["1:2"] == []


def test_updates_append_and_never_overwrite(run: Run) -> None:
    action_id = new_action(run, "--for 1:1 --start 2020-01-01 --due 2020-12-31 --date 2020-01-01")
    run(
        f"update {action_id} --percent 20 --note 'Two teams recruited' --author HoS",
        "--date=2020-03-01",
    )
    before = show(run, action_id)["history"]
    run(f"update {action_id} --percent 45 --note 'Third team' --evidence 'caseload report May'",
        "--date", "2020-05-31")  # fmt: skip
    after = show(run, action_id)
    assert after["history"][: len(before)] == before  # earlier rows untouched
    assert [(h["at"], h.get("percent"), h.get("note")) for h in after["history"][-2:]] == [
        ("2020-03-01", 20, "Two teams recruited"),
        ("2020-05-31", 45, "Third team"),
    ]
    assert after["history"][-2]["author"] == "HoS"
    assert after["history"][-2]["status"] == "in_progress"  # the first progress starts the action
    assert (after["percent"], after["status"], after["has_evidence"]) == (45, "in_progress", True)


def test_history_is_kept_in_date_order(run: Run, db_path: Path) -> None:
    action_id = new_action(run, "--date 2021-03-01")
    before = snapshot(db_path)
    result = run(f"update {action_id} --note late --date 2021-02-01", code=1)
    assert "before action 1's last recorded change (2021-03-01)" in result.stderr
    assert snapshot(db_path) == before


def test_show_text(run: Run) -> None:
    action_id = new_action(run, "--for 2:2 --due 2022-03-31 --date 2021-06-01")
    run(
        f"measure {action_id} --name 'Average caseload' --baseline 31 --target 25 --date 2021-06-01"
    )
    run(f"update {action_id} --percent 40 --value 28 --date 2021-09-01")
    out = run(f"show {action_id} --today 2021-09-01").stdout
    assert "Action 1: An action" in out
    assert "Caseloads of social workers: time for direct work." in out
    assert "latest 28, 50% of the way" in out
    assert "2021-09-01  update  in_progress  40%  Average caseload  = 28" in out


# -- status --------------------------------------------------------------------------------------


def test_lifecycle(run: Run) -> None:
    action_id = new_action(run, "--date 2021-01-01")
    for status in ("in_progress", "blocked", "in_progress", "done", "verified"):
        run(f"status {action_id} {status} --date 2021-02-01")
    action = show(run, action_id)
    assert (action["status"], action["percent"]) == ("verified", 100)
    assert [h.get("status") for h in action["history"]] == [
        "not_started", "in_progress", "blocked", "in_progress", "done", "verified",
    ]  # fmt: skip


def test_impossible_move_needs_force(run: Run, db_path: Path) -> None:
    action_id = new_action(run, "--date 2021-01-01")
    run(f"status {action_id} done --date 2021-01-02")
    run(f"status {action_id} verified --date 2021-01-03")
    before = snapshot(db_path)
    result = run(f"status {action_id} not_started", code=1)
    assert result.stderr.startswith("Error: cannot move from verified to not_started")
    assert snapshot(db_path) == before
    run(f"status {action_id} not_started --force --note 'Audit reopened it'")
    last = show(run, action_id)["history"][-1]
    assert (last["status"], last["reason"], last["note"]) == (
        "not_started",
        "forced",
        "Audit reopened it",
    )


@pytest.mark.parametrize(
    ("current", "new"),
    [("verified", "done"), ("in_progress", "not_started"), ("not_started", "verified"),
     ("blocked", "done")],
)  # fmt: skip
def test_forbidden_moves(current: str, new: str) -> None:
    assert new not in TRANSITIONS[current]
    with pytest.raises(InvalidInput):
        check_transition(current, new)
    check_transition(current, new, force=True)


def test_same_or_unknown_status_is_an_error() -> None:
    with pytest.raises(InvalidInput, match="already"):
        check_transition("done", "done", force=True)
    with pytest.raises(InvalidInput, match="unknown status"):
        check_transition("done", "finished")


def test_closed_action_is_reopened_before_its_percent_drops(conn: sqlite3.Connection) -> None:
    action_id = add_action(conn, title="x", date="2021-01-01")
    set_status(conn, action_id, "done", date="2021-01-02")
    with pytest.raises(InvalidInput, match="reopen"):
        update_action(conn, action_id, percent=50, date="2021-01-03")
    update_action(conn, action_id, note="notes are still welcome", date="2021-01-03")


# -- due dates -----------------------------------------------------------------------------------


def test_revised_due_keeps_the_original(run: Run) -> None:
    action_id = new_action(run, "--start 2020-01-01 --due 2020-03-31 --date 2020-01-01")
    run(f"due {action_id} 2020-06-30 --reason COVID-19 --date 2020-03-20")
    run(f"due {action_id} 2020-09-30 --reason Recruitment --date 2020-06-01")
    action = show(run, action_id)
    assert (action["original_due"], action["due"]) == ("2020-03-31", "2020-09-30")
    assert [(h["due"], h.get("reason")) for h in action["history"] if h["event"] == "due"] == [
        ("2020-06-30", "COVID-19"),
        ("2020-09-30", "Recruitment"),
    ]


def test_first_due_date_becomes_the_original(run: Run) -> None:
    action_id = new_action(run, "--date 2020-01-01")
    run(f"due {action_id} 2020-06-30 --reason 'Agreed at board'")
    assert show(run, action_id)["original_due"] == "2020-06-30"


# -- RAG -----------------------------------------------------------------------------------------


def test_rag_at_fixed_dates(run: Run) -> None:
    action_id = new_action(run, "--start 2020-01-01 --due 2020-12-31 --date 2020-01-01")
    run(f"update {action_id} --percent 40 --date 2020-07-01")
    assert show(run, action_id, "2020-07-01")["rag"] == "green"
    assert show(run, action_id, "2020-09-01")["rag"] == "red"  # 67% of time gone, 40% done
    assert show(run, action_id, "2021-01-01")["rag_reason"] == "overdue by 1 day"
    rag = run(f"rag {action_id} --today 2020-08-01").stdout
    assert rag == "amber  behind: 40% done, 58% of time gone\n"


def test_override_needs_a_reason_and_shows_as_override(run: Run, db_path: Path) -> None:
    action_id = new_action(run, "--start 2020-01-01 --due 2020-12-31 --date 2020-01-01")
    before = snapshot(db_path)
    assert "needs a --reason" in run(f"rag {action_id} --override green", code=1).stderr
    result = run(f"rag {action_id} --override purple --reason x", code=1)
    assert "unknown RAG colour" in result.stderr
    assert snapshot(db_path) == before
    out = run(f"rag {action_id} --override amber --reason 'Agency staff leave in June'",
              "--today", "2020-02-01", "--date", "2020-02-01", "--json").stdout  # fmt: skip
    assert json.loads(out) == {
        "id": action_id,
        "rag": "amber",
        "rag_reason": "override: Agency staff leave in June",
        "rag_override": True,
        "rag_rule": "green",
        "rag_rule_reason": "on track: 0% done, 8% of time gone",
        "as_at": "2020-02-01",
    }
    assert listed(run, "--today 2020-02-01")[0]["rag_override"] is True
    assert "amber*" in run("list --today 2020-02-01").stdout
    assert "Rule says:   green" in run(f"show {action_id} --today 2020-02-01").stdout
    run(f"rag {action_id} --clear --reason 'Staff back' --date 2020-03-01")
    assert show(run, action_id, "2020-02-01")["rag"] == "green"
    events = [h["event"] for h in show(run, action_id)["history"]]
    assert events[-2:] == ["override", "override_cleared"]
    assert "no RAG override" in run(f"rag {action_id} --clear", code=1).stderr


# -- links ---------------------------------------------------------------------------------------


def test_link_and_unlink_keep_history(run: Run) -> None:
    action_id = new_action(run, "--for 1:1 --date 2020-01-01")
    run(f"link {action_id} 2:2 2:1")
    run(f"unlink {action_id} 2:1")
    action = show(run, action_id)
    assert action["units"] == ["1:1", "2:2"]
    assert [(h["event"], h["unit"]) for h in action["history"] if "unit" in h] == [
        ("link", "1:1"), ("link", "2:2"), ("link", "2:1"), ("unlink", "2:1"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("link 1 9:9", "no unit 9:9"),
        ("link 1 abc", "'abc' is not a unit id"),
        ("link 1 1:2 1:1", "already linked"),  # all or nothing: 1:2 is not linked either
        ("unlink 1 1:2", "not linked"),
        ("link 99 1:1", "no action 99"),
    ],
)
def test_bad_links_change_nothing(run: Run, db_path: Path, command: str, message: str) -> None:
    new_action(run, "--for 1:1")
    before = snapshot(db_path)
    assert message in run(command, code=1).stderr
    assert snapshot(db_path) == before


# -- measures ------------------------------------------------------------------------------------


def test_measure_direction_and_progress(run: Run, db_path: Path) -> None:
    a = new_action(run, "--date 2020-01-01")
    assert run(f"measure {a} --name Caseload --baseline 31 --target 25").stdout == "1\n"
    run(f"measure {a} --name 'ICPCs in 15 days' --baseline 45 --target 85 --unit %")
    before = snapshot(db_path)
    assert "several measures" in run(f"update {a} --value 28", code=1).stderr
    result = run(f"measure {a} --name caseload --baseline 1 --target 2", code=1)
    assert "already has a measure 'caseload'" in result.stderr
    result = run(f"measure {a} --name V --baseline 80 --target 70 --direction up", code=1)
    assert "target 70 is not up from baseline 80" in result.stderr
    assert snapshot(db_path) == before
    run(f"update {a} --value 28 --measure caseload")
    run(f"update {a} --value 86 --measure 'ICPCs in 15 days'")
    measures = {m["name"]: m for m in show(run, a)["measures"]}
    caseload, icpc = measures["Caseload"], measures["ICPCs in 15 days"]
    assert caseload["direction"] == "down" and icpc["direction"] == "up"
    assert (caseload["latest"], caseload["progress"], caseload["met"]) == (28, 50, False)
    assert icpc["met"] is True


def test_measure_progress() -> None:
    assert measure_progress(31, 25, "down", None) == (None, None)
    assert measure_progress(31, 25, "down", 25) == (100, True)
    assert measure_progress(45, 85, "up", 35) == (-25, False)
    assert measure_progress(100, 100, "up", 100) == (100, True)


def test_value_needs_a_measure(run: Run) -> None:
    action_id = new_action(run)
    assert "has no measure" in run(f"update {action_id} --value 3", code=1).stderr


# -- list ----------------------------------------------------------------------------------------


@pytest.fixture
def tracker(run: Run) -> dict[str, int]:
    """Four actions in 2020: caseloads (on track), visits (overdue), data (done), workforce."""
    made = "--date 2020-01-01 --start 2020-01-01"
    ids = {
        "caseloads": new_action(run, f"--for 1:1 --for 2:2 --owner HoS --due 2020-12-31 {made}"),
        "visits": new_action(run, f"--for 1:3 --owner 'Service Manager' --due 2020-03-31 {made}"),
        "data": new_action(run, "--for 1:2 --owner HoP --due 2020-06-30 --date 2020-01-01"),
        "workforce": new_action(
            run, "--for 2:1 --owner HoS --start 2020-06-01 --due 2020-07-15 --date 2020-01-01"
        ),
    }
    run(f"update {ids['caseloads']} --percent 30 --date 2020-04-01")
    run(f"status {ids['data']} done --date 2020-05-01")
    return ids


def test_list_json_contract(run: Run, tracker: dict[str, int]) -> None:
    rows = listed(run, "--today 2020-04-01")
    order = ["visits", "data", "workforce", "caseloads"]  # soonest due first
    assert [r["id"] for r in rows] == [tracker[k] for k in order]
    contract = {"id", "title", "owner", "status", "percent", "due", "original_due", "rag", "units"}
    assert all(contract <= set(row) for row in rows)
    caseloads = rows[-1]
    assert caseloads["units"] == ["1:1", "2:2"]
    assert (caseloads["status"], caseloads["percent"], caseloads["rag"]) == (
        "in_progress",
        30,
        "green",
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("--overdue", ["visits"]),
        ("--status done", ["data"]),
        ("--owner hos", ["workforce", "caseloads"]),
        ("--theme caseloads", ["caseloads"]),
        ("--theme direct_work", ["visits", "caseloads"]),
        ("--due-within 106", ["workforce"]),  # open actions due by 2020-07-16; data is done
        ("--due-within 300", ["workforce", "caseloads"]),
        ("--letter 2", ["workforce", "caseloads"]),
        ("--la 'North East Lincolnshire Council'", ["visits", "data", "workforce", "caseloads"]),
        ("--overdue --owner HoS", []),
    ],
)
def test_list_filters(run: Run, tracker: dict[str, int], options: str, expected: list[str]) -> None:
    rows = listed(run, f"--today 2020-04-01 {options}")
    assert [r["id"] for r in rows] == [tracker[k] for k in expected]


def test_list_table_and_csv(run: Run, tracker: dict[str, int]) -> None:
    table = run("list --today 2020-04-01").stdout.splitlines()
    assert table[0].split() == ["id", "ref", "title", "owner", "status", "percent", "due", "RAG",
                                "units"]  # fmt: skip
    assert len(table) == 2 + len(tracker)
    lines = run("list --csv --today 2020-04-01 --overdue").stdout.splitlines()
    assert lines[0].startswith("id,ref,title,owner,status,percent")
    assert lines[1].startswith(f"{tracker['visits']},,An action,Service Manager,not_started,0")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("--theme nonsense", "unknown theme"),
        ("--status finished", "unknown status"),
        ("--letter 42", "no letter 42"),
        ("--la Atlantis", "no letters about 'Atlantis'"),
        ("--today 2020-13-01", "not a date"),
        ("--due-within -1", "0 or more"),
    ],
)
def test_list_bad_filters(run: Run, options: str, message: str) -> None:
    result = run(f"list {options}", code=1)
    assert message in result.stderr and result.stdout == ""


# -- bad input: one line, exit 1, nothing written ------------------------------------------------


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("add --title x --for 7:7", "no unit 7:7"),
        ("add --title x --for 1:1 --for 1:99", "no unit 1:99"),
        ("add --title x --due 31/03/2020", "is not a date"),
        ("add --title x --start 2020-04-01 --due 2020-03-31", "before the start"),
        ("add --title ' '", "needs a title"),
        ("add --title x --ref EM1", "already action 1"),
        ("update 1 --percent 101", "between 0 and 100"),
        ("update 1 --percent -1", "between 0 and 100"),
        ("update 1", "nothing to record"),
        ("update 1 --note x --date yesterday", "not a date"),
        ("update 2 --note x", "no action 2"),
        ("status 1 verified", "cannot move from not_started to verified"),
        ("status 1 not_started", "already not_started"),
        ("status 1 paused", "unknown status"),
        ("status 5 done", "no action 5"),
        ("due 1 2020-02-30 --reason x", "not a date"),
        ("due 1 2019-12-31 --reason x", "before the start"),
        ("due 1 2020-09-30 --reason ' '", "needs a --reason"),
        ("due 1 2020-06-30 --reason x", "already due"),
        ("rag 1 --override red --clear", "not both"),
        ("rag 1 --reason x", "goes with --override"),
        ("measure 1 --name x --baseline 1 --target 2 --direction sideways", "unknown direction"),
        ("measure 1 --name ' ' --baseline 1 --target 2", "needs a --name"),
        ("show 3", "no action 3"),
        ("coverage --letter 9", "no letter 9"),
        ("coverage --la Atlantis", "no letters about"),
        ("recurring --la Atlantis", "no letters about"),
    ],
)
def test_bad_input(run: Run, db_path: Path, command: str, message: str) -> None:
    run("add --title First --ref EM1 --start 2020-01-01 --due 2020-06-30")
    before = snapshot(db_path)
    result = run(command, code=1)
    assert message in result.stderr, result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert snapshot(db_path) == before


def test_bad_usage_exits_2(run: Run) -> None:
    run("add --title x")
    run("update 1 --percent forty", code=2)
    run("export --csv --json", code=2)
    run("due 1 2020-01-01", code=2)  # --reason is required


# -- coverage ------------------------------------------------------------------------------------


def test_coverage_check(run: Run) -> None:
    result = run("coverage --la 'north east lincolnshire' --check --json", code=1)
    report = json.loads(result.stdout)
    assert [a["unit"] for a in report["uncovered"]] == ["1:1", "1:2", "1:3", "2:1", "2:2"]
    assert "0 of 5" in result.stderr
    new_action(run, "--for 2:1 --for 2:2")
    run("coverage --letter 2 --check")
    uncovered = run("coverage --check", code=1).stdout
    assert "1:3" in uncovered and "3:1" in uncovered and "2:1" not in uncovered
    new_action(run, "--for 1:1 --for 1:2 --for 1:3 --for 3:1")
    assert run("coverage --check").stdout == ""


def test_coverage_shows_areas_whose_action_is_late(run: Run) -> None:
    action_id = new_action(run, "--for 2:1 --due 2020-06-30")
    result = run("coverage --letter 2 --json --today 2020-07-01", code=0)
    report = json.loads(result.stdout)
    assert (report["overdue"], report["as_at"]) == (1, "2020-07-01")
    assert [a["overdue_actions"] for a in report["all"]] == [[action_id], []]
    assert "1 of 2 areas for improvement and priority actions have an action; 1 of them an " in (
        result.stderr
    )
    assert json.loads(run("coverage --letter 2 --json --today 2020-06-30").stdout)["overdue"] == 0


def test_coverage_counts_areas_not_findings(conn: sqlite3.Connection) -> None:
    assert coverage(conn, letter_ids=[1])["areas"] == 3  # two areas, one priority action


# -- recurrence ----------------------------------------------------------------------------------


def test_recurring_finds_earlier_areas_and_their_actions(run: Run) -> None:
    action_id = new_action(run, "--for 1:1", title="Caseloads to 25")
    found = json.loads(run("recurring --la 'North East Lincolnshire' --json").stdout)
    assert [f["unit"] for f in found] == ["2:2"]
    earlier = found[0]["earlier"]
    assert [e["unit"] for e in earlier] == ["1:1"]
    assert (earlier[0]["by"], earlier[0]["shared_themes"]) == ("key word and themes", ["caseloads"])
    assert earlier[0]["actions"] == [
        {"id": action_id, "title": "Caseloads to 25", "status": "not_started"}
    ]
    # Oldham's "Caseload sizes" (2020) is another council's: never a match
    everywhere = json.loads(run("recurring --json").stdout)
    assert everywhere == found
    table = run("recurring").stdout
    assert "2:2" in table and "1:1" in table


def test_recurring_by_text_only(run: Run) -> None:
    found = json.loads(run("recurring --text-only --json").stdout)
    assert [(f["unit"], [e["unit"] for e in f["earlier"]]) for f in found] == [("2:2", ["1:1"])]
    assert (found[0]["earlier"][0]["by"], found[0]["earlier"][0]["themes"]) == ("key word", [])


def test_text_match() -> None:
    assert content_words("Visits to children, visiting and visited") == {"visit"}
    assert content_words("multi-agency pre-proceedings (outcome 3, national framework)") == {
        "multiagency",
        "preproceed",
    }
    same = match(
        "The quality and effectiveness of managerial oversight and supervision.", [],
        "The effectiveness of managerial oversight and supervision.", [],
    )  # fmt: skip
    assert same is not None and same["by"] == "text" and same["text_similarity"] == 1.0
    assert match("Permanence planning.", ["permanence"], "Quality of plans.", ["planning"]) is None
    # themes agree but not one word in common: themes alone are too broad
    assert match("Training for staff.", ["workforce"], "Stable teams.", ["workforce"]) is None
    by_theme = match("Training for staff.", ["workforce"], "Staff turnover.", ["workforce", "x"])
    assert by_theme is not None and by_theme["by"] == "themes"
    # one shared word is enough when it is rare and heads both concerns
    a = "The size of caseloads in the assessment teams, so that children are seen."
    b = "Caseloads, to enable direct work."
    assert match(a, [], b, []) is None
    key = match(a, [], b, [], rare=frozenset({"caseload"}))
    assert key is not None and key["by"] == "key word" and key["shared_words"] == ["caseload"]


def test_head_and_rare_words() -> None:
    assert head_words("Social worker caseloads, to enable direct work") == {"caseload"}
    assert head_words("Visits so that children are seen") == {"visit"}
    # an abbreviation in brackets is part of the concern, not the end of it
    assert head_words("Child in need (CIN) planning, to ensure x") == {"cin", "plan"}
    # 106 texts: rare means in at most 3% of them (3.18) or 3, whichever is more
    texts = ["caseloads"] + ["plans"] * 4 + ["teams"] * 3 + ["other"] * 98
    assert rare_words(texts) == {"caseload", "team"}


# -- import and export ---------------------------------------------------------------------------

TRACKER = "\ufeff" + "\n".join(
    [
        "Ref,Title,Owner,Status,Percent,Start,Due,Units,Note,Evidence,RAG",
        "EM1,Reduce caseloads to 25 (QSW) and 18 (ASYE),Head of Service,In progress,40%,"
        "20/12/2019,31/03/2020,1:1; 2:2,Two new teams,caseload report,Red",
        "EM6,ICPCs within 15 days of section 47,CP chair,Not started,,2019-12-20,2020-12-31,,,,",
        "EM7,Statutory visits within timescales,Service Manager,Complete,80,2019-12-20,"
        "2020-09-30,1:3,,audit,",
    ]
)


def test_import_creates_actions_from_a_council_tracker(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    path.write_text(TRACKER, encoding="utf-8")
    result = run(f"import {path} --date 2020-01-15")
    assert result.stdout.split() == ["1", "2", "3"]
    assert "warning" not in result.stderr  # RAG is a column we write, so no surprise
    rows = {r["ref"]: r for r in listed(run, "--today 2020-01-15")}
    em1, em6, em7 = rows["EM1"], rows["EM6"], rows["EM7"]
    assert em1["units"] == ["1:1", "2:2"]
    assert (em1["status"], em1["percent"], em1["start"], em1["due"]) == (
        "in_progress",
        40,
        "2019-12-20",
        "2020-03-31",
    )
    assert (em6["status"], em6["percent"]) == ("not_started", 0)
    assert (em7["status"], em7["percent"]) == ("done", 100)
    first = show(run, em1["id"])["history"][0]
    assert (first["event"], first["note"]) == ("imported", "Two new teams")
    assert first["reason"] == "imported from tracker.csv row 2"


def test_importing_a_tracker_twice_does_not_double_it(
    run: Run, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "tracker.csv"
    path.write_text(
        "title,owner,status,percent,due,units\n"
        "Reduce caseloads,Head of Service,in progress,40,2020-03-31,1:1; 1:2\n"
        "Audit supervision,Service Manager,not started,,2020-06-30,\n",
        encoding="utf-8",
    )
    assert run(f"import {path}").stdout.split() == ["1", "2"]
    before = snapshot(db_path)
    message = run(f"import {path}", code=1).stderr
    assert message.startswith("Error: tracker.csv: nothing imported, 2 problems: ")
    assert "row 2: 'Reduce caseloads' is already action 1 with the same areas" in message
    assert "row 3: 'Audit supervision' is already action 2" in message
    assert snapshot(db_path) == before
    # The same title for other areas is another action.
    path.write_text(
        "title,owner,status,percent,due,units\nReduce  CASELOADS,HoS,not started,,,1:3\n",
        encoding="utf-8",
    )
    assert run(f"import {path}").stdout.split() == ["3"]


def test_import_warns_of_unknown_columns(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    path.write_text("title,owner,status,percent,due,units,Comments\nx,,,,,,hi\n", encoding="utf-8")
    assert "warning: column 'comments' is not a tracker column" in run(f"import {path}").stderr


def test_import_with_missing_columns_writes_nothing(
    run: Run, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "tracker.csv"
    path.write_text("Title,Due\nReduce caseloads,2020-03-31\n", encoding="utf-8")
    before = snapshot(db_path)
    result = run(f"import {path}", code=1)
    assert result.stderr == (
        "Error: tracker.csv: missing columns owner, status, percent, units (a tracker needs "
        "title, owner, status, percent, due, units: see 'lettermine actions export --csv')\n"
    )
    assert snapshot(db_path) == before


def test_import_reports_every_bad_row_and_writes_nothing(
    run: Run, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "tracker.csv"
    rows = [
        "title,owner,status,percent,due,units,start,ref",
        "Good row,me,in progress,10,2020-03-31,1:1,,A",
        ",me,in progress,10,2020-03-31,,,",
        "Bad percent,me,in progress,140,2020-03-31,,,",
        "Bad date,me,in progress,10,31st March,,,",
        "Bad unit,me,in progress,10,2020-03-31,8:8,,",
        "Bad status,me,paused,10,2020-03-31,,,",
        "Due before start,me,in progress,10,2020-03-31,,2020-04-01,",
        "Repeated ref,me,in progress,10,2020-03-31,,,A",
    ]
    path.write_text("\n".join(rows), encoding="utf-8")
    before = snapshot(db_path)
    message = run(f"import {path}", code=1).stderr
    assert message.startswith("Error: tracker.csv: nothing imported, 7 problems: row 3: no title; ")
    assert "row 4: percent must be between 0 and 100" in message
    assert "row 5: due '31st March' is not a date" in message
    assert "row 6: no unit 8:8" in message
    assert message.endswith("; and 2 more\n")
    assert snapshot(db_path) == before


def test_import_of_a_missing_or_empty_file(run: Run, tmp_path: Path) -> None:
    assert "nope.csv: no such file" in run(f"import {tmp_path / 'nope.csv'}", code=1).stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert "no header row" in run(f"import {empty}", code=1).stderr


def test_import_reads_excel_windows_encoding(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    path.write_bytes(
        "title,owner,status,percent,due,units\nCaf\u00e9 review,,,,,\n".encode("cp1252")
    )
    run(f"import {path}")
    assert listed(run)[0]["title"] == "Caf\u00e9 review"


def test_export_csv_round_trips(
    run: Run,
    tracker: dict[str, int],
    tmp_path: Path,
    runner: CliRunner,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exported = run("export --csv --today 2020-04-01").stdout
    assert exported.splitlines()[0] == (
        "ref,title,description,owner,status,percent,start,original_due,due,units,note,evidence,"
        "author,date,created,rag_override,rag_override_reason,rag,rag_reason,id"
    )
    path = tmp_path / "tracker.csv"
    path.write_text(exported, encoding="utf-8")
    before = listed(run, "--today 2020-04-01")
    # A second database holding the same letters, so unit ids name the same units.
    second = tmp_path / "second.db"
    monkeypatch.setenv("LETTERMINE_DB", str(second))
    c = connect(second, create=True)
    c.execute("ATTACH DATABASE ? AS first", [str(db_path)])
    for table in ("letters", "units", "unit_themes"):
        c.execute(f"INSERT INTO {table} SELECT * FROM first.{table}")
    c.commit()
    c.execute("DETACH DATABASE first")
    run(f"import {path}")
    after = listed(run, "--today 2020-04-01")
    keys = ("title", "owner", "status", "percent", "start", "due", "original_due", "units", "rag")
    assert [{k: r[k] for k in keys} for r in after] == [{k: r[k] for k in keys} for r in before]


def test_export_json_has_history(run: Run, tracker: dict[str, int]) -> None:
    exported = json.loads(run("export --today 2020-04-01").stdout)
    assert [a["id"] for a in exported] == sorted(tracker.values())
    assert exported[0]["history"][0]["event"] == "created"
    assert exported[0]["measures"] == []


# -- the seed scenario ---------------------------------------------------------------------------


def _invented_seed_letter(conn: sqlite3.Connection) -> tuple[int, list[str]]:
    letter, _ = _letter(
        "North East Lincolnshire",
        "2021-05-05",
        [
            (AFI, "Workforce sufficiency and stability (invented text).", []),
            (AFI, "Caseloads low enough for direct work (invented text).", []),
            (FINDING, "Supervision quality varies (invented text).", []),
        ],
    )
    letter_id, _ = save_letter(conn, letter, sha256="seed", source="invented.txt")
    return letter_id, [f"{letter_id}:1", f"{letter_id}:2"]


def _real_seed_letter(runner: CliRunner) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["ingest", str(SEED_LETTER), "--no-classify"])
    assert result.exit_code == 0, result.stderr
    letters = json.loads(runner.invoke(app, ["letters", "--json"]).stdout)
    seed = [x for x in letters if x["source"] == SEED_LETTER.name]
    assert len(seed) == 1 and seed[0]["authority"] == "North East Lincolnshire"
    letter = json.loads(runner.invoke(app, ["show", str(seed[0]["id"]), "--json"]).stdout)
    afis = [u for u in letter["units"] if u["kind"] == AFI]
    assert len(afis) == 2
    assert "workforce" in afis[0]["text"] and "caseloads" in afis[1]["text"]
    return int(seed[0]["id"]), [u["id"] for u in afis]


@pytest.mark.parametrize(
    "source",
    [
        "invented",
        pytest.param(
            "real",
            marks=pytest.mark.skipif(
                not SEED_LETTER.exists(), reason=f"{SEED_LETTER.name} is not in letters/ yet"
            ),
        ),
    ],
)
def test_seed_scenario(source: str, runner: CliRunner, db_path: Path) -> None:
    """North East Lincolnshire: DfE escalation measures (December 2019), then the June 2021 letter.

    Baselines and monthly figures are illustrative, not the council's.
    """
    conn = connect(db_path, create=True)
    letter_id, (workforce_afi, caseload_afi) = (
        _invented_seed_letter(conn) if source == "invented" else _real_seed_letter(runner)
    )
    run = _runner(runner)

    def state(action_id: int, today: str) -> dict[str, Any]:
        return show(run, action_id, today)

    def overdue(today: str) -> list[str]:
        return [r["ref"] for r in listed(run, f"--overdue --today {today}")]

    # The letter arrives with two areas for improvement and nothing answering them.
    run(f"coverage --letter {letter_id} --check", code=1)

    # December 2019: the improvement notice's escalation measures become actions.
    notice = "--start 2019-12-20 --date 2019-12-20 --author DCS"
    em1 = new_action(run, f"--ref EM1 --owner 'Head of Service' --due 2020-03-31 {notice}",
                     "Reduce caseloads to max 25 (QSW) and 18 (ASYE)")  # fmt: skip
    em6 = new_action(run, f"--ref EM6 --owner 'Head of Safeguarding' --due 2020-12-31 {notice}",
                     "ICPCs within 15 days of section 47 enquiries")  # fmt: skip
    em7 = new_action(run, f"--ref EM7 --owner 'Service Manager' --due 2020-09-30 {notice}",
                     "Statutory visits within timescales, month on month")  # fmt: skip
    em8 = new_action(run, f"--ref EM8 --owner 'Principal Social Worker' --due 2020-06-30 {notice}",
                     "Regular reflective supervision, all cases each cycle")  # fmt: skip
    qsw, asye = "--measure 'Average caseload, QSW'", "--measure 'Average caseload, ASYE'"
    on = "--date 2019-12-20"
    run(f"measure {em1} --name 'Average caseload, QSW' --baseline 31 --target 25 {on}")
    run(f"measure {em1} --name 'Average caseload, ASYE' --baseline 22 --target 18 {on}")
    run(f"measure {em6} --name 'ICPCs within 15 days' --baseline 45 --target 85 --unit % {on}")
    run(f"measure {em7} --name 'Visits within timescales' --baseline 70 --target 95 {on}")

    # February 2020: caseloads falling, on track.
    run(f"update {em1} --percent 60 --value 27 {qsw} --note 'Two new teams in post'",
        "--author", "Head of Service", "--date", "2020-02-20")  # fmt: skip
    run(f"update {em8} --percent 30 --note 'Supervision policy relaunched' --date 2020-02-20")
    assert state(em1, "2020-02-20")["rag"] == "green"  # 60% done, 61% of time gone
    assert state(em1, "2020-03-10")["rag"] == "amber"  # no news for three weeks: 79% gone
    assert state(em6, "2020-01-20")["rag"] == "green"  # not started, 8% of time gone: tolerated
    assert state(em6, "2020-03-20")["rag"] == "amber"  # 24% of time gone, nothing done

    # April 2020: COVID-19. EM1 misses its date and the date is revised; ICPCs are blocked.
    run(f"update {em1} --percent 90 --value 25.5 {qsw} --date 2020-03-31")
    assert overdue("2020-04-01") == ["EM1"]
    assert state(em1, "2020-04-01")["rag_reason"] == "overdue by 1 day"
    run(f"due {em1} 2020-06-30 --reason 'COVID-19: recruitment paused' --date 2020-04-02")
    assert overdue("2020-04-02") == []
    assert state(em1, "2020-04-02")["rag"] == "green"  # 90% done, 54% of the revised time gone
    run(f"status {em6} blocked --note 'Conferences paused by COVID-19' --date 2020-04-06")
    assert state(em6, "2020-04-06")["rag_reason"] == "blocked"  # amber while there is time
    assert state(em8, "2020-05-01")["rag"] == "red"  # 30% done, 68% of time gone

    # Summer 2020: caseloads reach both targets, with evidence; EM8 and EM7 slip past their dates.
    run(f"update {em1} --percent 100 --value 24.8 {qsw} --evidence 'Caseload report June 2020'",
        "--date", "2020-06-15")  # fmt: skip
    run(f"update {em1} --value 17.5 {asye} --date 2020-06-15")
    run(f"status {em1} done --date 2020-06-20")
    assert state(em1, "2020-06-20")["rag_reason"] == "done, evidence recorded"
    assert all(m["met"] for m in state(em1, "2020-06-20")["measures"])
    assert overdue("2020-07-01") == ["EM8"]
    assert overdue("2020-10-01") == ["EM8", "EM7"]  # soonest due first

    # December 2020: ICPCs still blocked with the due date near, so red; then unblocked, and the
    # DfE adviser's view is recorded as an override.
    assert state(em6, "2020-12-10")["rag_reason"] == "blocked, due in 21 days"
    run(f"status {em6} in_progress --date 2020-12-15")
    run(f"update {em6} --percent 80 --value 83 --date 2020-12-15")
    assert state(em6, "2020-12-16")["rag"] == "amber"  # due in 15 days, 80% done, 96% gone
    run(f"rag {em6} --override green --reason 'DfE adviser: 83% and rising' --date 2020-12-16")
    em6_state = state(em6, "2020-12-16")
    assert (em6_state["rag"], em6_state["rag_reason"], em6_state["rag_rule"]) == (
        "green",
        "override: DfE adviser: 83% and rising",
        "amber",
    )

    # June 2021: the focused visit finds caseloads still too high in some teams. EM1 answers the
    # new area too, is reopened and gets a new date; the workforce area gets its own action.
    june = "--date 2021-06-21"
    run(f"link {em1} {caseload_afi} {june}")
    run(f"status {em1} in_progress --note 'Focused visit: still too high in some teams' {june}")
    run(f"due {em1} 2022-03-31 --reason 'New area for improvement, June 2021' {june}")
    run(f"coverage --letter {letter_id} --check", code=1)  # the workforce area has no action
    workforce = new_action(
        run,
        f"--for {workforce_afi} --owner 'Head of Workforce' --start 2021-07-01 --due 2022-06-30 "
        f"{june}",
        "Recruit and keep permanent social workers",
    )
    run(f"coverage --letter {letter_id} --check")
    assert state(workforce, "2021-08-01")["rag"] == "green"

    # History: every change to EM1 in order, the original due date kept.
    em1_state = state(em1, "2021-06-21")
    assert (em1_state["original_due"], em1_state["due"]) == ("2020-03-31", "2022-03-31")
    assert em1_state["units"] == [caseload_afi]
    assert [(h["at"], h["event"]) for h in em1_state["history"]] == [
        ("2019-12-20", "created"),
        ("2019-12-20", "measure"),
        ("2019-12-20", "measure"),
        ("2020-02-20", "update"),
        ("2020-03-31", "update"),
        ("2020-04-02", "due"),
        ("2020-06-15", "update"),
        ("2020-06-15", "update"),
        ("2020-06-20", "status"),
        ("2021-06-21", "link"),
        ("2021-06-21", "status"),
        ("2021-06-21", "due"),
    ]
    revisions = [h["due"] for h in em1_state["history"] if h["event"] == "due"]
    assert revisions == ["2020-06-30", "2022-03-31"]
    assert (em1_state["status"], em1_state["percent"]) == ("in_progress", 100)
    letters = json.loads(runner.invoke(app, ["export", "--json"]).stdout)
    units = {u["id"]: u["actions"] for x in letters for u in x["units"]}
    assert units[caseload_afi] == [em1] and units[workforce_afi] == [workforce]


# -- what mutation testing found untested (issue 19) ---------------------------------------------


def test_export_csv_carries_the_latest_note_evidence_author_date_and_override(run: Run) -> None:
    """Each of these columns comes from a different history entry: the latest that has it."""
    import csv
    import io

    action_id = new_action(run, "--for 1:1 --date 2020-01-01 --due 2020-12-31")
    run(f"update {action_id} --percent 10 --note 'First note' --author 'A. Lead' --date 2020-02-01")
    run(f"update {action_id} --evidence 'Audit report' --author 'B. Officer' --date 2020-03-01")
    run(f"rag {action_id} --override amber --reason 'Staff leave' --date 2020-03-05")
    run(f"link {action_id} 2:1 --date 2020-03-10")
    run(f"unlink {action_id} 2:1 --author 'D. Clerk' --date 2020-04-01")
    exported = run("export --csv --today 2020-04-02").stdout
    assert "\r" not in exported  # one newline a row, as the other commands print
    (row,) = csv.DictReader(io.StringIO(exported))
    assert {k: row[k] for k in ("note", "evidence", "author", "date")} == {
        "note": "First note",
        "evidence": "Audit report",
        "author": "D. Clerk",
        "date": "2020-04-01",
    }
    assert (row["rag_override"], row["rag_override_reason"]) == ("amber", "Staff leave")
    assert (row["description"], row["ref"], row["units"]) == ("", "", "1:1")
    unlinked = show(run, action_id)["history"][-1]
    assert (unlinked["event"], unlinked["at"], unlinked["author"]) == (
        "unlink",
        "2020-04-01",
        "D. Clerk",
    )


def test_an_import_with_one_problem_says_problem_not_problems(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    path.write_text("title,owner,status,percent,due,units\nA review,,,,,\n,Nobody,,,,\n", "utf-8")
    message = run(f"import {path}", code=1).stderr
    assert message.startswith("Error: tracker.csv: nothing imported, 1 problem: row 3: no title")


def test_import_keeps_description_and_author_and_names_the_action_a_ref_is_taken_by(
    run: Run, tmp_path: Path
) -> None:
    new_action(run, "--ref EM1")  # action 1
    path = tmp_path / "tracker.csv"
    header = "ref,title,description,owner,status,percent,due,units,author,rag_override,"
    path.write_text(
        header + "rag_override_reason\nEM2,Audit supervision,Monthly audits,SM,in progress,10,"
        "2020-06-30,1:1,A. Lead,amber,Staff leave\nEM3,Another,,SM,,,,1:2,,red,Late\n",
        encoding="utf-8",
    )
    second, third = map(int, run(f"import {path} --author 'B. Officer'").stdout.split())
    action = show(run, second)
    assert action["description"] == "Monthly audits"
    made = {(h["event"], h.get("author")) for h in action["history"]}
    assert {("link", "A. Lead"), ("override", "A. Lead")} <= made  # the row's own author
    made = {(h["event"], h.get("author")) for h in show(run, third)["history"]}
    assert {("link", "B. Officer"), ("override", "B. Officer")} <= made  # else the importer
    path.write_text("ref,title,owner,status,percent,due,units\nEM1,Other,SM,,,,\n", "utf-8")
    assert "ref 'EM1' is already action 1" in run(f"import {path}", code=1).stderr


def test_coverage_of_two_letters_at_once(conn: sqlite3.Connection) -> None:
    both = coverage(conn, letter_ids=[1, 2])
    assert both == coverage(conn, letter_ids=[2, 1])
    one, two = coverage(conn, letter_ids=[1]), coverage(conn, letter_ids=[2])
    assert both["areas"] == one["areas"] + two["areas"] == 5


def test_every_change_records_who_made_it(run: Run) -> None:
    action_id = new_action(
        run, "--for 1:1 --date 2020-01-01 --due 2020-06-30 --description 'Monthly audits'"
    )
    run(f"status {action_id} in_progress --author 'A. Lead' --date 2020-02-01")
    run(
        f"due {action_id} 2020-09-30 --reason 'Recruitment' --author 'B. Officer' --date 2020-03-01"
    )
    action = show(run, action_id)
    assert action["description"] == "Monthly audits"
    made = [(h["event"], h.get("author")) for h in action["history"][-2:]]
    assert made == [("status", "A. Lead"), ("due", "B. Officer")]
