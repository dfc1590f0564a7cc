"""The tracker as an Excel workbook, where councils keep their trackers, and back again.

`actions export --xlsx` writes four sheets: Actions (one row per action, the tracker columns,
RAG shaded, header frozen, filters on, a drop-down of statuses), Measures, History (every row of
action_history, column for column) and Area closures. `actions import` reads such a workbook
back: with its History sheet it restores the tracker exactly (every action, link, measure,
value, override and history row, ids and times kept) into a database that has no actions yet,
after checking that the History sheet accounts for every action's state; without it, the Actions
sheet is imported like the tracker CSV. openpyxl is imported only here, inside the functions.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lettermine.actions import STATUSES, TRACKER_COLUMNS, export_rows, import_tracker
from lettermine.db import write_transaction
from lettermine.errors import InvalidInput, OutputError
from lettermine.letters import resolve_unit
from lettermine.spreadsheet import safe_cell, unguarded_cell
from lettermine.timeline import load_tracker, replay

ACTIONS_SHEET, MEASURES_SHEET, HISTORY_SHEET, CLOSURES_SHEET = (
    "Actions", "Measures", "History", "Area closures",
)  # fmt: skip
# The Actions sheet: the tracker columns, id first so the other sheets can be read against it.
ACTION_COLUMNS: tuple[str, ...] = ("id", *(c for c in TRACKER_COLUMNS if c != "id"))
MEASURE_COLUMNS: tuple[str, ...] = (
    "id", "action_id", "name", "unit", "baseline", "target", "direction", "latest", "latest_at",
)  # fmt: skip
CLOSURE_COLUMNS: tuple[str, ...] = (
    "id", "unit", "event", "at", "recorded_at", "author", "reason", "by",
)  # fmt: skip
# Columns holding a day: written as Excel dates (so filters and sorting work), read back as ISO.
DATE_COLUMNS = frozenset({"start", "original_due", "due", "date", "created", "at", "latest_at"})
REAL_COLUMNS = frozenset({"baseline", "target", "latest", "value"})
RAG_FILLS = {"red": "C00000", "amber": "FFC000", "green": "00B050"}
HEADER_FILL = "1F3864"
WIDTHS = {
    "title": 45, "description": 30, "note": 45, "evidence": 30, "rag_reason": 34,
    "rag_override_reason": 30, "reason": 34, "owner": 22, "units": 14, "name": 30,
}  # fmt: skip


def _history_columns(conn: sqlite3.Connection) -> list[str]:
    # Every column the table has, so a column added by a later migration travels too.
    return [str(r[1]) for r in conn.execute("PRAGMA table_info(action_history)")]


# -- writing -------------------------------------------------------------------------------------


def cell_value(value: Any, column: str) -> Any:
    """What is written in a cell: a day as a date, numbers as numbers, other text as text.

    Text is a string cell (never a formula) and, as in every CSV lettermine writes, one that
    begins like a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading apostrophe
    (spreadsheet.safe_cell), so it stays text when someone edits the cell or saves the sheet as
    CSV; control characters, which xlsx cannot hold, are written as visible escapes. Reading
    the workbook back takes the apostrophe off again (spreadsheet.unguarded_cell). The one
    place a cell's value is decided: keep it the only one.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return safe_cell(value)  # a number is a number; not finite: an empty cell
    text = str(value)
    if column in DATE_COLUMNS and len(text) == 10:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    return safe_cell(text)


def _sheet(wb: Any, title: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Any:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill(fill_type="solid", fgColor=HEADER_FILL)
    for row in rows:
        ws.append([cell_value(row.get(c), c) for c in columns])
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = WIDTHS.get(column, 12)
        if column in DATE_COLUMNS:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        elif column not in REAL_COLUMNS:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, whatever it begins with
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    return ws


def export_workbook(
    conn: sqlite3.Connection, path: Path, *, today: dt.date | str | None = None
) -> Path:
    """Write the whole tracker as an .xlsx workbook; RAG in the Actions sheet as at today."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise OutputError(f"{path}: the workbook must be a file ending in .xlsx")
    if not path.parent.is_dir():
        raise OutputError(f"{path}: folder {path.parent} does not exist; create it first")
    rows = sorted(export_rows(conn, today=today), key=lambda r: r["id"])
    wb = Workbook()
    for blank in list(wb.worksheets):
        wb.remove(blank)
    ws = _sheet(wb, ACTIONS_SHEET, ACTION_COLUMNS, rows)
    rag_col = ACTION_COLUMNS.index("rag") + 1
    for (cell,) in ws.iter_rows(min_row=2, min_col=rag_col, max_col=rag_col):
        if cell.value in RAG_FILLS:
            cell.fill = PatternFill(fill_type="solid", fgColor=RAG_FILLS[cell.value])
            cell.font = Font(bold=True, color="FFFFFF" if cell.value == "red" else "000000")
    status_col = ws.cell(1, ACTION_COLUMNS.index("status") + 1).column_letter
    statuses = DataValidation(type="list", formula1=f'"{",".join(STATUSES)}"', allow_blank=True,
                              showErrorMessage=True, errorTitle="Status",
                              error=f"One of: {', '.join(STATUSES)}")  # fmt: skip
    ws.add_data_validation(statuses)
    statuses.add(f"{status_col}2:{status_col}{max(2, ws.max_row + 200)}")
    measures = [dict(r) for r in _rows(conn, "SELECT * FROM action_measures ORDER BY id")]
    _sheet(wb, MEASURES_SHEET, MEASURE_COLUMNS, measures)
    columns = _history_columns(conn)
    _sheet(wb, HISTORY_SHEET, columns, _rows(conn, "SELECT * FROM action_history ORDER BY id"))
    closures = _rows(
        conn,
        """SELECT id, unit, event, at, recorded_at, author, reason, by_unit AS "by"
           FROM area_closures ORDER BY id""",
    )
    _sheet(wb, CLOSURES_SHEET, CLOSURE_COLUMNS, closures)
    temp = path.with_name(f".{path.name}.part")
    try:
        wb.save(str(temp))
        temp.replace(path)
    except OSError as e:
        temp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({e.strerror})") from None
    return path


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return [dict(r) for r in cur.execute(sql)]


# -- reading -------------------------------------------------------------------------------------


def _text(value: Any, column: str) -> str:
    """A cell as the tracker's text: days as YYYY-MM-DD, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if column in DATE_COLUMNS else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and column not in REAL_COLUMNS:
        return str(int(value))
    return str(value)


def _read_sheet(ws: Any) -> tuple[list[str], list[dict[str, Any]]]:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        return [], []
    keys = ["_".join(str(h or "").strip().lower().replace("-", " ").split()) for h in header]
    out = []
    for values in rows:
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        cells = [unguarded_cell(v) if isinstance(v, str) else v for v in values]
        out.append({k: cells[i] if i < len(cells) else None for i, k in enumerate(keys) if k})
    return keys, out


def import_workbook(
    conn: sqlite3.Connection,
    path: Path,
    *,
    author: str | None = None,
    date: dt.date | str | None = None,
) -> tuple[list[int], list[str]]:
    """Import an .xlsx tracker, all or nothing: (action ids, warnings).

    A workbook with a History sheet (as 'actions export --xlsx' writes) is restored exactly;
    otherwise its Actions sheet (or first sheet) is read like the tracker CSV.
    """
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(str(path), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError):
        raise InvalidInput(f"{path.name}: is not an Excel .xlsx workbook") from None
    except OSError as e:
        raise InvalidInput(f"{path.name}: cannot be read ({e.strerror})") from None
    try:
        sheets = {ws.title: _read_sheet(ws) for ws in wb.worksheets}
    finally:
        wb.close()
    if HISTORY_SHEET in sheets:
        return _restore(conn, path.name, sheets), []
    keys, rows = sheets.get(ACTIONS_SHEET) or next(iter(sheets.values()), ([], []))
    text_rows = [{k: _text(v, k) for k, v in row.items()} for row in rows]
    return import_tracker(conn, path.name, keys, text_rows, author=author, date=date)


def _restore(
    conn: sqlite3.Connection, name: str, sheets: dict[str, tuple[list[str], list[dict[str, Any]]]]
) -> list[int]:
    for needed in (ACTIONS_SHEET, MEASURES_SHEET):
        if needed not in sheets:
            raise InvalidInput(f"{name}: a History sheet needs the {needed} sheet beside it")
    actions = sheets[ACTIONS_SHEET][1]
    measures = sheets[MEASURES_SHEET][1]
    history_keys, history = sheets[HISTORY_SHEET]
    closures = sheets.get(CLOSURES_SHEET, ([], []))[1]
    columns = _history_columns(conn)
    unknown = [k for k in history_keys if k and k not in columns]
    if unknown:
        raise InvalidInput(
            f"{name}: the History sheet has columns this database does not know "
            f"({', '.join(unknown)}): it was written by a newer lettermine"
        )
    with write_transaction(conn):
        if conn.execute("SELECT 1 FROM actions LIMIT 1").fetchone():
            raise InvalidInput(
                f"{name}: a workbook with its History sheet restores a whole tracker, and this "
                "database already has actions; to add the workbook's actions to them, delete "
                "the History sheet and import the Actions sheet as a tracker"
            )
        ids = [_insert_action(conn, row) for row in actions]
        for row in measures:
            _insert(conn, "action_measures", {c: _value(row.get(c), c) for c in MEASURE_COLUMNS})
        for row in history:
            _insert(conn, "action_history", {c: _value(row.get(c), c) for c in history_keys if c})
        for row in actions:
            for ref in _refs(row.get("units")):
                conn.execute(
                    "INSERT INTO action_units (action_id, unit_id) VALUES (?, ?)",
                    [int(row["id"]), resolve_unit(conn, ref)],
                )
        for row in closures:
            _insert(conn, "area_closures", {
                "id": _value(row.get("id"), "id"),
                "unit": _text(row.get("unit"), "unit"),
                **{c: _value(row.get(c), c) for c in ("event", "at", "recorded_at", "author",
                                                      "reason")},
                "by_unit": _text(row.get("by"), "by") or None,
            })  # fmt: skip
        _check_restored(conn, name)
    return ids


def _refs(cell: Any) -> list[str]:
    return [r.strip() for r in _text(cell, "units").replace(",", ";").split(";") if r.strip()]


def _value(value: Any, column: str) -> Any:
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return _text(value, column)
    if column in REAL_COLUMNS and isinstance(value, (int, float)):
        return float(value)
    return value


def _insert_action(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    if row.get("id") is None:
        raise InvalidInput("the Actions sheet has a row without an id: restore needs the ids")
    stored = {
        "id": int(row["id"]),
        **{c: _value(row.get(c), c) for c in ("ref", "title", "description", "owner", "start",
                                               "original_due", "due", "status", "percent",
                                               "rag_override", "rag_override_reason",
                                               "created")},
    }  # fmt: skip
    _insert(conn, "actions", stored)
    return int(row["id"])


def _insert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    columns = list(row)
    try:
        conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({','.join('?' * len(columns))})",
            [row[c] for c in columns],
        )
    except sqlite3.IntegrityError as e:
        raise InvalidInput(f"{table} row {row.get('id')}: cannot be restored ({e})") from None


def _check_restored(conn: sqlite3.Connection, name: str) -> None:
    # The History sheet is the record: every action's state must be what its history says, or
    # the workbook was edited by hand and the history no longer accounts for it.
    tracker = load_tracker(conn)
    problems = []
    for action_id, row in tracker.actions.items():
        state, units, values = replay(row, tracker.history[action_id])
        for column in ("status", "percent", "due", "original_due", "rag_override",
                       "rag_override_reason"):  # fmt: skip
            if state[column] != row[column]:
                problems.append(
                    f"action {action_id}: {column} is {row[column]!r} in the Actions sheet but "
                    f"{state[column]!r} by its history"
                )
        linked = sorted((tracker.units[u].letter_id, tracker.units[u].seq)
                        for u in tracker.links[action_id])  # fmt: skip
        if linked != sorted(units):
            problems.append(f"action {action_id}: its units differ from the links in its history")
        for measure in tracker.measures.get(action_id, []):
            value = values.get(measure["id"], (None, None))
            if (measure["latest"], measure["latest_at"]) != value:
                problems.append(
                    f"measure {measure['id']}: latest {measure['latest']!r} in the Measures sheet "
                    f"but {value[0]!r} by the history"
                )
    if problems:
        more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        shown = "; ".join(problems[:5]) + more
        raise InvalidInput(
            f"{name}: nothing imported, the sheets disagree with the History sheet (record "
            f"changes with 'lettermine actions ...', not in the workbook): {shown}"
        )
