"""History that can be corrected (#17): future dates refused; a correction or withdrawal is a
history row superseding the mistaken one; state, RAG and reports follow the entries that count."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from bad_files import LETTER_TEXT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lettermine.actions import (
    add_action,
    add_measure,
    effective_history,
    get_action,
    history,
    revise_due,
    set_override,
    set_status,
    update_action,
)
from lettermine.cli import app
from lettermine.corrections import correct_entry
from lettermine.db import open_db
from lettermine.errors import InvalidInput, LettermineError, NotFound
from lettermine.ingest import Classifier, ingest_file
from lettermine.timeline import entries_in_force, replay


@pytest.fixture
def conn(db_path: Path, tmp_path: Path) -> sqlite3.Connection:
    letter = tmp_path / "letter.txt"
    letter.write_text(LETTER_TEXT, encoding="utf-8")
    c = open_db(db_path).conn
    ingest_file(c, letter, Classifier(enabled=False))
    c.row_factory = sqlite3.Row
    return c


def _action(conn: sqlite3.Connection) -> int:
    return add_action(conn, title="Plans", units=["1:1"], due="2022-03-31", start="2021-07-01",
                      date="2021-07-01")  # fmt: skip


def _state(conn: sqlite3.Connection, action_id: int) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT status, percent, due, rag_override, rag_override_reason, created FROM actions"
        " WHERE id = ?",
        [action_id],
    ).fetchone()
    return tuple(row)


def _future_entry(conn: sqlite3.Connection, action_id: int) -> int:
    # What an older lettermine let through: an update dated 2999.
    cur = conn.execute(
        "INSERT INTO action_history (action_id, event, at, recorded_at, percent, status)"
        " VALUES (?, 'update', '2999-11-30', '2021-11-30T10:00:00', 40, 'in_progress')",
        [action_id],
    )
    conn.execute(
        "UPDATE actions SET percent = 40, status = 'in_progress' WHERE id = ?", [action_id]
    )
    conn.commit()
    return int(cur.lastrowid or 0)


def test_a_change_dated_in_the_future_is_refused(conn: sqlite3.Connection) -> None:
    action_id = _action(conn)
    before = history(conn, action_id)
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    for change in (
        lambda: update_action(conn, action_id, percent=40, date="2999-11-30"),
        lambda: update_action(conn, action_id, percent=40, date=future),
        lambda: set_status(conn, action_id, "in_progress", date="2999-01-01"),
        lambda: add_action(conn, title="Later", date="3000-01-01"),
    ):
        with pytest.raises(
            InvalidInput, match="is in the future: changes are recorded on or after"
        ):
            change()
    assert history(conn, action_id) == before
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    update_action(conn, action_id, percent=10, date=tomorrow)  # a day's grace for time zones


def test_start_and_due_dates_far_ahead_are_typing_mistakes(conn: sqlite3.Connection) -> None:
    with pytest.raises(InvalidInput, match="more than 20 years ahead"):
        add_action(conn, title="Plans", due="2999-03-31", date="2021-07-01")
    action_id = _action(conn)
    with pytest.raises(InvalidInput, match="more than 20 years ahead"):
        revise_due(conn, action_id, "3025-01-01", reason="typo", date="2021-08-01")


def test_a_future_entry_no_longer_freezes_the_action_once_corrected(
    conn: sqlite3.Connection,
) -> None:
    action_id = _action(conn)
    wrong = _future_entry(conn, action_id)
    with pytest.raises(InvalidInput, match="before action .* last recorded change"):
        update_action(conn, action_id, percent=50, date="2021-12-01")
    with pytest.raises(InvalidInput, match="in the future"):  # the date must be given
        correct_entry(conn, action_id, wrong, reason="typo", percent=45)
    new = correct_entry(conn, action_id, wrong, reason="year typed as 2999", date="2021-11-30")
    entries = {e["id"]: e for e in history(conn, action_id)}
    assert entries[wrong]["superseded_by"] == new
    assert entries[wrong]["at"] == "2999-11-30"  # still there, as it was
    assert entries[new] | {"recorded_at": "-"} == {
        "id": new, "event": "update", "at": "2021-11-30", "recorded_at": "-", "percent": 40,
        "status": "in_progress", "supersedes": wrong, "correction": "year typed as 2999",
    }  # fmt: skip
    update_action(conn, action_id, percent=50, date="2021-12-01")
    assert _state(conn, action_id)[:2] == ("in_progress", 50)


def test_withdrawing_an_update_replays_the_state_without_it(conn: sqlite3.Connection) -> None:
    action_id = _action(conn)
    update_action(conn, action_id, percent=30, date="2021-09-01")
    wrong = update_action(conn, action_id, percent=90, evidence="report", date="2021-10-01")
    assert get_action(conn, action_id, today="2021-10-02")["has_evidence"]
    correct_entry(conn, action_id, wrong, reason="recorded against the wrong action", withdraw=True)
    action = get_action(conn, action_id, today="2021-10-02")
    assert (action["percent"], action["has_evidence"]) == (30, False)
    assert action["last_change"] == "2021-09-01"
    update_action(conn, action_id, percent=35, date="2021-09-15")  # date order follows too


def test_correcting_values_keeps_what_is_not_given(conn: sqlite3.Connection) -> None:
    action_id = _action(conn)
    add_measure(conn, action_id, name="Caseload", baseline=31, target=25, date="2021-07-02")
    wrong = update_action(conn, action_id, percent=4, note="Two teams", value=82,
                          date="2021-09-01")  # fmt: skip
    new = correct_entry(conn, action_id, wrong, reason="typos", percent=40, value=28)
    entry = {e["id"]: e for e in history(conn, action_id)}[new]
    assert (entry["percent"], entry["note"], entry["value"], entry["at"]) == (
        40, "Two teams", 28.0, "2021-09-01"
    )  # fmt: skip
    measure = get_action(conn, action_id)["measures"][0]
    assert (measure["latest"], measure["latest_at"]) == (28.0, "2021-09-01")


def test_a_correction_can_be_corrected_and_a_withdrawal_undone(conn: sqlite3.Connection) -> None:
    action_id = _action(conn)
    first = update_action(conn, action_id, percent=20, date="2021-09-01")
    second = correct_entry(conn, action_id, first, reason="was 25", percent=25)
    third = correct_entry(conn, action_id, second, reason="was 30 after all", percent=30)
    assert _state(conn, action_id)[1] == 30
    with pytest.raises(InvalidInput, match=f"already superseded by entry {second}"):
        correct_entry(conn, action_id, first, reason="again", percent=10)
    gone = correct_entry(conn, action_id, third, reason="no update at all", withdraw=True)
    assert _state(conn, action_id)[:2] == ("not_started", 0)
    correct_entry(conn, action_id, gone, reason="it was right", date="2021-09-02")
    assert _state(conn, action_id)[:2] == ("in_progress", 30)
    assert len(effective_history(conn, action_id)) == 3  # created, link, the update


def test_status_due_and_override_entries_are_corrected(conn: sqlite3.Connection) -> None:
    action_id = _action(conn)
    done = set_status(conn, action_id, "done", date="2021-09-01")
    assert done is None
    status_entry = history(conn, action_id)[-1]["id"]
    correct_entry(conn, action_id, status_entry, reason="not finished", status="in_progress")
    assert _state(conn, action_id)[:2] == ("in_progress", 0)
    revise_due(conn, action_id, "2022-06-30", reason="recruitment", date="2021-09-02")
    due_entry = history(conn, action_id)[-1]["id"]
    correct_entry(conn, action_id, due_entry, reason="typo", due="2022-05-31")
    assert _state(conn, action_id)[2] == "2022-05-31"
    set_override(conn, action_id, "green", reason="agreed", date="2021-09-03")
    override = history(conn, action_id)[-1]["id"]
    correct_entry(conn, action_id, override, reason="meant amber", rag_override="amber")
    assert _state(conn, action_id)[3:5] == ("amber", "agreed")
    correct_entry(conn, action_id, override + 1, reason="no override", withdraw=True)
    assert _state(conn, action_id)[3:5] == (None, None)


def test_what_cannot_be_corrected_says_so(conn: sqlite3.Connection) -> None:
    action_id = _action(conn)
    created, link = (e["id"] for e in history(conn, action_id))
    update = update_action(conn, action_id, percent=10, date="2021-08-01")
    cases = [
        (lambda: correct_entry(conn, action_id, link, reason="x", withdraw=True), "unlink"),
        (lambda: correct_entry(conn, action_id, created, reason="x", withdraw=True),
         "cannot be withdrawn"),
        (lambda: correct_entry(conn, action_id, update, reason="x", due="2022-01-01"),
         "--due does not apply"),
        (lambda: correct_entry(conn, action_id, update, reason=" ", percent=5), "needs a --reason"),
        (lambda: correct_entry(conn, action_id, update, reason="x"), "say what was wrong"),
        (lambda: correct_entry(conn, action_id, update, reason="x", percent=101), "between 0"),
        (lambda: correct_entry(conn, action_id, 999, reason="x", percent=5), "no history entry"),
        (lambda: correct_entry(conn, action_id, update, reason="x", date="2021-06-01"),
         "before the action was created"),
        (lambda: correct_entry(conn, action_id, created, reason="x", date="2021-08-02"),
         "after its first recorded change"),
    ]  # fmt: skip
    before = history(conn, action_id)
    for call, message in cases:
        with pytest.raises((InvalidInput, NotFound), match=message):
            call()
    assert history(conn, action_id) == before


def test_the_cli_numbers_entries_and_marks_what_was_superseded(conn: sqlite3.Connection) -> None:
    action_id = _action(conn)
    wrong = _future_entry(conn, action_id)
    runner = CliRunner()
    args = ["actions", "correct", str(action_id), str(wrong), "--date", "2021-11-30",
            "--reason", "year typed as 2999"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"entry {wrong} corrected by entry {wrong + 1}" in result.stderr
    shown = runner.invoke(app, ["actions", "show", str(action_id)]).stdout
    assert f"#{wrong}  " in shown and f"SUPERSEDED by #{wrong + 1}" in shown
    assert f"corrects #{wrong}" in shown
    data = json.loads(runner.invoke(app, ["actions", "show", "1", "--json"]).stdout)
    assert [h["id"] for h in data["history"] if "superseded_by" in h] == [wrong]
    result = runner.invoke(app, [*args[:4], "--withdraw", "--reason", "again"])
    assert result.exit_code == 1 and "already superseded" in result.stderr


# -- the replayed state is the state the changes left, one at a time ------------------------------

DAYS = st.integers(min_value=0, max_value=300).map(lambda d: dt.date(2021, 7, 2) + dt.timedelta(d))
CHANGES = st.lists(
    st.one_of(
        st.tuples(st.just("update"), st.integers(0, 100), st.booleans()),
        st.tuples(st.just("status"), st.sampled_from(["in_progress", "done", "verified",
                                                       "blocked", "not_started"])),
        st.tuples(st.just("due"), DAYS),
        st.tuples(st.just("override"), st.sampled_from(["red", "amber", "green", None])),
        st.tuples(st.just("value"), st.floats(min_value=0, max_value=100)),
    ),
    max_size=12,
)  # fmt: skip


@given(changes=CHANGES)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_replay_gives_the_state_the_changes_left(
    conn: sqlite3.Connection, changes: list[Any]
) -> None:
    action_id = _action(conn)
    measure = add_measure(conn, action_id, name="m", baseline=50, target=10, date="2021-07-01")
    day = dt.date(2021, 7, 2)
    for change in changes:
        day += dt.timedelta(days=1)
        try:
            if change[0] == "update":
                update_action(conn, action_id, percent=change[1],
                              evidence="seen" if change[2] else None, date=day)  # fmt: skip
            elif change[0] == "status":
                set_status(conn, action_id, change[1], force=True, date=day)
            elif change[0] == "due":
                revise_due(conn, action_id, change[1], reason="moved", date=day)
            elif change[0] == "override":
                if change[1] is None:
                    from lettermine.actions import clear_override

                    clear_override(conn, action_id, date=day)
                else:
                    set_override(conn, action_id, change[1], reason="why", date=day)
            else:
                update_action(conn, action_id, value=change[1], date=day)
        except LettermineError:
            pass  # refused (e.g. lowering a done action's percent): nothing written
    row = dict(conn.execute("SELECT * FROM actions WHERE id = ?", [action_id]).fetchone())
    state, _, values = replay(row, entries_in_force(history(conn, action_id), None))
    assert tuple(
        state[k]
        for k in ("status", "percent", "due", "rag_override", "rag_override_reason", "created")
    ) == _state(conn, action_id)
    latest = conn.execute("SELECT latest FROM action_measures WHERE id = ?", [measure])
    assert values.get(measure, (None, None))[0] == latest.fetchone()[0]


# -- the tracker as at a day: a correction counts from when it was made ----------------------------


def test_as_at_a_day_a_correction_counts_from_the_day_it_was_recorded() -> None:
    def row(i: int, at: str, recorded: str, percent: int, supersedes: int | None = None) -> Any:
        return {"id": i, "event": "update", "at": at, "recorded_at": f"{recorded}T09:00:00",
                "percent": percent, "supersedes": supersedes,
                "correction": None if supersedes is None else "typo"}  # fmt: skip

    created = {"id": 1, "event": "created", "at": "2021-01-04", "recorded_at": "2021-01-04T09:00"}
    entries = [
        created,
        row(2, "2021-02-01", "2021-02-01", 4),  # meant 40
        row(3, "2021-03-01", "2021-03-01", 60),
        row(4, "2021-02-01", "2021-04-10", 40, supersedes=2),  # the correction, made in April
        row(5, "2021-02-01", "2021-05-20", 45, supersedes=4),  # corrected again in May
    ]

    def percents(day: str) -> list[int]:
        when = dt.date.fromisoformat(day)
        return [e["percent"] for e in entries_in_force(entries, when, known=when)[1:]]

    assert percents("2021-02-15") == [4]  # before any correction: the entry as recorded
    assert percents("2021-04-09") == [4, 60]
    assert percents("2021-04-10") == [40, 60]  # from the day of the correction on
    assert percents("2021-05-19") == [40, 60]
    assert percents("2021-05-20") == [45, 60]
    # Without `known`, what is known now, on every day (how reports judge earlier days).
    assert [e["percent"] for e in entries_in_force(entries, dt.date(2021, 2, 15))[1:]] == [45]
    assert [e["percent"] for e in entries_in_force(entries, None)[1:]] == [45, 60]


def test_papers_as_at_show_the_original_before_a_correction_and_the_correction_after(
    conn: sqlite3.Connection,
) -> None:
    from lettermine.papers import build_scope

    action_id = _action(conn)
    update_action(conn, action_id, percent=4, note="Audit begun.", date="2022-04-01")
    entry = [e for e in history(conn, action_id) if e["event"] == "update"][-1]["id"]
    correct_entry(conn, action_id, entry, reason="40 typed as 4, audit named", percent=40,
                  note="Case file audit begun.")  # fmt: skip
    today = dt.date.today()  # the correction was recorded today
    later = today + dt.timedelta(days=1)

    def percent(as_at: dt.date | str | None) -> Any:
        scope = build_scope(conn, letter_ids=[1], today=later, as_at=as_at)
        action = scope.actions[action_id]
        return action["percent"], action["latest"]["text"]

    before, after = (4, "Audit begun."), (40, "Case file audit begun.")
    assert percent("2022-06-01") == before
    assert percent(today - dt.timedelta(days=1)) == before
    assert percent(today) == after
    assert percent(None) == after
    shown = get_action(conn, action_id, as_at="2022-06-01", today=later)
    assert shown["percent"] == 4
    assert get_action(conn, action_id, as_at=today, today=later)["percent"] == 40
