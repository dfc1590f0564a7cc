"""Areas closed without an action: closing, reopening, their own append-only history, and how
coverage and the documents count and show them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import docx
import pytest
from typer.testing import CliRunner

from lettermine import actions as act
from lettermine.areas import close_area, closure_history, reopen_area
from lettermine.cli import app
from lettermine.db import connect
from lettermine.errors import InvalidInput, NotFound
from lettermine.letters import save_letter
from lettermine.records import Letter, Unit

LA = "Rutland"


def _letter(visit: str, published: str, texts: list[str], kind: str = "focused_visit") -> Letter:
    units = [Unit("area_for_improvement", t, number=n) for n, t in enumerate(texts, start=1)]
    return Letter(kind=kind, local_authority=LA, authority=LA, inspection_start=visit,
                  inspection_end=visit, published=published,
                  units=[*units, Unit("finding", "Invented: a finding.")])  # fmt: skip


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    """Letter 1 (2019 visit, three areas, a finding at 1:4) and letter 2 (2021 inspection)."""
    c = connect(db_path, create=True)
    save_letter(c, _letter("2019-03-05", "2019-04-02", [
        "Invented: the quality of assessments.", "Invented: supervision.",
        "Invented: performance data."]), sha256="one", source="one.txt")  # fmt: skip
    later = ["Invented: assessment and planning for children in need.",
             "Invented: management oversight."]  # fmt: skip
    save_letter(c, _letter("2021-10-04", "2021-11-26", later, kind="ilacs"), sha256="two",
                source="two.txt")  # fmt: skip
    act.add_action(c, title="Assessment framework", units=["1:1"], due="2020-03-31",
                   date="2019-05-01")  # fmt: skip
    return c


def test_a_closed_area_counts_as_answered_with_its_reason(conn: sqlite3.Connection) -> None:
    before = act.coverage(conn, authority=LA, today="2022-01-01")
    assert (before["covered"], before["closed"]) == (1, 0)
    close_area(conn, "1:2", reason="superseded by the November 2021 inspection", by="2:2",
               author="Lead", date="2021-12-01")  # fmt: skip
    after = act.coverage(conn, authority=LA, today="2022-01-01")
    assert (after["covered"], after["closed"]) == (2, 1)
    assert [a["unit"] for a in after["uncovered"]] == ["1:3", "2:1", "2:2"]
    area = next(a for a in after["all"] if a["unit"] == "1:2")
    assert area["closed"] == {"at": "2021-12-01", "reason": "superseded by the November 2021 "
                              "inspection", "author": "Lead", "by": "2:2"}  # fmt: skip
    reopen_area(conn, "1:2", reason="raised again", date="2022-01-05")
    assert act.coverage(conn, authority=LA, today="2022-02-01")["closed"] == 0
    assert [h["event"] for h in closure_history(conn, "1:2")] == ["close", "reopen"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: close_area(c, "1:4", reason="x"), "is a finding"),
        (lambda c: close_area(c, "1:2", reason="  "), "needs a --reason"),
        (lambda c: close_area(c, "1:2", reason="x", by="1:2"), "by itself"),
        (lambda c: close_area(c, "1:2", reason="x", by="9:9"), "no unit 9:9"),
        (lambda c: close_area(c, "1:2", reason="x", date="2019-01-01"), "cannot be closed before"),
        (
            lambda c: close_area(c, "1:2", reason="x", by="2:1", date="2020-01-01"),
            "cannot be dated before",
        ),
        (lambda c: reopen_area(c, "1:2"), "is not closed"),
    ],
)
def test_bad_closures_are_refused_and_change_nothing(
    conn: sqlite3.Connection, call: Any, message: str
) -> None:
    with pytest.raises((InvalidInput, NotFound), match=message):
        call(conn)
    assert conn.execute("SELECT count(*) FROM area_closures").fetchone()[0] == 0


def test_closing_twice_and_out_of_order_are_refused(conn: sqlite3.Connection) -> None:
    close_area(conn, "1:2", reason="superseded", date="2021-12-01")
    with pytest.raises(InvalidInput, match="already closed"):
        close_area(conn, "1:2", reason="again", date="2021-12-02")
    with pytest.raises(InvalidInput, match="before area 1:2's last recorded change"):
        reopen_area(conn, "1:2", date="2021-11-30")


def test_closure_history_is_append_only(conn: sqlite3.Connection) -> None:
    close_area(conn, "1:2", reason="superseded", date="2021-12-01")
    for sql in ("UPDATE area_closures SET reason = 'edited'", "DELETE FROM area_closures"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    with pytest.raises(sqlite3.IntegrityError):  # a close with no reason, whatever writes it
        conn.execute("INSERT INTO area_closures (unit, event, at, recorded_at) "
                     "VALUES ('1:2', 'close', '2021-12-02', 'now')")  # fmt: skip


def test_cli_close_reopen_history(conn: sqlite3.Connection, runner: CliRunner) -> None:
    env = {"LETTERMINE_TODAY": "2021-12-01", "LETTERMINE_AUTHOR": "Lead"}
    args = ["areas", "close", "1:3", "--reason", "absorbed into the framework", "--by", "1:1"]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert result.stderr == "area 1:3: closed\n"
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 1 and again.stderr.startswith("Error: area 1:3 is already closed")
    shown = runner.invoke(app, ["areas", "history", "1:3"], env=env)
    assert "absorbed into the framework" in shown.stdout and "1:1" in shown.stdout
    coverage = runner.invoke(app, ["actions", "coverage", "--la", LA], env=env)
    assert "2 of 5 areas for improvement and priority actions have an action or are closed (1)" in (
        coverage.stderr
    )
    reopened = runner.invoke(app, ["areas", "reopen", "1:3", "--date", "2021-12-02"], env=env)
    assert reopened.exit_code == 0, reopened.output
    missing = runner.invoke(app, ["areas", "close", "1:3"], env=env)
    assert missing.exit_code == 2  # --reason is required: usage


def test_plan_lists_closed_areas_at_the_end_not_as_rows(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    from lettermine.report import write_plan

    close_area(conn, "1:2", reason="superseded by the November 2021 inspection", by="2:2",
               date="2021-12-01")  # fmt: skip
    path = write_plan(conn, tmp_path / "plan.docx", authority=LA, today="2022-01-01")
    document = docx.Document(str(path))
    main = next(t for t in document.tables if t.rows[0].cells[0].text == "Area for improvement")
    areas = [r.cells[0].text for r in main.rows[1:]]
    assert "Invented: supervision." not in areas and len(areas) == 4  # 5 areas less the closed
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[-1] == "Areas closed without an action"
    closed = document.tables[-1]
    assert [c.text for c in closed.rows[0].cells] == [
        "Area", "Letter", "Closed on", "Why", "Taken over by",
    ]  # fmt: skip
    row = [c.text for c in closed.rows[1].cells]
    assert row[0].startswith("Invented: supervision.") and row[2].startswith("1 Dec 2021")
    assert row[3] == "superseded by the November 2021 inspection"
    assert row[4] == "Area for improvement 2, ILACS Oct 2021\nRef 2:2"
    summary = [p.text for p in document.paragraphs if p.style.name == "List Bullet"][0]
    assert "1 with at least one action, 1 closed without an action, 3 with none yet" in summary


def test_report_counts_closed_areas_and_lists_them(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    from lettermine.report import write_report

    close_area(conn, "1:2", reason="superseded", by="2:2", date="2021-12-01")
    path = write_report(conn, tmp_path / "r.docx", authority=LA, since="2021-10-01",
                        today="2022-01-01")  # fmt: skip
    document = docx.Document(str(path))
    facts = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows[1:]}
    assert facts["Areas with no action"] == "3"
    assert facts["Areas closed without an action"] == "1"
    closed = document.tables[-1]
    assert [c.text for c in closed.rows[0].cells] == ["Letter", "Area", "Closed on", "Why"]
    assert closed.rows[1].cells[3].text == "superseded\nTaken over by 2:2."


def test_closures_follow_a_replaced_copy_and_outlive_a_deleted_letter(
    conn: sqlite3.Connection,
) -> None:
    from lettermine.visits import delete_letter, store_letter

    close_area(conn, "1:2", reason="superseded", by="2:2", date="2021-12-01")
    close_area(conn, "1:3", reason="absorbed", date="2021-12-01")
    # Another copy of visit 1: a new area first, so the old areas move down one; 1:3's text gone.
    copy = _letter("2019-03-05", "2019-04-02", [
        "Invented: an area only this copy has.", "Invented: the quality of assessments.",
        "Invented: supervision."])  # fmt: skip
    store_letter(conn, copy, sha256="one-again", source="one.docx", name="one.docx",
                 replace=True, date="2022-01-10")  # fmt: skip
    history = [(h["event"], h["at"], h.get("reason")) for h in closure_history(conn, "1:3")]
    assert history == [
        ("close", "2021-12-01", "absorbed"),
        (
            "reopen",
            "2022-01-10",
            "letter 1 replaced by another copy of the visit (one.docx): "
            "no unit of it has this unit's text",
        ),
        ("close", "2022-01-10", "superseded"),  # 1:2 (supervision) is 1:3 in the new copy
    ]
    covered = act.coverage(conn, authority=LA, today="2022-02-01")
    closed = {a["unit"]: a["closed"] for a in covered["all"] if a["closed"]}
    assert list(closed) == ["1:3"] and closed["1:3"]["by"] == "2:2"
    assert [h["event"] for h in closure_history(conn, "1:2")] == ["close", "reopen"]
    delete_letter(conn, 2, force=True, date="2022-02-01")  # the area that took it over leaves
    assert act.coverage(conn, authority=LA, today="2022-02-02")["closed"] == 1
