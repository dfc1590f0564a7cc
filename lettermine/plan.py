"""The improvement action plan as a Word document: each area for improvement with the actions
answering it, now or as it stood at the end of a day.

Page 1 (portrait) holds the title block and the summary; the landscape section opens with the
areas and actions by theme and runs straight into the plan itself, so no page is left half empty
between them. Areas closed without an action are listed compactly at the end.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from lettermine import docx_helpers as wd
from lettermine.actions import STATUSES
from lettermine.docx_helpers import Cell
from lettermine.papers import (
    KIND_LABELS,
    NO_ACTION,
    NO_ACTION_FILL,
    RAG_RULE_NOTE,
    RAG_WORDS,
    STATUS_LABELS,
    NothingToReport,
    Scope,
    build_scope,
    check_output,
    clip,
    day_text,
    letter_short,
    num_text,
    plural,
    rag_cell,
    status_notes,
    theme_label,
    unit_name,
    unit_themes,
    visit_dates,
)
from lettermine.rag import COLOURS

# Column widths in cm. A4 landscape with 1.27 cm margins leaves 27.16 cm; portrait with 2 cm
# margins leaves 17 cm.
PLAN_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Area for improvement", 4.5),
    ("Source and themes", 2.3),
    ("Action", 3.8),
    ("Owner", 2.2),
    ("Original due", 1.7),
    ("Current due", 1.7),
    ("Status", 3.0),
    ("RAG", 1.3),
    ("%", 1.0),
    ("Measure against target", 2.5),
    ("Latest update", 3.1),
)
CLOSED_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Area", 10.2),
    ("Letter", 3.0),
    ("Closed on", 2.4),
    ("Why", 7.2),
    ("Taken over by", 4.3),
)


def write_plan(
    conn: sqlite3.Connection,
    path: Path,
    *,
    authority: str | None = None,
    letter_id: int | None = None,
    letter_ids: Sequence[int] = (),
    since: dt.date | str | None = None,
    kinds: Sequence[str] = (),
    current: bool = False,
    today: dt.date | str | None = None,
    as_at: dt.date | str | None = None,
) -> Path:
    """Write the action plan for an authority's letters (or letters named) as a Word document.

    With as_at, everything is as it stood at the end of that day, RAG judged on that day.
    """
    path = check_output(path)
    ids = [*letter_ids, *([letter_id] if letter_id is not None else [])]
    scope = build_scope(
        conn, authority=authority, letter_ids=ids, since=since, kinds=kinds, current=current,
        today=today, as_at=as_at,
    )  # fmt: skip
    if not scope.areas and not scope.closed:
        which = "the letter chosen has" if len(scope.letters) == 1 else "the letters chosen have"
        raise NothingToReport(
            f"{which} no areas for improvement or priority actions: nothing to plan"
        )
    doc = wd.new_document(
        title=f"{scope.authority}: improvement action plan", subject="Response to Ofsted letters"
    )
    wd.add_footer(doc, scope.footer("Improvement action plan"))
    _title(doc, scope)
    _summary(doc, scope)
    wd.add_section(doc, "Areas and actions by theme", landscape=True)
    _theme_table(doc, scope)
    wd.add_heading(doc, "Action plan", 1)
    wd.add_paragraph(
        doc,
        "One row for each action against each open area for improvement and priority action, "
        "in the order the letters set them out. An area with no action yet is shown as such; "
        "areas closed without an action are listed after the plan. " + RAG_RULE_NOTE,
        muted=True,
    )
    _plan_table(doc, scope)
    if scope.closed:
        _closed_table(conn, doc, scope)
    return wd.save_atomically(doc, path)


def _title(doc: wd.Document, scope: Scope) -> None:
    wd.add_heading(doc, scope.authority, 0)
    doc.add_paragraph("Children's services improvement action plan", style="Subtitle")
    wd.add_paragraph(
        doc,
        f"{day_text(scope.today, long=True)}. Actions, progress and RAG ratings are as they "
        "stood at the end of this day.",
        bold_lead="Position as at: ",
    )
    wd.add_paragraph(
        doc,
        f"{scope.chosen}, with the areas for improvement and priority actions they set out and "
        "the council's actions in answer to them.",
        bold_lead="Responding to: ",
    )
    widths = [5.0, 3.6, 2.8, 2.9, 2.7]
    table = wd.add_table(
        doc,
        ["Letter", "Visit dates", "Published", "Areas for improvement", "Priority actions"],
        widths,
        caption="Letters covered by this plan",
    )
    rows = []
    for letter in scope.letters:
        counts = Counter(u["kind"] for u in letter["units"])
        rows.append([
            Cell(KIND_LABELS.get(letter["kind"], "Ofsted letter"), note=f"Letter {letter['id']}"),
            Cell(visit_dates(letter)),
            Cell(day_text(letter.get("published")) or "not known"),
            Cell(str(counts["area_for_improvement"]), centre=True),
            Cell(str(counts["priority_action"]), centre=True),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)


def _summary(doc: wd.Document, scope: Scope) -> None:
    wd.add_heading(doc, "Summary", 1)
    actions = list(scope.actions.values())
    areas = len(scope.areas) + len(scope.closed)
    uncovered = scope.uncovered
    answered = len(scope.areas) - len(uncovered)
    closed = f", {len(scope.closed)} closed without an action" if scope.closed else ""
    wd.add_bullet(
        doc,
        f"{plural(areas, 'area')} for improvement and priority actions across "
        f"{plural(len(scope.letters), 'letter')}; {answered} with at least one action{closed}, "
        f"{len(uncovered)} with none yet.",
    )
    rag_counts = Counter(a["rag"] for a in actions)
    overdue = sum(1 for a in actions if a["overdue"])
    wd.add_bullet(
        doc,
        f"{plural(len(actions), 'action')}: "
        + ", ".join(f"{rag_counts[c]} {RAG_WORDS[c].lower()}" for c in COLOURS)
        + f"; {plural(overdue, 'action')} overdue.",
    )
    wd.add_heading(doc, "Actions by RAG and status", 2)
    _rag_status_table(doc, actions)


def _rag_status_table(doc: wd.Document, actions: list[dict[str, Any]]) -> None:
    headers = ["RAG", *(STATUS_LABELS[s] for s in STATUSES), "Total"]
    widths = [2.4] + [2.2] * len(STATUSES) + [2.0]
    table = wd.add_table(
        doc,
        headers,
        widths,
        caption="Actions by RAG and status",
        description="Number of actions with each RAG rating (rows) and status (columns).",
    )
    counts = Counter((a["rag"], a["status"]) for a in actions)
    rows = [
        [
            rag_cell(colour),
            *(Cell(str(counts[(colour, s)]), centre=True) for s in STATUSES),
            Cell(str(sum(counts[(colour, s)] for s in STATUSES)), centre=True, bold=True),
        ]
        for colour in COLOURS
    ]
    rows.append([
        Cell("Total", bold=True),
        *(Cell(str(sum(counts[(c, s)] for c in COLOURS)), centre=True, bold=True)
          for s in STATUSES),
        Cell(str(len(actions)), centre=True, bold=True),
    ])  # fmt: skip
    wd.add_rows(table, widths, rows)


def _theme_table(doc: wd.Document, scope: Scope) -> None:
    areas: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    uncovered: Counter[str] = Counter()
    theme_actions: dict[str, set[int]] = {}
    for _, unit in [*scope.areas, *scope.closed]:
        for code in unit_themes(unit) or ["unthemed"]:
            areas[code] += 1
            closed[code] += bool(unit["closed"])
            uncovered[code] += not unit["actions"] and not unit["closed"]
            theme_actions.setdefault(code, set()).update(
                a for a in unit["actions"] if a in scope.actions
            )
    headers = ["Theme", "Areas", "Closed", "No action yet", "Actions", "Red", "Amber", "Green"]
    widths = [9.2, 2.4, 2.4, 2.8, 2.4, 2.6, 2.6, 2.6]
    table = wd.add_table(
        doc,
        headers,
        widths,
        caption="Areas and actions by theme",
        description="For each theme: areas for improvement and priority actions, those closed "
        "without an action, those with no action, and the RAG of the actions answering them.",
    )
    order = sorted(areas, key=lambda c: (-areas[c], c == "unthemed", theme_label(c)))
    rows = []
    for code in order:
        ids = theme_actions.get(code, set())
        rags = Counter(scope.actions[i]["rag"] for i in ids)
        rows.append([
            Cell("Not yet themed" if code == "unthemed" else theme_label(code)),
            Cell(str(areas[code]), centre=True),
            Cell(str(closed[code]), centre=True),
            Cell(str(uncovered[code]), centre=True,
                 fill=NO_ACTION_FILL if uncovered[code] else None),
            Cell(str(len(ids)), centre=True),
            *(Cell(str(rags[c]), centre=True) for c in COLOURS),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)
    wd.add_paragraph(
        doc,
        "An area with several themes is counted under each; an action answering areas with "
        "several themes is counted once under each theme.",
        muted=True,
    )


def _plan_table(doc: wd.Document, scope: Scope) -> None:
    headers = [h for h, _ in PLAN_COLUMNS]
    widths = [w for _, w in PLAN_COLUMNS]
    table = wd.add_table(
        doc,
        headers,
        widths,
        caption="Action plan",
        description="One row per action against each open area for improvement or priority "
        "action; the area's text is in the first column.",
    )
    rows = []
    for letter, unit in scope.areas:
        action_ids: list[int | None] = [a for a in unit["actions"] if a in scope.actions]
        area = _area_cells(letter, unit)
        for i, action_id in enumerate(action_ids or [None]):
            # An area answered by several actions is written on each of their rows, so a row
            # read alone (or at the top of a page) still says what it answers; grey after the
            # first, so the eye sees one area. Merged cells would leave later pages blank.
            left = area if i == 0 else [replace(c, muted=True) for c in area]
            if action_id is None:
                rows.append([*left, *_no_action_cells()])
            else:
                rows.append([*left, *_action_cells(scope.actions[action_id])])
    wd.add_rows(table, widths, rows)


def _area_cells(letter: dict[str, Any], unit: dict[str, Any]) -> list[Cell]:
    themes = "; ".join(theme_label(c) for c in unit_themes(unit)) or "not yet themed"
    return [
        Cell(unit["text"]),
        Cell([unit_name(unit), letter_short(letter)],
             note=f"Themes: {themes}. Ref {unit['id']}."),
    ]  # fmt: skip


def _no_action_cells() -> list[Cell]:
    rest = [Cell()] * (len(PLAN_COLUMNS) - 3)
    return [Cell(NO_ACTION, bold=True, fill=NO_ACTION_FILL,
                 note="No action answers this area yet."), *rest]  # fmt: skip


def _action_cells(action: dict[str, Any]) -> list[Cell]:
    ref = f"Ref {action['ref']} · action {action['id']}" if action["ref"] else None
    revised = action["due"] and action["original_due"] and action["due"] != action["original_due"]
    measures = action["measures"]
    latest = action["latest"]
    by = f" ({latest['author']})" if latest and latest.get("author") else ""
    return [
        Cell(action["title"], bold=True, note=ref or f"Action {action['id']}"),
        Cell(action["owner"] or "Not assigned"),
        Cell(day_text(action["original_due"]) or "None set"),
        Cell(day_text(action["due"]) or "None set", note="revised" if revised else None),
        Cell(STATUS_LABELS.get(action["status"], action["status"]), note=status_notes(action)),
        rag_cell(action["rag"]),
        Cell(f"{action['percent']}%", centre=True),
        Cell([_measure_line(m) for m in measures],
             note="; ".join(_measure_note(m) for m in measures))
        if measures else Cell("No measure set"),
        Cell(clip(latest["text"], 220), note=f"{day_text(latest['at'])}{by}")
        if latest else Cell("No update yet"),
    ]  # fmt: skip


def _measure_line(m: dict[str, Any]) -> str:
    latest, target = num_text(m["latest"], m["unit"]), num_text(m["target"], m["unit"])
    return f"{m['name']}: {latest} against {target}"


def _measure_note(m: dict[str, Any]) -> str:
    if m["latest"] is None:
        return f"baseline {num_text(m['baseline'], m['unit'])}; no value recorded"
    met = "met" if m["met"] else f"{m['progress']}% of the way from baseline"
    return f"baseline {num_text(m['baseline'], m['unit'])}; {met}"


def _closed_table(conn: sqlite3.Connection, doc: wd.Document, scope: Scope) -> None:
    wd.add_heading(doc, "Areas closed without an action", 1)
    wd.add_paragraph(
        doc,
        f"{plural(len(scope.closed), 'area')} closed: overtaken by a later inspection's area or "
        "absorbed into another area's action. They count as answered.",
        muted=True,
    )
    widths = [w for _, w in CLOSED_COLUMNS]
    table = wd.add_table(
        doc,
        [h for h, _ in CLOSED_COLUMNS],
        widths,
        caption="Areas closed without an action",
        description="Each closed area with the date it was closed, why, and the area that took "
        "it over.",
    )
    names = _area_names(conn, [u["closed"]["by"] for _, u in scope.closed if u["closed"]["by"]])
    rows = []
    for letter, unit in scope.closed:
        closure = unit["closed"]
        linked = [a for a in unit["actions"] if a in scope.actions]
        also = f" Actions linked: {', '.join(map(str, linked))}." if linked else ""
        by = closure["by"]
        rows.append([
            Cell(clip(unit["text"], 170), note=f"{unit_name(unit)} · ref {unit['id']}.{also}"),
            Cell(letter_short(letter)),
            Cell(day_text(closure["at"]), note=closure["author"]),
            Cell(closure["reason"]),
            Cell(names.get(by, by), note=f"Ref {by}") if by else Cell("—", centre=True),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)


def _area_names(conn: sqlite3.Connection, refs: list[str]) -> dict[str, str]:
    """'Area for improvement 3, ILACS Oct 2021' for each public unit id."""
    out = {}
    for ref in set(refs):
        letter_id, seq = (int(p) for p in ref.split(":"))
        row = conn.execute(
            """SELECT u.kind, u.number, l.kind, coalesce(l.inspection_start, l.published)
               FROM units u JOIN letters l ON l.id = u.letter_id
               WHERE u.letter_id = ? AND u.seq = ?""",
            [letter_id, seq],
        ).fetchone()
        if row:
            unit = {"kind": row[0], "number": row[1]}
            letter = {"kind": row[2], "inspection_start": row[3]}
            out[ref] = f"{unit_name(unit)}, {letter_short(letter)}"
    return out
