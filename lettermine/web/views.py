"""Words and small pieces of HTML the templates share: dates, labels, RAG, marked snippets."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from markupsafe import Markup, escape

from lettermine.papers import (
    JUDGEMENT_LABELS,
    KIND_LABELS,
    RAG_WORDS,
    STATUS_LABELS,
    day_text,
    letter_short,
    theme_label,
    unit_name,
    visit_dates,
)

POLARITY_WORDS = {
    "strength": "Strength",
    "concern": "Concern",
    "mixed": "Mixed",
    "context": "Context",
}
EVENT_WORDS = {
    "created": "Created",
    "imported": "Imported",
    "update": "Progress update",
    "status": "Status change",
    "due": "Due date revised",
    "link": "Linked to an area",
    "unlink": "Unlinked from an area",
    "override": "RAG override",
    "override_cleared": "RAG override cleared",
    "measure": "Measure added",
}


def day(value: str | dt.date | None, long: bool = False) -> str:
    """'1 Feb 2024' (or '1 February 2024'), as the Word papers write it; '' for nothing."""
    try:
        return day_text(value, long=long)
    except ValueError:
        return str(value)


def stamp(value: str | None) -> str:
    """A recorded time, '4 Dec 2026 14:30', in the server's local time."""
    if not value:
        return ""
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if when.tzinfo is not None:
        when = when.astimezone()
    return f"{day(when.date())} {when.strftime('%H:%M')}"


def kind(code: str | None) -> str:
    return KIND_LABELS.get(code or "", "Ofsted letter")


def status(code: str | None) -> str:
    return STATUS_LABELS.get(code or "", (code or "").replace("_", " ").capitalize())


def judgement(code: str) -> str:
    return JUDGEMENT_LABELS.get(code, code.replace("_", " ").capitalize())


def rag(colour: str | None, reason: str | None = None) -> Markup:
    """RAG as a coloured label that says its colour in words (for print and screen readers)."""
    if not colour:
        return Markup('<span class="rag rag-none">No RAG</span>')
    word = RAG_WORDS.get(colour, colour)
    chip = Markup('<span class="rag rag-{}">{}</span>').format(colour, word)
    if reason:
        chip += Markup(' <span class="rag-reason">{}</span>').format(reason)
    return chip


def marked(snippet: str, marks: tuple[str, str]) -> Markup:
    """A search snippet, escaped, with the matched words in <mark>."""
    opening, closing = marks
    text = str(escape(snippet))
    return Markup(text.replace(opening, "<mark>").replace(closing, "</mark>"))


def anchor(ref: str) -> str:
    """The id of a unit's element on its letter's page: '3:12' -> 'u3-12'."""
    return "u" + ref.replace(":", "-")


def history_words(entry: dict[str, Any]) -> str:
    """What one history row changed, in words."""
    event = entry["event"]
    parts: list[str] = []
    if entry.get("status") and event in ("created", "imported", "update", "status"):
        parts.append(f"status {status(entry['status']).lower()}")
    if entry.get("percent") is not None and event != "created":
        parts.append(f"{entry['percent']}% done")
    if entry.get("due"):
        parts.append(f"due {day(entry['due'])}")
    if entry.get("unit"):
        parts.append(f"area {entry['unit']}")
    if entry.get("measure") and event in ("update", "measure"):
        value = entry.get("value")
        parts.append(f"{entry['measure']}: {value:g}" if value is not None else entry["measure"])
    if entry.get("rag_override"):
        parts.append(f"RAG {RAG_WORDS.get(entry['rag_override'], entry['rag_override'])}")
    return "; ".join(parts)


HELPERS = SimpleNamespace(
    day=day,
    stamp=stamp,
    visit_dates=visit_dates,
    kind=kind,
    short_letter=letter_short,
    theme=theme_label,
    status=status,
    unit=unit_name,
    judgement=judgement,
    rag=rag,
    heat=lambda n: min(n, 3),
    marked=marked,
    anchor=anchor,
    polarity=lambda p: POLARITY_WORDS.get(p or "", ""),
    event=lambda e: EVENT_WORDS.get(e, e),
    rag_words=RAG_WORDS,
)
