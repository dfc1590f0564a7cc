"""Word action plans and scrutiny reports, reopened with python-docx and checked against the DB."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm
from typer.testing import CliRunner

from lettermine import actions as act
from lettermine.cli import app
from lettermine.db import connect
from lettermine.errors import InvalidInput, NotFound, OutputError
from lettermine.letters import UnitThemes, save_letter
from lettermine.records import Letter, Unit
from lettermine.report import (
    HEAT_FILLS,
    NO_ACTION,
    RAG_FILLS,
    NothingToReport,
    rag_as_at,
    write_plan,
    write_report,
)

LA = "Rutland"
TODAY = "2022-06-01"
RAG_WORDS = {"Red": "red", "Amber": "amber", "Green": "green"}


# -- test data: invented letters and actions -----------------------------------------------------


def _letter(
    kind: str, start: str, end: str, published: str, units: list[Unit], **kw: Any
) -> Letter:
    return Letter(
        kind=kind, local_authority=f"{LA} County Council", authority=kw.pop("authority", LA),
        inspection_start=start, inspection_end=end, published=published, units=units, **kw,
    )  # fmt: skip


def _afi(n: int, text: str) -> Unit:
    return Unit("area_for_improvement", text, section="Areas for improvement", number=n)


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    """A fresh database with two letters about one authority and a handful of actions."""
    conn = connect(db_path, create=True)
    visit = _letter(
        "focused_visit", "2019-03-05", "2019-03-06", "2019-04-02",
        [
            _afi(1, "Invented: assessments do not take enough account of family history."),
            _afi(2, "Invented: supervision is not regular enough to give clear direction."),
            Unit("finding", "Invented: leaders know their service well."),
        ],
        focus="Invented focus: children in need of help and protection",
    )  # fmt: skip
    ilacs = _letter(
        "ilacs", "2021-11-08", "2021-11-19", "2022-01-10",
        [
            Unit("priority_action", "Invented: the timeliness of child protection enquiries.",
                 section="Priority action", number=1),
            _afi(1, "Invented: assessments and plans for children in need are too general."),
            _afi(2, "Invented: management oversight is still inconsistent."),
            _afi(3, "Invented: too few local homes for children in care."),
            Unit("finding", "Invented: children are seen often."),
        ],
        judgements={"impact_of_leaders": "requires improvement",
                     "overall_effectiveness": "requires improvement"},
    )  # fmt: skip
    v, _ = save_letter(
        conn, visit, sha256="visit", source="visit.txt",
        themes=[UnitThemes([("assessment", 0.9)], None),
                UnitThemes([("supervision_oversight", 0.8)], None),
                UnitThemes([], "strength")],
    )  # fmt: skip
    i, _ = save_letter(
        conn, ilacs, sha256="ilacs", source="ilacs.txt",
        themes=[UnitThemes([("child_protection", 0.9)], None),
                UnitThemes([("assessment", 0.8), ("planning", 0.6)], None),
                UnitThemes([("supervision_oversight", 0.9)], None),
                UnitThemes([("children_in_care", 0.9)], None),
                UnitThemes([], "strength")],
    )  # fmt: skip
    # Green in 2021, then overdue by mid-2022: a RAG movement for the report.
    a1 = act.add_action(conn, title="Assessment quality framework", units=[f"{v}:1", f"{i}:2"],
                        owner="Head of Safeguarding", start="2020-06-01", due="2022-03-31",
                        ref="AP1", date="2020-06-01")  # fmt: skip
    act.update_action(conn, a1, percent=30, note="Framework drafted.", date="2020-12-01")
    act.add_measure(conn, a1, name="Assessments in 45 days", baseline=60, target=90, unit="%",
                    date="2020-12-01")  # fmt: skip
    act.update_action(conn, a1, value=75, date="2021-06-01")
    # Two actions on one area: its text spans two rows.
    a2 = act.add_action(conn, title="Relaunch the supervision policy", units=[f"{v}:2"],
                        owner="Principal Social Worker", start="2019-05-01", due="2019-12-31",
                        date="2019-05-01")  # fmt: skip
    act.set_status(conn, a2, "done", date="2021-03-01", note="Relaunched.")
    act.update_action(conn, a2, evidence="Audit of 40 supervision records", date="2021-04-01")
    a3 = act.add_action(conn, title="Train team managers in oversight", units=[f"{v}:2"],
                        owner="Workforce lead", start="2019-06-01", due="2022-12-31",
                        date="2019-06-01")  # fmt: skip
    act.update_action(conn, a3, percent=70, note="Two cohorts trained.", date="2022-05-01")
    a4 = act.add_action(conn, title="Sufficiency strategy", units=[f"{i}:4"],
                        owner="Assistant Director", start="2022-02-01", due="2022-09-30",
                        date="2022-02-01")  # fmt: skip
    act.update_action(conn, a4, percent=10, note="Needs analysis started.", date="2022-03-01")
    act.revise_due(conn, a4, "2022-12-31", reason="Waiting for the new budget", date="2022-04-01")
    return conn  # {i}:1 (priority action) and {i}:3 have no action


def _main_table(document: Any) -> Any:
    tables = [t for t in document.tables if t.rows[0].cells[0].text == "Area for improvement"]
    assert len(tables) == 1
    return tables[0]


def _fills(cell: Any) -> list[str]:
    tc_pr = cell._tc.tcPr
    return [s.get(qn("w:fill")) for s in tc_pr.findall(qn("w:shd"))] if tc_pr is not None else []


def _expected_rows(conn: sqlite3.Connection, letter_id: int | None = None) -> list[tuple[str, Any]]:
    """(area text, action title or None) in letter order, straight from the database."""
    where = "u.kind IN ('area_for_improvement', 'priority_action')"
    params: list[Any] = []
    if letter_id is not None:
        where += " AND u.letter_id = ?"
        params.append(letter_id)
    rows = conn.execute(
        f"""SELECT u.text, a.title FROM units u JOIN letters l ON l.id = u.letter_id
            LEFT JOIN action_units au ON au.unit_id = u.id
            LEFT JOIN actions a ON a.id = au.action_id
            WHERE {where} ORDER BY l.inspection_start, u.seq, a.id""",
        params,
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


@pytest.fixture
def plan(conn: sqlite3.Connection, tmp_path: Path) -> Any:
    path = write_plan(conn, tmp_path / "plan.docx", authority=LA.lower(), today=TODAY)
    return docx.Document(str(path))


# -- the action plan -----------------------------------------------------------------------------


def test_plan_uses_real_heading_styles(plan: Any) -> None:
    headings = [(p.style.name, p.text) for p in plan.paragraphs if p.style.name.startswith(
        ("Heading", "Title"))]  # fmt: skip
    assert ("Title", LA) in headings
    assert ("Heading 1", "Summary") in headings
    assert ("Heading 1", "Action plan") in headings
    assert ("Heading 2", "Actions by RAG and status") in headings


def test_plan_title_block_lists_the_letters(plan: Any) -> None:
    letters = plan.tables[0]
    assert [c.text for c in letters.rows[0].cells][:3] == ["Letter", "Visit dates", "Published"]
    body = [r.cells for r in letters.rows[1:]]
    assert [c[0].text.split("\n")[0] for c in body] == [
        "Focused visit",
        "Inspection of children's services (ILACS)",
    ]
    assert [c[1].text for c in body] == ["5–6 March 2019", "8–19 November 2021"]
    assert "1 June 2022" in "\n".join(p.text for p in plan.paragraphs[:5])


def test_plan_rows_match_the_database(conn: sqlite3.Connection, plan: Any) -> None:
    table = _main_table(plan)
    expected = _expected_rows(conn)
    body = table.rows[1:]
    assert len(body) == len(expected) == 7
    for row, (area, title) in zip(body, expected, strict=True):
        cells = row.cells
        assert cells[0].text == area  # the area's text, alone, in the first column
        assert cells[2].text.split("\n")[0] == (title or NO_ACTION)


def test_plan_repeats_an_area_on_each_of_its_actions_rows(plan: Any) -> None:
    body = _main_table(plan).rows[1:]
    # Rows 2 and 3 answer the same area: its text on both, grey on the second; no merged cells
    # (a merge would leave the first column blank at the top of a new page).
    assert body[1].cells[0].text == body[2].cells[0].text
    colours = [[c.get(qn("w:val")) for c in r.cells[0]._tc.iter(qn("w:color"))] for r in body]
    assert colours == [[], [], ["595959"], [], [], [], []]
    assert not any(r._tr.xpath(".//w:vMerge") for r in body)
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in body)


def test_plan_rag_is_shaded_and_written(conn: sqlite3.Connection, plan: Any) -> None:
    rags = {a["title"]: a["rag"] for a in act.list_actions(conn, today=TODAY)}
    seen = set()
    for row in _main_table(plan).rows[1:]:
        cells = row.cells
        title = cells[2].text.split("\n")[0]
        rag_cell = cells[7]
        if title == NO_ACTION:
            assert rag_cell.text == "" and _fills(rag_cell) == []
            assert _fills(cells[2]) == ["FBE5D6"]
            continue
        colour = RAG_WORDS[rag_cell.text]
        assert colour == rags[title]
        assert _fills(rag_cell) == [RAG_FILLS[colour]]  # one w:shd per cell
        seen.add(colour)
    assert seen == {"red", "amber", "green"}


def test_plan_shows_revised_due_dates_and_updates(plan: Any) -> None:
    row = next(r for r in _main_table(plan).rows[1:] if "Sufficiency" in r.cells[2].text)
    cells = [c.text for c in row.cells]
    assert cells[4] == "30 Sep 2022"  # original due
    assert cells[5] == "31 Dec 2022\nrevised"
    assert cells[8] == "10%"
    assert cells[10].startswith("Due date moved to 31 Dec 2022: Waiting for the new budget")
    framework = next(r for r in _main_table(plan).rows[1:] if "framework" in r.cells[2].text)
    assert framework.cells[9].text.startswith("Assessments in 45 days: 75% against 90%")


def test_plan_pages_are_a4_with_a_landscape_section_opening_on_a_heading(plan: Any) -> None:
    portrait, landscape = plan.sections
    assert portrait.orientation == WD_ORIENT.PORTRAIT
    assert (round(portrait.page_width.mm), round(portrait.page_height.mm)) == (210, 297)
    assert landscape.orientation == WD_ORIENT.LANDSCAPE
    assert (round(landscape.page_width.mm), round(landscape.page_height.mm)) == (297, 210)
    body = list(plan.element.body)
    first_break = next(i for i, e in enumerate(body) if e.find(f".//{qn('w:sectPr')}") is not None)
    after = body[first_break + 1]
    assert after.tag == qn("w:p")
    assert after.find(f".//{qn('w:pStyle')}").get(qn("w:val")) == "Heading1"


def test_tables_repeat_header_rows_and_keep_fixed_widths(plan: Any) -> None:
    for table in plan.tables:
        tr_pr = table.rows[0]._tr.trPr
        assert tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        grid = [c.width for c in table.columns]
        for row in table.rows:
            assert [c.width for c in row.cells] == grid
    main = _main_table(plan)
    total = sum(c.width for c in main.columns)
    assert total <= Mm(297 - 2 * 12.7) + Mm(1)  # fits between the landscape margins
    assert [c.text for c in main.rows[0].cells].count("RAG") == 1
    assert all(_fills(c) == ["1F3864"] for c in main.rows[0].cells)


def test_plan_summary_counts(conn: sqlite3.Connection, plan: Any) -> None:
    by_rag = next(t for t in plan.tables if t.rows[0].cells[0].text == "RAG")
    totals = {r.cells[0].text: r.cells[-1].text for r in by_rag.rows[1:]}
    actions = act.list_actions(conn, today=TODAY)
    for word, colour in RAG_WORDS.items():
        assert totals[word] == str(sum(a["rag"] == colour for a in actions))
    assert totals["Total"] == str(len(actions))
    assert [_fills(r.cells[0]) for r in by_rag.rows[1:4]] == [[RAG_FILLS[c]] for c in RAG_FILLS]
    by_theme = next(t for t in plan.tables if t.rows[0].cells[0].text == "Theme")
    themes = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in by_theme.rows[1:]}
    # Areas, closed, no action yet, actions
    assert themes["Assessment"][:4] == ["2", "0", "0", "1"]  # 2 areas, both answered, 1 action
    assert themes["Child protection enquiries and conferences"][:4] == ["1", "0", "1", "0"]


def test_plan_for_one_letter(conn: sqlite3.Connection, tmp_path: Path) -> None:
    letter_id = conn.execute("SELECT id FROM letters WHERE kind = 'ilacs'").fetchone()[0]
    path = write_plan(conn, tmp_path / "one.docx", letter_id=letter_id, today=TODAY)
    document = docx.Document(str(path))
    rows = [
        (r.cells[0].text, r.cells[2].text.split("\n")[0]) for r in _main_table(document).rows[1:]
    ]
    assert rows == [(a, t or NO_ACTION) for a, t in _expected_rows(conn, letter_id)]
    assert len(document.tables[0].rows) == 2  # title block: one letter


def test_rag_as_at_agrees_with_the_rule(conn: sqlite3.Connection) -> None:
    for day in ("2021-01-01", TODAY):
        for action in act.list_actions(conn, today=day):
            entries = act.history(conn, action["id"])
            if any(e["at"] > day for e in entries):
                continue  # changed later: the rule on `day` saw a different state
            assert rag_as_at(action, entries, dt.date.fromisoformat(day)) == action["rag"]
    sufficiency = next(a for a in act.list_actions(conn) if a["title"] == "Sufficiency strategy")
    assert rag_as_at(sufficiency, [], dt.date(2021, 1, 1)) is None


# -- the scrutiny report -------------------------------------------------------------------------


@pytest.fixture
def report(conn: sqlite3.Connection, tmp_path: Path) -> Any:
    path = write_report(conn, tmp_path / "report.docx", authority=LA, since="2021-01-01",
                        today=TODAY)  # fmt: skip
    return docx.Document(str(path))


def _table(document: Any, first: str) -> Any:
    return next(t for t in document.tables if t.rows[0].cells[0].text == first)


def test_report_sections(report: Any) -> None:
    h1 = [p.text for p in report.paragraphs if p.style.name == "Heading 1"]
    assert h1 == [
        "New Ofsted letters since 1 January 2021",
        "Actions completed since 1 January 2021",
        "Overdue actions",
        "Deadlines moved in the period",
        "RAG movements",
        "Measures against targets",
        "Themes recurring across visits",
        "Areas still without an action",
    ]
    h2 = [p.text for p in report.paragraphs if p.style.name == "Heading 2"]
    assert h2 == ["Inspection of children's services (ILACS), 8–19 November 2021"]  # only new


def test_report_new_letter_grades_and_areas_by_theme(report: Any) -> None:
    grades = _table(report, "Judgement")
    assert [c.text for c in grades.rows[1].cells] == [
        "The impact of leaders on social work practice with children and families",
        "Requires improvement",
    ]
    themes = _table(report, "Theme")
    text = {r.cells[0].text: r.cells[1].text for r in themes.rows[1:]}
    assert "Priority action 1: Invented: the timeliness" in text[
        "Child protection enquiries and conferences"]  # fmt: skip
    assert "Area for improvement 3" in text["Children in care and placements"]


def test_report_completed_overdue_and_movements(report: Any) -> None:
    completed = _table(report, "Action")
    assert completed.rows[1].cells[0].text.startswith("Relaunch the supervision policy")
    assert completed.rows[1].cells[2].text == "1 Mar 2021"
    overdue = [t for t in report.tables if t.rows[0].cells[0].text == "Action"][1]
    assert [r.cells[0].text.split("\n")[0] for r in overdue.rows[1:]] == [
        "Assessment quality framework"
    ]
    assert overdue.rows[1].cells[4].text == "62"  # days past 31 March 2022
    moved = next(t for t in report.tables if t.rows[0].cells[1].text == "Then")
    rows = {r.cells[0].text.split("\n")[0]: [c.text for c in r.cells[1:4]] for r in moved.rows[1:]}
    assert rows["Assessment quality framework"] == ["Green", "Red", "Worse"]
    assert rows["Sufficiency strategy"][0] == "New"
    framework = next(r for r in moved.rows[1:] if "framework" in r.cells[0].text)
    assert _fills(framework.cells[1]) == [RAG_FILLS["green"]]
    assert _fills(framework.cells[2]) == [RAG_FILLS["red"]]


def test_report_measures_and_recurring_themes(report: Any) -> None:
    measures = next(t for t in report.tables if t.rows[0].cells[1].text == "Measure")
    assert [c.text.split("\n")[0] for c in measures.rows[1].cells[1:]] == [
        "Assessments in 45 days", "60%", "75%", "90%", "50%", "Not yet",
    ]  # fmt: skip
    # The first "Theme" table is the new letter's areas by theme; the last is theme x visit.
    heat = [t for t in report.tables if t.rows[0].cells[0].text == "Theme"][-1]
    assert [c.text for c in heat.rows[0].cells] == ["Theme", "Focused visit Mar 2019",
                                                     "ILACS Nov 2021", "Visits"]  # fmt: skip
    rows = {r.cells[0].text: r.cells for r in heat.rows[1:]}
    assert [c.text for c in rows["Assessment"][1:]] == ["1", "1", "2"]
    assert _fills(rows["Assessment"][1]) == [HEAT_FILLS[0]]
    assert _fills(rows["Plans and reviews"][1]) == []
    first = heat.rows[1].cells[0].text
    assert first in ("Assessment", "Supervision and management oversight")  # recurring first


def test_report_lists_areas_without_an_action(report: Any) -> None:
    table = _table(report, "Letter")
    areas = [r.cells[1].text.split("\n")[0] for r in table.rows[1:]]
    assert areas == [
        "Invented: the timeliness of child protection enquiries.",
        "Invented: management oversight is still inconsistent.",
    ]


# -- bad input: a clear error and no file --------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"authority": "Nowhere"}, NotFound, "no letters about 'Nowhere'"),
        ({"letter_id": 99}, NotFound, "no letter 99"),
        ({}, InvalidInput, "either an authority"),
        ({"authority": LA, "letter_id": 1}, InvalidInput, "not both"),
    ],
)
def test_plan_bad_scope(
    conn: sqlite3.Connection, tmp_path: Path, kwargs: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        write_plan(conn, tmp_path / "plan.docx", today=TODAY, **kwargs)
    assert _left_behind(tmp_path) == []


def _quiet_letter(conn: sqlite3.Connection) -> int:
    """A letter about another authority with findings only: nothing to plan."""
    quiet = _letter(
        "monitoring_visit", "2022-02-01", "2022-02-02", "2022-03-01",
        [Unit("finding", "Invented: progress is steady.")], authority="Halton",
    )  # fmt: skip
    return save_letter(conn, quiet, sha256="quiet", source="quiet.txt")[0]


def test_nothing_to_plan_or_report(conn: sqlite3.Connection, tmp_path: Path) -> None:
    letter_id = _quiet_letter(conn)
    with pytest.raises(NothingToReport, match="nothing to plan"):
        write_plan(conn, tmp_path / "p.docx", letter_id=letter_id, today=TODAY)
    with pytest.raises(NothingToReport, match="nothing to report"):
        write_report(conn, tmp_path / "r.docx", authority="Halton", since="2022-04-01",
                     today=TODAY)  # fmt: skip
    with pytest.raises(InvalidInput, match="after today"):
        write_report(conn, tmp_path / "r.docx", authority=LA, since="2023-01-01", today=TODAY)
    assert _left_behind(tmp_path) == []


def test_a_failed_save_leaves_nothing_behind(
    conn: sqlite3.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_save(self: Any, path: str) -> None:
        Path(path).write_bytes(b"half a document")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("docx.document.Document.save", broken_save)
    with pytest.raises(OutputError, match="No space left"):
        write_plan(conn, tmp_path / "plan.docx", authority=LA, today=TODAY)
    assert _left_behind(tmp_path) == []


def _left_behind(folder: Path) -> list[str]:
    """Files in folder other than the test database (and its WAL files)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("lettermine.db"))


def _cli(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, list(args))


def test_cli_plan_and_report_print_the_path(
    conn: sqlite3.Connection, runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "plan.docx"
    result = _cli(runner, "plan", "--la", LA, "--output", str(out), "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    assert docx.Document(str(out)).tables
    out.write_bytes(b"old")  # an existing file is replaced
    result = _cli(runner, "plan", "--letter", "1", "--output", str(out), "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert docx.Document(str(out)).tables
    out = tmp_path / "scrutiny.docx"
    result = _cli(runner, "report", "--la", LA, "--since", "2021-01-01", "--output", str(out),
                  "--today", TODAY)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "--la", "Nowhere"], "no letters about 'Nowhere'"),
        (["plan", "--letter", "42"], "no letter 42"),
        (["plan"], "either an authority"),
        (["plan", "--la", LA, "--output", "{tmp}/missing/plan.docx"], "does not exist"),
        (["plan", "--la", LA, "--output", "{tmp}/plan.pdf"], "ending in .docx"),
        (["report", "--la", LA, "--since", "2021-13-01"], "not a date"),
        (["report", "--la", "Nowhere", "--since", "2021-01-01"], "no letters about"),
        (["plan", "--la", LA, "--today", "tomorrow"], "not a date"),
    ],
)
def test_cli_bad_input_exits_1_and_writes_nothing(
    conn: sqlite3.Connection, runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--output" not in args:
        args += ["--output", str(tmp_path / "out.docx")]
    result = _cli(runner, *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stdout == ""
    assert _left_behind(tmp_path) == []


def test_cli_nothing_to_report(conn: sqlite3.Connection, runner: CliRunner, tmp_path: Path) -> None:
    _quiet_letter(conn)
    out = tmp_path / "r.docx"
    result = _cli(runner, "report", "--la", "Halton", "--since", "2022-04-01", "-o", str(out))
    assert result.exit_code == 1, result.output
    assert "nothing to report" in result.stderr
    assert not out.exists()


def test_text_xml_cannot_hold_is_dropped_not_fatal(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # pypdfium2 marks line-end hyphens with U+FFFE; XML forbids it and form feeds.
    odd = _letter("focused_visit", "2022-05-03", "2022-05-04", "2022-06-01",
                  [_afi(1, "Invented: well\ufffeestablished <plans> & reviews\x0c.")])  # fmt: skip
    letter_id, _ = save_letter(conn, odd, sha256="odd", source="odd.txt")
    path = write_plan(conn, tmp_path / "odd.docx", letter_id=letter_id, today=TODAY)
    row = _main_table(docx.Document(str(path))).rows[1]
    assert row.cells[0].text == "Invented: wellestablished <plans> & reviews."


# -- scope: which letters a document covers --------------------------------------------------------


def _letters_table(document: Any) -> list[str]:
    return [r.cells[0].text.split("\n")[0] for r in document.tables[0].rows[1:]]


def test_plan_keeps_every_letter_named(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = write_plan(conn, tmp_path / "p.docx", letter_ids=[2, 1, 2], today=TODAY)
    document = docx.Document(str(path))
    assert _letters_table(document) == [
        "Focused visit",
        "Inspection of children's services (ILACS)",
    ]
    assert [r[0] for r in _rows(document)] == [a for a, _ in _expected_rows(conn)]


def _rows(document: Any) -> list[tuple[str, str]]:
    return [
        (r.cells[0].text, r.cells[2].text.split("\n")[0]) for r in _main_table(document).rows[1:]
    ]


def _later_visit(conn: sqlite3.Connection) -> int:
    units = [Unit("priority_action", "Invented: visits to children.", number=1)]
    visit = _letter("monitoring_visit", "2022-03-01", "2022-03-02", "2022-03-29", units)
    return save_letter(conn, visit, sha256="later", source="later.txt")[0]


def test_plan_current_since_and_kind(conn: sqlite3.Connection, tmp_path: Path) -> None:
    later = _later_visit(conn)

    def letters(**kwargs: Any) -> list[str]:
        path = write_plan(conn, tmp_path / "p.docx", authority=LA, today=TODAY, **kwargs)
        return _letters_table(docx.Document(str(path)))

    assert letters(current=True) == [
        "Inspection of children's services (ILACS)",
        "Monitoring visit",
    ]
    assert letters(since="2022-01-10") == ["Inspection of children's services (ILACS)",
                                           "Monitoring visit"]  # fmt: skip
    assert letters(since="2022-01-11") == ["Monitoring visit"]
    assert letters(kinds=["focused_visit", "monitoring_visit"]) == ["Focused visit",
                                                                    "Monitoring visit"]  # fmt: skip
    # As at a day before the monitoring visit's letter, --current has the inspection only.
    assert letters(current=True, as_at="2022-03-28") == [
        "Inspection of children's services (ILACS)"
    ]
    assert later


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"authority": LA, "letter_ids": [1]}, InvalidInput, "not both"),
        ({"letter_ids": [1], "since": "2020-01-01"}, InvalidInput, "give one or the other"),
        ({"letter_ids": [1], "current": True}, InvalidInput, "--current would choose"),
        (
            {"authority": LA, "current": True, "since": "2020-01-01"},
            InvalidInput,
            "cannot be combined with --since",
        ),
        ({"authority": LA, "kinds": ["inspection"]}, InvalidInput, "unknown kind 'inspection'"),
        ({"authority": LA, "kinds": ["jtai"]}, NotFound, "no letters about Rutland of kind jtai"),
        ({"authority": LA, "since": "2023-01-01"}, NotFound, "published since 2023-01-01"),
        ({"letter_ids": [1, 3]}, InvalidInput, "different authorities"),
        ({"letter_ids": [2], "as_at": "2021-12-01"}, InvalidInput, "had not been published"),
    ],
)
def test_plan_scope_that_cannot_be_honoured_is_an_error(
    conn: sqlite3.Connection, tmp_path: Path, kwargs: dict[str, Any], error: type, message: str
) -> None:
    _quiet_letter(conn)  # letter 3, about Halton
    with pytest.raises(error, match=message):
        write_plan(conn, tmp_path / "plan.docx", today=TODAY, **kwargs)
    assert _left_behind(tmp_path) == []


def test_plan_current_needs_a_full_inspection(conn: sqlite3.Connection, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="--current needs a full inspection"):
        write_plan(conn, tmp_path / "p.docx", authority=LA, current=True, as_at="2021-01-01",
                   today=TODAY)  # fmt: skip


def test_cli_scope_flags(conn: sqlite3.Connection, runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "p.docx"
    result = _cli(runner, "plan", "--letter", "1", "--letter", "2", "-o", str(out),
                  "--today", TODAY)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(_letters_table(docx.Document(str(out)))) == 2
    result = _cli(runner, "report", "--letter", "2", "--since", "2022-01-01", "-o", str(out),
                  "--today", TODAY, "--no-charts")  # fmt: skip
    assert result.exit_code == 0, result.output
    result = _cli(runner, "plan", "--la", LA, "--letter", "2", "-o", str(out))
    assert result.exit_code == 1 and "not both" in result.stderr
    result = _cli(runner, "report", "--la", LA, "--kind", "ilacs", "--since", "2021-01-01",
                  "-o", str(out), "--today", TODAY)  # fmt: skip
    assert result.exit_code == 0, result.output


# -- as at, reasons, deadlines moved, charts -------------------------------------------------------


def _paragraphs(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_title_block_says_as_at(plan: Any, report: Any) -> None:
    position = "Position as at: 1 June 2022. Actions, progress and RAG ratings are as they stood"
    assert any(p.startswith(position) for p in _paragraphs(plan))
    assert any(p.startswith(position) for p in _paragraphs(report))


def _blocked_and_overridden(conn: sqlite3.Connection) -> None:
    act.set_status(conn, 3, "blocked", note="Waiting for the training provider", date="2022-05-10")
    act.set_override(conn, 1, "amber", reason="Recovery plan agreed at the board",
                     date="2022-05-12")  # fmt: skip


def test_plan_status_cell_gives_the_reasons(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _blocked_and_overridden(conn)
    path = write_plan(conn, tmp_path / "p.docx", authority=LA, today=TODAY)
    status = {r.cells[2].text.split("\n")[0]: r.cells[6].text for r in
              _main_table(docx.Document(str(path))).rows[1:]}  # fmt: skip
    assert status["Sufficiency strategy"].split("\n")[2] == (
        "Due 30 Sep 2022 → 31 Dec 2022 (1 Apr 2022): Waiting for the new budget"
    )
    assert status["Train team managers in oversight"].split("\n")[:3] == [
        "Blocked", "blocked", "Blocked since 10 May 2022: Waiting for the training provider",
    ]  # fmt: skip
    assert status["Assessment quality framework"].split("\n")[1] == (
        "RAG set to amber by hand: Recovery plan agreed at the board (the rule gives red: "
        "overdue by 62 days)"
    )


def test_report_deadlines_moved_and_blocked(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _blocked_and_overridden(conn)
    path = write_report(conn, tmp_path / "r.docx", authority=LA, since="2022-03-01", today=TODAY)
    document = docx.Document(str(path))
    moved = next(t for t in document.tables if "Moved on" in _header(t))
    assert [c.text.split("\n")[0] for c in moved.rows[1].cells] == [
        "Sufficiency strategy", "1 Apr 2022", "30 Sep 2022", "30 Sep 2022", "31 Dec 2022",
        "Waiting for the new budget",
    ]  # fmt: skip
    blocked = next(t for t in document.tables if "Blocked since" in _header(t))
    assert [c.text for c in blocked.rows[1].cells[2:4]] == [
        "10 May 2022", "Waiting for the training provider",
    ]  # fmt: skip
    assert "Deadlines moved in the period" in _paragraphs(document)
    later = write_report(conn, tmp_path / "r2.docx", authority=LA, since="2022-04-02", today=TODAY)
    assert "No action's due date was moved since 2 April 2022." in _paragraphs(
        docx.Document(str(later))
    )


def _header(table: Any) -> list[str]:
    return [c.text for c in table.rows[0].cells]


def _pictures(document: Any) -> list[tuple[str, bytes]]:
    out = []
    for shape in document.inline_shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        image = document.part.related_parts[blip.embed].image
        out.append((shape._inline.docPr.get("descr"), image.blob))
    return out


def test_report_charts_with_their_words(conn: sqlite3.Connection, tmp_path: Path) -> None:
    from io import BytesIO

    from PIL import Image

    act.update_action(conn, 1, value=81, date="2022-05-01")  # a second value: a line
    act.add_measure(conn, 4, name="Local placements", baseline=10, target=20, date="2022-04-02")
    act.update_action(conn, 4, value=12, date="2022-05-02")  # one value only: no chart
    path = write_report(conn, tmp_path / "r.docx", authority=LA, since="2022-01-01", today=TODAY)
    document = docx.Document(str(path))
    pictures = _pictures(document)
    assert [alt.split(":")[0] for alt, _ in pictures] == [
        "Actions by RAG at each month end from Jan 2022 to May 2022 (5 month ends)",
        "Assessments in 45 days",
    ]
    rag_alt, rag_png = pictures[0]
    assert rag_alt in _paragraphs(document)  # the summary is printed under the chart
    measure_alt, measure_png = pictures[1]
    assert measure_alt == (
        "Assessments in 45 days: 75% on 1 June 2021, 81% on 1 May 2022 (2 values); baseline 60%, "
        "target 90% (higher is better): not yet met."
    )
    rows = next(t for t in document.tables if "Values over time" in _header(t))
    assert rows.rows[1].cells[2].text == measure_alt  # beside the chart
    assert len(rows.rows) == 2  # the one-value measure has no chart
    for png in (rag_png, measure_png):
        image = Image.open(BytesIO(png))
        assert image.format == "PNG" and round(image.info["dpi"][0]) == 300
    quiet = write_report(conn, tmp_path / "q.docx", authority=LA, since="2022-05-15",
                         today=TODAY)  # fmt: skip
    assert [alt.split(":")[0] for alt, _ in _pictures(docx.Document(str(quiet)))] == [
        "Assessments in 45 days"
    ]  # one month end in the period: no RAG chart
    plain = write_report(conn, tmp_path / "n.docx", authority=LA, since="2022-01-01",
                         today=TODAY, charts=False)  # fmt: skip
    assert _pictures(docx.Document(str(plain))) == []


def test_charts_are_the_same_bytes_for_the_same_data(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    act.update_action(conn, 1, value=81, date="2022-05-01")
    first = write_report(conn, tmp_path / "a.docx", authority=LA, since="2022-01-01", today=TODAY)
    again = write_report(conn, tmp_path / "b.docx", authority=LA, since="2022-01-01", today=TODAY)
    assert _pictures(docx.Document(str(first))) == _pictures(docx.Document(str(again)))


def test_plan_starts_the_landscape_section_with_the_theme_table(plan: Any) -> None:
    # Page 1 holds the title block and the summary; the theme table opens the landscape
    # section and the plan follows it there, so no page is left blank between them.
    body = plan.element.body
    section, found = 0, {}
    for child in body.iterchildren():
        if child.tag == qn("w:tbl"):
            caption = child.find(f"{qn('w:tblPr')}/{qn('w:tblCaption')}")
            found[caption.get(qn("w:val"))] = section
        if child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            section += 1
    assert found == {
        "Letters covered by this plan": 0,
        "Actions by RAG and status": 0,
        "Areas and actions by theme": 1,
        "Action plan": 1,
    }


def test_report_peers_do_not_go_with_as_at(conn: sqlite3.Connection, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot be combined with --as-at"):
        write_report(conn, tmp_path / "r.docx", authority=LA, since="2022-01-01", today=TODAY,
                     as_at="2022-05-01", peers=True)  # fmt: skip
    assert _left_behind(tmp_path) == []
