"""What the Word documents share: which letters and actions a paper covers, as at which day, and
the words and table cells both documents print (dates, labels, RAG cells, reasons).

The data comes from the tracker (timeline.Tracker: now, or as it stood on a day) and the letters
library; RAG is the rule's (rag.py), never recomputed here differently; the Word mechanics live
in docx_helpers, the only python-docx user.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lettermine.actions import AREA_KINDS, measures_of, select_actions
from lettermine.dates import as_date
from lettermine.db import refuse_to_replace_a_database
from lettermine.docx_helpers import Cell
from lettermine.errors import InvalidInput, OutputError
from lettermine.letters import get_letter
from lettermine.paths import NotReadable, check_target
from lettermine.rag import rag
from lettermine.scope import select_letters
from lettermine.themes import BY_CODE
from lettermine.timeline import Tracker, entries_in_force, load_tracker, replay, resolve_day


class NothingToReport(InvalidInput):
    "The letters or period chosen hold nothing a document could show"


KIND_LABELS: dict[str, str] = {
    "ilacs": "Inspection of children's services (ILACS)",
    "sif": "Single inspection (SIF)",
    "pre_sif": "Inspection before SIF (2009-2013)",
    "focused_visit": "Focused visit",
    "monitoring_visit": "Monitoring visit",
    "jtai": "Joint targeted area inspection",
    "area_send": "Area SEND inspection",
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
    "capacity_to_improve": "Capacity to improve",
    "outcomes_for_looked_after_children": "Outcomes for looked after children and young people",
    "quality_of_provision": "Quality of provision",
    "leadership_and_management": "Leadership and management",
    "quality_of_practice": "The quality of practice",
    "leadership_and_governance": "Leadership and governance",
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

# -- dates and words -----------------------------------------------------------------------------


def day_text(value: str | dt.date | None, *, long: bool = False) -> str:
    """'5 May 2021' (long) or '5 May 2021' with the month cut to three letters; '' for none."""
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return f"{day.day} {day.strftime('%B' if long else '%b')} {day.year}"


def visit_dates(letter: dict[str, Any]) -> str:
    """The days of a visit in words: '5–6 May 2021'."""
    start, end = letter.get("inspection_start"), letter.get("inspection_end")
    if start and end and start != end:
        a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.day}–{b.day} {b.strftime('%B')} {b.year}"
        if a.year == b.year:
            return f"{a.day} {a.strftime('%B')} – {b.day} {b.strftime('%B')} {b.year}"
        return f"{day_text(a, long=True)} – {day_text(b, long=True)}"
    return day_text(start or end or letter.get("published"), long=True) or "date not known"


def letter_title(letter: dict[str, Any]) -> str:
    """'Focused visit, 5–6 May 2021'."""
    return f"{KIND_LABELS.get(letter['kind'], 'Ofsted letter')}, {visit_dates(letter)}"


def letter_short(letter: dict[str, Any]) -> str:
    """'ILACS Oct 2021': a letter named in a narrow column."""
    kind = {"ilacs": "ILACS", "sif": "SIF", "jtai": "JTAI"}.get(letter["kind"])
    kind = kind or KIND_LABELS.get(letter["kind"], "Letter")
    when = letter.get("inspection_start") or letter.get("published")
    return f"{kind} {dt.date.fromisoformat(when).strftime('%b %Y')}" if when else kind


def letter_date(letter: dict[str, Any]) -> str | None:
    """The day a letter is new from: published, else the last day of the visit, else the first."""
    # The same order as timeline.LETTER_DATE_SQL, which decides what existed on a day.
    return letter.get("published") or letter.get("inspection_end") or letter.get("inspection_start")


def theme_label(code: str) -> str:
    """A theme's label for people."""
    theme = BY_CODE.get(code)
    return theme.label if theme else code.replace("_", " ").capitalize()


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 action', '3 actions' (or the plural given)."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def unit_name(unit: dict[str, Any]) -> str:
    """'Area for improvement 3', 'Priority action 1'."""
    label = UNIT_LABELS.get(unit["kind"], "Finding")
    return f"{label} {unit['number']}" if unit.get("number") else label


# -- what a document covers ----------------------------------------------------------------------


@dataclass
class Scope:
    """The letters, areas and actions a document covers, as they stood on its day."""

    authority: str
    letters: list[dict[str, Any]]  # get_letter() records, oldest visit first
    actions: dict[int, dict[str, Any]]  # summaries + measures, history and latest update
    today: dt.date  # the day the document is as at: RAG is judged on it
    now: dt.date  # the day it is written
    as_at: dt.date | None  # set when rebuilt from the history
    tracker: Tracker
    chosen: str  # how the letters were chosen, in words for the title block
    areas: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    closed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        every = [(x, u) for x in self.letters for u in x["units"] if u["kind"] in AREA_KINDS]
        self.areas = [(x, u) for x, u in every if not u["closed"]]
        self.closed = [(x, u) for x, u in every if u["closed"]]

    @property
    def uncovered(self) -> list[dict[str, Any]]:
        """Open areas that no action answers."""
        return [u for _, u in self.areas if not u["actions"]]

    def footer(self, what: str) -> str:
        """The footer line: the authority, the document, the day, and how it was made."""
        text = f"{self.authority} · {what} · as at {day_text(self.today, long=True)}"
        if self.as_at is not None:
            text += f" · rebuilt from the history on {day_text(self.now, long=True)}"
        return text


def build_scope(
    conn: sqlite3.Connection,
    *,
    authority: str | None = None,
    letter_ids: Sequence[int] = (),
    since: dt.date | str | None = None,
    kinds: Sequence[str] = (),
    current: bool = False,
    today: dt.date | str | None = None,
    as_at: dt.date | str | None = None,
) -> Scope:
    """The letters chosen and the actions answering them: now, or as at the end of a day."""
    day, when = resolve_day(today, as_at)
    now = as_date(today, "today") or dt.date.today()
    tracker = load_tracker(conn, when)
    selection = select_letters(
        conn, authority=authority, letter_ids=letter_ids, since=as_date(since, "--since"),
        kinds=kinds, current=current, visible=tracker.letters, as_at=when,
    )  # fmt: skip
    letters = [get_letter(conn, i) for i in selection.letter_ids]
    summaries = select_actions(conn, tracker, day, letter_ids=selection.letter_ids)
    actions = {a["id"]: a for a in summaries}
    for action_id, action in actions.items():
        action["measures"] = measures_of(tracker, action_id)
        action["history"] = tracker.history[action_id]
        action["latest"] = latest_update(action["history"])
    # A letter's units carry the actions and closures of the tracker's day, not today's.
    on_unit: dict[str, list[int]] = {}
    for action_id, units in tracker.links.items():
        for unit_id in units:
            on_unit.setdefault(tracker.units[unit_id].ref, []).append(action_id)
    closures = {tracker.units[u].ref: c for u, c in tracker.closures.items()}
    for letter in letters:
        for unit in letter["units"]:
            unit["actions"] = sorted(on_unit.get(unit["id"], []))
            closure = closures.get(unit["id"])
            unit["closed"] = None
            if closure is not None:
                unit["closed"] = {
                    "at": closure["at"], "reason": closure["reason"],
                    "author": closure["author"], "by": closure["by_unit"],
                }  # fmt: skip
    return Scope(selection.authority, letters, actions, day, now, when, tracker, selection.chosen)


def latest_update(entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last thing a person wrote about the work: a note, a moved due date, or evidence."""
    # Measure set-up notes are generated, so they are passed over.
    for entry in reversed(entries):
        if entry["event"] in ("update", "status", "imported") and entry.get("note"):
            return {"at": entry["at"], "text": entry["note"], "author": entry.get("author")}
        if entry["event"] == "due" and entry.get("due"):
            text = f"Due date moved to {day_text(entry['due'])}: {entry.get('reason', '')}"
            return {"at": entry["at"], "text": text.rstrip(": "), "author": entry.get("author")}
        if entry["event"] in ("update", "imported") and entry.get("evidence"):
            return {
                "at": entry["at"],
                "text": f"Evidence: {entry['evidence']}",
                "author": entry.get("author"),
            }
    return None


def unit_themes(unit: dict[str, Any]) -> list[str]:
    """A unit's theme codes, strongest first."""
    return [t["code"] for t in unit.get("themes", [])]


def check_output(path: Path) -> Path:
    """The Word file to write, refused before any work if it cannot be written."""
    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise OutputError(f"{path}: the output must be a Word file ending in .docx")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name ending in .docx")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist; create it first")
    try:
        check_target(path)  # a FIFO or device of that name would block or swallow the file
    except NotReadable as e:
        raise OutputError(str(e)) from None
    refuse_to_replace_a_database(path)  # `plan --db x.docx -o x.docx`
    return path


# -- RAG at an earlier date ----------------------------------------------------------------------


def rag_as_at(action: dict[str, Any], entries: list[dict[str, Any]], day: dt.date) -> str | None:
    """The RAG the same rule gave an action at the end of a day, from its history; None if new."""
    in_force = entries_in_force(entries, day)
    if not in_force:
        return None
    state, _, _ = replay(action, in_force)
    start = as_date(state["start"], "start") or dt.date.fromisoformat(state["created"][:10])
    evidence = any(e.get("evidence", "").strip() for e in in_force)
    colour, _ = rag(
        state["status"], state["percent"], start, as_date(state["due"], "due"), day, evidence,
        state["rag_override"], state["rag_override_reason"],
    )  # fmt: skip
    return colour


def completed_on(entries: list[dict[str, Any]]) -> str | None:
    """The day an action last moved from open to done or verified."""
    closed_at: str | None = None
    is_closed = False
    for entry in entries:
        status = entry.get("status")
        if status is None or entry["event"] not in ("created", "imported", "update", "status"):
            continue
        if status in ("done", "verified") and not is_closed:
            closed_at, is_closed = entry["at"], True
        elif status not in ("done", "verified"):
            closed_at, is_closed = None, False
    return closed_at


# -- reasons -------------------------------------------------------------------------------------


def due_moves(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each revision of the due date: when, from, to and why, oldest first."""
    moves = []
    due: str | None = None
    for entry in entries:
        if entry["event"] in ("created", "imported"):
            due = entry.get("due")
        elif entry["event"] == "due":
            move = {"at": entry["at"], "from": due, "to": entry["due"]}
            moves.append({**move, "reason": entry.get("reason"), "author": entry.get("author")})
            due = entry["due"]
    return moves


def block_note(entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest move to blocked: when and why (None if the action is not blocked now)."""
    for entry in reversed(entries):
        if entry["event"] in ("status", "imported", "created", "update") and entry.get("status"):
            if entry["status"] != "blocked":
                return None
            return {"at": entry["at"], "note": entry.get("note")}
    return None


def reasons(action: dict[str, Any]) -> list[str]:
    """Why an action stands as it does, in short lines: a moved due date, a block, an override."""
    lines = []
    moves = due_moves(action["history"])
    if moves and action["due"] != action["original_due"]:
        last = moves[-1]
        why = last["reason"] or "no reason recorded"
        lines.append(
            f"Due {day_text(action['original_due']) or 'none'} → {day_text(action['due'])} "
            f"({day_text(last['at'])}): {why}"
        )
    block = block_note(action["history"]) if action["status"] == "blocked" else None
    if block is not None:
        lines.append(
            f"Blocked since {day_text(block['at'])}: {block['note'] or 'no reason recorded'}"
        )
    if action["rag_override"]:
        reason = action["rag_reason"].removeprefix("override: ")
        lines.append(
            f"RAG set to {RAG_WORDS[action['rag']].lower()} by hand: {reason} (the rule gives "
            f"{action['rag_rule']}: {action['rag_rule_reason']})"
        )
    return lines


def status_notes(action: dict[str, Any]) -> list[str]:
    """The grey lines under an action's status: the RAG reason, then the reasons behind it."""
    why = reasons(action)
    return why if action["rag_override"] else [action["rag_reason"], *why]


# -- cells ---------------------------------------------------------------------------------------


def rag_cell(colour: str | None) -> Cell:
    """A RAG cell: the word, bold, on its colour (white text on red)."""
    if colour is None:
        return Cell("", centre=True)
    return Cell(RAG_WORDS[colour], bold=True, centre=True, fill=RAG_FILLS[colour],
                white=colour == "red")  # fmt: skip


def action_title_cell(action: dict[str, Any]) -> Cell:
    """An action's title, with its reference, id and the areas it answers underneath."""
    ref = f"{action['ref']} · " if action["ref"] else ""
    units = ", ".join(action["units"])
    return Cell(action["title"], note=f"{ref}action {action['id']} · answers {units}")


def num_text(value: float | None, unit: str | None = None) -> str:
    """A measure's value with its unit ('85%', '24 children'); 'none yet' for no value."""
    if value is None:
        return "none yet"
    text = f"{value:g}"
    if unit in ("%", "percent"):
        return text + "%"
    return f"{text} {unit}" if unit else text


def clip(text: str, limit: int) -> str:
    """Text cut at a word before `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
