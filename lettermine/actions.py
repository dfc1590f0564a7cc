"""Improvement actions: lifecycle, append-only history, links to units, measures, coverage.

Every change is one write transaction that appends to `action_history` and refreshes the
current-state copy on `actions`; anything invalid raises before a row is written.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from lettermine.authorities import authority_name
from lettermine.dates import as_date
from lettermine.db import write_transaction
from lettermine.errors import InvalidInput, LettermineError, NotFound
from lettermine.letters import effective_themes, resolve_unit, unit_ref
from lettermine.numbers import real
from lettermine.paths import named
from lettermine.rag import CLOSED, COLOURS, is_overdue, rag
from lettermine.spreadsheet import read_csv, write_csv
from lettermine.themes import THEME_CODES
from lettermine.timeline import Tracker, entries_in_force, load_tracker, resolve_day

STATUSES: tuple[str, ...] = ("not_started", "in_progress", "done", "verified", "blocked")

# Moves allowed without --force. Forward skips are allowed (work may be finished before anyone
# records it as started); verification only follows done; undoing verification or un-starting
# work is an error unless forced, because it rewrites what the tracker has told people.
TRANSITIONS: dict[str, frozenset[str]] = {
    "not_started": frozenset({"in_progress", "done", "blocked"}),
    "in_progress": frozenset({"done", "blocked"}),
    "blocked": frozenset({"in_progress"}),
    "done": frozenset({"verified", "in_progress"}),  # reopened when verification fails
    "verified": frozenset(),
}

AREA_KINDS: tuple[str, ...] = ("area_for_improvement", "priority_action")
PROGRESS_CAP = 1_000_000  # percent of the way from baseline to target, either way
PLAN_YEARS = 20  # how far ahead a start or due date may be
DIRECTIONS: tuple[str, ...] = ("up", "down")


# -- values ------------------------------------------------------------------------------------


def _required_date(value: dt.date | str | None, what: str) -> dt.date:
    day = as_date(value, what)
    return day if day is not None else dt.date.today()


def _check_percent(percent: int) -> int:
    if isinstance(percent, bool) or not 0 <= percent <= 100:
        raise InvalidInput(f"percent must be between 0 and 100, not {percent}")
    return int(percent)


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise InvalidInput(f"unknown status '{status}' (use one of: {', '.join(STATUSES)})")
    return status


def _text(value: str | None) -> str | None:
    value = value.strip() if value is not None else None
    return value or None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# -- reading -------------------------------------------------------------------------------------


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
    # Rows by column name whatever row factory the caller's connection has.
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return cur.execute(sql, params).fetchall()


def _row(conn: sqlite3.Connection, action_id: int) -> sqlite3.Row:
    rows = _rows(conn, "SELECT * FROM actions WHERE id = ?", [action_id])
    if not rows:
        raise NotFound(f"no action {action_id} (see 'lettermine actions list')")
    return rows[0]


# The history rows that count: not withdrawn, and not superseded by a correction (see
# lettermine.corrections). RAG, evidence and the date order are judged on these only.
COUNTS = (
    "h.event != 'withdrawal' AND NOT EXISTS "
    "(SELECT 1 FROM action_history s WHERE s.supersedes = h.id)"
)


def _last_event_date(conn: sqlite3.Connection, action_id: int) -> str | None:
    row = conn.execute(
        f"SELECT max(h.at) FROM action_history h WHERE h.action_id = ? AND {COUNTS}", [action_id]
    ).fetchone()
    return str(row[0]) if row and row[0] is not None else None


def _check_in_order(conn: sqlite3.Connection, action_id: int, at: dt.date) -> None:
    # History is kept in date order, so "oldest first" and "the current state is the latest
    # row" never disagree.
    last = _last_event_date(conn, action_id)
    if last is not None and at.isoformat() < last:
        raise InvalidInput(
            f"{at.isoformat()} is before action {action_id}'s last recorded change ({last}); "
            "changes are recorded in date order"
        )


def _summary(
    row: sqlite3.Row | dict[str, Any],
    units: list[str],
    has_evidence: bool,
    last: str | None,
    today: dt.date,
) -> dict[str, Any]:
    start = as_date(row["start"], "start") or dt.date.fromisoformat(row["created"])
    due = as_date(row["due"], "due")
    colour, reason = rag(
        row["status"], row["percent"], start, due, today, has_evidence,
        row["rag_override"], row["rag_override_reason"],
    )  # fmt: skip
    rule_colour, rule_reason = (
        rag(row["status"], row["percent"], start, due, today, has_evidence)
        if row["rag_override"]
        else (colour, reason)
    )
    return {
        "id": row["id"],
        "ref": row["ref"],
        "title": row["title"],
        "description": row["description"],
        "owner": row["owner"],
        "status": row["status"],
        "percent": row["percent"],
        "start": row["start"],
        "due": row["due"],
        "original_due": row["original_due"],
        "overdue": is_overdue(row["status"], due, today),
        "days_to_due": (due - today).days if due else None,
        "rag": colour,
        "rag_reason": reason,
        "rag_override": bool(row["rag_override"]),
        "rag_rule": rule_colour,  # what the rule alone says, shown beside an override
        "rag_rule_reason": rule_reason,
        "has_evidence": has_evidence,
        "units": units,
        "created": row["created"],
        "last_change": last,
        "as_at": today.isoformat(),
    }


def get_action(
    conn: sqlite3.Connection,
    action_id: int,
    *,
    today: dt.date | str | None = None,
    as_at: dt.date | str | None = None,
) -> dict[str, Any]:
    """One action with its RAG, linked units, measures and history oldest first.

    Now (RAG as at today), or as it stood at the end of the as-at day (RAG judged on that day).
    """
    day, when = resolve_day(today, as_at)
    _row(conn, action_id)
    tracker = load_tracker(conn, when, action_ids=[action_id])
    if action_id not in tracker.actions:
        first = _first_event_date(conn, action_id)
        raise NotFound(
            f"action {action_id} was not recorded until {first}: as at {when} it did not exist"
        )
    action = summarise(tracker, action_id, day)
    action["unit_details"] = _unit_details(conn, tracker.links.get(action_id, []))
    action["measures"] = measures_of(tracker, action_id)
    # Now: every row, those a correction superseded marked (the record stays whole); as at a
    # day: the rows in force then.
    action["history"] = history(conn, action_id) if when is None else tracker.history[action_id]
    return action


def _first_event_date(conn: sqlite3.Connection, action_id: int) -> str | None:
    row = conn.execute(
        "SELECT min(at) FROM action_history WHERE action_id = ?", [action_id]
    ).fetchone()
    return str(row[0]) if row and row[0] else None


def summarise(tracker: Tracker, action_id: int, day: dt.date) -> dict[str, Any]:
    """An action's summary (the `list` record) from a tracker, with RAG judged on `day`."""
    return _summary(
        tracker.actions[action_id], tracker.unit_refs(action_id),
        tracker.has_evidence(action_id), tracker.last_change(action_id), day,
    )  # fmt: skip


def _unit_details(conn: sqlite3.Connection, unit_ids: Sequence[int]) -> list[dict[str, Any]]:
    if not unit_ids:
        return []
    marks = ",".join("?" * len(unit_ids))
    rows = _rows(
        conn,
        f"""SELECT u.id, u.letter_id, u.seq, u.kind, u.text, l.authority,
                  coalesce(l.inspection_start, l.published) AS date
           FROM units u JOIN letters l ON l.id = u.letter_id
           WHERE u.id IN ({marks}) ORDER BY u.letter_id, u.seq""",
        list(unit_ids),
    )
    themes = effective_themes(conn, [r["id"] for r in rows])
    return [
        {
            "id": unit_ref(r["letter_id"], r["seq"]),
            "kind": r["kind"],
            "authority": r["authority"],
            "date": r["date"],
            "text": r["text"],
            "themes": [t["code"] for t in themes.get(r["id"], [])],
        }
        for r in rows
    ]


def measures_of(tracker: Tracker, action_id: int) -> list[dict[str, Any]]:
    """An action's measures as they stood, with progress from baseline to target and if met."""
    out = []
    for row in tracker.measures.get(action_id, []):
        measure = dict(row)
        measure.pop("action_id")
        measure["progress"], measure["met"] = measure_progress(
            row["baseline"], row["target"], row["direction"], row["latest"]
        )
        out.append(measure)
    return out


def measure_progress(
    baseline: float, target: float, direction: str, latest: float | None
) -> tuple[int | None, bool | None]:
    """How far a measure has moved from baseline to target (percent, may exceed 100) and if met."""
    if latest is None:
        return None, None
    met = latest >= target if direction == "up" else latest <= target
    if target == baseline:
        return (100 if met else 0), met
    # Values are finite (lettermine.numbers.real); a tiny span between baseline and target can
    # still make the share astronomical, so it is capped rather than overflowing.
    share = 100 * (latest - baseline) / (target - baseline)
    return round(max(-PROGRESS_CAP, min(PROGRESS_CAP, share))), met


def history(conn: sqlite3.Connection, action_id: int) -> list[dict[str, Any]]:
    """Every recorded change to an action, oldest first; empty fields left out."""
    rows = _rows(
        conn,
        """SELECT h.*, m.name AS measure FROM action_history h
           LEFT JOIN action_measures m ON m.id = h.measure_id
           WHERE h.action_id = ? ORDER BY h.id""",
        [action_id],
    )
    superseded_by = {r["supersedes"]: r["id"] for r in rows if r["supersedes"] is not None}
    out = []
    for r in rows:
        entry = {k: r[k] for k in r.keys() if r[k] is not None and k not in ("action_id",)}
        if r["id"] in superseded_by:
            entry["superseded_by"] = superseded_by[r["id"]]
        out.append(entry)
    return out


def effective(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries of a history (as history() gives it) that count, in the order they happened:
    corrections applied (timeline.entries_in_force, the one place that decides)."""
    return entries_in_force(entries, None)


def effective_history(conn: sqlite3.Connection, action_id: int) -> list[dict[str, Any]]:
    """history() less what was withdrawn or corrected: what RAG and reports are computed from."""
    return effective(history(conn, action_id))


def list_actions(
    conn: sqlite3.Connection,
    *,
    status: str | None = None,
    owner: str | None = None,
    theme: str | None = None,
    overdue: bool = False,
    due_within: int | None = None,
    letter_id: int | None = None,
    authority: str | None = None,
    today: dt.date | str | None = None,
    as_at: dt.date | str | None = None,
) -> list[dict[str, Any]]:
    """Actions matching every filter given, ordered by due date: now with RAG as at today, or as
    they stood at the end of the as-at day with RAG judged on that day."""
    day, when = resolve_day(today, as_at)
    return select_actions(
        conn, load_tracker(conn, when), day, status=status, owner=owner, theme=theme,
        overdue=overdue, due_within=due_within, letter_id=letter_id, authority=authority,
    )  # fmt: skip


def select_actions(
    conn: sqlite3.Connection,
    tracker: Tracker,
    day: dt.date,
    *,
    status: str | None = None,
    owner: str | None = None,
    theme: str | None = None,
    overdue: bool = False,
    due_within: int | None = None,
    letter_id: int | None = None,
    letter_ids: Sequence[int] = (),
    authority: str | None = None,
) -> list[dict[str, Any]]:
    """The tracker's actions matching every filter given, as summaries, soonest due first."""
    rows = list(tracker.actions.values())
    today = day.isoformat()
    if status is not None:
        _check_status(status)
        rows = [r for r in rows if r["status"] == status]
    if owner is not None:
        owner.encode("utf-8")  # text that is not UTF-8 is refused here as the database would
        wanted = owner.strip().casefold()
        rows = [r for r in rows if (r["owner"] or "").casefold() == wanted]
    if due_within is not None:
        if due_within < 0:
            raise InvalidInput(f"--due-within must be 0 or more days, not {due_within}")
        # Open actions falling due in the window; overdue ones are what --overdue is for.
        last = (day + dt.timedelta(days=min(due_within, (dt.date.max - day).days))).isoformat()
        rows = [r for r in rows if r["due"] and today <= r["due"] <= last
                and r["status"] not in CLOSED]  # fmt: skip
    if overdue:
        rows = [r for r in rows if r["due"] and r["due"] < today and r["status"] not in CLOSED]
    letters = set(letter_ids)
    if letter_id is not None:
        _letter_exists(conn, letter_id)
        letters.add(letter_id)
    if letter_id is not None or letter_ids:
        links = tracker.links
        rows = [
            r for r in rows if any(tracker.units[u].letter_id in letters for u in links[r["id"]])
        ]
    if authority is not None:
        name = resolve_authority(conn, authority).casefold()
        rows = [
            r for r in rows
            if any((tracker.units[u].authority or "").casefold() == name
                   for u in tracker.links[r["id"]])
        ]  # fmt: skip
    if theme is not None:
        rows = _with_theme(conn, tracker, rows, theme)
    rows.sort(key=lambda r: (r["due"] is None, r["due"] or "", r["id"]))
    return [summarise(tracker, r["id"], day) for r in rows]


def _with_theme(
    conn: sqlite3.Connection, tracker: Tracker, rows: list[dict[str, Any]], theme: str
) -> list[dict[str, Any]]:
    if theme not in THEME_CODES:
        raise InvalidInput(f"unknown theme '{theme}' (use one of: {', '.join(THEME_CODES)})")
    themes = effective_themes(conn, sorted({u for us in tracker.links.values() for u in us}))
    return [
        r for r in rows
        if any(any(t["code"] == theme for t in themes.get(u, [])) for u in tracker.links[r["id"]])
    ]  # fmt: skip


def _letter_exists(conn: sqlite3.Connection, letter_id: int) -> None:
    if conn.execute("SELECT 1 FROM letters WHERE id = ?", [letter_id]).fetchone() is None:
        raise NotFound(f"no letter {letter_id} (see 'lettermine letters')")


def resolve_authority(conn: sqlite3.Connection, name: str) -> str:
    """The stored authority name a person's spelling refers to; NotFound if no letter has it."""
    wanted = authority_name(name) or name.strip()
    row = conn.execute(
        "SELECT authority FROM letters WHERE authority = ? COLLATE NOCASE LIMIT 1", [wanted]
    ).fetchone()
    if row is None:
        raise NotFound(f"no letters about '{name}' (see 'lettermine letters')")
    return str(row[0])


# -- writing -------------------------------------------------------------------------------------


def check_change_date(at: dt.date) -> dt.date:
    """A change is recorded once it has happened: a date after tomorrow (a day's grace for time
    zones) is refused, rather than freezing the action behind a change dated years ahead."""
    latest = dt.date.today() + dt.timedelta(days=1)
    if at > latest:
        raise InvalidInput(
            f"{at.isoformat()} is in the future: changes are recorded on or after the day they "
            f"happen (today is {dt.date.today().isoformat()}); check the date"
        )
    return at


def check_plan_date(day: dt.date | None, what: str) -> dt.date | None:
    """A start or due date no more than PLAN_YEARS ahead: later ones are typing mistakes."""
    last = dt.date(dt.date.today().year + PLAN_YEARS, 12, 31)
    if day is not None and day > last:
        raise InvalidInput(
            f"{what} {day.isoformat()} is more than {PLAN_YEARS} years ahead (the latest accepted "
            f"is {last.isoformat()}): check the year"
        )
    return day


def _append(
    conn: sqlite3.Connection, action_id: int, event: str, at: dt.date, **fields: Any
) -> int:
    check_change_date(at)
    columns = ["action_id", "event", "at", "recorded_at", *fields]
    values = [action_id, event, at.isoformat(), _now(), *fields.values()]
    cur = conn.execute(
        f"INSERT INTO action_history ({', '.join(columns)}) VALUES ({','.join('?' * len(values))})",
        values,
    )
    return int(cur.lastrowid or 0)


def _resolve_units(conn: sqlite3.Connection, refs: Iterable[str]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for ref in refs:
        ref = ref.strip()
        unit_id = resolve_unit(conn, ref)
        if unit_id not in {u for _, u in out}:
            out.append((ref, unit_id))
    return out


def _check_dates(start: dt.date | None, due: dt.date | None) -> None:
    check_plan_date(start, "start date")
    check_plan_date(due, "due date")
    if start and due and due < start:
        raise InvalidInput(f"due date {due} is before the start date {start}")


def add_action(
    conn: sqlite3.Connection,
    *,
    title: str,
    units: Sequence[str] = (),
    description: str | None = None,
    owner: str | None = None,
    start: dt.date | str | None = None,
    due: dt.date | str | None = None,
    ref: str | None = None,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> int:
    """Create an action answering the given units (public ids such as '3:1'); its new id."""
    title_text = _text(title)
    if not title_text:
        raise InvalidInput("an action needs a title")
    start_day, due_day = as_date(start, "start"), as_date(due, "due")
    _check_dates(start_day, due_day)
    at = _required_date(date, "date")
    with write_transaction(conn):
        links = _resolve_units(conn, units)
        ref = _text(ref)
        if ref is not None:
            taken = conn.execute("SELECT id FROM actions WHERE ref = ?", [ref]).fetchone()
            if taken:
                raise InvalidInput(f"reference '{ref}' is already action {taken[0]}")
        action_id = _insert_action(
            conn, title_text, _text(description), _text(owner), start_day, due_day, ref, at
        )
        _append(conn, action_id, "created", at, author=author, status="not_started",
                percent=0, due=_iso(due_day))  # fmt: skip
        _link(conn, action_id, links, at, author)
    return action_id


def _insert_action(
    conn: sqlite3.Connection,
    title: str,
    description: str | None,
    owner: str | None,
    start: dt.date | None,
    due: dt.date | None,
    ref: str | None,
    at: dt.date,
    *,
    original_due: dt.date | None = None,
    status: str = "not_started",
    percent: int = 0,
) -> int:
    cur = conn.execute(
        """INSERT INTO actions (ref, title, description, owner, start, original_due, due,
           status, percent, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            ref, title, description, owner, _iso(start), _iso(original_due or due), _iso(due),
            status, percent, at.isoformat(),
        ],
    )  # fmt: skip
    return int(cur.lastrowid or 0)


def _link(
    conn: sqlite3.Connection,
    action_id: int,
    links: list[tuple[str, int]],
    at: dt.date,
    author: str | None,
) -> None:
    for ref, unit_id in links:
        conn.execute(
            "INSERT INTO action_units (action_id, unit_id) VALUES (?, ?)", [action_id, unit_id]
        )
        _append(conn, action_id, "link", at, author=author, unit=ref)


def update_action(
    conn: sqlite3.Connection,
    action_id: int,
    *,
    percent: int | None = None,
    note: str | None = None,
    evidence: str | None = None,
    value: float | None = None,
    measure: str | None = None,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> int:
    """Record progress (percent, note, evidence, a measure's value); the new history row's id.

    A first update with progress above 0 moves a not-started action to in progress.
    """
    note, evidence = _text(note), _text(evidence)
    if percent is None and note is None and evidence is None and value is None:
        raise InvalidInput("nothing to record: give --percent, --note, --evidence or --value")
    if percent is not None:
        _check_percent(percent)
    if value is not None:
        value = real(value, "value")
    if measure is not None and value is None:
        raise InvalidInput("--measure names the measure a --value is for: give --value too")
    at = _required_date(date, "date")
    with write_transaction(conn):
        row = _row(conn, action_id)
        _check_in_order(conn, action_id, at)
        if percent is not None and percent < 100 and row["status"] in CLOSED:
            raise InvalidInput(
                f"action {action_id} is {row['status']}: reopen it with "
                f"'lettermine actions status {action_id} in_progress' before lowering its percent"
            )
        measure_id = _measure_for(conn, action_id, measure) if value is not None else None
        status = None
        if percent and row["status"] == "not_started":
            status = "in_progress"
        history_id = _append(
            conn, action_id, "update", at, author=author, percent=percent, note=note,
            evidence=evidence, measure_id=measure_id, value=value, status=status,
        )  # fmt: skip
        if percent is not None:
            conn.execute("UPDATE actions SET percent = ? WHERE id = ?", [percent, action_id])
        if status is not None:
            conn.execute("UPDATE actions SET status = ? WHERE id = ?", [status, action_id])
        if measure_id is not None:
            conn.execute(
                "UPDATE action_measures SET latest = ?, latest_at = ? WHERE id = ?",
                [value, at.isoformat(), measure_id],
            )
    return history_id


def _measure_for(conn: sqlite3.Connection, action_id: int, name: str | None) -> int:
    rows = conn.execute(
        "SELECT id, name FROM action_measures WHERE action_id = ? ORDER BY id", [action_id]
    ).fetchall()
    if not rows:
        raise InvalidInput(
            f"action {action_id} has no measure to take --value: add one with "
            f"'lettermine actions measure {action_id} --name ... --baseline ... --target ...'"
        )
    if name is None:
        if len(rows) > 1:
            names = ", ".join(f"'{r[1]}'" for r in rows)
            raise InvalidInput(
                f"action {action_id} has several measures: say which with --measure ({names})"
            )
        return int(rows[0][0])
    for measure_id, measure_name in rows:
        if measure_name.casefold() == name.strip().casefold():
            return int(measure_id)
    raise NotFound(f"action {action_id} has no measure '{name}'")


def check_transition(current: str, new: str, *, force: bool = False) -> None:
    """Raise InvalidInput unless the lifecycle allows moving from current to new (or forced)."""
    _check_status(new)
    if new == current:
        raise InvalidInput(f"the action is already {new}")
    if new not in TRANSITIONS[current] and not force:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise InvalidInput(
            f"cannot move from {current} to {new} (allowed from {current}: {allowed}); "
            "use --force to override"
        )


def set_status(
    conn: sqlite3.Connection,
    action_id: int,
    status: str,
    *,
    force: bool = False,
    note: str | None = None,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> None:
    """Move an action along its lifecycle; done and verified set percent to 100."""
    at = _required_date(date, "date")
    with write_transaction(conn):
        row = _row(conn, action_id)
        check_transition(row["status"], status, force=force)
        _check_in_order(conn, action_id, at)
        percent = 100 if status in CLOSED else None
        reason = "forced" if force and status not in TRANSITIONS[row["status"]] else None
        _append(conn, action_id, "status", at, author=author, status=status, percent=percent,
                note=_text(note), reason=reason)  # fmt: skip
        conn.execute(
            "UPDATE actions SET status = ?, percent = coalesce(?, percent) WHERE id = ?",
            [status, percent, action_id],
        )


def revise_due(
    conn: sqlite3.Connection,
    action_id: int,
    due: dt.date | str,
    *,
    reason: str,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> None:
    """Move an action's due date, with a reason; the original due date is kept."""
    new_due = as_date(due, "due")
    if new_due is None:
        raise InvalidInput("a revised due date is needed")
    why = _text(reason)
    if not why:
        raise InvalidInput("a revised due date needs a --reason")
    at = _required_date(date, "date")
    with write_transaction(conn):
        row = _row(conn, action_id)
        _check_dates(as_date(row["start"], "start"), new_due)
        if row["due"] == new_due.isoformat():
            raise InvalidInput(f"action {action_id} is already due on {new_due}")
        _check_in_order(conn, action_id, at)
        _append(conn, action_id, "due", at, author=author, due=new_due.isoformat(), reason=why)
        # An action created without a due date gets its first one as the original.
        conn.execute(
            "UPDATE actions SET due = ?, original_due = coalesce(original_due, ?) WHERE id = ?",
            [new_due.isoformat(), new_due.isoformat(), action_id],
        )


def set_override(
    conn: sqlite3.Connection,
    action_id: int,
    colour: str,
    *,
    reason: str,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> None:
    """Override the RAG rule for an action: a colour and the reason shown beside it."""
    if colour not in COLOURS:
        raise InvalidInput(f"unknown RAG colour '{colour}' (use red, amber or green)")
    why = _text(reason)
    if not why:
        raise InvalidInput("a RAG override needs a --reason")
    at = _required_date(date, "date")
    with write_transaction(conn):
        _row(conn, action_id)
        _check_in_order(conn, action_id, at)
        _append(conn, action_id, "override", at, author=author, rag_override=colour, reason=why)
        conn.execute(
            "UPDATE actions SET rag_override = ?, rag_override_reason = ? WHERE id = ?",
            [colour, why, action_id],
        )


def clear_override(
    conn: sqlite3.Connection,
    action_id: int,
    *,
    reason: str | None = None,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> None:
    """Go back to the RAG rule for an action."""
    at = _required_date(date, "date")
    with write_transaction(conn):
        row = _row(conn, action_id)
        if row["rag_override"] is None:
            raise InvalidInput(f"action {action_id} has no RAG override to clear")
        _check_in_order(conn, action_id, at)
        _append(conn, action_id, "override_cleared", at, author=author, reason=_text(reason))
        conn.execute(
            "UPDATE actions SET rag_override = NULL, rag_override_reason = NULL WHERE id = ?",
            [action_id],
        )


def link_units(
    conn: sqlite3.Connection,
    action_id: int,
    units: Sequence[str],
    *,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> None:
    """Link an action to more units, from any letter."""
    if not units:
        raise InvalidInput("give at least one unit id to link (e.g. 3:1)")
    at = _required_date(date, "date")
    with write_transaction(conn):
        _row(conn, action_id)
        _check_in_order(conn, action_id, at)
        links = _resolve_units(conn, units)
        linked = _linked(conn, action_id)
        for ref, unit_id in links:
            if unit_id in linked:
                raise InvalidInput(f"unit {ref} is already linked to action {action_id}")
        _link(conn, action_id, links, at, author)


def unlink_units(
    conn: sqlite3.Connection,
    action_id: int,
    units: Sequence[str],
    *,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> None:
    """Remove links between an action and units; the history keeps that they were linked."""
    if not units:
        raise InvalidInput("give at least one unit id to unlink (e.g. 3:1)")
    at = _required_date(date, "date")
    with write_transaction(conn):
        _row(conn, action_id)
        _check_in_order(conn, action_id, at)
        links = _resolve_units(conn, units)
        linked = _linked(conn, action_id)
        for ref, unit_id in links:
            if unit_id not in linked:
                raise InvalidInput(f"unit {ref} is not linked to action {action_id}")
        for ref, unit_id in links:
            conn.execute(
                "DELETE FROM action_units WHERE action_id = ? AND unit_id = ?", [action_id, unit_id]
            )
            _append(conn, action_id, "unlink", at, author=author, unit=ref)


def _event_date(conn: sqlite3.Connection, action_id: int, date: dt.date | str | None) -> dt.date:
    # A change the system makes (a letter deleted or replaced) is dated today, or the action's
    # last recorded change where that is later: the history stays in date order.
    at = _required_date(date, "date")
    last = _last_event_date(conn, action_id)
    return max(at, dt.date.fromisoformat(last)) if last else at


def end_link(
    conn: sqlite3.Connection,
    action_id: int,
    unit_id: int,
    ref: str,
    *,
    note: str,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> None:
    """Inside the caller's transaction: end a link because its unit is leaving the database.

    The action and its history stay; an `unlink` row names the unit (as text) and says why.
    """
    at = _event_date(conn, action_id, date)
    conn.execute(
        "DELETE FROM action_units WHERE action_id = ? AND unit_id = ?", [action_id, unit_id]
    )
    _append(conn, action_id, "unlink", at, author=author, unit=ref, note=note)


def move_link(
    conn: sqlite3.Connection,
    action_id: int,
    unit_id: int,
    ref: str,
    *,
    to_unit: int,
    to_ref: str,
    note: str,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> None:
    """Inside the caller's transaction: point a link at the unit that takes its unit's place.

    Where the unit's public id changes, the history records an unlink and a link with the note.
    """
    conn.execute(
        "UPDATE action_units SET unit_id = ? WHERE action_id = ? AND unit_id = ?",
        [to_unit, action_id, unit_id],
    )
    if ref != to_ref:
        at = _event_date(conn, action_id, date)
        _append(conn, action_id, "unlink", at, author=author, unit=ref, note=note)
        _append(conn, action_id, "link", at, author=author, unit=to_ref, note=note)


def _linked(conn: sqlite3.Connection, action_id: int) -> set[int]:
    return {
        int(r[0])
        for r in conn.execute("SELECT unit_id FROM action_units WHERE action_id = ?", [action_id])
    }


def add_measure(
    conn: sqlite3.Connection,
    action_id: int,
    *,
    name: str,
    baseline: float,
    target: float,
    direction: str | None = None,
    unit: str | None = None,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> int:
    """Attach a measure to an action; direction defaults to the way from baseline to target."""
    label = _text(name)
    if not label:
        raise InvalidInput("a measure needs a --name")
    baseline, target = real(baseline, "baseline"), real(target, "target")
    if direction is None:
        direction = "down" if target < baseline else "up"
    if direction not in DIRECTIONS:
        raise InvalidInput(f"unknown direction '{direction}' (use up or down)")
    if (direction == "up" and target < baseline) or (direction == "down" and target > baseline):
        raise InvalidInput(
            f"target {target:g} is not {direction} from baseline {baseline:g}: "
            "check --direction, --baseline and --target"
        )
    at = _required_date(date, "date")
    with write_transaction(conn):
        _row(conn, action_id)
        _check_in_order(conn, action_id, at)
        clash = conn.execute(
            "SELECT 1 FROM action_measures WHERE action_id = ? AND name = ? COLLATE NOCASE",
            [action_id, label],
        ).fetchone()
        if clash:
            raise InvalidInput(f"action {action_id} already has a measure '{label}'")
        cur = conn.execute(
            """INSERT INTO action_measures (action_id, name, unit, baseline, target, direction)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [action_id, label, _text(unit), baseline, target, direction],
        )
        measure_id = int(cur.lastrowid or 0)
        note = f"baseline {baseline:g}, target {target:g} ({direction})"
        _append(conn, action_id, "measure", at, author=author, measure_id=measure_id,
                value=baseline, note=note)  # fmt: skip
    return measure_id


# -- coverage ------------------------------------------------------------------------------------


def coverage(
    conn: sqlite3.Connection,
    *,
    letter_ids: Sequence[int] = (),
    authority: str | None = None,
    today: dt.date | str | None = None,
    as_at: dt.date | str | None = None,
    tracker: Tracker | None = None,
) -> dict[str, Any]:
    """The selected letters' areas for improvement and priority actions; which have no action.

    An area closed without an action counts as answered. Each area also lists its actions
    that are overdue on the day: answered on paper, late. With as_at, everything is as it stood
    at the end of that day (letters published by then, links, closures), judged on that day.
    """
    day, when = resolve_day(today, as_at)
    if tracker is None:
        tracker = load_tracker(conn, when)
    where = [f"u.kind IN ({','.join('?' * len(AREA_KINDS))})"]
    params: list[Any] = list(AREA_KINDS)
    for letter_id in letter_ids:
        _letter_exists(conn, letter_id)
        if letter_id not in tracker.letters:
            raise NotFound(f"letter {letter_id} had not been published by {when}")
    if letter_ids:
        where.append(f"u.letter_id IN ({','.join('?' * len(letter_ids))})")
        params += list(letter_ids)
    if authority is not None:
        where.append("l.authority = ? COLLATE NOCASE")
        params.append(resolve_authority(conn, authority))
    rows = [
        r
        for r in _rows(
            conn,
            f"""SELECT u.id, u.letter_id, u.seq, u.kind, u.text, l.authority,
                       coalesce(l.inspection_start, l.published) AS date
                FROM units u JOIN letters l ON l.id = u.letter_id
                WHERE {" AND ".join(where)} ORDER BY u.letter_id, u.seq""",
            params,
        )
        if r["letter_id"] in tracker.letters
    ]
    on_unit: dict[int, list[int]] = {}
    for action_id, units in tracker.links.items():
        for unit_id in units:
            on_unit.setdefault(unit_id, []).append(action_id)
    today_iso = day.isoformat()

    def late(action_id: int) -> bool:
        row = tracker.actions[action_id]
        return bool(row["due"]) and row["due"] < today_iso and row["status"] not in CLOSED

    areas = []
    for r in rows:
        actions = sorted(on_unit.get(r["id"], []))
        closure = tracker.closures.get(r["id"])
        areas.append({
            "unit": unit_ref(r["letter_id"], r["seq"]),
            "letter_id": r["letter_id"],
            "authority": r["authority"],
            "date": r["date"],
            "kind": r["kind"],
            "text": r["text"],
            "actions": actions,
            "overdue_actions": [a for a in actions if late(a)],
            "closed": None if closure is None else {
                "at": closure["at"], "reason": closure["reason"], "author": closure["author"],
                "by": closure["by_unit"],
            },
        })  # fmt: skip
    uncovered = [a for a in areas if not a["actions"] and not a["closed"]]
    return {
        "areas": len(areas),
        "covered": len(areas) - len(uncovered),
        "closed": sum(1 for a in areas if a["closed"]),
        "overdue": sum(1 for a in areas if a["overdue_actions"]),
        "as_at": day.isoformat(),
        "uncovered": uncovered,
        "all": areas,
    }


def _ids(concatenated: str | None) -> list[int]:
    return [int(part) for part in concatenated.split(",")] if concatenated else []


# -- export and import ---------------------------------------------------------------------------


def export_actions(
    conn: sqlite3.Connection, *, today: dt.date | str | None = None
) -> list[dict[str, Any]]:
    """Every action in full (units, measures, history), for `actions export --json`."""
    ids = [int(r[0]) for r in conn.execute("SELECT id FROM actions ORDER BY id")]
    return [get_action(conn, action_id, today=today) for action_id in ids]


# A council's tracker spreadsheet, one row per action. `export --csv` writes these columns and
# `import` reads them back; REQUIRED must be present (values may be blank except title).
TRACKER_COLUMNS: tuple[str, ...] = (
    "ref", "title", "description", "owner", "status", "percent", "start", "original_due",
    "due", "units", "note", "evidence", "author", "date", "created", "rag_override",
    "rag_override_reason", "rag", "rag_reason", "id",
)  # fmt: skip
REQUIRED_COLUMNS: tuple[str, ...] = ("title", "owner", "status", "percent", "due", "units")
# Written by export for people to read, ignored by import: an id or RAG is ours to assign.
DERIVED_COLUMNS: tuple[str, ...] = ("id", "rag", "rag_reason")

# Spreadsheet wording people use for the lifecycle's statuses.
STATUS_WORDS: dict[str, str] = {
    "not started": "not_started",
    "not yet started": "not_started",
    "in progress": "in_progress",
    "started": "in_progress",
    "ongoing": "in_progress",
    "complete": "done",
    "completed": "done",
    "done": "done",
    "verified": "verified",
    "blocked": "blocked",
    "on hold": "blocked",
}


def export_rows(
    conn: sqlite3.Connection, *, today: dt.date | str | None = None
) -> list[dict[str, Any]]:
    """One tracker row per action (the TRACKER_COLUMNS), latest note and evidence included."""
    day, _ = resolve_day(today, None)
    tracker = load_tracker(conn)
    rows = []
    for action in select_actions(conn, tracker, day):
        latest: dict[str, Any] = {}
        for entry in tracker.history[action["id"]]:  # the entries in force: corrections applied
            latest.update({k: entry[k] for k in ("note", "evidence", "author") if k in entry})
            latest["date"] = entry["at"]
        stored = tracker.actions[action["id"]]
        rows.append(
            {
                **{k: action.get(k) for k in TRACKER_COLUMNS if k in action},
                "units": "; ".join(action["units"]),
                "note": latest.get("note"),
                "evidence": latest.get("evidence"),
                "author": latest.get("author"),
                "date": latest.get("date"),
                # The override itself, not the summary's flag: import sets it again.
                "rag_override": stored["rag_override"],
                "rag_override_reason": stored["rag_override_reason"],
            }
        )
    return rows


def _cell_date(value: str, column: str) -> dt.date | None:
    value = re.sub(r"[ T]00:00(:00)?$", "", value.strip())  # a date cell saved with its time
    if not value:
        return None
    # Spreadsheets saved in the UK write 31/03/2020; ISO is accepted too.
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise InvalidInput(f"{column} '{value}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


def _cell_percent(value: str) -> int:
    text = value.strip().rstrip("%").strip()
    if not text:
        return 0
    number = real(text, "percent")
    if number != int(number):
        raise InvalidInput(f"percent '{value}' is not a whole number")
    return _check_percent(int(number))


def _cell_status(value: str) -> str:
    key = " ".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
    if not key:
        return "not_started"
    if key not in STATUS_WORDS:
        raise InvalidInput(f"status '{value}' is not one of: {', '.join(STATUSES)}")
    return STATUS_WORDS[key]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _header_key(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def read_tracker(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and numbered rows of a tracker CSV as spreadsheets save it (encoding and
    separator detected: lettermine.spreadsheet.read_csv)."""
    return read_csv(path, TRACKER_COLUMNS, _header_key)


def import_csv(
    conn: sqlite3.Connection,
    path: Path,
    *,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> tuple[list[int], list[str]]:
    """Create one action per row of a tracker CSV, all or nothing: (new ids, warnings)."""
    keys, numbered = read_tracker(path)
    rows, lines = [row for _, row in numbered], [line for line, _ in numbered]
    return import_tracker(conn, named(path), keys, rows, lines=lines, author=author, date=date)


def import_tracker(
    conn: sqlite3.Connection,
    name: str,
    keys: list[str],
    rows: list[dict[str, str]],
    *,
    lines: Sequence[int] | None = None,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> tuple[list[int], list[str]]:
    """Create one action per tracker row (header keys, text cells), all or nothing; lines are
    the rows' numbers in the sheet (default: 2 on, after the header)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in keys]
    if missing:
        columns = ", ".join(missing)
        needed = ", ".join(REQUIRED_COLUMNS)
        raise InvalidInput(
            f"{name}: missing {'column' if len(missing) == 1 else 'columns'} {columns} "
            f"(a tracker needs {needed}: see 'lettermine actions export --csv')"
        )
    warnings = [
        f"column '{k}' is not a tracker column and was ignored"
        for k in keys
        if k and k not in TRACKER_COLUMNS
    ]
    default_day = _required_date(date, "date")
    created: list[int] = []
    with write_transaction(conn):
        numbered = list(zip(lines or range(2, len(rows) + 2), rows, strict=True))
        plans, problems = _plan_rows(conn, numbered, default_day)
        if problems:
            shown = "; ".join(problems[:5])
            if len(problems) > 5:
                shown += f"; and {len(problems) - 5} more"
            count = _plural(len(problems), "problem")
            raise InvalidInput(f"{name}: nothing imported, {count}: {shown}")
        for line, plan in plans:
            created.append(_import_one(conn, plan, author, f"imported from {name} row {line}"))
    return created, warnings


def _plan_rows(
    conn: sqlite3.Connection, rows: list[tuple[int, dict[str, str]]], default_day: dt.date
) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    # Every row is checked before anything is written, so one message lists all the problems.
    plans: list[tuple[int, dict[str, Any]]] = []
    problems: list[str] = []
    refs_seen: dict[str, int] = {}
    for line, row in rows:  # numbered as the spreadsheet numbers them (row 1 is the header)
        try:
            plan = _plan_row(conn, row, default_day)
            ref = plan["ref"]
            if ref is not None:
                if ref in refs_seen:
                    raise InvalidInput(f"ref '{ref}' repeats row {refs_seen[ref]}")
                refs_seen[ref] = line
            plans.append((line, plan))
        except LettermineError as e:
            problems.append(f"row {line}: {e}")
    return plans, problems


def _plan_row(
    conn: sqlite3.Connection, row: dict[str, str], default_day: dt.date
) -> dict[str, Any]:
    title = _text(row.get("title"))
    if not title:
        raise InvalidInput("no title")
    start = _cell_date(row.get("start", ""), "start")
    due = _cell_date(row.get("due", ""), "due")
    original_due = _cell_date(row.get("original_due", ""), "original_due") or due
    _check_dates(start, due)
    check_plan_date(original_due, "original_due")
    if start and original_due and original_due < start:
        raise InvalidInput(f"original_due {original_due} is before the start date {start}")
    status = _cell_status(row.get("status", ""))
    percent = 100 if status in CLOSED else _cell_percent(row.get("percent", ""))
    refs = [r for r in re.split(r"[;,\s]+", row.get("units", "")) if r]
    links = _resolve_units(conn, refs)
    ref = _text(row.get("ref"))
    if ref is not None:
        taken = conn.execute("SELECT id FROM actions WHERE ref = ?", [ref]).fetchone()
        if taken:
            raise InvalidInput(f"ref '{ref}' is already action {taken[0]}")
    else:
        _refuse_a_second_copy(conn, title, {unit_id for _, unit_id in links})
    at = check_change_date(_cell_date(row.get("date", ""), "date") or default_day)
    made = _cell_date(row.get("created", ""), "created")
    if made and made > at:
        raise InvalidInput(f"created {made} is after the row's date {at}")
    override = (_text(row.get("rag_override")) or "").lower() or None
    override_reason = _text(row.get("rag_override_reason"))
    if override is not None and override not in COLOURS:
        raise InvalidInput(f"rag_override '{override}' is not red, amber or green")
    if (override is None) != (override_reason is None):
        raise InvalidInput("rag_override and rag_override_reason go together: give both or neither")
    return {
        "ref": ref,
        "title": title,
        "description": _text(row.get("description")),
        "owner": _text(row.get("owner")),
        "start": start,
        "due": due,
        "original_due": original_due,
        "status": status,
        "percent": percent,
        "links": links,
        "note": _text(row.get("note")),
        "evidence": _text(row.get("evidence")),
        "author": _text(row.get("author")),
        "date": at,
        "created": made or at,
        "override": override,
        "override_reason": override_reason,
    }


def _refuse_a_second_copy(conn: sqlite3.Connection, title: str, unit_ids: set[int]) -> None:
    # Without a ref, the same title on the same areas is the same action: importing a tracker
    # twice must not double every action in it.
    key = " ".join(title.split()).casefold()
    for action_id, existing in conn.execute("SELECT id, title FROM actions WHERE ref IS NULL"):
        if " ".join(existing.split()).casefold() != key:
            continue
        linked = conn.execute("SELECT unit_id FROM action_units WHERE action_id = ?", [action_id])
        if {u for (u,) in linked} == unit_ids:
            raise InvalidInput(
                f"'{title}' is already action {action_id} with the same areas "
                "(change it with 'lettermine actions update'; give it a ref to import a second one)"
            )


def _import_one(
    conn: sqlite3.Connection, plan: dict[str, Any], author: str | None, reason: str
) -> int:
    at = plan["date"]
    action_id = _insert_action(
        conn, plan["title"], plan["description"], plan["owner"], plan["start"], plan["due"],
        plan["ref"], plan["created"], original_due=plan["original_due"], status=plan["status"],
        percent=plan["percent"],
    )  # fmt: skip
    # The spreadsheet's state is a snapshot: recorded as one "imported" row, not replayed.
    _append(
        conn, action_id, "imported", at, author=plan["author"] or author, status=plan["status"],
        percent=plan["percent"], due=_iso(plan["due"]), note=plan["note"],
        evidence=plan["evidence"], reason=reason,
    )  # fmt: skip
    _link(conn, action_id, plan["links"], at, plan["author"] or author)
    if plan["override"] is not None:
        _append(conn, action_id, "override", at, author=plan["author"] or author,
                rag_override=plan["override"], reason=plan["override_reason"])  # fmt: skip
        conn.execute(
            "UPDATE actions SET rag_override = ?, rag_override_reason = ? WHERE id = ?",
            [plan["override"], plan["override_reason"], action_id],
        )
    return action_id


def write_tracker(rows: list[dict[str, Any]], out: TextIO) -> None:
    """Write tracker rows as CSV with the TRACKER_COLUMNS header, safe to open in a spreadsheet."""
    write_csv(out, TRACKER_COLUMNS, ([row.get(k) for k in TRACKER_COLUMNS] for row in rows))
