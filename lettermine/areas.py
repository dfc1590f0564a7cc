"""Areas for improvement closed without an action, and reopened.

An area can be overtaken by a later inspection's area, or absorbed into the action answering
another one: closing it says so, with a reason (and the area that took it over), so coverage and
the documents count it as answered and print why. Every close and reopen is a new row in
`area_closures`; nothing is overwritten, and the latest row for an area decides.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from lettermine.actions import AREA_KINDS
from lettermine.dates import as_date
from lettermine.db import write_transaction
from lettermine.errors import InvalidInput
from lettermine.letters import resolve_unit, unit_ref
from lettermine.timeline import LETTER_DATE_SQL


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _area(conn: sqlite3.Connection, ref: str) -> tuple[int, str, str | None]:
    """(unit row id, canonical public id, its letter's date) of an area; InvalidInput otherwise."""
    unit_id = resolve_unit(conn, ref.strip())
    letter_id, seq, kind, letter_date = conn.execute(
        f"""SELECT u.letter_id, u.seq, u.kind, {LETTER_DATE_SQL} FROM units u
            JOIN letters l ON l.id = u.letter_id WHERE u.id = ?""",
        [unit_id],
    ).fetchone()
    public = unit_ref(letter_id, seq)
    if kind not in AREA_KINDS:
        raise InvalidInput(
            f"unit {public} is a {kind.replace('_', ' ')}: only areas for improvement and "
            "priority actions are closed"
        )
    return int(unit_id), public, letter_date


def _latest(conn: sqlite3.Connection, unit: str) -> sqlite3.Row | None:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    row: sqlite3.Row | None = cur.execute(
        "SELECT * FROM area_closures WHERE unit = ? ORDER BY id DESC LIMIT 1", [unit]
    ).fetchone()
    return row


def _check_date(at: dt.date, public: str, latest: sqlite3.Row | None) -> None:
    if latest is not None and at.isoformat() < latest["at"]:
        raise InvalidInput(
            f"{at.isoformat()} is before area {public}'s last recorded change ({latest['at']}); "
            "changes are recorded in date order"
        )


def close_area(
    conn: sqlite3.Connection,
    unit: str,
    *,
    reason: str,
    by: str | None = None,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> None:
    """Close an area without an action, with a reason and optionally the area that took it over."""
    why = (reason or "").strip()
    if not why:
        raise InvalidInput("closing an area needs a --reason (e.g. 'superseded by 5:2')")
    at = as_date(date, "date") or dt.date.today()
    with write_transaction(conn):
        unit_id, public, letter_date = _area(conn, unit)
        if letter_date and at.isoformat() < letter_date:
            raise InvalidInput(
                f"area {public}'s letter is dated {letter_date}: it cannot be closed before then"
            )
        by_public = None
        if by is not None:
            by_id, by_public, by_date = _area(conn, by)
            if by_id == unit_id:
                raise InvalidInput(f"area {public} cannot be taken over by itself")
            if by_date and at.isoformat() < by_date:
                raise InvalidInput(
                    f"area {by_public}'s letter is dated {by_date}: a closure in its favour "
                    "cannot be dated before then"
                )
        latest = _latest(conn, public)
        if latest is not None and latest["event"] == "close":
            raise InvalidInput(
                f"area {public} is already closed (since {latest['at']}: {latest['reason']}); "
                f"reopen it first with 'lettermine areas reopen {public}'"
            )
        _check_date(at, public, latest)
        _insert(conn, public, "close", at, author, why, by_public)


def reopen_area(
    conn: sqlite3.Connection,
    unit: str,
    *,
    reason: str | None = None,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> None:
    """Reopen a closed area: it needs an action (or a new closure) again."""
    at = as_date(date, "date") or dt.date.today()
    with write_transaction(conn):
        _, public, _ = _area(conn, unit)
        latest = _latest(conn, public)
        if latest is None or latest["event"] != "close":
            raise InvalidInput(f"area {public} is not closed")
        _check_date(at, public, latest)
        _insert(conn, public, "reopen", at, author, reason, None)


def _insert(
    conn: sqlite3.Connection,
    unit: str,
    event: str,
    at: dt.date,
    author: str | None,
    reason: str | None,
    by: str | None,
) -> None:
    conn.execute(
        """INSERT INTO area_closures (unit, event, at, recorded_at, author, reason, by_unit)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [unit, event, at.isoformat(), _now(), (author or "").strip() or None,
         (reason or "").strip() or None, by],
    )  # fmt: skip


def move_closures(
    conn: sqlite3.Connection,
    moves: dict[str, str | None],
    *,
    note: str,
    lost: str,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> None:
    """Inside the caller's transaction: closed areas follow their units to a letter's new copy.

    `moves` maps an area's public id to the id of the unit that takes its place (None: none
    does). A closed area whose id changes is reopened under the old id and closed under the new
    one with the same reason (the reopening says `note`); one with no successor is reopened,
    saying `lost`.
    """
    day = as_date(date, "date") or dt.date.today()
    # All reopened first, then closed under their new ids: an area may take the id of another
    # closed area that moves too.
    closed = {
        old: latest
        for old, latest in ((old, _latest(conn, old)) for old in moves)
        if latest is not None and latest["event"] == "close" and moves[old] != old
    }
    at = {old: max(day, dt.date.fromisoformat(latest["at"])) for old, latest in closed.items()}
    for old in closed:
        _insert(conn, old, "reopen", at[old], author, note if moves[old] else lost, None)
    for old, latest in closed.items():
        new = moves[old]
        if new is not None:
            _insert(conn, new, "close", at[old], latest["author"], latest["reason"],
                    latest["by_unit"])  # fmt: skip


def closure_history(conn: sqlite3.Connection, unit: str) -> list[dict[str, Any]]:
    """Every close and reopen of an area, oldest first, empty fields left out."""
    _, public, _ = _area(conn, unit)
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    out = []
    for r in cur.execute(
        """SELECT id, event, at, recorded_at, author, reason, by_unit AS "by"
           FROM area_closures WHERE unit = ? ORDER BY id""",
        [public],
    ):
        out.append({k: r[k] for k in r.keys() if r[k] is not None})
    return out
