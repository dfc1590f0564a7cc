"""The tracker as an Excel workbook and back: export then import into an empty database gives
the same tracker tables, row for row; the CSV round trip keeps every field the CSV carries."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from lettermine import actions as act
from lettermine.areas import close_area
from lettermine.cli import app
from lettermine.db import connect
from lettermine.errors import InvalidInput
from lettermine.letters import UnitThemes, save_letter
from lettermine.records import Letter, Unit
from lettermine.workbook import export_workbook, import_workbook

LA = "Rutland"
TRACKER_TABLES = ("actions", "action_units", "action_measures", "action_history", "area_closures")


def _letters(conn: sqlite3.Connection) -> None:
    for n, (visit, published) in enumerate([("2020-01-10", "2020-02-20"),
                                             ("2021-03-01", "2021-04-01")], start=1):  # fmt: skip
        letter = Letter(
            kind="focused_visit", local_authority=LA, authority=LA, inspection_start=visit,
            inspection_end=visit, published=published,
            units=[Unit("area_for_improvement", f"Invented area {n}.{k}.", number=k)
                   for k in range(1, 4)],
        )  # fmt: skip
        save_letter(conn, letter, sha256=f"l{n}", source=f"l{n}.txt",
                    themes=[UnitThemes([("assessment", 0.9)], None)] * 3)  # fmt: skip


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    """Letters and a tracker with every kind of history row."""
    c = connect(db_path, create=True)
    _letters(c)
    a = act.add_action(c, title="=HYPERLINK(\"http://x\",\"Caseloads\")", units=["1:1"],
                       owner="+Head of Service", start="2020-03-01", due="2020-12-31",
                       ref="AP1", date="2020-03-01", author="@lead")  # fmt: skip
    act.add_measure(c, a, name="Average caseload", baseline=28.5, target=20, unit="children",
                    date="2020-03-01")  # fmt: skip
    act.update_action(c, a, percent=30, value=26.25, note="Two teams.\nA second line.",
                      date="2020-06-30")  # fmt: skip
    act.revise_due(c, a, "2021-03-31", reason="Recruitment delayed", date="2020-10-01")
    act.set_override(c, a, "amber", reason="Recovery plan agreed", date="2020-11-01")
    act.link_units(c, a, ["2:1"], date="2021-04-10")
    b = act.add_action(c, title="Supervision", units=["1:2", "2:2"], due="2021-06-30",
                       date="2020-04-01")  # fmt: skip
    act.set_status(c, b, "blocked", note="Waiting", date="2020-05-01")
    act.set_status(c, b, "in_progress", date="2020-06-01")
    act.set_status(c, b, "done", date="2020-09-01")
    act.update_action(c, b, evidence="Audit of 40 records", date="2020-09-02")
    act.unlink_units(c, b, ["2:2"], date="2021-04-11")
    d = act.add_action(c, title="No due date yet", date="2020-05-01")
    act.set_override(c, d, "red", reason="Nobody owns it", date="2020-05-02")
    act.clear_override(c, d, reason="Owner found", date="2020-05-03")
    close_area(c, "1:3", reason="Superseded by the 2021 visit", by="2:3", date="2021-04-02")
    return c


def _tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    c = sqlite3.connect(path)
    try:
        return {t: c.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TRACKER_TABLES}
    finally:
        c.close()


def _empty_copy(source: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    """A second database holding the same letters (so unit ids name the same units), no tracker."""
    second = connect(path, create=True)
    second.execute("ATTACH DATABASE ? AS first", [source.execute("PRAGMA database_list")
                                                  .fetchone()[2]])  # fmt: skip
    for table in ("letters", "units", "unit_themes"):
        second.execute(f"INSERT INTO {table} SELECT * FROM first.{table}")
    second.commit()
    second.execute("DETACH DATABASE first")
    return second


def test_xlsx_round_trip_reproduces_every_tracker_table(
    conn: sqlite3.Connection, db_path: Path, tmp_path: Path
) -> None:
    book = export_workbook(conn, tmp_path / "tracker.xlsx", today="2021-06-01")
    second = _empty_copy(conn, tmp_path / "second.db")
    ids, warnings = import_workbook(second, book)
    assert (ids, warnings) == ([1, 2, 3], [])
    before, after = _tables(db_path), _tables(tmp_path / "second.db")
    assert all(before[t] for t in TRACKER_TABLES)  # every table has rows to compare
    assert after == before
    rag = [(a["id"], a["rag"], a["rag_reason"]) for a in act.list_actions(conn, today="2021-06-01")]
    assert [(a["id"], a["rag"], a["rag_reason"])
            for a in act.list_actions(second, today="2021-06-01")] == rag  # fmt: skip


def test_xlsx_is_a_tracker_people_can_use(conn: sqlite3.Connection, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(export_workbook(conn, tmp_path / "t.xlsx", today="2021-06-01"))
    assert book.sheetnames == ["Actions", "Measures", "History", "Area closures"]
    sheet = book["Actions"]
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    (statuses,) = sheet.data_validations.dataValidation
    assert statuses.formula1 == '"not_started,in_progress,done,verified,blocked"'
    status_column = sheet.cell(1, header.index("status") + 1).column_letter
    assert f"{status_column}2" in str(statuses.sqref)
    rag = sheet.cell(2, header.index("rag") + 1)
    assert rag.value == "amber" and rag.fill.fgColor.rgb.endswith("FFC000")
    title = sheet.cell(2, header.index("title") + 1)
    # Text, not a formula; guarded as CSV cells are, so it stays text when edited or saved as CSV.
    assert title.data_type == "s" and title.value.startswith("'=HYPERLINK")
    due = sheet.cell(2, header.index("due") + 1)
    assert due.value == dt.datetime(2021, 3, 31) and due.number_format == "yyyy-mm-dd"
    history = [c.value for c in book["History"][1]]
    assert history[:4] == ["id", "action_id", "event", "at"]


def test_an_edited_workbook_is_refused_whole(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = export_workbook(conn, tmp_path / "t.xlsx", today="2021-06-01")
    book = openpyxl.load_workbook(path)
    sheet = book["Actions"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("percent") + 1).value = 80  # typed in Excel, not recorded
    book.save(path)
    second = _empty_copy(conn, tmp_path / "second.db")
    with pytest.raises(InvalidInput, match="action 1: percent is 80 in the Actions sheet but 30"):
        import_workbook(second, path)
    assert _tables(tmp_path / "second.db") == {t: [] for t in TRACKER_TABLES}


def test_a_full_workbook_restores_only_into_an_empty_tracker(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    path = export_workbook(conn, tmp_path / "t.xlsx", today="2021-06-01")
    with pytest.raises(InvalidInput, match="already has actions"):
        import_workbook(conn, path)


def test_a_workbook_without_history_imports_like_the_csv(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Title", "Owner", "Status", "Percent", "Due", "Units", "Start"])
    sheet.append(["Council's own tracker row", "Head of Service", "In progress", 0.4 * 100,
                  dt.datetime(2021, 9, 30), "1:1; 2:1", dt.datetime(2021, 1, 4)])  # fmt: skip
    book.save(tmp_path / "own.xlsx")
    second = _empty_copy(conn, tmp_path / "second.db")
    ids, _ = import_workbook(second, tmp_path / "own.xlsx", date="2021-05-01")
    action = act.get_action(second, ids[0], today="2021-06-01")
    assert (action["status"], action["percent"], action["due"], action["start"]) == (
        "in_progress", 40, "2021-09-30", "2021-01-04",
    )  # fmt: skip
    assert action["units"] == ["1:1", "2:1"]
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InvalidInput, match="is not an Excel .xlsx workbook"):
        import_workbook(second, tmp_path / "broken.xlsx")


def test_csv_round_trip_keeps_what_the_csv_carries(
    conn: sqlite3.Connection, db_path: Path, tmp_path: Path
) -> None:
    rows = act.export_rows(conn, today="2021-06-01")
    path = tmp_path / "tracker.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        act.write_tracker(rows, out)
    second = _empty_copy(conn, tmp_path / "second.db")
    act.import_csv(second, path)
    carried = ("ref", "title", "description", "owner", "status", "percent", "start",
               "original_due", "due", "created", "rag_override", "rag_override_reason")  # fmt: skip

    def fields(c: sqlite3.Connection) -> list[dict[str, Any]]:
        listed = act.list_actions(c, today="2021-06-01")
        stored = {r[0]: r for r in c.execute(f"SELECT id, {', '.join(carried)} FROM actions")}
        return [
            {**dict(zip(carried, stored[a["id"]][1:], strict=True)), "units": a["units"],
             "rag": a["rag"], "rag_reason": a["rag_reason"]}
            for a in listed
        ]  # fmt: skip

    assert fields(second) == fields(conn)
    overridden = [a for a in act.list_actions(second, today="2021-06-01") if a["rag_override"]]
    assert [(a["rag"], a["rag_reason"]) for a in overridden] == [
        ("amber", "override: Recovery plan agreed")
    ]


def test_cli_export_xlsx_and_import(conn: sqlite3.Connection, runner: CliRunner,
                                    tmp_path: Path) -> None:  # fmt: skip
    book = tmp_path / "tracker.xlsx"
    result = runner.invoke(app, ["actions", "export", "--xlsx", str(book)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(book)
    _empty_copy(conn, tmp_path / "second.db")
    result = runner.invoke(app, ["actions", "import", str(book), "--db",
                                 str(tmp_path / "second.db")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["1", "2", "3"]
    both = runner.invoke(app, ["actions", "export", "--xlsx", str(book), "--csv"])
    assert both.exit_code == 2
    bad = runner.invoke(app, ["actions", "export", "--xlsx", str(tmp_path / "t.csv")])
    assert bad.exit_code == 1 and "must be a file ending in .xlsx" in bad.stderr
