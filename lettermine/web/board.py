"""The improvement board's figures: the scrutiny report's scope and counts (lettermine.papers).

Pure data (no web library): actions by RAG and status, overdue actions, areas with no action,
themes recurring across visits and the authority's letters, for one authority on one day.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from lettermine.actions import AREA_KINDS, STATUSES
from lettermine.papers import build_scope, theme_label
from lettermine.rag import COLOURS
from lettermine.report import theme_visit_counts


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


def board(
    conn: sqlite3.Connection, authority: str, today: dt.date, as_at: dt.date | None = None
) -> dict[str, Any]:
    """Everything the board shows for an authority: now (RAG judged on today), or as it stood
    at the end of the as-at day. The scope is the scrutiny report's (papers.build_scope)."""
    scope = build_scope(conn, authority=authority, today=today, as_at=as_at)
    actions = list(scope.actions.values())  # by due date, as list_actions orders them
    for action in actions:
        action["change"] = latest_change(action["history"])
    letters = scope.letters
    with_areas = [x for x in letters if any(u["kind"] in AREA_KINDS for u in x["units"])]
    counts = theme_visit_counts(with_areas)
    # In the report's order: themes raised in most visits first, then most areas, then by name.
    order = sorted(
        counts, key=lambda c: (-len(counts[c]), -sum(counts[c].values()), theme_label(c))
    )
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
    uncovered = [_area(x, u) for x, u in scope.areas if not u["actions"]]
    return {
        "authority": scope.authority,
        "day": scope.today.isoformat(),
        "as_at": scope.as_at.isoformat() if scope.as_at else None,
        "facts": {
            "letters": len(letters),
            "actions": len(actions),
            "overdue": sum(a["overdue"] for a in actions),
            "blocked": sum(a["status"] == "blocked" for a in actions),
            "rag": {c: sum(a["rag"] == c for a in actions) for c in COLOURS},
            "areas": len(scope.areas) + len(scope.closed),
            "uncovered": len(uncovered),
            "closed": len(scope.closed),
        },
        "grid": grid,
        "actions": actions,
        "overdue": sorted((a for a in actions if a["overdue"]), key=lambda a: (a["due"], a["id"])),
        "uncovered": uncovered,
        "closed": [{**_area(x, u), **u["closed"]} for x, u in scope.closed],
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


def _area(letter: dict[str, Any], unit: dict[str, Any]) -> dict[str, Any]:
    return {
        "unit": unit["id"],
        "letter_id": letter["id"],
        "date": letter.get("inspection_start") or letter.get("published"),
        "text": unit["text"],
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
