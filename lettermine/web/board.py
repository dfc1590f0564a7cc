"""The improvement board's figures, from the library functions the scrutiny report uses.

Pure data (no web library): actions by RAG and status, overdue actions, areas with no action,
themes recurring across visits and the authority's letters, for one authority on one day.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from lettermine.actions import AREA_KINDS, STATUSES, coverage, history, list_actions
from lettermine.letters import get_letter
from lettermine.rag import COLOURS
from lettermine.report import theme_visit_counts
from lettermine.themes import BY_CODE


def _label(code: str) -> str:
    theme = BY_CODE.get(code)
    return theme.label if theme else code.replace("_", " ").capitalize()


def authorities(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every authority with letters: name, number of letters and of actions, by name."""
    letters = conn.execute(
        """SELECT authority, count(*) FROM letters WHERE authority IS NOT NULL
           GROUP BY authority ORDER BY authority"""
    ).fetchall()
    actions = dict(
        conn.execute(
            """SELECT l.authority, count(DISTINCT au.action_id) FROM action_units au
               JOIN units u ON u.id = au.unit_id JOIN letters l ON l.id = u.letter_id
               WHERE l.authority IS NOT NULL GROUP BY l.authority"""
        ).fetchall()
    )
    return [{"name": a, "letters": n, "actions": actions.get(a, 0)} for a, n in letters]


def default_authority(found: list[dict[str, Any]]) -> str | None:
    """The authority a board opens on: the one with most actions (the council's own tracker),
    else the one with most letters."""
    if not found:
        return None
    return str(max(found, key=lambda a: (a["actions"], a["letters"]))["name"])


def latest_change(entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last entry of an action's history, described in words."""
    if not entries:
        return None
    entry = entries[-1]
    event = entry["event"]
    parts: list[str] = []
    if event in ("created", "imported"):
        parts.append("Action created" if event == "created" else "Action imported")
    elif event == "status":
        parts.append(f"Status: {str(entry.get('status', '')).replace('_', ' ')}")
    elif event == "due":
        parts.append(f"Due date moved to {entry.get('due')}")
    elif event == "override":
        parts.append(f"RAG set to {entry.get('rag_override')}")
    elif event == "override_cleared":
        parts.append("RAG override cleared")
    elif event in ("link", "unlink"):
        parts.append(f"{'Linked to' if event == 'link' else 'Unlinked from'} {entry.get('unit')}")
    elif event == "measure":
        parts.append(f"Measure added: {entry.get('measure')}")
    if event == "update":
        if entry.get("percent") is not None:
            parts.append(f"{entry['percent']}% done")
        if entry.get("value") is not None:
            parts.append(f"{entry.get('measure') or 'measure'}: {entry['value']:g}")
    if event != "measure":
        parts += [str(entry[key]) for key in ("note", "reason") if entry.get(key)]
    if entry.get("evidence"):
        parts.append(f"Evidence: {entry['evidence']}")
    return {"at": entry["at"], "author": entry.get("author"), "text": " · ".join(parts)}


def board(conn: sqlite3.Connection, authority: str, today: dt.date) -> dict[str, Any]:
    """Everything the board shows for an authority as at a day."""
    actions = list_actions(conn, authority=authority, today=today)
    for action in actions:
        action["latest"] = latest_change(history(conn, action["id"]))
    ids = [
        r[0]
        for r in conn.execute(
            """SELECT id FROM letters WHERE authority = ?
               ORDER BY coalesce(inspection_start, published, ingested_at), id""",
            [authority],
        )
    ]
    # The authority's letters by id: the same areas as coverage(authority=...), found through
    # the units' letter index rather than a scan of every unit.
    found = coverage(conn, letter_ids=ids, today=today)
    letters = [get_letter(conn, i) for i in ids]
    with_areas = [x for x in letters if any(u["kind"] in AREA_KINDS for u in x["units"])]
    counts = theme_visit_counts(with_areas)
    # In the report's order: themes raised in most visits first, then most areas, then by name.
    order = sorted(counts, key=lambda c: (-len(counts[c]), -sum(counts[c].values()), _label(c)))
    by_rag = {c: sum(a["rag"] == c for a in actions) for c in COLOURS}
    grid = [
        {
            "status": status,
            "counts": [
                sum(a["rag"] == c and a["status"] == status for a in actions) for c in COLOURS
            ],
            "total": sum(a["status"] == status for a in actions),
        }
        for status in STATUSES
    ]
    return {
        "authority": authority,
        "today": today.isoformat(),
        "facts": {
            "letters": len(letters),
            "actions": len(actions),
            "overdue": sum(a["overdue"] for a in actions),
            "rag": by_rag,
            "areas": found["areas"],
            "uncovered": len(found["uncovered"]),
        },
        "grid": grid,
        "actions": actions,
        "overdue": sorted((a for a in actions if a["overdue"]), key=lambda a: (a["due"], a["id"])),
        "uncovered": found["uncovered"],
        "letters": [_letter_row(x) for x in reversed(letters)],  # newest first
        "themes": {
            "letters": [{k: x.get(k) for k in LETTER_KEYS} for x in with_areas],
            "rows": [
                {
                    "code": code,
                    "cells": [counts[code].get(x["id"], 0) for x in with_areas],
                    "visits": len(counts[code]),
                }
                for code in order
            ],
            "recurring": sum(len(counts[c]) > 1 for c in order),
        },
    }


LETTER_KEYS = ("id", "kind", "local_authority", "inspection_start", "inspection_end", "published")


def _letter_row(letter: dict[str, Any]) -> dict[str, Any]:
    kinds = [u["kind"] for u in letter["units"]]
    return {
        **{k: letter.get(k) for k in LETTER_KEYS},
        "areas": kinds.count("area_for_improvement"),
        "priority": kinds.count("priority_action"),
        "findings": kinds.count("finding"),
    }
