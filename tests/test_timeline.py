"""As at a date: the tracker rebuilt from the append-only history says what the live tracker said
on that day (actions, status, percent, due dates, links, overrides, measures, closures, letters).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lettermine import actions as act
from lettermine.areas import close_area, reopen_area
from lettermine.cli import app
from lettermine.db import connect
from lettermine.errors import InvalidInput, LettermineError, NotFound
from lettermine.letters import UnitThemes, save_letter
from lettermine.records import Letter, Unit
from lettermine.timeline import entries_in_force, load_tracker, replay

LA = "Rutland"
AFI = "area_for_improvement"


def _save(conn: sqlite3.Connection, name: str, visit: str, published: str | None, n: int) -> int:
    letter = Letter(
        kind="focused_visit", local_authority=LA, authority=LA, inspection_start=visit,
        inspection_end=visit, published=published,
        units=[Unit(AFI, f"Invented area {name}.{k}: practice needs to improve.", number=k)
               for k in range(1, n + 1)] + [Unit("finding", "Invented finding.")],
    )  # fmt: skip
    themes = [UnitThemes([("assessment" if k % 2 else "planning", 0.9)], None) for k in range(n)]
    themes.append(UnitThemes([], "strength"))
    return save_letter(conn, letter, sha256=name, source=f"{name}.txt", themes=themes)[0]


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    c = connect(db_path, create=True)
    _save(c, "first", "2020-01-10", "2020-02-20", 4)
    return c


# -- the property: live on the day == rebuilt later ----------------------------------------------


def _random_day(conn: sqlite3.Connection, rng: random.Random, day: dt.date) -> None:
    """A few random changes dated `day`; refused ones (the lifecycle says no) are skipped."""
    ids = [r[0] for r in conn.execute("SELECT id FROM actions")]
    areas = [f"{r[0]}:{r[1]}" for r in conn.execute(
        "SELECT letter_id, seq FROM units WHERE kind = ?", [AFI])]  # fmt: skip
    for _ in range(rng.randint(1, 4)):
        action = rng.choice(ids) if ids else None
        choice = rng.randrange(12) if action else 0
        try:
            if choice == 0:
                due = day + dt.timedelta(days=rng.randint(20, 300))
                units = rng.sample(areas, rng.randint(0, 2))
                new = act.add_action(conn, title=f"Action {len(ids) + 1}", units=units, start=day,
                                     due=rng.choice([due, None]), date=day)  # fmt: skip
                ids.append(new)
            elif choice == 1:
                act.update_action(conn, action, percent=rng.randrange(0, 101, 5), date=day,
                                  note=rng.choice([None, "A note."]))  # fmt: skip
            elif choice == 2:
                act.update_action(conn, action, evidence="An audit.", date=day)
            elif choice == 3:
                act.set_status(conn, action, rng.choice(act.STATUSES), date=day,
                               force=rng.random() < 0.2, note="Why.")  # fmt: skip
            elif choice == 4:
                new_due = day + dt.timedelta(days=rng.randint(-30, 200))
                act.revise_due(conn, action, new_due, reason="Moved.", date=day)
            elif choice == 5:
                act.set_override(conn, action, rng.choice(("red", "amber", "green")),
                                 reason="By hand.", date=day)  # fmt: skip
            elif choice == 6:
                act.clear_override(conn, action, date=day)
            elif choice == 7:
                act.link_units(conn, action, [rng.choice(areas)], date=day)
            elif choice == 8:
                act.unlink_units(conn, action, [rng.choice(areas)], date=day)
            elif choice == 9:
                act.add_measure(conn, action, name=rng.choice(("Caseload", "Visits")),
                                baseline=30, target=20, date=day)  # fmt: skip
            elif choice == 10:
                act.update_action(conn, action, value=rng.randint(15, 35), date=day)
            elif rng.random() < 0.5:
                close_area(conn, rng.choice(areas), reason="Superseded.", date=day,
                           by=rng.choice([None, rng.choice(areas)]))  # fmt: skip
            else:
                reopen_area(conn, rng.choice(areas), date=day)
        except LettermineError:
            pass  # the lifecycle or the data refused it: as a person would be told


@pytest.mark.parametrize("seed", range(5))
def test_as_at_any_day_is_what_the_live_tracker_said_that_day(
    conn: sqlite3.Connection, seed: int
) -> None:
    rng = random.Random(seed)
    day = dt.date(2020, 3, 1)
    live: dict[dt.date, tuple[Any, Any]] = {}
    while day < dt.date(2021, 6, 1):
        if day == dt.date(2020, 9, 14):  # a letter published while the tracker runs
            _save(conn, "second", "2020-08-03", "2020-09-14", 3)
        _random_day(conn, rng, day)
        live[day] = (act.list_actions(conn, today=day), act.coverage(conn, today=day))
        day += dt.timedelta(days=rng.randint(1, 12))
    assert conn.execute("SELECT count(*) FROM action_history").fetchone()[0] > 60
    later = dt.date(2022, 1, 1)
    for when, (listed, covered) in live.items():
        assert act.list_actions(conn, as_at=when, today=later) == listed, when
        assert act.coverage(conn, as_at=when, today=later) == covered, when


def test_replayed_history_rebuilds_the_current_state_exactly(conn: sqlite3.Connection) -> None:
    rng = random.Random(7)
    day = dt.date(2020, 3, 1)
    for _ in range(60):
        _random_day(conn, rng, day)
        day += dt.timedelta(days=3)
    now, rebuilt = load_tracker(conn), load_tracker(conn, dt.date(2030, 1, 1))
    assert rebuilt.actions == now.actions
    assert rebuilt.links == now.links
    assert rebuilt.measures == now.measures
    assert rebuilt.closures == now.closures


# -- what as-at leaves out -----------------------------------------------------------------------


@pytest.fixture
def story(conn: sqlite3.Connection) -> dict[str, int]:
    """One action through its life, a letter published half way, an area closed and reopened."""
    a = act.add_action(conn, title="Caseloads", units=["1:1"], start="2021-01-04",
                       due="2021-06-30", date="2021-01-04")  # fmt: skip
    act.add_measure(conn, a, name="Caseload", baseline=28, target=20, date="2021-01-04")
    act.update_action(conn, a, percent=20, value=26, note="Two teams.", date="2021-02-26")
    act.revise_due(conn, a, "2021-09-30", reason="Recruitment delayed", date="2021-03-15")
    act.set_status(conn, a, "blocked", note="Waiting for the budget", date="2021-04-01")
    second = _save(conn, "second", "2021-04-19", "2021-05-20", 2)
    act.link_units(conn, a, [f"{second}:1"], date="2021-05-25")
    act.set_override(conn, a, "amber", reason="Budget agreed in principle", date="2021-06-01")
    act.update_action(conn, a, value=22, date="2021-06-30")
    close_area(conn, "1:2", reason="Superseded by the May visit", by=f"{second}:2",
               date="2021-05-21")  # fmt: skip
    reopen_area(conn, "1:2", reason="Raised again", date="2021-07-15")
    return {"action": a, "second": second}


def test_as_at_gives_each_field_as_it_stood(
    conn: sqlite3.Connection, story: dict[str, int]
) -> None:
    a, today = story["action"], "2022-01-01"

    def at(day: str) -> dict[str, Any]:
        return act.get_action(conn, a, as_at=day, today=today)

    feb = at("2021-02-28")
    assert (feb["status"], feb["percent"], feb["due"]) == ("in_progress", 20, "2021-06-30")
    assert feb["measures"][0]["latest"] == 26 and feb["units"] == ["1:1"]
    assert feb["as_at"] == "2021-02-28" and not feb["rag_override"]
    march = at("2021-03-15")  # the end of the day: the revision counts
    assert (march["due"], march["original_due"]) == ("2021-09-30", "2021-06-30")
    assert at("2021-03-14")["due"] == "2021-06-30"
    assert at("2021-04-30")["status"] == "blocked"
    assert at("2021-05-24")["units"] == ["1:1"]  # linked on the 25th
    june = at("2021-06-01")
    assert june["units"] == ["1:1", f"{story['second']}:1"]
    assert (june["rag"], june["rag_reason"]) == ("amber", "override: Budget agreed in principle")
    assert june["measures"][0]["latest"] == 26 and at("2021-06-30")["measures"][0]["latest"] == 22
    assert [h["event"] for h in june["history"]][-1] == "override"  # nothing after the day
    with pytest.raises(NotFound, match="did not exist"):
        at("2021-01-03")


def test_as_at_leaves_out_letters_published_later(
    conn: sqlite3.Connection, story: dict[str, int]
) -> None:
    second = story["second"]
    april = act.coverage(conn, as_at="2021-05-19", today="2022-01-01")
    assert {x["letter_id"] for x in april["all"]} == {1}
    may = act.coverage(conn, as_at="2021-05-21", today="2022-01-01")
    assert {x["letter_id"] for x in may["all"]} == {1, second}
    closed = next(x for x in may["all"] if x["unit"] == "1:2")["closed"]
    assert closed == {"at": "2021-05-21", "reason": "Superseded by the May visit",
                      "author": None, "by": f"{second}:2"}  # fmt: skip
    assert may["covered"] == 2 and may["closed"] == 1  # 1:1 has the action, 1:2 is closed
    july = act.coverage(conn, as_at="2021-07-15", today="2022-01-01")
    assert next(x for x in july["all"] if x["unit"] == "1:2")["closed"] is None  # reopened
    with pytest.raises(NotFound, match="had not been published"):
        act.coverage(conn, letter_ids=[second], as_at="2021-05-01", today="2022-01-01")


def test_as_at_cannot_be_after_today(conn: sqlite3.Connection, story: dict[str, int]) -> None:
    with pytest.raises(InvalidInput, match="after today"):
        act.list_actions(conn, as_at="2022-01-02", today="2022-01-01")
    with pytest.raises(InvalidInput, match="not a date"):
        act.list_actions(conn, as_at="June", today="2022-01-01")


def test_replay_and_entries_in_force_follow_the_rule_for_imports() -> None:
    # An imported action's first due date came with its spreadsheet row, not the history.
    row = {"id": 1, "ref": None, "title": "T", "description": None, "owner": None,
           "start": None, "created": "2021-01-01", "original_due": "2021-03-31"}  # fmt: skip
    entries = [
        {"id": 1, "event": "imported", "at": "2021-02-01", "status": "in_progress",
         "percent": 30, "due": "2021-06-30"},
        {"id": 2, "event": "link", "at": "2021-02-01", "unit": "03:1"},
        {"id": 3, "event": "status", "at": "2021-03-01", "status": "done", "percent": 100},
    ]  # fmt: skip
    state, units, _ = replay(row, entries_in_force(entries, dt.date(2021, 2, 28)))
    assert (state["status"], state["percent"]) == ("in_progress", 30)
    assert (state["due"], state["original_due"]) == ("2021-06-30", "2021-03-31")
    assert units == [(3, 1)]  # '03:1' names unit 3:1
    assert replay(row, entries)[0]["status"] == "done"


# -- the command line ----------------------------------------------------------------------------


def _cli(runner: CliRunner, *args: str, code: int = 0) -> Any:
    result = runner.invoke(app, list(args), env={"LETTERMINE_TODAY": "2022-01-01"})
    assert result.exit_code == code, result.output
    return result


def test_cli_as_at_on_list_show_coverage_and_themes(
    conn: sqlite3.Connection, story: dict[str, int], runner: CliRunner
) -> None:
    listed = json.loads(_cli(runner, "actions", "list", "--json", "--as-at", "2021-02-28").stdout)
    assert [(a["status"], a["percent"], a["as_at"]) for a in listed] == [
        ("in_progress", 20, "2021-02-28")
    ]
    assert _cli(runner, "actions", "list", "--json", "--as-at", "2021-01-03").stdout.strip() == "[]"
    shown = _cli(runner, "actions", "show", str(story["action"]), "--as-at", "2021-04-30").stdout
    assert "blocked" in shown and "(as at 2021-04-30)" in shown and "override" not in shown
    covered = _cli(runner, "actions", "coverage", "--la", LA, "--as-at", "2021-05-19")
    assert "1 of 4 areas" in covered.stderr  # the May letter's areas are not there yet
    themes = json.loads(
        _cli(runner, "themes", "--la", LA, "--json", "--as-at", "2021-05-19").stdout
    )
    assert len(themes["visits"]) == 1
    assert len(json.loads(_cli(runner, "themes", "--la", LA, "--json").stdout)["visits"]) == 2
    late = _cli(runner, "actions", "list", "--as-at", "2022-02-01", code=1)
    assert late.stderr.startswith("Error: --as-at 2022-02-01 is after today (2022-01-01)")
    early = _cli(runner, "actions", "show", str(story["action"]), "--as-at", "2020-12-31", code=1)
    assert "was not recorded until 2021-01-04" in early.stderr
