"""The tracker as it stands now, or as it stood at the end of a day, in one shape.

Live commands read the current-state copy on `actions` (with `action_units` and
`action_measures`). With `--as-at DATE` the same shape is rebuilt from the append-only history
instead: `action_history` and `area_closures` rows dated on or before DATE, and only the letters
published by then (or visited, where no publication date is printed). Everything downstream
(lists, coverage, Word documents) reads a `Tracker` and cannot tell the two apart, which is what
makes a paper regenerated a year later say what it said on the day.

A change counts from the date it is about (`at`, as the person recorded it), not from when it was
typed in (`recorded_at`): a progress note backdated to 30 June is part of the position at 30 June.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lettermine.dates import as_date
from lettermine.errors import InvalidInput

# A letter's date for "had it been published by then?": the publication date, else the last day
# of the visit, else the first; a letter with none of them dates from the day it was stored.
LETTER_DATE_SQL = (
    "coalesce(l.published, l.inspection_end, l.inspection_start, substr(l.ingested_at, 1, 10))"
)
STATE_EVENTS = frozenset({"created", "imported", "update", "status"})
CLOSED_STATUSES = frozenset({"done", "verified"})
# The columns of `actions` that the history does not change (set when the action is created).
FIXED_COLUMNS = ("id", "ref", "title", "description", "owner", "start", "created")
_CHUNK = 900


def resolve_day(
    today: dt.date | str | None, as_at: dt.date | str | None
) -> tuple[dt.date, dt.date | None]:
    """(the day RAG is judged on, the as-at day or None for live use).

    With an as-at date, RAG is judged on that date and `today` only says what today is: the
    as-at date may not be after it.
    """
    now = as_date(today, "today") or dt.date.today()
    when = as_date(as_at, "--as-at")
    if when is not None and when > now:
        raise InvalidInput(
            f"--as-at {when.isoformat()} is after today ({now.isoformat()}): "
            "nothing has been recorded for that day yet"
        )
    return (when or now), when


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return cur.execute(sql, params).fetchall()


def _chunked(
    conn: sqlite3.Connection, sql: str, ids: Sequence[int], extra: Sequence[Any] = ()
) -> Iterable[sqlite3.Row]:
    # `sql` has one "{marks}" placeholder for an IN list of ids, after the extra parameters.
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        yield from _rows(conn, sql.format(marks=",".join("?" * len(chunk))), [*extra, *chunk])


# -- which rows count ----------------------------------------------------------------------------


def entries_in_force(
    entries: Sequence[dict[str, Any]], day: dt.date | None, *, known: dt.date | None = None
) -> list[dict[str, Any]]:
    """The history entries (oldest first) that stood at the end of `day` (None: all of them).

    The one place that decides which history rows count, so every reader of the history agrees:
    a row superseded by a correction (lettermine.corrections) is left out, and so is a
    withdrawal; a correction stands in the place of the row it corrects (by its date, then by
    when the first row of its line was recorded); rows dated after the day are left out.

    With `known`, the history as it was known at the end of that day: a correction or
    withdrawal recorded after it is left out, so the entry it supersedes stands as it then did.
    The tracker as at a day is rebuilt so (load_tracker): a paper as at a day shows the original
    value before the correction was made and the corrected one from then on.
    """
    if known is not None:
        made_by = known.isoformat()
        entries = [
            e for e in entries
            if e.get("supersedes") is None or str(e.get("recorded_at") or "")[:10] <= made_by
        ]  # fmt: skip
    superseded = {e["supersedes"] for e in entries if e.get("supersedes") is not None}
    kept = [e for e in entries if e["id"] not in superseded and e["event"] != "withdrawal"]
    if superseded:
        origin: dict[int, int] = {}
        for entry in sorted(entries, key=lambda e: int(e["id"])):
            first = entry.get("supersedes")
            origin[entry["id"]] = origin.get(first, first) if first is not None else entry["id"]
        kept.sort(key=lambda e: (e["at"], origin[e["id"]]))
    if day is None:
        return kept
    last = day.isoformat()
    return [e for e in kept if e["at"] <= last]


def visible_letter_ids(conn: sqlite3.Connection, day: dt.date | None) -> set[int]:
    """The letters that had been published (or visited, with no date printed) by `day`."""
    if day is None:
        return {int(r[0]) for r in conn.execute("SELECT id FROM letters")}
    return {
        int(r[0])
        for r in conn.execute(
            f"SELECT l.id FROM letters l WHERE {LETTER_DATE_SQL} <= ?", [day.isoformat()]
        )
    }


# -- the tracker -------------------------------------------------------------------------------


@dataclass
class Unit:
    """What the tracker needs to know about an area it links to or closes."""

    id: int
    letter_id: int
    seq: int
    kind: str
    authority: str | None

    @property
    def ref(self) -> str:
        """The public id, e.g. '3:1'."""
        return f"{self.letter_id}:{self.seq}"


@dataclass
class Tracker:
    """Actions, their links, measures and history, and area closures: now, or as at a day."""

    day: dt.date | None  # None: as it stands now
    letters: set[int]  # letters that existed (all of them when live)
    actions: dict[int, dict[str, Any]]  # id -> the columns of `actions` as they stood
    links: dict[int, list[int]]  # action id -> unit row ids, in letter and unit order
    history: dict[int, list[dict[str, Any]]]  # action id -> entries in force, oldest first
    measures: dict[int, list[dict[str, Any]]]  # action id -> `action_measures` rows as they stood
    closures: dict[int, dict[str, Any]]  # unit row id -> the closure in force
    units: dict[int, Unit] = field(default_factory=dict)  # every unit linked or closed

    def has_evidence(self, action_id: int) -> bool:
        """Whether any evidence had been recorded for the action."""
        return any(e.get("evidence", "").strip() for e in self.history.get(action_id, []))

    def last_change(self, action_id: int) -> str | None:
        """The date of the action's latest change in force."""
        entries = self.history.get(action_id)
        return max(e["at"] for e in entries) if entries else None

    def unit_refs(self, action_id: int) -> list[str]:
        """The public ids of the units an action answered."""
        return [self.units[u].ref for u in self.links.get(action_id, [])]

    def actions_on(self, unit_id: int) -> list[int]:
        """The ids of the actions linked to a unit, lowest first."""
        return sorted(a for a, units in self.links.items() if unit_id in units)


def load_tracker(
    conn: sqlite3.Connection,
    day: dt.date | None = None,
    *,
    action_ids: Sequence[int] | None = None,
) -> Tracker:
    """The tracker now (day None) or as it stood at the end of `day`; optionally some actions."""
    letters = visible_letter_ids(conn, day)
    if action_ids is None:
        action_rows = _rows(conn, "SELECT * FROM actions ORDER BY id")
    else:
        action_rows = list(
            _chunked(conn, "SELECT * FROM actions WHERE id IN ({marks})", action_ids)
        )
    ids = [int(r["id"]) for r in action_rows]
    history = _history(conn, ids)
    measure_rows = _measure_rows(conn, ids)
    actions: dict[int, dict[str, Any]] = {}
    links: dict[int, list[int]] = {}
    measures: dict[int, list[dict[str, Any]]] = {}
    ref_to_unit = _unit_ids_by_ref(conn) if day is not None else {}
    for row in action_rows:
        action_id = int(row["id"])
        entries = entries_in_force(history.get(action_id, []), day, known=day)
        rows = measure_rows.get(action_id, [])
        if day is None:
            actions[action_id] = dict(row)
            history[action_id] = entries
            measures[action_id] = rows
            continue
        if not entries:
            continue  # not recorded yet on that day
        state, unit_refs, values = replay(dict(row), entries)
        actions[action_id] = state
        history[action_id] = entries
        links[action_id] = [ref_to_unit[r] for r in unit_refs if r in ref_to_unit]
        made = {e["measure_id"] for e in entries if e["event"] == "measure"}
        measures[action_id] = [
            {**m, "latest": values.get(m["id"], (None, None))[0],
             "latest_at": values.get(m["id"], (None, None))[1]}
            for m in rows
            if m["id"] in made
        ]  # fmt: skip
    for action_id in list(history):
        if action_id not in actions:
            del history[action_id]
    if day is None:
        links = _current_links(conn, ids)
    closures = _closures(conn, day)
    units = _units(conn, {u for us in links.values() for u in us} | set(closures))
    # Links to areas of letters not yet published are not part of the position on that day.
    links = {
        a: sorted(
            (u for u in us if units[u].letter_id in letters),
            key=lambda u: (units[u].letter_id, units[u].seq),
        )
        for a, us in links.items()
    }
    closures = {u: c for u, c in closures.items() if units[u].letter_id in letters}
    return Tracker(day, letters, actions, links, history, measures, closures, units)


def replay(
    row: dict[str, Any], entries: Sequence[dict[str, Any]]
) -> tuple[dict[str, Any], list[tuple[int, int]], dict[int, tuple[float, str]]]:
    """An action's columns, linked units and measure values as a run of history leaves them.

    `row` is the action's row now: the columns no event changes are taken from it.
    Returns (the row as it stood, units as (letter id, position), measure id -> (value, date)).
    """
    state: dict[str, Any] = {k: row[k] for k in FIXED_COLUMNS}
    state.update(status="not_started", percent=0, due=None, original_due=None,
                 rag_override=None, rag_override_reason=None)  # fmt: skip
    units: list[tuple[int, int]] = []
    values: dict[int, tuple[float, str]] = {}
    for entry in entries:
        event = entry["event"]
        if event in ("created", "imported"):
            state["due"] = entry.get("due")
            # An imported row's first due date came with the spreadsheet, not the history.
            state["original_due"] = row["original_due"] if event == "imported" else entry.get("due")
        elif event == "due":
            state["due"] = entry["due"]
            state["original_due"] = state["original_due"] or entry["due"]
        elif event == "override":
            state["rag_override"] = entry.get("rag_override")
            state["rag_override_reason"] = entry.get("reason")
        elif event == "override_cleared":
            state["rag_override"] = state["rag_override_reason"] = None
        elif event in ("link", "unlink"):
            unit = _unit_key(entry.get("unit", ""))
            if unit is not None:
                if event == "link" and unit not in units:
                    units.append(unit)
                elif event == "unlink" and unit in units:
                    units.remove(unit)
        if event in STATE_EVENTS and entry.get("status"):
            state["status"] = entry["status"]
        if entry.get("percent") is not None:
            state["percent"] = entry["percent"]
        if event == "update" and entry.get("measure_id") is not None and "value" in entry:
            values[entry["measure_id"]] = (entry["value"], entry["at"])
    return state, units, values


def _unit_key(ref: str) -> tuple[int, int] | None:
    try:
        letter, seq = (int(part) for part in ref.split(":"))
    except ValueError:
        return None
    return letter, seq


def _history(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Every history row of the actions, oldest first, empty fields left out (as `history`)."""
    out: dict[int, list[dict[str, Any]]] = {a: [] for a in ids}
    if len(ids) > _CHUNK:  # most calls want the whole tracker: one scan, no IN list
        rows: Iterable[sqlite3.Row] = _rows(conn, _HISTORY_SQL.format(where="1"))
    else:
        rows = _chunked(conn, _HISTORY_SQL.format(where="h.action_id IN ({marks})"), ids)
    for r in rows:
        if r["action_id"] in out:
            out[r["action_id"]].append(
                {k: r[k] for k in r.keys() if r[k] is not None and k != "action_id"}
            )
    for entries in out.values():
        entries.sort(key=lambda e: e["id"])
    return out


_HISTORY_SQL = """SELECT h.*, m.name AS measure FROM action_history h
    LEFT JOIN action_measures m ON m.id = h.measure_id WHERE {where} ORDER BY h.id"""


def _measure_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for r in _chunked(
        conn, "SELECT * FROM action_measures WHERE action_id IN ({marks}) ORDER BY id", ids
    ):
        out.setdefault(int(r["action_id"]), []).append(dict(r))
    return out


def _current_links(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {a: [] for a in ids}
    for r in _chunked(
        conn, "SELECT action_id, unit_id FROM action_units WHERE action_id IN ({marks})", ids
    ):
        out[int(r["action_id"])].append(int(r["unit_id"]))
    return out


def _unit_ids_by_ref(conn: sqlite3.Connection) -> dict[tuple[int, int], int]:
    # The history names units by public id ('3:1'; '03:1' names the same unit): every unit an
    # action was ever linked to, by (letter, position).
    keys: dict[int, set[int]] = {}
    for (ref,) in conn.execute("SELECT DISTINCT unit FROM action_history WHERE event = 'link'"):
        key = _unit_key(ref or "")
        if key is not None:
            keys.setdefault(key[0], set()).add(key[1])
    out: dict[tuple[int, int], int] = {}
    for letter_id, seqs in keys.items():
        for r in _chunked(
            conn,
            "SELECT id, seq FROM units WHERE letter_id = ? AND seq IN ({marks})",
            sorted(seqs),
            extra=[letter_id],
        ):
            out[(letter_id, int(r["seq"]))] = int(r["id"])
    return out


def _closures(conn: sqlite3.Connection, day: dt.date | None) -> dict[int, dict[str, Any]]:
    """Unit row id -> the closure in force at the end of the day (or now).

    Closures name areas by public id; an id whose unit is no longer stored is passed over.
    """
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for r in _rows(conn, "SELECT * FROM area_closures ORDER BY unit, id"):
        by_unit.setdefault(str(r["unit"]), []).append(dict(r))
    in_force = {}
    for unit, events in by_unit.items():
        kept = entries_in_force(events, day)
        if kept and kept[-1]["event"] == "close":
            in_force[unit] = kept[-1]
    ids = _unit_ids(conn, in_force)
    return {ids[ref]: closure for ref, closure in in_force.items() if ref in ids}


def _unit_ids(conn: sqlite3.Connection, refs: Iterable[str]) -> dict[str, int]:
    keys: dict[int, set[int]] = {}
    for ref in refs:
        key = _unit_key(ref)
        if key is not None:
            keys.setdefault(key[0], set()).add(key[1])
    out: dict[str, int] = {}
    for letter_id, seqs in keys.items():
        for r in _chunked(
            conn,
            "SELECT id, seq FROM units WHERE letter_id = ? AND seq IN ({marks})",
            sorted(seqs),
            extra=[letter_id],
        ):
            out[f"{letter_id}:{r['seq']}"] = int(r["id"])
    return out


def _units(conn: sqlite3.Connection, ids: set[int]) -> dict[int, Unit]:
    wanted = set(ids)
    out: dict[int, Unit] = {}
    for r in _chunked(
        conn,
        """SELECT u.id, u.letter_id, u.seq, u.kind, l.authority FROM units u
           JOIN letters l ON l.id = u.letter_id WHERE u.id IN ({marks})""",
        sorted(wanted),
    ):
        out[int(r["id"])] = Unit(int(r["id"]), int(r["letter_id"]), int(r["seq"]), r["kind"],
                                 r["authority"])  # fmt: skip
    return out
