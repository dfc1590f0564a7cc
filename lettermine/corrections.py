"""Correcting an action's history, which stays append-only: a correction is a history row too.

A person who recorded a change wrongly (40% typed as 4%, a date typed as 2999, an update
against the wrong action) cannot edit or delete the entry: the trigger on action_history
refuses, so the record of what the tracker said stays whole. Instead:

- a **correction** is a new row of the same kind as the entry (an update, a status change, a
  due date, an override...) carrying the right values and date, with `supersedes` naming the
  entry and `correction` saying why; fields not given are the entry's own;
- a **withdrawal** is a new row of kind `withdrawal` that supersedes an entry with nothing in
  its place (the entry should never have been made).

An entry is superseded once at most (a unique index): a correction that was itself wrong is
corrected in turn, and correcting a withdrawal puts the entry back with any values given. The
action's current state (status, percent, due date, override, measures' latest values) is then
replayed from the entries that count (timeline.entries_in_force, the one place that decides,
and timeline.replay, as `--as-at` replays), so RAG, reports and exports ignore what was
superseded, the tracker as at a date ignores what had been superseded by the end of that day
(before a correction was made, the entry it corrects stood), and the date order new changes
must keep follows the corrected dates.
Links to units are not corrected this way (`actions unlink` undoes a link), nor are measures'
set-up, nor an action's creation beyond its date.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from lettermine.actions import (
    STATUSES,
    _append,
    _check_dates,
    _check_percent,
    _measure_for,
    _row,
    _text,
    effective,
    history,
)
from lettermine.dates import as_date
from lettermine.db import write_transaction
from lettermine.errors import InvalidInput, NotFound
from lettermine.numbers import real
from lettermine.rag import CLOSED, COLOURS
from lettermine.timeline import replay

# What each kind of entry can be corrected with (besides its date).
CORRECTABLE: dict[str, tuple[str, ...]] = {
    "update": ("percent", "note", "evidence", "value"),
    "status": ("status", "note"),
    "due": ("due",),
    "override": ("rag_override",),
    "override_cleared": (),
    "created": (),  # its date only
    "imported": (),
}
WITHDRAWABLE = frozenset({"update", "status", "due", "override", "override_cleared"})
FIELD_OPTIONS = {
    "percent": "--percent",
    "note": "--note",
    "evidence": "--evidence",
    "value": "--value",
    "status": "--status",
    "due": "--due",
    "rag_override": "--override",
}
# The columns a correction copies from the entry it corrects.
_CARRIED = ("percent", "note", "evidence", "measure_id", "value", "status", "due", "unit",
            "rag_override", "reason")  # fmt: skip


def _origin(entries: dict[int, dict[str, Any]], entry: dict[str, Any]) -> dict[str, Any]:
    # The entry first recorded, of which this one is a correction or withdrawal (or itself).
    while "supersedes" in entry and entry["supersedes"] in entries:
        entry = entries[entry["supersedes"]]
    return entry


def _standing(entries: dict[int, dict[str, Any]], entry: dict[str, Any]) -> dict[str, Any]:
    # The values a line of corrections last stood at: a withdrawal has none of its own.
    while entry["event"] == "withdrawal" and entry["supersedes"] in entries:
        entry = entries[entry["supersedes"]]
    return entry


def correct_entry(
    conn: sqlite3.Connection,
    action_id: int,
    entry_id: int,
    *,
    reason: str,
    withdraw: bool = False,
    date: dt.date | str | None = None,
    percent: int | None = None,
    note: str | None = None,
    evidence: str | None = None,
    value: float | None = None,
    status: str | None = None,
    due: dt.date | str | None = None,
    rag_override: str | None = None,
    author: str | None = None,
) -> int:
    """Correct (or with withdraw=True withdraw) history entry entry_id of an action: a new
    history row superseding it; the action's state is replayed. Returns the new row's id."""
    why = _text(reason)
    if not why:
        raise InvalidInput("a correction needs a --reason: say what was wrong")
    given = {
        "percent": percent,
        "note": _text(note),
        "evidence": _text(evidence),
        "value": None if value is None else real(value, "value"),
        "status": status,
        "due": as_date(due, "due"),
        "rag_override": rag_override,
    }
    given = {k: v for k, v in given.items() if v is not None}
    new_date = as_date(date, "date")
    if withdraw and (given or new_date):
        raise InvalidInput("--withdraw takes nothing else: the entry is withdrawn as it is")
    if not withdraw and not given and new_date is None:
        raise InvalidInput(
            "say what was wrong: give the right values (--date, --percent, --note, --evidence, "
            "--value, --status, --due, --override), or --withdraw the entry"
        )
    with write_transaction(conn):
        _row(conn, action_id)
        entries = {e["id"]: e for e in history(conn, action_id)}
        entry = entries.get(entry_id)
        if entry is None:
            raise NotFound(
                f"action {action_id} has no history entry {entry_id} "
                f"(see 'lettermine actions show {action_id}')"
            )
        if "superseded_by" in entry:
            raise InvalidInput(
                f"entry {entry_id} was already superseded by entry {entry['superseded_by']}: "
                "correct that one instead"
            )
        origin = _origin(entries, entry)
        kind = origin["event"]
        if kind not in CORRECTABLE:
            raise InvalidInput(_not_correctable(kind, action_id))
        if withdraw:
            if entry["event"] == "withdrawal":
                raise InvalidInput(f"entry {entry_id} is a withdrawal already")
            if kind not in WITHDRAWABLE:
                raise InvalidInput(
                    f"entry {entry_id} records the action's {kind} entry and cannot be withdrawn "
                    "(correct its --date instead)"
                )
            # Dated as the entry (which may be the mistaken future date: then today); a
            # withdrawal never counts in the date order.
            at = min(dt.date.fromisoformat(entry["at"]), dt.date.today())
            new_id = _append(conn, action_id, "withdrawal", at, author=author,
                             supersedes=entry_id, correction=why)  # fmt: skip
        else:
            fields = _corrected(conn, action_id, entries, entry, kind, given)
            at = new_date or dt.date.fromisoformat(_standing(entries, entry)["at"])
            _check_date_in_place(entries, entry_id, kind, at)
            new_id = _append(conn, action_id, kind, at, author=author, supersedes=entry_id,
                             correction=why, **fields)  # fmt: skip
        _store(conn, action_id)
    return new_id


def _not_correctable(kind: str, action_id: int) -> str:
    if kind in ("link", "unlink"):
        return (
            f"a {kind} is undone with 'lettermine actions "
            f"{'unlink' if kind == 'link' else 'link'} {action_id} UNIT', not corrected"
        )
    return (
        f"a {kind} entry cannot be corrected (only updates, status changes, due dates, overrides)"
    )


def _corrected(
    conn: sqlite3.Connection,
    action_id: int,
    entries: dict[int, dict[str, Any]],
    entry: dict[str, Any],
    kind: str,
    given: dict[str, Any],
) -> dict[str, Any]:
    """The columns of the correcting row: the standing values, with the given ones checked."""
    allowed = CORRECTABLE[kind]
    wrong = [FIELD_OPTIONS[k] for k in given if k not in allowed]
    if wrong:
        can = ", ".join(FIELD_OPTIONS[k] for k in allowed)
        raise InvalidInput(
            f"entry {entry['id']} is a{'n' if kind[0] in 'aeiou' else ''} {kind} entry: "
            f"{', '.join(wrong)} does not apply to it (it takes --date"
            f"{', ' + can if can else ''})"
        )
    standing = _standing(entries, entry)
    fields = {k: standing[k] for k in _CARRIED if k in standing}
    if "percent" in given:
        fields["percent"] = _check_percent(given["percent"])
    if "status" in given:
        if given["status"] not in STATUSES:
            raise InvalidInput(
                f"unknown status '{given['status']}' (use one of: {', '.join(STATUSES)})"
            )
        fields["status"] = given["status"]
        fields["percent"] = 100 if given["status"] in CLOSED else None
    if "value" in given:
        fields["value"] = given["value"]
        fields["measure_id"] = fields.get("measure_id") or _measure_for(conn, action_id, None)
    if "due" in given:
        start = as_date(_row(conn, action_id)["start"], "start")
        _check_dates(start, given["due"])
        fields["due"] = given["due"].isoformat()
    if "rag_override" in given:
        if given["rag_override"] not in COLOURS:
            raise InvalidInput(
                f"unknown RAG colour '{given['rag_override']}' (use red, amber or green)"
            )
        fields["rag_override"] = given["rag_override"]
    for key in ("note", "evidence"):
        if key in given:
            fields[key] = given[key]
    return {k: v for k, v in fields.items() if v is not None}


def _check_date_in_place(
    entries: dict[int, dict[str, Any]], entry_id: int, kind: str, at: dt.date
) -> None:
    # A corrected creation comes before every other change; any other change after creation.
    others = [e for e in effective(list(entries.values())) if e["id"] != entry_id]
    day = at.isoformat()
    if kind in ("created", "imported"):
        first = min((e["at"] for e in others), default=None)
        if first is not None and day > first:
            raise InvalidInput(
                f"the action cannot be created on {day}, after its first recorded change ({first})"
            )
        return
    created = min((e["at"] for e in others if e["event"] in ("created", "imported")), default=None)
    if created is not None and day < created:
        raise InvalidInput(f"{day} is before the action was created ({created})")


def _store(conn: sqlite3.Connection, action_id: int) -> None:
    """Replay the entries in force (timeline.replay, as `--as-at` does) onto the action's row and
    its measures' latest values: the current-state copy follows the corrected history."""
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    row = dict(cur.execute("SELECT * FROM actions WHERE id = ?", [action_id]).fetchone())
    entries = effective(history(conn, action_id))
    state, _, values = replay(row, entries)
    made = [e["at"] for e in entries if e["event"] in ("created", "imported")]
    conn.execute(
        """UPDATE actions SET status = ?, percent = ?, due = ?, rag_override = ?,
           rag_override_reason = ?, created = ? WHERE id = ?""",
        [
            state["status"], state["percent"], state["due"], state["rag_override"],
            state["rag_override_reason"] if state["rag_override"] else None,
            made[0] if made else row["created"], action_id,
        ],
    )  # fmt: skip
    for (measure_id,) in conn.execute(
        "SELECT id FROM action_measures WHERE action_id = ?", [action_id]
    ).fetchall():
        value, at = values.get(measure_id, (None, None))
        conn.execute(
            "UPDATE action_measures SET latest = ?, latest_at = ? WHERE id = ?",
            [value, at, measure_id],
        )
