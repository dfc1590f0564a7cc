"""The scrutiny report's peers section: for each area still open, two councils told the same
and what their next letter found (`report --peers`). Takes the data peers.py gives; the Word
mechanics are docx_helpers'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lettermine import docx_helpers as wd
from lettermine.docx_helpers import Cell

PEERS_PER_AREA = 2
KINDS = {
    "ilacs": "inspection",
    "sif": "inspection",
    "pre_sif": "inspection",
    "focused_visit": "focused visit",
    "monitoring_visit": "monitoring visit",
    "jtai": "joint targeted area inspection",
    "area_send": "area SEND inspection",
    "other": "letter",
}
WIDTHS = (5.0, 5.5, 6.5)  # cm, portrait: 17 cm between the margins
CLIP = 220  # characters of a finding quoted in a cell
# Of the next letter's findings on the same themes, the most alike only: with two, a council with
# 25 open areas had a 24-page section (17 with one).
FINDINGS_SHOWN = 1


def _day(value: str | None) -> str:
    if not value:
        return "date not known"
    day = dt.date.fromisoformat(value)
    return f"{day.day} {day:%B %Y}"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CLIP else text[: CLIP - 1].rstrip() + "…"


def _next_cell(after: dict[str, Any] | None) -> Cell:
    if after is None:
        return Cell("No later letter yet.", muted=True)
    lines = [f"{KINDS.get(after['kind'], after['kind']).capitalize()}, {_day(after['date'])}."]
    if after["same_ask_again"]:
        lines.append("The same ask came back.")
    changed = [
        f"{c['judgement'].replace('_', ' ').capitalize()}: {c['before'] or 'not graded'} → "
        f"{c['after']}."
        for c in after["judgements"]
        if c["before"] != c["after"]
    ]
    lines += changed
    for finding in after["findings"][:FINDINGS_SHOWN]:
        tone = (finding["polarity"] or "finding").capitalize()
        lines.append(f"{tone}: {_clip(finding['text'])}")
    if not after["same_ask_again"] and not changed and not after["findings"]:
        lines.append("Nothing on the same themes.")
    return Cell(lines)


def add_peers_section(doc: wd.Document, results: list[dict[str, Any]]) -> None:
    """The section: one row per peer, grouped by our open area. results: find_authority_peers."""
    wd.add_heading(doc, "What councils told the same found next", 1)
    if not results:
        wd.add_paragraph(doc, "No area for improvement is still open.")
        return
    wd.add_paragraph(
        doc,
        f"For each area still open (no action answering it, or one not yet done), the "
        f"{PEERS_PER_AREA} areas of other councils' letters most like it, and what the next "
        "letter to each of those councils found. Alike means sharing the words that matter "
        "(lettermine peers); the score is from 0 to 1.",
    )
    without = [r["unit"]["id"] for r in results if not r["peers"]]
    table = wd.add_table(
        doc,
        ["Our area", "Another council told", "What their next letter found"],
        list(WIDTHS),
        caption="Councils told the same, and what happened next",
    )
    rows: list[list[Cell]] = []
    for result in results:
        unit = result["unit"]
        for n, peer in enumerate(result["peers"]):
            ours = Cell(unit["text"], note=unit["id"], muted=n > 0)
            theirs = Cell(
                peer["text"],
                note=f"{peer['authority']}, {KINDS.get(peer['letter_kind'], 'letter')} "
                f"{_day(peer['date'])} · {peer['id']} · score {peer['score']:.2f}",
            )
            rows.append([ours, theirs, _next_cell(peer["next"])])
    wd.add_rows(table, list(WIDTHS), rows)
    if without:
        wd.add_paragraph(doc, "")
        wd.add_paragraph(
            doc,
            f"No other council's area is like {', '.join(without)}.",
            muted=True,
        )
