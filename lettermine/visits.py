"""One visit, one letter: finding a visit already stored, replacing its copy, deleting a letter.

Ofsted publishes a letter as a PDF; a council may hold the same letter as Word or text too.
Each copy has its own SHA-256, so the content hash alone would store one visit twice and count
it twice in `themes`. A visit is identified from what the letter says, not its file:

- the same canonical authority (compared without regard to case) and the same letter kind;
- the same inspection or visit dates: first day and last day (a missing last day is the first);
- where either copy has no inspection dates, the same publication date instead;
- a letter with neither, with no authority, or of kind `other` has no visit identity: it is
  never taken for another.

Only `Letter` fields are used (authority, kind, inspection_start, inspection_end, published),
so the readers may change how they find them.

A replacement keeps the letter's id and moves to the new copy's units every action link and
every person's label whose unit has a match: a unit of the new copy with the same normalised
text (NFKC, case, quotes, dashes, punctuation and spacing ignored), one for one in document
order. Links without a match end with an `unlink` history row; labels without one are dropped
and counted. A deleted or replaced copy is recorded in `letter_removals` (append-only).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lettermine.actions import end_link, move_link
from lettermine.areas import move_closures
from lettermine.db import write_transaction
from lettermine.errors import LettermineError, NotFound
from lettermine.letters import UnitThemes, find_letter, insert_letter, insert_units, rewrite_letter
from lettermine.records import Letter


class SameVisit(LettermineError):
    "A copy of a visit already stored as another letter"


class LinkedActions(LettermineError):
    "A letter whose units answer actions, deleted without --force"


@dataclass
class StoredVisit:
    """A stored letter a new copy is the same visit as."""

    letter_id: int
    source: str
    sha256: str


@dataclass
class Lost:
    """An action link or a label that did not survive: its unit left without a match."""

    action_id: int | None  # None for a label
    ref: str  # the unit's public id, '7:3'
    text: str  # the start of the unit's text
    code: str | None = None  # a label's theme


@dataclass
class Outcome:
    """What storing, replacing or deleting a letter did."""

    letter_id: int
    new: bool = False
    replaced: StoredVisit | None = None
    moved: int = 0  # action links kept (on the matching unit)
    labels_kept: int = 0
    labels_dropped: int = 0
    lost: list[Lost] = field(default_factory=list)  # links ended and labels dropped
    unlinked: list[tuple[int, str]] = field(default_factory=list)  # (action, unit) on delete


# -- identity ---------------------------------------------------------------------------------


def _visit_fields(letter: Letter | sqlite3.Row | dict[str, Any]) -> dict[str, str | None]:
    names = ("kind", "authority", "inspection_start", "inspection_end", "published")
    if isinstance(letter, Letter):
        return {n: getattr(letter, n) for n in names}
    return {n: letter[n] for n in names}


def has_visit_identity(letter: Letter) -> bool:
    """Whether a letter says enough to be recognised as a visit (see the module docstring)."""
    f = _visit_fields(letter)
    return bool(
        f["kind"] != "other" and f["authority"] and (f["inspection_start"] or f["published"])
    )


def same_visit(a: dict[str, str | None], b: dict[str, str | None]) -> bool:
    """Whether two letters' fields (kind, authority, dates) describe the same visit."""
    if a["kind"] != b["kind"] or a["kind"] == "other":
        return False
    if not a["authority"] or not b["authority"]:
        return False
    if a["authority"].casefold() != b["authority"].casefold():
        return False
    if a["inspection_start"] and b["inspection_start"]:
        return a["inspection_start"] == b["inspection_start"] and (
            a["inspection_end"] or a["inspection_start"]
        ) == (b["inspection_end"] or b["inspection_start"])
    return bool(a["published"] and a["published"] == b["published"])


def find_same_visit(conn: sqlite3.Connection, letter: Letter) -> list[StoredVisit]:
    """The stored letters that are the same visit as this one (oldest first; usually none)."""
    if not has_visit_identity(letter):
        return []
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    rows = cur.execute(
        """SELECT id, source, sha256, kind, authority, inspection_start, inspection_end, published
           FROM letters WHERE kind = ? AND authority = ? COLLATE NOCASE ORDER BY id""",
        [letter.kind, letter.authority],
    ).fetchall()
    mine = _visit_fields(letter)
    return [
        StoredVisit(int(r["id"]), str(r["source"]), str(r["sha256"]))
        for r in rows
        if same_visit(mine, _visit_fields(r))
    ]


def same_visit_error(name: str, found: list[StoredVisit]) -> LettermineError:
    """The refusal for a copy of a stored visit: what it is the same as, and what to do."""
    if len(found) == 1:
        letter = found[0]
        return SameVisit(
            f"{name}: the same visit as letter {letter.letter_id} ({letter.source}); "
            "--replace to store this copy instead"
        )
    listed = ", ".join(f"{f.letter_id} ({f.source})" for f in found)
    return SameVisit(
        f"{name}: the same visit as letters {listed}; delete all but one "
        "('lettermine letters delete ID') before replacing"
    )


# -- storing ----------------------------------------------------------------------------------


def store_letter(
    conn: sqlite3.Connection,
    letter: Letter,
    *,
    sha256: str,
    source: str,
    name: str,
    themes: list[UnitThemes] | None = None,
    replace: bool = False,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> Outcome:
    """Store a letter once per file and once per visit, in one transaction.

    The same file again is a no-op (new=False). A copy of a visit already stored raises
    SameVisit (its message begins with name), unless replace, which swaps the stored letter's
    copy for this one and keeps its id.
    """
    with write_transaction(conn):
        existing = find_letter(conn, sha256)
        if existing is not None:
            return Outcome(existing)
        found = find_same_visit(conn, letter)
        if found and (not replace or len(found) > 1):
            raise same_visit_error(name, found)
        if not found:
            letter_id = insert_letter(conn, letter, sha256=sha256, source=source, themes=themes)
            return Outcome(letter_id, new=True)
        return _replace(conn, found[0], letter, sha256, source, themes, author, date)


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalised(text: str) -> str:
    """A unit's text as copies of one letter share it: case, punctuation and spacing aside."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(re.findall(r"\w+", text))


def _replace(
    conn: sqlite3.Connection,
    old: StoredVisit,
    letter: Letter,
    sha256: str,
    source: str,
    themes: list[UnitThemes] | None,
    author: str | None,
    date: dt.date | str | None,
) -> Outcome:
    letter_id = old.letter_id
    before = _letter_row(conn, letter_id)
    old_units = _units(conn, letter_id)
    # Out of the way of the new copy's seq 1..n (unique per letter) until they are deleted.
    conn.execute("UPDATE units SET seq = -seq WHERE letter_id = ?", [letter_id])
    rewrite_letter(conn, letter_id, letter, sha256=sha256, source=source)
    new_ids = insert_units(conn, letter_id, letter, themes)
    new_units = [
        {"id": uid, "seq": seq, "kind": u.kind, "text": u.text}
        for seq, (uid, u) in enumerate(zip(new_ids, letter.units, strict=True), start=1)
    ]
    match = _match(old_units, new_units)
    outcome = Outcome(letter_id, new=True, replaced=old)
    note_moved = f"letter {letter_id} replaced by another copy of the visit ({source})"
    note_lost = f"{note_moved}: no unit of it has this unit's text"
    by_id = {u["id"]: u for u in old_units}
    new_by_id = {u["id"]: u for u in new_units}
    unlinked: list[dict[str, Any]] = []
    for action_id, unit_id in _links(conn, [u["id"] for u in old_units]):
        unit = by_id[unit_id]
        ref = f"{letter_id}:{unit['seq']}"
        target = match.get(unit_id)
        if target is None:
            end_link(conn, action_id, unit_id, ref, note=note_lost, author=author, date=date)
            outcome.lost.append(Lost(action_id, ref, _start(unit["text"])))
            unlinked.append({"action": action_id, "unit": ref})
        else:
            to_ref = f"{letter_id}:{new_by_id[target]['seq']}"
            move_link(conn, action_id, unit_id, ref, to_unit=target, to_ref=to_ref,
                      note=note_moved, author=author, date=date)  # fmt: skip
            outcome.moved += 1
    # Areas closed without an action follow their text to the new copy, as links do.
    move_closures(
        conn,
        {f"{letter_id}:{u['seq']}": (f"{letter_id}:{new_by_id[match[u['id']]]['seq']}"
                                     if u["id"] in match else None) for u in old_units},
        note=note_moved, lost=note_lost, author=author, date=date,
    )  # fmt: skip
    for label_id, unit_id, code in conn.execute(
        f"SELECT id, unit_id, code FROM labels WHERE unit_id IN ({_marks(old_units)}) ORDER BY id",
        [u["id"] for u in old_units],
    ).fetchall():
        target = match.get(unit_id)
        if target is None:
            unit = by_id[unit_id]
            outcome.lost.append(
                Lost(None, f"{letter_id}:{unit['seq']}", _start(unit["text"]), code)
            )
            outcome.labels_dropped += 1
        else:
            conn.execute("UPDATE labels SET unit_id = ? WHERE id = ?", [target, label_id])
            outcome.labels_kept += 1
    if themes is None:  # not classified (--no-classify): the model's verdicts follow the text
        for old_id, new_id in match.items():
            conn.execute("UPDATE unit_themes SET unit_id = ? WHERE unit_id = ?", [new_id, old_id])
            conn.execute(
                """UPDATE units SET (polarity, polarity_score) =
                   (SELECT polarity, polarity_score FROM units WHERE id = ?) WHERE id = ?""",
                [old_id, new_id],
            )
    _drop_units(conn, [u["id"] for u in old_units])
    _record(conn, before, "replaced", len(old_units), unlinked, outcome.labels_dropped, author,
            replaced_by=sha256)  # fmt: skip
    return outcome


def _match(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[int, int]:
    """Old unit id -> new unit id, one for one, by normalised text (same kind first)."""
    free: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for unit in new:
        free[normalised(unit["text"])].append(unit)
    out: dict[int, int] = {}
    for unit in old:
        candidates = free.get(normalised(unit["text"]))
        if not candidates:
            continue
        pick = next((c for c in candidates if c["kind"] == unit["kind"]), candidates[0])
        candidates.remove(pick)
        out[unit["id"]] = pick["id"]
    return out


# -- deleting ---------------------------------------------------------------------------------


def delete_letter(
    conn: sqlite3.Connection,
    letter_id: int,
    *,
    force: bool = False,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> Outcome:
    """Delete a letter and its units in one transaction; its actions stay.

    While actions are linked to its units it is refused (LinkedActions names them) unless
    force, which ends each link with an `unlink` history row. The deletion is recorded in
    letter_removals; people's labels on its units go with them (counted there).
    """
    with write_transaction(conn):
        before = _letter_row(conn, letter_id)
        units = _units(conn, letter_id)
        links = _links(conn, [u["id"] for u in units])
        seq = {u["id"]: u["seq"] for u in units}
        if links and not force:
            raise LinkedActions(_linked_message(letter_id, links, seq))
        note = f"letter {letter_id} ({before['source']}) deleted"
        outcome = Outcome(letter_id)
        for action_id, unit_id in links:
            ref = f"{letter_id}:{seq[unit_id]}"
            end_link(conn, action_id, unit_id, ref, note=note, author=author, date=date)
            outcome.unlinked.append((action_id, ref))
        labels = _count(conn, "labels", [u["id"] for u in units])
        _drop_units(conn, [u["id"] for u in units])
        conn.execute("DELETE FROM letters WHERE id = ?", [letter_id])
        unlinked = [{"action": a, "unit": r} for a, r in outcome.unlinked]
        _record(conn, before, "deleted", len(units), unlinked, labels, author)
        outcome.labels_dropped = labels
    return outcome


def _linked_message(letter_id: int, links: list[tuple[int, int]], seq: dict[int, int]) -> str:
    by_action: dict[int, list[str]] = defaultdict(list)
    for action_id, unit_id in links:
        by_action[action_id].append(f"{letter_id}:{seq[unit_id]}")
    listed = "; ".join(f"action {a} ({', '.join(refs)})" for a, refs in sorted(by_action.items()))
    return (
        f"letter {letter_id} has actions linked to its units: {listed}; "
        "--force to delete it and unlink them (the actions and their history are kept)"
    )


# -- shared -----------------------------------------------------------------------------------


def _letter_row(conn: sqlite3.Connection, letter_id: int) -> dict[str, Any]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    row = cur.execute("SELECT * FROM letters WHERE id = ?", [letter_id]).fetchone()
    if row is None:
        raise NotFound(f"no letter {letter_id} (see 'lettermine letters')")
    return dict(row)


def _units(conn: sqlite3.Connection, letter_id: int) -> list[dict[str, Any]]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    rows = cur.execute(
        "SELECT id, seq, kind, text FROM units WHERE letter_id = ? ORDER BY seq", [letter_id]
    ).fetchall()
    return [dict(r) for r in rows]


def _marks(items: Sequence[Any]) -> str:
    return ",".join("?" * len(items))


def _links(conn: sqlite3.Connection, unit_ids: list[int]) -> list[tuple[int, int]]:
    # A letter's units are a few hundred at most: one query, well under the parameter limit.
    if not unit_ids:
        return []
    return [
        (int(a), int(u))
        for a, u in conn.execute(
            f"SELECT action_id, unit_id FROM action_units WHERE unit_id IN ({_marks(unit_ids)})"
            " ORDER BY action_id, unit_id",
            unit_ids,
        )
    ]


def _count(conn: sqlite3.Connection, table: str, unit_ids: list[int]) -> int:
    if not unit_ids:
        return 0
    sql = f"SELECT count(*) FROM {table} WHERE unit_id IN ({_marks(unit_ids)})"
    return int(conn.execute(sql, unit_ids).fetchone()[0])


def _drop_units(conn: sqlite3.Connection, unit_ids: list[int]) -> None:
    for table in ("unit_themes", "labels"):
        conn.executemany(f"DELETE FROM {table} WHERE unit_id = ?", [(u,) for u in unit_ids])
    conn.executemany("DELETE FROM units WHERE id = ?", [(u,) for u in unit_ids])


def _record(
    conn: sqlite3.Connection,
    before: dict[str, Any],
    event: str,
    units: int,
    unlinked: list[dict[str, Any]],
    labels_dropped: int,
    author: str | None,
    *,
    replaced_by: str | None = None,
) -> None:
    conn.execute(
        """INSERT INTO letter_removals (letter_id, event, sha256, source, kind, authority,
           inspection_start, inspection_end, published, units, unlinked, labels_dropped,
           replaced_by, at, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            before["id"], event, before["sha256"], before["source"], before["kind"],
            before["authority"], before["inspection_start"], before["inspection_end"],
            before["published"], units, json.dumps(unlinked), labels_dropped, replaced_by,
            dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), author,
        ],
    )  # fmt: skip


def _start(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def removals(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every recorded deletion and replacement, oldest first."""
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    rows = cur.execute("SELECT * FROM letter_removals ORDER BY id").fetchall()
    out = [dict(r) for r in rows]
    for r in out:
        r["unlinked"] = json.loads(r["unlinked"] or "[]")
    return out
