"""Word documents for the improvement board and the scrutiny panel: action plans and progress.

The data comes from the letters and actions libraries (RAG by their rule, never recomputed
here differently); the Word mechanics live in docx_helpers, the only python-docx user.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lettermine import docx_helpers as wd
from lettermine.actions import (
    AREA_KINDS,
    STATUSES,
    as_date,
    coverage,
    effective_history,
    list_actions,
    measure_progress,
    resolve_authority,
)
from lettermine.db import refuse_to_replace_a_database
from lettermine.docx_helpers import Cell
from lettermine.errors import InvalidInput, OutputError
from lettermine.letters import get_letter, list_letters
from lettermine.rag import CLOSED, COLOURS, rag
from lettermine.themes import BY_CODE


class NothingToReport(InvalidInput):
    "The letters or period chosen hold nothing a document could show"


KIND_LABELS: dict[str, str] = {
    "ilacs": "Inspection of children's services (ILACS)",
    "sif": "Single inspection (SIF)",
    "focused_visit": "Focused visit",
    "monitoring_visit": "Monitoring visit",
    "jtai": "Joint targeted area inspection",
    "other": "Ofsted letter",
}
UNIT_LABELS: dict[str, str] = {
    "priority_action": "Priority action",
    "area_for_improvement": "Area for improvement",
}
STATUS_LABELS: dict[str, str] = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "blocked": "Blocked",
    "done": "Done",
    "verified": "Verified",
}
JUDGEMENT_LABELS: dict[str, str] = {
    "overall_effectiveness": "Overall effectiveness",
    "impact_of_leaders": "The impact of leaders on social work practice with children and families",
    "help_and_protection": "The experiences and progress of children who need help and protection",
    "in_care": "The experiences and progress of children in care",
    "care_leavers": "The experiences and progress of care leavers",
    "in_care_and_care_leavers": "The experiences and progress of children in care and care leavers",
    "adoption": "Adoption performance",
    "lscb": "Effectiveness of the Local Safeguarding Children Board",
}
RAG_WORDS: dict[str, str] = {"red": "Red", "amber": "Amber", "green": "Green"}
# Office's standard red, amber and green. Red carries white text (contrast 6.5:1); amber and
# green carry black (12.8:1 and 7.3:1). The word is always written too, for print and readers.
RAG_FILLS: dict[str, str] = {"red": "C00000", "amber": "FFC000", "green": "00B050"}
NO_ACTION_FILL = "FBE5D6"  # a light flag on areas nobody has answered yet
NO_ACTION = "No action yet"
# Shading for the theme x visit table: how many areas in one letter carry the theme.
HEAT_FILLS: tuple[str, ...] = ("DEEBF7", "9DC3E6", "2E75B6")
MET_FILL = "C6EFCE"
RAG_RULE_NOTE = (
    "RAG is set by one written rule as at the date of this document. Red: overdue, 25 points or "
    "more behind the time elapsed, or blocked within 30 days of its due date. Amber: behind, "
    "blocked, done but awaiting evidence, or with no due date. Green: on track, done with "
    "evidence, or verified. An override set by the lead is shown with its reason."
)

# Column widths in cm. A4 landscape with 1.27 cm margins leaves 27.16 cm; portrait with 2 cm
# margins leaves 17 cm.
PLAN_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Area for improvement", 4.7),
    ("Source and themes", 2.5),
    ("Action", 4.0),
    ("Owner", 2.4),
    ("Original due", 1.75),
    ("Current due", 1.75),
    ("Status", 2.1),
    ("RAG", 1.35),
    ("%", 1.15),
    ("Measure against target", 2.55),
    ("Latest update", 2.85),
)


# -- dates and words -----------------------------------------------------------------------------


def _day(value: str | dt.date | None, *, long: bool = False) -> str:
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return f"{day.day} {day.strftime('%B' if long else '%b')} {day.year}"


def _visit_dates(letter: dict[str, Any]) -> str:
    start, end = letter.get("inspection_start"), letter.get("inspection_end")
    if start and end and start != end:
        a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.day}–{b.day} {b.strftime('%B')} {b.year}"
        if a.year == b.year:
            return f"{a.day} {a.strftime('%B')} – {b.day} {b.strftime('%B')} {b.year}"
        return f"{_day(a, long=True)} – {_day(b, long=True)}"
    return _day(start or end or letter.get("published"), long=True) or "date not known"


def _letter_title(letter: dict[str, Any]) -> str:
    return f"{KIND_LABELS.get(letter['kind'], 'Ofsted letter')}, {_visit_dates(letter)}"


def _letter_short(letter: dict[str, Any]) -> str:
    kind = {"ilacs": "ILACS", "sif": "SIF", "jtai": "JTAI"}.get(letter["kind"])
    kind = kind or KIND_LABELS.get(letter["kind"], "Letter")
    when = letter.get("inspection_start") or letter.get("published")
    return f"{kind} {dt.date.fromisoformat(when).strftime('%b %Y')}" if when else kind


def _letter_date(letter: dict[str, Any]) -> str | None:
    # A letter is "new" from the day it was published; a visit is dated by its first day.
    return letter.get("published") or letter.get("inspection_end") or letter.get("inspection_start")


def _theme_label(code: str) -> str:
    theme = BY_CODE.get(code)
    return theme.label if theme else code.replace("_", " ").capitalize()


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _unit_name(unit: dict[str, Any]) -> str:
    label = UNIT_LABELS.get(unit["kind"], "Finding")
    return f"{label} {unit['number']}" if unit.get("number") else label


# -- what a document covers ----------------------------------------------------------------------


@dataclass
class _Scope:
    authority: str | None
    letters: list[dict[str, Any]]  # get_letter() records, oldest visit first
    actions: dict[int, dict[str, Any]]  # list_actions() summaries + measures and latest update
    today: dt.date
    areas: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.areas = [
            (letter, unit)
            for letter in self.letters
            for unit in letter["units"]
            if unit["kind"] in AREA_KINDS
        ]


def _scope(
    conn: sqlite3.Connection,
    *,
    authority: str | None,
    letter_id: int | None,
    today: dt.date,
) -> _Scope:
    if (authority is None) == (letter_id is None):
        raise InvalidInput("give either an authority (--la) or a letter (--letter), not both")
    if letter_id is not None:
        letters = [get_letter(conn, letter_id)]
        name = letters[0]["authority"]
        summaries = list_actions(conn, letter_id=letter_id, today=today)
    else:
        name = resolve_authority(conn, str(authority))
        ids = [row["id"] for row in list_letters(conn) if row["authority"] == name]
        letters = [get_letter(conn, i) for i in ids]
        summaries = list_actions(conn, authority=name, today=today)
    actions = {a["id"]: a for a in summaries}
    _add_measures(conn, actions)
    for action in actions.values():
        action["history"] = effective_history(conn, action["id"])  # corrections applied
        action["latest"] = _latest_update(action["history"])
    return _Scope(name, letters, actions, today)


def _add_measures(conn: sqlite3.Connection, actions: dict[int, dict[str, Any]]) -> None:
    for action in actions.values():
        action["measures"] = []
    if not actions:
        return
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    marks = ",".join("?" * len(actions))
    for row in cur.execute(
        f"SELECT * FROM action_measures WHERE action_id IN ({marks}) ORDER BY action_id, id",
        list(actions),
    ):
        measure = dict(row)
        measure["progress"], measure["met"] = measure_progress(
            row["baseline"], row["target"], row["direction"], row["latest"]
        )
        actions[row["action_id"]]["measures"].append(measure)


def _latest_update(entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    # What a reader wants under "latest update" is the last thing a person wrote about the
    # work: a progress note, or a moved due date and why. Measure set-up notes are generated.
    for entry in reversed(entries):
        if entry["event"] in ("update", "status", "imported") and entry.get("note"):
            return {"at": entry["at"], "text": entry["note"], "author": entry.get("author")}
        if entry["event"] == "due" and entry.get("due"):
            text = f"Due date moved to {_day(entry['due'])}: {entry.get('reason', '')}".rstrip(": ")
            return {"at": entry["at"], "text": text, "author": entry.get("author")}
        if entry["event"] in ("update", "imported") and entry.get("evidence"):
            return {
                "at": entry["at"],
                "text": f"Evidence: {entry['evidence']}",
                "author": entry.get("author"),
            }
    return None


def _unit_themes(unit: dict[str, Any]) -> list[str]:
    return [t["code"] for t in unit.get("themes", [])]


def _check_output(path: Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise OutputError(f"{path}: the output must be a Word file ending in .docx")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name ending in .docx")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist; create it first")
    refuse_to_replace_a_database(path)  # `plan --db x.docx -o x.docx`
    return path


def _today(today: dt.date | str | None) -> dt.date:
    return as_date(today, "today") or dt.date.today()


# -- the action plan -----------------------------------------------------------------------------


def write_plan(
    conn: sqlite3.Connection,
    path: Path,
    *,
    authority: str | None = None,
    letter_id: int | None = None,
    today: dt.date | str | None = None,
) -> Path:
    """Write the action plan for an authority's letters (or one letter) as a Word document."""
    path = _check_output(path)
    day = _today(today)
    scope = _scope(conn, authority=authority, letter_id=letter_id, today=day)
    if not scope.areas:
        which = (
            f"letter {letter_id} has" if letter_id is not None
            else f"the letters about {scope.authority} have"
        )  # fmt: skip
        raise NothingToReport(
            f"{which} no areas for improvement or priority actions: nothing to plan"
        )
    name = scope.authority or "Authority not known"
    doc = wd.new_document(
        title=f"{name}: improvement action plan", subject="Response to Ofsted letters"
    )
    wd.add_footer(doc, f"{name} · Improvement action plan · as at {_day(day, long=True)}")
    _plan_title(doc, scope)
    _plan_summary(doc, scope)
    wd.add_section(doc, "Action plan", landscape=True)
    wd.add_paragraph(
        doc,
        "One row for each action against each area for improvement and priority action, in "
        "the order the letters set them out. An area with no action yet is shown as such. "
        + RAG_RULE_NOTE,
        muted=True,
    )
    _plan_table(doc, scope)
    return wd.save_atomically(doc, path)


def _plan_title(doc: wd.Document, scope: _Scope) -> None:
    wd.add_heading(doc, scope.authority or "Authority not known", 0)
    doc.add_paragraph("Children's services improvement action plan", style="Subtitle")
    wd.add_paragraph(
        doc,
        f"{_day(scope.today, long=True)}. RAG ratings are as at this date.",
        bold_lead="Produced: ",
    )
    wd.add_paragraph(
        doc,
        "the Ofsted letters below, with the areas for improvement and priority actions they "
        "set out and the council's actions in answer to them.",
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
            Cell(_visit_dates(letter)),
            Cell(_day(letter.get("published")) or "not known"),
            Cell(str(counts["area_for_improvement"]), centre=True),
            Cell(str(counts["priority_action"]), centre=True),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)


def _plan_summary(doc: wd.Document, scope: _Scope) -> None:
    wd.add_heading(doc, "Summary", 1)
    actions = list(scope.actions.values())
    uncovered = [u for _, u in scope.areas if not u["actions"]]
    overdue = [a for a in actions if a["overdue"]]
    wd.add_bullet(
        doc,
        f"{_plural(len(scope.areas), 'area')} for improvement and priority actions across "
        f"{_plural(len(scope.letters), 'letter')}; {len(scope.areas) - len(uncovered)} with at "
        f"least one action, {len(uncovered)} with none yet.",
    )
    rag_counts = Counter(a["rag"] for a in actions)
    wd.add_bullet(
        doc,
        f"{_plural(len(actions), 'action')}: "
        + ", ".join(f"{rag_counts[c]} {RAG_WORDS[c].lower()}" for c in COLOURS)
        + f"; {_plural(len(overdue), 'action')} overdue.",
    )
    wd.add_heading(doc, "Actions by RAG and status", 2)
    _rag_status_table(doc, actions)
    wd.add_heading(doc, "By theme", 2)
    _theme_summary_table(doc, scope)


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
            _rag_cell(colour),
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


def _theme_summary_table(doc: wd.Document, scope: _Scope) -> None:
    areas: Counter[str] = Counter()
    uncovered: Counter[str] = Counter()
    theme_actions: dict[str, set[int]] = {}
    for _, unit in scope.areas:
        for code in _unit_themes(unit) or ["unthemed"]:
            areas[code] += 1
            uncovered[code] += not unit["actions"]
            theme_actions.setdefault(code, set()).update(
                a for a in unit["actions"] if a in scope.actions
            )
    headers = ["Theme", "Areas", "No action yet", "Actions", "Red", "Amber", "Green"]
    widths = [6.2, 1.6, 2.0, 1.8, 1.8, 1.8, 1.8]
    table = wd.add_table(
        doc,
        headers,
        widths,
        caption="Areas and actions by theme",
        description="For each theme: areas for improvement and priority actions, those with "
        "no action, and the RAG of the actions answering them.",
    )
    order = sorted(areas, key=lambda c: (-areas[c], c == "unthemed", _theme_label(c)))
    rows = []
    for code in order:
        ids = theme_actions.get(code, set())
        rags = Counter(scope.actions[i]["rag"] for i in ids)
        rows.append([
            Cell("Not yet themed" if code == "unthemed" else _theme_label(code)),
            Cell(str(areas[code]), centre=True),
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


def _rag_cell(colour: str | None) -> Cell:
    if colour is None:
        return Cell("", centre=True)
    return Cell(RAG_WORDS[colour], bold=True, centre=True, fill=RAG_FILLS[colour],
                white=colour == "red")  # fmt: skip


def _plan_table(doc: wd.Document, scope: _Scope) -> None:
    headers = [h for h, _ in PLAN_COLUMNS]
    widths = [w for _, w in PLAN_COLUMNS]
    table = wd.add_table(
        doc,
        headers,
        widths,
        caption="Action plan",
        description="One row per action against each area for improvement or priority action; "
        "the area's text is in the first column.",
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
    themes = "; ".join(_theme_label(c) for c in _unit_themes(unit)) or "not yet themed"
    return [
        Cell(unit["text"]),
        Cell([_unit_name(unit), _letter_short(letter)],
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
        Cell(_day(action["original_due"]) or "None set"),
        Cell(_day(action["due"]) or "None set", note="revised" if revised else None),
        Cell(STATUS_LABELS.get(action["status"], action["status"]), note=action["rag_reason"]),
        _rag_cell(action["rag"]),
        Cell(f"{action['percent']}%", centre=True),
        Cell([_measure_line(m) for m in measures],
             note="; ".join(_measure_note(m) for m in measures))
        if measures else Cell("No measure set"),
        Cell(_clip(latest["text"], 220), note=f"{_day(latest['at'])}{by}")
        if latest else Cell("No update yet"),
    ]  # fmt: skip


def _num(value: float | None, unit: str | None = None) -> str:
    if value is None:
        return "none yet"
    text = f"{value:g}"
    if unit in ("%", "percent"):
        return text + "%"
    return f"{text} {unit}" if unit else text


def _measure_line(m: dict[str, Any]) -> str:
    return f"{m['name']}: {_num(m['latest'], m['unit'])} against {_num(m['target'], m['unit'])}"


def _measure_note(m: dict[str, Any]) -> str:
    if m["latest"] is None:
        return f"baseline {_num(m['baseline'], m['unit'])}; no value recorded"
    met = "met" if m["met"] else f"{m['progress']}% of the way from baseline"
    return f"baseline {_num(m['baseline'], m['unit'])}; {met}"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# -- RAG at an earlier date ----------------------------------------------------------------------


def rag_as_at(action: dict[str, Any], entries: list[dict[str, Any]], day: dt.date) -> str | None:
    """The RAG the same rule gave an action on an earlier day, from its history; None if new."""
    created = dt.date.fromisoformat(action["created"][:10])
    if created > day:
        return None
    status, percent, due = "not_started", 0, None
    override: str | None = None
    reason: str | None = None
    evidence = False
    for entry in entries:
        if entry["at"] > day.isoformat():
            break  # history is kept in date order
        event = entry["event"]
        if event in ("created", "imported"):
            due = entry.get("due")
        if event == "due":
            due = entry.get("due", due)
        if "status" in entry and event in ("created", "imported", "update", "status"):
            status = entry["status"]
        if "percent" in entry:
            percent = entry["percent"]
        if event == "override":
            override, reason = entry.get("rag_override"), entry.get("reason")
        if event == "override_cleared":
            override = reason = None
        if entry.get("evidence"):
            evidence = True
    start = as_date(action["start"], "start") or created
    colour, _ = rag(status, percent, start, as_date(due, "due"), day, evidence, override, reason)
    return colour


def _completed_on(entries: list[dict[str, Any]]) -> str | None:
    # The day the action last moved from open to done or verified.
    closed_at: str | None = None
    is_closed = False
    for entry in entries:
        status = entry.get("status")
        if status is None or entry["event"] not in ("created", "imported", "update", "status"):
            continue
        if status in CLOSED and not is_closed:
            closed_at, is_closed = entry["at"], True
        elif status not in CLOSED:
            closed_at, is_closed = None, False
    return closed_at


# -- the scrutiny progress report ----------------------------------------------------------------


def write_report(
    conn: sqlite3.Connection,
    path: Path,
    *,
    authority: str,
    since: dt.date | str,
    today: dt.date | str | None = None,
) -> Path:
    """Write a scrutiny progress report for an authority since a date as a Word document."""
    path = _check_output(path)
    day = _today(today)
    start = as_date(since, "since")
    if start is None:
        raise InvalidInput("a report needs a --since date (YYYY-MM-DD)")
    if start > day:
        raise InvalidInput(f"--since {start} is after today ({day}): nothing has happened yet")
    scope = _scope(conn, authority=authority, letter_id=None, today=day)
    new_letters = [
        letter for letter in scope.letters if (_letter_date(letter) or "") >= start.isoformat()
    ]
    if not new_letters and not scope.actions:
        raise NothingToReport(
            f"nothing to report for {scope.authority} since {_day(start, long=True)}: no letters "
            "since then and no actions (add actions with 'lettermine actions add')"
        )
    name = scope.authority or "Authority not known"
    doc = wd.new_document(
        title=f"{name}: children's services improvement, progress report",
        subject=f"Scrutiny progress report since {start.isoformat()}",
    )
    wd.add_footer(
        doc,
        f"{name} · Scrutiny progress report since {_day(start, long=True)} · "
        f"as at {_day(day, long=True)}",
    )
    then = {a["id"]: rag_as_at(a, a["history"], start) for a in scope.actions.values()}
    completed = {}
    for action in scope.actions.values():
        when = _completed_on(action["history"]) if action["status"] in CLOSED else None
        if when and when >= start.isoformat():
            completed[action["id"]] = when
    _report_title(doc, scope, start, new_letters, completed)
    _report_new_letters(doc, start, new_letters)
    _report_completed(doc, scope, start, completed)
    _report_overdue(doc, scope)
    _report_movements(doc, scope, start, then)
    _report_measures(doc, scope)
    _report_recurring(doc, scope)
    _report_uncovered(doc, conn, scope)
    return wd.save_atomically(doc, path)


def _report_title(
    doc: wd.Document,
    scope: _Scope,
    start: dt.date,
    new_letters: list[dict[str, Any]],
    completed: dict[int, str],
) -> None:
    name = scope.authority or "Authority not known"
    wd.add_heading(doc, "Scrutiny briefing note", 0)
    doc.add_paragraph(f"Children's services improvement: {name}", style="Subtitle")
    wd.add_paragraph(
        doc,
        "This briefing gives the latest position on the improvement of children's social care "
        f"as at {_day(scope.today, long=True)}, and what has changed since "
        f"{_day(start, long=True)}: new Ofsted letters and what they said, actions completed "
        "and overdue, movements in RAG ratings, measures against their targets, the themes "
        "Ofsted has raised more than once, and any area that still has no action.",
    )
    actions = list(scope.actions.values())
    uncovered = [u for _, u in scope.areas if not u["actions"]]
    rag_now = ", ".join(
        f"{sum(a['rag'] == c for a in actions)} {RAG_WORDS[c].lower()}" for c in COLOURS
    )
    facts = [
        ("Period", f"{_day(start, long=True)} to {_day(scope.today, long=True)}"),
        ("New Ofsted letters", str(len(new_letters))),
        ("Actions in the plan", str(len(actions))),
        ("Completed in the period", str(len(completed))),
        ("Overdue now", str(sum(a["overdue"] for a in actions))),
        ("RAG now", rag_now),
        ("Areas with no action", str(len(uncovered))),
    ]
    widths = [5.5, 11.5]
    table = wd.add_table(doc, ["Subject", "Position"], widths, caption="Key facts")
    wd.add_rows(table, widths, [[Cell(label, bold=True), Cell(value)] for label, value in facts])
    wd.add_paragraph(doc, "")
    wd.add_paragraph(
        doc,
        "to review the progress made and to raise any questions about the information set "
        "out below.",
        bold_lead="Members are asked ",
    )


def _report_new_letters(doc: wd.Document, start: dt.date, letters: list[dict[str, Any]]) -> None:
    wd.add_heading(doc, f"New Ofsted letters since {_day(start, long=True)}", 1)
    if not letters:
        wd.add_paragraph(doc, "No new Ofsted letter has been published in this period.")
        return
    for letter in letters:
        wd.add_heading(doc, _letter_title(letter), 2)
        facts = []
        if letter.get("published"):
            facts.append(f"published {_day(letter['published'], long=True)}")
        if letter.get("lead_inspector"):
            facts.append(f"lead inspector {letter['lead_inspector']}")
        if facts:
            text = "; ".join(facts)
            wd.add_paragraph(doc, text[0].upper() + text[1:] + ".", muted=True)
        if letter.get("focus"):
            wd.add_paragraph(doc, letter["focus"], bold_lead="Focus: ")
        grades = letter.get("judgements") or {}
        if grades:
            widths = [12.0, 5.0]
            table = wd.add_table(doc, ["Judgement", "Grade"], widths,
                                 caption=f"Judgements: {_letter_title(letter)}")  # fmt: skip
            wd.add_rows(table, widths, [
                [Cell(JUDGEMENT_LABELS.get(code, code.replace("_", " "))),
                 Cell(str(grade).capitalize(), bold=True)]
                for code, grade in grades.items()
            ])  # fmt: skip
            wd.add_paragraph(doc, "")
        areas = [u for u in letter["units"] if u["kind"] in AREA_KINDS]
        findings = [u for u in letter["units"] if u["kind"] == "finding"]
        tone = Counter(u.get("polarity") for u in findings)
        what = "area for improvement or priority action" if any(
            u["kind"] == "priority_action" for u in areas) else "area for improvement"  # fmt: skip
        said = f"The letter sets out {len(areas)} {what if len(areas) == 1 else _areas(what)}"
        if findings:
            said += f" and records {_plural(len(findings), 'finding')}"
            if tone["strength"] or tone["concern"]:  # unknown when letters were not classified
                said += f" ({tone['strength']} strengths, {tone['concern']} concerns)"
        wd.add_paragraph(doc, said + ".")
        if areas:
            _areas_by_theme(doc, letter, areas)


def _areas(what: str) -> str:
    return what.replace("area ", "areas ", 1).replace("priority action", "priority actions")


def _areas_by_theme(doc: wd.Document, letter: dict[str, Any], areas: list[dict[str, Any]]) -> None:
    # Each area under its strongest theme only: listed under every theme, a letter's few
    # areas fill a page with repeats. Its other themes are named after it.
    by_theme: dict[str, list[str]] = {}
    for unit in areas:
        codes = _unit_themes(unit) or ["unthemed"]
        also = "; ".join(_theme_label(c) for c in codes[1:])
        line = f"{_unit_name(unit)}: {unit['text']}" + (f" (also: {also})" if also else "")
        by_theme.setdefault(codes[0], []).append(line)
    widths = [4.2, 12.8]
    table = wd.add_table(
        doc,
        ["Theme", "What the letter asks the council to improve"],
        widths,
        caption=f"Areas for improvement by theme: {_letter_title(letter)}",
    )
    order = sorted(by_theme, key=lambda c: (c == "unthemed", -len(by_theme[c]), _theme_label(c)))
    wd.add_rows(table, widths, [
        [Cell("Not yet themed" if code == "unthemed" else _theme_label(code), bold=True),
         Cell(by_theme[code])]
        for code in order
    ])  # fmt: skip


def _action_title_cell(action: dict[str, Any]) -> Cell:
    ref = f"{action['ref']} · " if action["ref"] else ""
    units = ", ".join(action["units"])
    return Cell(action["title"], note=f"{ref}action {action['id']} · answers {units}")


def _report_completed(
    doc: wd.Document, scope: _Scope, start: dt.date, completed: dict[int, str]
) -> None:
    wd.add_heading(doc, f"Actions completed since {_day(start, long=True)}", 1)
    if not completed:
        wd.add_paragraph(doc, "No action was completed in this period.")
        return
    widths = [6.0, 2.8, 2.2, 2.0, 4.0]
    table = wd.add_table(
        doc, ["Action", "Owner", "Completed", "Status", "Evidence"], widths,
        caption="Actions completed in the period",
    )  # fmt: skip
    rows = []
    for action_id, when in sorted(completed.items(), key=lambda kv: (kv[1], kv[0])):
        action = scope.actions[action_id]
        evidence = [e["evidence"] for e in action["history"] if e.get("evidence")]
        rows.append([
            _action_title_cell(action),
            Cell(action["owner"] or "Not assigned"),
            Cell(_day(when)),
            Cell(STATUS_LABELS[action["status"]], note=action["rag_reason"]),
            Cell(_clip(evidence[-1], 160) if evidence else "None recorded yet"),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)


def _report_overdue(doc: wd.Document, scope: _Scope) -> None:
    overdue = sorted(
        (a for a in scope.actions.values() if a["overdue"]), key=lambda a: (a["due"], a["id"])
    )
    wd.add_heading(doc, "Overdue actions", 1)
    if not overdue:
        wd.add_paragraph(doc, f"No action is overdue as at {_day(scope.today, long=True)}.")
        return
    wd.add_paragraph(
        doc, f"{_plural(len(overdue), 'action')} past the current due date and not yet done."
    )
    widths = [5.0, 2.4, 1.9, 1.9, 1.5, 1.4, 2.9]
    table = wd.add_table(
        doc,
        ["Action", "Owner", "Original due", "Current due", "Days over", "RAG", "Latest update"],
        widths,
        caption="Overdue actions",
    )
    rows = []
    for action in overdue:
        latest = action["latest"]
        rows.append([
            _action_title_cell(action),
            Cell(action["owner"] or "Not assigned"),
            Cell(_day(action["original_due"])),
            Cell(_day(action["due"])),
            Cell(str(-action["days_to_due"]), centre=True),
            _rag_cell(action["rag"]),
            Cell(_clip(latest["text"], 160), note=_day(latest["at"]))
            if latest else Cell("No update yet"),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)


MOVES = {1: "Improved", 0: "No change", -1: "Worse"}
RANK = {"red": 0, "amber": 1, "green": 2}


def _report_movements(
    doc: wd.Document, scope: _Scope, start: dt.date, then: dict[int, str | None]
) -> None:
    wd.add_heading(doc, "RAG movements", 1)
    actions = list(scope.actions.values())
    if not actions:
        wd.add_paragraph(doc, "There are no actions yet.")
        return
    wd.add_paragraph(
        doc,
        f"Each action's RAG on {_day(start, long=True)} and now, by the same rule applied to "
        "what had been recorded by each date.",
    )
    widths = [3.6, 2.7, 2.7, 2.7, 2.7]
    table = wd.add_table(
        doc,
        [f"On {_day(start)}", "Now red", "Now amber", "Now green", "Total"],
        widths,
        caption="RAG then and now",
        description="Rows: RAG at the start of the period; columns: RAG now.",
    )
    grid = Counter((then[a["id"]], a["rag"]) for a in actions)
    rows = []
    for before in (*COLOURS, None):
        total = sum(grid[(before, c)] for c in COLOURS)
        if before is None and not total:
            continue
        rows.append([
            Cell("New in the period", bold=True) if before is None else _rag_cell(before),
            *(Cell(str(grid[(before, now)]), centre=True) for now in COLOURS),
            Cell(str(total), centre=True, bold=True),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)
    wd.add_paragraph(doc, "")
    moved = [a for a in actions if then[a["id"]] != a["rag"]]
    if not moved:
        wd.add_paragraph(doc, "No action changed its RAG rating in the period.")
        return

    def step(action: dict[str, Any]) -> int:
        before = then[action["id"]]
        return 0 if before is None else RANK[action["rag"]] - RANK[before]

    # Worse first: what scrutiny will ask about; then new actions; then improvements.
    moved.sort(key=lambda a: (then[a["id"]] is None, step(a), a["id"]))
    wd.add_paragraph(doc, f"{_plural(len(moved), 'action')} moved or new:")
    widths = [6.2, 1.6, 1.6, 2.0, 5.6]
    table = wd.add_table(
        doc,
        ["Action", "Then", "Now", "Movement", "Why it is rated so now"],
        widths,
        caption="Actions whose RAG changed in the period",
    )
    rows = []
    for action in moved:
        before = then[action["id"]]
        movement = "New" if before is None else MOVES[(step(action) > 0) - (step(action) < 0)]
        rows.append([
            _action_title_cell(action),
            Cell("New", centre=True) if before is None else _rag_cell(before),
            _rag_cell(action["rag"]),
            Cell(movement, bold=movement == "Worse"),
            Cell(action["rag_reason"]),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)


def _report_measures(doc: wd.Document, scope: _Scope) -> None:
    wd.add_heading(doc, "Measures against targets", 1)
    pairs = [(a, m) for a in scope.actions.values() for m in a["measures"]]
    if not pairs:
        wd.add_paragraph(doc, "No action has a measure yet.")
        return
    widths = [4.4, 3.2, 1.7, 2.2, 1.7, 2.0, 1.8]
    table = wd.add_table(
        doc,
        ["Action", "Measure", "Baseline", "Latest", "Target", "Progress", "Met"],
        widths,
        caption="Measures against targets",
        description="Progress is how far the latest value has moved from baseline to target.",
    )
    rows = []
    for action, m in pairs:
        if m["met"] is None:
            met = Cell("No value yet", centre=True)
        else:
            met = Cell("Met" if m["met"] else "Not yet", centre=True, bold=bool(m["met"]),
                       fill=MET_FILL if m["met"] else None)  # fmt: skip
        better = "higher is better" if m["direction"] == "up" else "lower is better"
        rows.append([
            _action_title_cell(action),
            Cell(m["name"], note=better),
            Cell(_num(m["baseline"], m["unit"]), centre=True),
            Cell(_num(m["latest"], m["unit"]), centre=True, note=_day(m["latest_at"]) or None),
            Cell(_num(m["target"], m["unit"]), centre=True),
            Cell("" if m["progress"] is None else f"{m['progress']}%", centre=True),
            met,
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)


def theme_visit_counts(letters: Sequence[dict[str, Any]]) -> dict[str, dict[int, int]]:
    """For each theme, how many areas for improvement and priority actions each letter gave it."""
    counts: dict[str, dict[int, int]] = {}
    for letter in letters:
        for unit in letter["units"]:
            if unit["kind"] not in AREA_KINDS:
                continue
            for code in _unit_themes(unit):
                per_letter = counts.setdefault(code, {})
                per_letter[letter["id"]] = per_letter.get(letter["id"], 0) + 1
    return counts


def _report_recurring(doc: wd.Document, scope: _Scope) -> None:
    wd.add_heading(doc, "Themes recurring across visits", 1)
    letters = [x for x in scope.letters if any(u["kind"] in AREA_KINDS for u in x["units"])]
    counts = theme_visit_counts(letters)
    if not counts:
        wd.add_paragraph(doc, "No letter has areas for improvement with themes yet.")
        return
    recurring = {c for c in counts if len(counts[c]) > 1}
    wd.add_paragraph(
        doc,
        "How many areas for improvement and priority actions in each letter carry each theme. "
        f"{_plural(len(recurring), 'theme')} appeared in more than one visit (shown first, in "
        "bold): these are the issues Ofsted has had to raise again.",
    )
    order = sorted(
        counts, key=lambda c: (-len(counts[c]), -sum(counts[c].values()), _theme_label(c))
    )
    visit_width = min(2.0, (17.0 - 5.2 - 1.4) / max(1, len(letters)))
    widths = [5.2] + [visit_width] * len(letters) + [1.4]
    table = wd.add_table(
        doc,
        ["Theme", *(_letter_short(letter) for letter in letters), "Visits"],
        widths,
        caption="Themes by visit",
        description="Rows are themes, columns are letters in date order; each cell counts the "
        "letter's areas for improvement and priority actions with that theme.",
    )
    rows = []
    for code in order:
        row = [Cell(_theme_label(code), bold=code in recurring)]
        for letter in letters:
            n = counts[code].get(letter["id"], 0)
            fill = HEAT_FILLS[min(n, len(HEAT_FILLS)) - 1] if n else None
            row.append(Cell(str(n) if n else "", centre=True, fill=fill, bold=True,
                            white=fill == HEAT_FILLS[-1]))  # fmt: skip
        row.append(Cell(str(len(counts[code])), centre=True, bold=code in recurring))
        rows.append(row)
    wd.add_rows(table, widths, rows)


def _report_uncovered(doc: wd.Document, conn: sqlite3.Connection, scope: _Scope) -> None:
    wd.add_heading(doc, "Areas still without an action", 1)
    found = coverage(conn, authority=scope.authority) if scope.authority else None
    refs = {a["unit"] for a in found["uncovered"]} if found else set()
    areas = [(letter, unit) for letter, unit in scope.areas if unit["id"] in refs]
    if not areas:
        wd.add_paragraph(doc, "Every area for improvement and priority action has an action.")
        return
    wd.add_paragraph(doc, f"{_plural(len(areas), 'area')} with no action answering it:")
    widths = [3.0, 10.0, 4.0]
    table = wd.add_table(doc, ["Letter", "Area", "Themes"], widths,
                         caption="Areas without an action")  # fmt: skip
    wd.add_rows(table, widths, [
        [Cell(_letter_short(letter), note=unit["id"]),
         Cell(unit["text"], note=_unit_name(unit)),
         Cell([_theme_label(c) for c in _unit_themes(unit)] or ["Not yet themed"])]
        for letter, unit in areas
    ])  # fmt: skip


__all__ = [
    "NothingToReport",
    "rag_as_at",
    "theme_visit_counts",
    "write_plan",
    "write_report",
]
