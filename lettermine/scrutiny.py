"""The scrutiny progress report as a Word document: what changed in a period and what is still
open, now or as it stood at the end of a day.

Sections: new Ofsted letters, actions completed, overdue and blocked actions, deadlines moved,
RAG movements (with a chart of RAG at each month end), measures against targets (a chart each),
themes recurring across visits, areas still without an action and areas closed without one.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lettermine import docx_helpers as wd
from lettermine.actions import AREA_KINDS
from lettermine.dates import as_date
from lettermine.docx_helpers import Cell
from lettermine.errors import InvalidInput
from lettermine.papers import (
    HEAT_FILLS,
    JUDGEMENT_LABELS,
    MET_FILL,
    RAG_WORDS,
    STATUS_LABELS,
    NothingToReport,
    Scope,
    action_title_cell,
    block_note,
    build_scope,
    check_output,
    clip,
    completed_on,
    day_text,
    due_moves,
    letter_date,
    letter_short,
    letter_title,
    num_text,
    plural,
    rag_as_at,
    rag_cell,
    reasons,
    theme_label,
    unit_name,
    unit_themes,
)
from lettermine.rag import CLOSED, COLOURS

MOVES = {1: "Improved", 0: "No change", -1: "Worse"}
RANK = {"red": 0, "amber": 1, "green": 2}


def write_report(
    conn: sqlite3.Connection,
    path: Path,
    *,
    since: dt.date | str,
    authority: str | None = None,
    letter_ids: Sequence[int] = (),
    kinds: Sequence[str] = (),
    today: dt.date | str | None = None,
    as_at: dt.date | str | None = None,
    charts: bool = True,
    peers: bool = False,
) -> Path:
    """Write a scrutiny progress report for an authority (or letters) since a date.

    With as_at, everything is as it stood at the end of that day, RAG judged on that day.
    peers: add a section with, for each area still open, the two closest areas of other councils
    and what their next letter found (report_peers.py); it reads other councils' letters as they
    are now, so it does not go with as_at.
    """
    path = check_output(path)
    if peers and as_at is not None:
        raise InvalidInput(
            "--peers reads other councils' letters as they are now: it cannot be combined with "
            "--as-at"
        )
    start = as_date(since, "since")
    if start is None:
        raise InvalidInput("a report needs a --since date (YYYY-MM-DD)")
    scope = build_scope(conn, authority=authority, letter_ids=letter_ids, kinds=kinds,
                        today=today, as_at=as_at)  # fmt: skip
    day = scope.today
    if start > day:
        which = "the --as-at date" if scope.as_at else "today"
        raise InvalidInput(f"--since {start} is after {which} ({day}): nothing has happened yet")
    new_letters = [x for x in scope.letters if (letter_date(x) or "") >= start.isoformat()]
    if not new_letters and not scope.actions:
        raise NothingToReport(
            f"nothing to report for {scope.authority} since {day_text(start, long=True)}: no "
            "letters since then and no actions (add actions with 'lettermine actions add')"
        )
    doc = wd.new_document(
        title=f"{scope.authority}: children's services improvement, progress report",
        subject=f"Scrutiny progress report since {start.isoformat()}",
    )
    wd.add_footer(doc, scope.footer(f"Scrutiny progress report since {day_text(start, long=True)}"))
    then = {a["id"]: rag_as_at(a, a["history"], start) for a in scope.actions.values()}
    completed = {}
    for action in scope.actions.values():
        when = completed_on(action["history"]) if action["status"] in CLOSED else None
        if when and when >= start.isoformat():
            completed[action["id"]] = when
    moved = [
        (action, move)
        for action in scope.actions.values()
        for move in due_moves(action["history"])
        if move["at"] >= start.isoformat()
    ]
    _title(doc, scope, start, new_letters, completed, moved)
    _new_letters(doc, start, new_letters)
    _completed(doc, scope, start, completed)
    _overdue(doc, scope)
    _blocked(doc, scope)
    _deadlines_moved(doc, start, moved)
    _movements(doc, scope, start, then, charts)
    _measures(doc, scope, charts)
    _recurring(doc, scope)
    _uncovered(doc, scope)
    _closed(doc, scope)
    if peers:
        from lettermine.peers import find_authority_peers
        from lettermine.report_peers import PEERS_PER_AREA, add_peers_section

        add_peers_section(doc, find_authority_peers(conn, scope.authority, limit=PEERS_PER_AREA))
    return wd.save_atomically(doc, path)


def _title(
    doc: wd.Document,
    scope: Scope,
    start: dt.date,
    new_letters: list[dict[str, Any]],
    completed: dict[int, str],
    moved: list[tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    wd.add_heading(doc, "Scrutiny briefing note", 0)
    doc.add_paragraph(f"Children's services improvement: {scope.authority}", style="Subtitle")
    wd.add_paragraph(
        doc,
        f"{day_text(scope.today, long=True)}. Actions, progress and RAG ratings are as they stood "
        "at the end of this day.",
        bold_lead="Position as at: ",
    )
    wd.add_paragraph(
        doc,
        "This briefing gives the position on the improvement of children's social care and what "
        f"has changed since {day_text(start, long=True)}: new Ofsted letters and what they said, "
        "actions completed, overdue and blocked, deadlines moved and why, movements in RAG "
        "ratings, measures against their targets, the themes Ofsted has raised more than once, "
        "and any area that still has no action.",
    )
    actions = list(scope.actions.values())
    rag_now = ", ".join(
        f"{sum(a['rag'] == c for a in actions)} {RAG_WORDS[c].lower()}" for c in COLOURS
    )
    facts = [
        ("Period", f"{day_text(start, long=True)} to {day_text(scope.today, long=True)}"),
        ("New Ofsted letters", str(len(new_letters))),
        ("Actions in the plan", str(len(actions))),
        ("Completed in the period", str(len(completed))),
        ("Overdue now", str(sum(a["overdue"] for a in actions))),
        ("Blocked now", str(sum(a["status"] == "blocked" for a in actions))),
        ("Deadlines moved in the period", str(len(moved))),
        ("RAG now", rag_now),
        ("Areas with no action", str(len(scope.uncovered))),
        ("Areas closed without an action", str(len(scope.closed))),
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


def _new_letters(doc: wd.Document, start: dt.date, letters: list[dict[str, Any]]) -> None:
    wd.add_heading(doc, f"New Ofsted letters since {day_text(start, long=True)}", 1)
    if not letters:
        wd.add_paragraph(doc, "No new Ofsted letter has been published in this period.")
        return
    for letter in letters:
        wd.add_heading(doc, letter_title(letter), 2)
        facts = []
        if letter.get("published"):
            facts.append(f"published {day_text(letter['published'], long=True)}")
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
                                 caption=f"Judgements: {letter_title(letter)}")  # fmt: skip
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
            said += f" and records {plural(len(findings), 'finding')}"
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
        codes = unit_themes(unit) or ["unthemed"]
        also = "; ".join(theme_label(c) for c in codes[1:])
        line = f"{unit_name(unit)}: {unit['text']}" + (f" (also: {also})" if also else "")
        by_theme.setdefault(codes[0], []).append(line)
    widths = [4.2, 12.8]
    table = wd.add_table(
        doc,
        ["Theme", "What the letter asks the council to improve"],
        widths,
        caption=f"Areas for improvement by theme: {letter_title(letter)}",
    )
    order = sorted(by_theme, key=lambda c: (c == "unthemed", -len(by_theme[c]), theme_label(c)))
    wd.add_rows(table, widths, [
        [Cell("Not yet themed" if code == "unthemed" else theme_label(code), bold=True),
         Cell(by_theme[code])]
        for code in order
    ])  # fmt: skip


def _completed(doc: wd.Document, scope: Scope, start: dt.date, completed: dict[int, str]) -> None:
    wd.add_heading(doc, f"Actions completed since {day_text(start, long=True)}", 1)
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
            action_title_cell(action),
            Cell(action["owner"] or "Not assigned"),
            Cell(day_text(when)),
            Cell(STATUS_LABELS[action["status"]], note=action["rag_reason"]),
            Cell(clip(evidence[-1], 160) if evidence else "None recorded yet"),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)


def _overdue(doc: wd.Document, scope: Scope) -> None:
    overdue = sorted(
        (a for a in scope.actions.values() if a["overdue"]), key=lambda a: (a["due"], a["id"])
    )
    wd.add_heading(doc, "Overdue actions", 1)
    if not overdue:
        wd.add_paragraph(doc, f"No action is overdue as at {day_text(scope.today, long=True)}.")
        return
    wd.add_paragraph(
        doc, f"{plural(len(overdue), 'action')} past the current due date and not yet done."
    )
    widths = [4.6, 2.2, 1.8, 2.6, 1.3, 1.4, 3.1]
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
            action_title_cell(action),
            Cell(action["owner"] or "Not assigned"),
            Cell(day_text(action["original_due"])),
            Cell(day_text(action["due"]), note=reasons(action)),
            Cell(str(-action["days_to_due"]), centre=True),
            rag_cell(action["rag"]),
            Cell(clip(latest["text"], 160), note=day_text(latest["at"]))
            if latest else Cell("No update yet"),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)


def _blocked(doc: wd.Document, scope: Scope) -> None:
    blocked = sorted(
        (a for a in scope.actions.values() if a["status"] == "blocked"),
        key=lambda a: (a["due"] or "9999", a["id"]),
    )
    if not blocked:
        return  # the key facts already say none is blocked
    wd.add_heading(doc, "Blocked actions", 1)
    wd.add_paragraph(
        doc, f"{plural(len(blocked), 'action')} waiting for something outside the service."
    )
    widths = [5.2, 2.4, 2.0, 5.6, 1.8]
    table = wd.add_table(
        doc, ["Action", "Owner", "Blocked since", "Why", "RAG"], widths,
        caption="Blocked actions",
    )  # fmt: skip
    rows = []
    for action in blocked:
        block = block_note(action["history"]) or {"at": None, "note": None}
        rows.append([
            action_title_cell(action),
            Cell(action["owner"] or "Not assigned"),
            Cell(day_text(block["at"])),
            Cell(block["note"] or "No reason recorded"),
            rag_cell(action["rag"]),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)


def _deadlines_moved(
    doc: wd.Document, start: dt.date, moved: list[tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    wd.add_heading(doc, "Deadlines moved in the period", 1)
    if not moved:
        wd.add_paragraph(doc, f"No action's due date was moved since {day_text(start, long=True)}.")
        return
    wd.add_paragraph(
        doc,
        f"{plural(len(moved), 'due date')} moved since {day_text(start, long=True)}, with the "
        "reason recorded at the time. The original due date is never changed.",
    )
    widths = [5.0, 1.9, 1.9, 1.9, 1.9, 4.4]
    table = wd.add_table(
        doc,
        ["Action", "Moved on", "Original due", "From", "To", "Reason"],
        widths,
        caption="Deadlines moved in the period",
    )
    rows = []
    for action, move in sorted(moved, key=lambda am: (am[1]["at"], am[0]["id"])):
        rows.append([
            action_title_cell(action),
            Cell(day_text(move["at"]), note=move["author"]),
            Cell(day_text(action["original_due"]) or "None set"),
            Cell(day_text(move["from"]) or "None set"),
            Cell(day_text(move["to"]), bold=True),
            Cell(move["reason"] or "No reason recorded"),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)


def _movements(
    doc: wd.Document, scope: Scope, start: dt.date, then: dict[int, str | None], charts: bool
) -> None:
    wd.add_heading(doc, "RAG movements", 1)
    actions = list(scope.actions.values())
    if not actions:
        wd.add_paragraph(doc, "There are no actions yet.")
        return
    if charts:
        _rag_chart(doc, scope, start)
    wd.add_paragraph(
        doc,
        f"Each action's RAG on {day_text(start, long=True)} and on "
        f"{day_text(scope.today, long=True)}, by the same rule applied to what had been "
        "recorded by each date.",
    )
    widths = [3.6, 2.7, 2.7, 2.7, 2.7]
    table = wd.add_table(
        doc,
        [f"On {day_text(start)}", "Now red", "Now amber", "Now green", "Total"],
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
            Cell("New in the period", bold=True) if before is None else rag_cell(before),
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
    wd.add_paragraph(doc, f"{plural(len(moved), 'action')} moved or new:")
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
        why = reasons(action)
        rows.append([
            action_title_cell(action),
            Cell("New", centre=True) if before is None else rag_cell(before),
            rag_cell(action["rag"]),
            Cell(movement, bold=movement == "Worse"),
            Cell(why[-1] if action["rag_override"] else action["rag_reason"],
                 note=None if action["rag_override"] else why),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)


def _rag_chart(doc: wd.Document, scope: Scope, start: dt.date) -> None:
    from lettermine.charts import month_ends, rag_chart

    points = []
    for end in month_ends(start, scope.today):
        counts = Counter(rag_as_at(a, a["history"], end) for a in scope.actions.values())
        points.append((end, {c: counts[c] for c in COLOURS}))
    chart = rag_chart(points)
    if chart is not None:
        wd.add_picture(doc, wd.Picture(chart.png, chart.width_cm, chart.summary), chart.summary)


def _measures(doc: wd.Document, scope: Scope, charts: bool) -> None:
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
            action_title_cell(action),
            Cell(m["name"], note=better),
            Cell(num_text(m["baseline"], m["unit"]), centre=True),
            Cell(num_text(m["latest"], m["unit"]), centre=True,
                 note=day_text(m["latest_at"]) or None),
            Cell(num_text(m["target"], m["unit"]), centre=True),
            Cell("" if m["progress"] is None else f"{m['progress']}%", centre=True),
            met,
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)
    if charts:
        _measure_charts(doc, pairs)


def _measure_charts(doc: wd.Document, pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    from lettermine.charts import MEASURE_SIZE_CM

    charted = []
    for action, m in pairs:
        points = [
            (dt.date.fromisoformat(e["at"]), float(e["value"]))
            for e in action["history"]
            if e["event"] == "update" and e.get("measure_id") == m["id"] and "value" in e
        ]
        if len(points) >= 2:  # a line needs two points; fewer is said by the table above
            charted.append((action, m, _series(m, points)))
    if not charted:
        return
    from lettermine.charts import measure_charts

    drawn = measure_charts([series for _, _, series in charted])
    wd.add_heading(doc, "Measures over time", 2)
    wd.add_paragraph(
        doc,
        "Each measure with two or more values recorded: its values over time (dots), the "
        "baseline (dashed grey line) and the target (green line), with the same in words.",
        muted=True,
    )
    widths = [4.0, MEASURE_SIZE_CM[0] + 0.3, 17.0 - 4.0 - MEASURE_SIZE_CM[0] - 0.3]
    table = wd.add_table(
        doc,
        ["Measure", "Values over time", "In words"],
        widths,
        caption="Measures over time against baseline and target",
        description="One row per measure: its name, a chart of its values against its baseline "
        "and target, and what the chart shows in words.",
    )
    rows = []
    for (action, m, _), chart in zip(charted, drawn, strict=True):
        assert chart is not None  # two points or more
        cells = [Cell(m["name"], bold=True, note=f"{action['title']} · action {action['id']}"),
                 Cell(), Cell(chart.summary)]  # fmt: skip
        rows.append((cells, wd.Picture(chart.png, chart.width_cm, chart.summary)))
    wd.add_picture_rows(doc, table, widths, rows, column=1)


def _series(m: dict[str, Any], points: list[tuple[dt.date, float]]) -> Any:
    from lettermine.charts import MeasureSeries

    return MeasureSeries(m["name"], m["unit"], m["baseline"], m["target"], m["direction"],
                         points)  # fmt: skip


def theme_visit_counts(letters: Sequence[dict[str, Any]]) -> dict[str, dict[int, int]]:
    """For each theme, how many areas for improvement and priority actions each letter gave it."""
    counts: dict[str, dict[int, int]] = {}
    for letter in letters:
        for unit in letter["units"]:
            if unit["kind"] not in AREA_KINDS:
                continue
            for code in unit_themes(unit):
                per_letter = counts.setdefault(code, {})
                per_letter[letter["id"]] = per_letter.get(letter["id"], 0) + 1
    return counts


def _recurring(doc: wd.Document, scope: Scope) -> None:
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
        f"{plural(len(recurring), 'theme')} appeared in more than one visit (shown first, in "
        "bold): these are the issues Ofsted has had to raise again.",
    )
    order = sorted(
        counts, key=lambda c: (-len(counts[c]), -sum(counts[c].values()), theme_label(c))
    )
    visit_width = min(2.0, (17.0 - 5.2 - 1.4) / max(1, len(letters)))
    widths = [5.2] + [visit_width] * len(letters) + [1.4]
    table = wd.add_table(
        doc,
        ["Theme", *(letter_short(letter) for letter in letters), "Visits"],
        widths,
        caption="Themes by visit",
        description="Rows are themes, columns are letters in date order; each cell counts the "
        "letter's areas for improvement and priority actions with that theme.",
    )
    rows = []
    for code in order:
        row = [Cell(theme_label(code), bold=code in recurring)]
        for letter in letters:
            n = counts[code].get(letter["id"], 0)
            fill = HEAT_FILLS[min(n, len(HEAT_FILLS)) - 1] if n else None
            row.append(Cell(str(n) if n else "", centre=True, fill=fill, bold=True,
                            white=fill == HEAT_FILLS[-1]))  # fmt: skip
        row.append(Cell(str(len(counts[code])), centre=True, bold=code in recurring))
        rows.append(row)
    wd.add_rows(table, widths, rows)


def _uncovered(doc: wd.Document, scope: Scope) -> None:
    wd.add_heading(doc, "Areas still without an action", 1)
    areas = [(letter, unit) for letter, unit in scope.areas if not unit["actions"]]
    if not areas:
        wd.add_paragraph(
            doc, "Every area for improvement and priority action has an action or is closed."
        )
        return
    wd.add_paragraph(doc, f"{plural(len(areas), 'area')} with no action answering it:")
    widths = [3.0, 10.0, 4.0]
    table = wd.add_table(doc, ["Letter", "Area", "Themes"], widths,
                         caption="Areas without an action")  # fmt: skip
    wd.add_rows(table, widths, [
        [Cell(letter_short(letter), note=unit["id"]),
         Cell(unit["text"], note=unit_name(unit)),
         Cell([theme_label(c) for c in unit_themes(unit)] or ["Not yet themed"])]
        for letter, unit in areas
    ])  # fmt: skip


def _closed(doc: wd.Document, scope: Scope) -> None:
    if not scope.closed:
        return
    wd.add_heading(doc, "Areas closed without an action", 1)
    wd.add_paragraph(
        doc,
        f"{plural(len(scope.closed), 'area')} closed: overtaken by a later inspection's area or "
        "absorbed into another area's action. They count as answered.",
    )
    widths = [2.6, 7.4, 2.0, 5.0]
    table = wd.add_table(doc, ["Letter", "Area", "Closed on", "Why"], widths,
                         caption="Areas closed without an action")  # fmt: skip
    rows = []
    for letter, unit in scope.closed:
        closure = unit["closed"]
        by = f"Taken over by {closure['by']}." if closure["by"] else None
        rows.append([
            Cell(letter_short(letter), note=unit["id"]),
            Cell(clip(unit["text"], 200), note=unit_name(unit)),
            Cell(day_text(closure["at"])),
            Cell(closure["reason"], note=by),
        ])  # fmt: skip
    wd.add_rows(table, widths, rows)
