"""Letters and their units in the database: saving a parsed letter, reading letters back."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lettermine.db import write_transaction
from lettermine.errors import InvalidInput, NotFound
from lettermine.numbers import whole
from lettermine.records import Letter

JSON_FIELDS = ("inspectors", "judgements", "warnings")
_CHUNK = 900  # stay under SQLite's limit on bound parameters


def _rows(conn: sqlite3.Connection, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
    """Rows addressable by column name, whatever row factory the connection has."""
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return cur.execute(sql, args).fetchall()


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


@dataclass
class UnitThemes:
    """What the classifier said about one unit: themes with scores, and polarity."""

    themes: list[tuple[str, float]]
    polarity: str | None
    polarity_score: float | None = None
    source: str = "model"


def unit_ref(letter_id: int, seq: int) -> str:
    """The public id of a unit: '<letter id>:<position in the letter>'."""
    return f"{letter_id}:{seq}"


def resolve_unit(conn: sqlite3.Connection, ref: str) -> int:
    """The row id of the unit a public id such as '3:12' names."""
    try:
        letter_id, seq = (whole(part) for part in ref.split(":"))
    except (ValueError, InvalidInput):
        raise InvalidInput(f"'{ref}' is not a unit id (expected LETTER:UNIT, e.g. 3:12)") from None
    row = conn.execute(
        "SELECT id FROM units WHERE letter_id = ? AND seq = ?", [letter_id, seq]
    ).fetchone()
    if row is None:
        raise NotFound(f"no unit {ref} (see 'lettermine show {letter_id}')")
    return int(row[0])


def find_letter(conn: sqlite3.Connection, sha256: str) -> int | None:
    """The id of the letter with this content hash, if it is already stored."""
    row = conn.execute("SELECT id FROM letters WHERE sha256 = ?", [sha256]).fetchone()
    return int(row[0]) if row else None


def save_letter(
    conn: sqlite3.Connection,
    letter: Letter,
    *,
    sha256: str,
    source: str,
    themes: list[UnitThemes] | None = None,
) -> tuple[int, bool]:
    """Store a letter and its units in one transaction: (letter id, True if newly stored)."""
    with write_transaction(conn):
        existing = find_letter(conn, sha256)
        if existing is not None:
            return existing, False
        return insert_letter(conn, letter, sha256=sha256, source=source, themes=themes), True


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def insert_letter(
    conn: sqlite3.Connection,
    letter: Letter,
    *,
    sha256: str,
    source: str,
    themes: list[UnitThemes] | None = None,
) -> int:
    """Write a new letter row and its units, inside the caller's transaction; its id."""
    # Never the id of a deleted letter: action histories name units as '<letter id>:<seq>', and
    # a reused id would make them point at another letter's units.
    letter_id = int(
        conn.execute(
            """SELECT max(coalesce((SELECT max(id) FROM letters), 0),
                          coalesce((SELECT max(letter_id) FROM letter_removals), 0)) + 1"""
        ).fetchone()[0]
    )
    conn.execute(
        """INSERT INTO letters (id, sha256, source, kind, local_authority, authority, title,
           inspection_start, inspection_end, published, lead_inspector, inspectors,
           judgements, focus, warnings, ingested_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [letter_id, sha256, source, *_letter_values(letter), _now()],
    )
    insert_units(conn, letter_id, letter, themes)
    return letter_id


def _letter_values(letter: Letter) -> list[Any]:
    # In the column order of LETTER_COLUMNS.
    return [
        letter.kind, letter.local_authority, letter.authority, letter.title,
        letter.inspection_start, letter.inspection_end, letter.published, letter.lead_inspector,
        json.dumps(letter.inspectors), json.dumps(letter.judgements), letter.focus,
        json.dumps(letter.warnings),
    ]  # fmt: skip


# The columns a parsed letter fills (besides sha256, source and ingested_at).
LETTER_COLUMNS = (
    "kind", "local_authority", "authority", "title", "inspection_start", "inspection_end",
    "published", "lead_inspector", "inspectors", "judgements", "focus", "warnings",
)  # fmt: skip


def rewrite_letter(
    conn: sqlite3.Connection, letter_id: int, letter: Letter, *, sha256: str, source: str
) -> None:
    """Give a stored letter another copy's metadata and identity, keeping its id (no units)."""
    sets = ", ".join(f"{c} = ?" for c in ("sha256", "source", *LETTER_COLUMNS, "ingested_at"))
    conn.execute(
        f"UPDATE letters SET {sets} WHERE id = ?",
        [sha256, source, *_letter_values(letter), _now(), letter_id],
    )


def insert_units(
    conn: sqlite3.Connection,
    letter_id: int,
    letter: Letter,
    themes: list[UnitThemes] | None = None,
) -> list[int]:
    """Write a letter's units (seq 1..n) inside the caller's transaction; their row ids.

    Many rows to one INSERT: the search index's trigger then costs a third of what it does a
    row at a time (FTS5 flushes what it holds at every statement).
    """
    rows = [
        [
            letter_id, seq, unit.kind, unit.section, unit.number, unit.subject, unit.group,
            unit.text, verdict.polarity if verdict else None,
            verdict.polarity_score if verdict else None,
        ]
        for seq, unit in enumerate(letter.units, start=1)
        for verdict in [themes[seq - 1] if themes else None]
    ]  # fmt: skip
    for start in range(0, len(rows), _ROWS_AT_ONCE):
        chunk = rows[start : start + _ROWS_AT_ONCE]
        conn.execute(
            """INSERT INTO units (letter_id, seq, kind, section, number, subject,
               unit_group, text, polarity, polarity_score) VALUES """
            + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk)),
            [value for row in chunk for value in row],
        )
    # seq is unique in a letter, and a replaced copy's units are at -seq until deleted.
    by_seq = dict(
        conn.execute(
            "SELECT seq, id FROM units WHERE letter_id = ? AND seq BETWEEN 1 AND ?",
            [letter_id, len(rows)],
        ).fetchall()
    )
    ids = [int(by_seq[seq]) for seq in range(1, len(rows) + 1)]
    for unit_id, verdict in zip(ids, themes or [], strict=False):
        if verdict:
            store_themes(conn, unit_id, verdict)
    return ids


_ROWS_AT_ONCE = 90  # 900 parameters, under the 999 of older SQLite builds


def store_themes(conn: sqlite3.Connection, unit_id: int, verdict: UnitThemes) -> None:
    """Replace a unit's themes from one source (model or rule) with a new verdict."""
    conn.execute(
        "DELETE FROM unit_themes WHERE unit_id = ? AND source = ?", [unit_id, verdict.source]
    )
    conn.executemany(
        "INSERT INTO unit_themes (unit_id, code, score, source) VALUES (?, ?, ?, ?)",
        [(unit_id, code, round(score, 4), verdict.source) for code, score in verdict.themes],
    )


def effective_themes(
    conn: sqlite3.Connection, unit_ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    """Each unit's themes, best first: the model's and rules', then a person's decisions on top."""
    out: dict[int, dict[str, dict[str, Any]]] = {u: {} for u in unit_ids}
    decisions: list[tuple[int, str, str]] = []
    for chunk in _chunks(unit_ids):
        marks = ",".join("?" * len(chunk))
        for unit_id, code, score, source in conn.execute(
            f"SELECT unit_id, code, score, source FROM unit_themes WHERE unit_id IN ({marks})",
            chunk,
        ):
            held = out[unit_id].get(code)
            if held is None or score > held["score"]:
                out[unit_id][code] = {"code": code, "score": score, "source": source}
        decisions += conn.execute(
            f"SELECT unit_id, code, decision FROM labels WHERE unit_id IN ({marks}) ORDER BY id",
            chunk,
        ).fetchall()
    for unit_id, code, decision in decisions:  # a person's latest decision wins
        if decision == "add":
            out[unit_id][code] = {"code": code, "score": 1.0, "source": "person"}
        else:
            out[unit_id].pop(code, None)
    return {
        u: sorted(themes.values(), key=lambda t: (-t["score"], t["code"]))
        for u, themes in out.items()
    }


def _letter_dict(row: sqlite3.Row) -> dict[str, Any]:
    record = dict(row)
    # Readers group by council, so `local_authority` is the canonical name (the export
    # contract); the name exactly as the letter prints it stays beside it.
    record["printed_name"] = record["local_authority"]
    record["local_authority"] = record["authority"] or record["printed_name"]
    for key in JSON_FIELDS:
        record[key] = (
            json.loads(record[key]) if record.get(key) else ([] if key != "judgements" else {})
        )
    return record


def list_letters(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every letter with its unit counts, oldest visit first."""
    rows = _rows(
        conn,
        """SELECT l.*,
             (SELECT count(*) FROM units u WHERE u.letter_id = l.id
                AND u.kind = 'area_for_improvement') AS areas_for_improvement,
             (SELECT count(*) FROM units u WHERE u.letter_id = l.id
                AND u.kind = 'priority_action') AS priority_actions,
             (SELECT count(*) FROM units u WHERE u.letter_id = l.id
                AND u.kind = 'finding') AS findings
           FROM letters l
           ORDER BY coalesce(l.inspection_start, l.published, l.ingested_at), l.id""",
    )
    out = [_letter_dict(r) for r in rows]
    for record in out:
        units = sum(record[k] for k in ("areas_for_improvement", "priority_actions", "findings"))
        record["unread"] = is_unread(record["kind"], units)
    return out


def is_unread(kind: str, units: int) -> bool:
    """Whether a stored letter was not read: a layout lettermine does not know, or no units.

    Such a letter is stored only with `ingest --keep-unread`; `letters` and `show` mark it so
    that nobody takes it for a letter whose areas are in the tracker.
    """
    return kind == "other" or units == 0


def get_letter(conn: sqlite3.Connection, letter_id: int) -> dict[str, Any]:
    """One letter with its units in document order, in the export format."""
    found = _rows(conn, "SELECT * FROM letters WHERE id = ?", [letter_id])
    if not found:
        raise NotFound(f"no letter {letter_id} (see 'lettermine letters')")
    return _with_units(conn, [_letter_dict(found[0])])[0]


def export_letters(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every letter with its units: the `export --json` contract."""
    rows = _rows(conn, "SELECT * FROM letters ORDER BY id")
    return _with_units(conn, [_letter_dict(r) for r in rows])


def _with_units(conn: sqlite3.Connection, letters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {letter["id"]: letter for letter in letters}
    for letter in letters:
        letter["units"] = []
    if not letters:
        return letters
    units: list[sqlite3.Row] = []
    for chunk in _chunks(list(by_id)):
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT * FROM units WHERE letter_id IN ({marks}) ORDER BY letter_id, seq"
        units += _rows(conn, sql, chunk)
    themes = effective_themes(conn, [u["id"] for u in units])
    actions = _unit_actions(conn, [u["id"] for u in units])
    for u in units:
        by_id[u["letter_id"]]["units"].append(
            {
                "id": unit_ref(u["letter_id"], u["seq"]),
                "kind": u["kind"],
                "section": u["section"],
                "number": u["number"],
                "subject": u["subject"],
                "group": u["unit_group"],
                "text": u["text"],
                "themes": themes.get(u["id"], []),
                "polarity": u["polarity"],
                "actions": actions.get(u["id"], []),
            }
        )
    for letter in letters:
        letter["unread"] = is_unread(letter["kind"], len(letter["units"]))
    return letters


def _unit_actions(conn: sqlite3.Connection, unit_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for chunk in _chunks(unit_ids):
        marks = ",".join("?" * len(chunk))
        for unit_id, action_id in conn.execute(
            f"SELECT unit_id, action_id FROM action_units WHERE unit_id IN ({marks})"
            " ORDER BY action_id",
            chunk,
        ):
            out.setdefault(unit_id, []).append(action_id)
    return out
