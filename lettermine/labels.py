"""A person's theme decisions on units: recorded append-only, and they win over the model."""

from __future__ import annotations

import datetime as dt
import getpass
import sqlite3
from typing import Any

from lettermine.db import write_transaction
from lettermine.errors import InvalidInput
from lettermine.letters import UnitThemes, effective_themes, resolve_unit, store_themes
from lettermine.themes import THEME_CODES


def check_codes(codes: list[str]) -> None:
    """Raise InvalidInput unless every code is a theme of the taxonomy."""
    unknown = [c for c in codes if c not in THEME_CODES]
    if unknown:
        raise InvalidInput(f"unknown theme {', '.join(unknown)} (themes: {', '.join(THEME_CODES)})")


def label_unit(
    conn: sqlite3.Connection,
    ref: str,
    *,
    add: list[str],
    remove: list[str],
    who: str | None = None,
    at: str | None = None,
) -> list[dict[str, Any]]:
    """Record a person's decision to add or remove themes on a unit; its themes after."""
    if not add and not remove:
        raise InvalidInput("nothing to do: give --add THEME or --remove THEME")
    check_codes(add + remove)
    both = set(add) & set(remove)
    if both:
        raise InvalidInput(f"cannot both add and remove {', '.join(sorted(both))}")
    unit_id = resolve_unit(conn, ref)
    who = who or getpass.getuser()
    at = at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    rows = [(unit_id, c, "add", who, at) for c in add] + [
        (unit_id, c, "remove", who, at) for c in remove
    ]
    with write_transaction(conn):
        conn.executemany(
            "INSERT INTO labels (unit_id, code, decision, who, at) VALUES (?, ?, ?, ?, ?)", rows
        )
    return effective_themes(conn, [unit_id])[unit_id]


def person_examples(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Training examples from every unit a person has labelled: its text and effective themes.

    Each carries its letter's council (`authority`, the canonical name the gold's councils are
    named by: lettermine.corpus.council_of), so that training and evaluation keep a council's
    units on one side, whoever labelled them; and its kind of letter, section and group.
    """
    rows = conn.execute(
        """SELECT u.id, u.text, u.kind, u.section, u.unit_group, l.kind, l.authority
           FROM units u JOIN letters l ON l.id = u.letter_id
           WHERE u.id IN (SELECT unit_id FROM labels) ORDER BY u.id"""
    ).fetchall()
    themes = effective_themes(conn, [r[0] for r in rows])
    return [
        {
            "text": text,
            "kind": kind,
            "themes": [t["code"] for t in themes[unit_id]],
            # A person decides themes, not polarity: the stored polarity is the model's own.
            "polarity": None if kind == "finding" else "concern",
            "authority": authority,
            "letter": letter_kind,
            "section": section,
            "group": group,
            "origin": "person",
        }
        for unit_id, text, kind, section, group, letter_kind, authority in rows
    ]


def reclassify(conn: sqlite3.Connection, verdicts: dict[int, UnitThemes]) -> int:
    """Replace the model's themes and polarity of units; a person's labels are untouched."""
    with write_transaction(conn):
        for unit_id, verdict in verdicts.items():
            store_themes(conn, unit_id, verdict)
            conn.execute(
                "UPDATE units SET polarity = ?, polarity_score = ? WHERE id = ?",
                [verdict.polarity, verdict.polarity_score, unit_id],
            )
    return len(verdicts)
