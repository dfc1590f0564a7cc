"""Surviving mutants that are equivalent, or not worth a test, each with its reason (issue 19).

bench/mutation.py matches every survivor against RULES (kinds of mutant, by the line they change)
and ACCEPTED (single mutants). An equivalent mutant behaves as the original does on every input
the program can give it, so it leaves the score's denominator. One not worth a test stays in
the denominator, counted as survived, and is listed here so that it is a decision, not an
oversight. A single mutant is named by its module, its function (`Class.method` for a method)
and the line it changes, before and after, stripped (several lines joined by " / "), so the list
survives mutmut renumbering its mutants.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Accepted:
    module: str
    function: str
    before: str
    after: str
    why: str
    equivalent: bool = True  # False: not worth a test


@dataclass(frozen=True)
class Rule:
    name: str
    why: str
    matches: Callable[[str, str, str], bool]  # (before, after, diff) -> bool
    equivalent: bool = True


_SQL = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|JOIN|MATCH|ORDER BY|GROUP BY|LIMIT|VALUES|"
    r"PRAGMA|BEGIN|ROLLBACK|COMMIT|SAVEPOINT|RELEASE|CREATE|DROP|ALTER|ESCAPE|LIKE|EXISTS|AND)\b",
    re.IGNORECASE,
)
_SQL_LITERAL = re.compile(r"'[^']*'")


def _sql_case(before: str, after: str, diff: str) -> bool:
    """Only the letter case of SQL changes, outside its quoted literals."""
    return (
        before != after
        and before.lower() == after.lower()
        and bool(_SQL.search(before))
        and _SQL_LITERAL.findall(before) == _SQL_LITERAL.findall(after)
    )


def _zip_strict(before: str, after: str, diff: str) -> bool:
    """zip(..., strict=True) loses its strict flag."""
    if "strict=True" not in before:
        return False
    loose = (before.replace("strict=True", "strict=False"), before.replace("strict=True", ""))
    return after in loose


def _message_text(before: str, after: str, diff: str) -> bool:
    """A string of an error message wrapped in XX or changed in case, the message still there."""
    if before.lower() != after.lower() and after.replace("XX", "") != before:
        return False
    lines = diff.splitlines()[2:]  # after the ---/+++ header
    at = next((i for i, line in enumerate(lines) if line.startswith("-")), 0)
    context = " ".join(lines[max(0, at - 3) : at + 1])
    return "raise " in context or "Error(" in context or "InvalidInput(" in context


_LABELLED = re.compile(r"\b(_required_date|_cell_date|check_date|check_choice)\(")


def _error_label(before: str, after: str, diff: str) -> bool:
    """Only the label a date or choice checker names in its error message changes case or
    gains XX (`_required_date(date, "date")` -> `"DATE"`)."""
    if not _LABELLED.search(before) or before == after:
        return False
    return before.lower() == after.lower() or after.replace("XX", "") == before


RULES: list[Rule] = [
    Rule(
        "sql-case",
        "equivalent: SQLite reads keywords and names in any case (quoted literals untouched)",
        _sql_case,
    ),
    Rule(
        "zip-strict",
        "equivalent: the zipped sequences have equal lengths by construction; strict=True only"
        " guards that",
        _zip_strict,
    ),
    Rule(
        "message-text",
        "not worth a test: the wording of an error message (tests match what it says, not"
        " every letter's case)",
        _message_text,
        equivalent=False,
    ),
    Rule(
        "error-label",
        "not worth a test: the field name a checker prints in its error message (each"
        " checker's message is tested once, not at every call)",
        _error_label,
        equivalent=False,
    ),
]

ACCEPTED: list[Accepted] = [
    # read/extract.py
    Accepted(
        "lettermine/read/extract.py",
        "_txt_text",
        r'return drop_page_furniture(text) if "\f" in text else text',
        r'return drop_page_furniture(text) if ("\f" in text) or True else text',
        "equivalent: text without a form feed is one page, which drop_page_furniture returns"
        " unchanged (it needs three)",
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_furniture_key",
        r'return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.strip().lower()))',
        r'return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.strip().upper()))',
        "equivalent: the key is only compared with other keys made the same way; folding to"
        " upper or lower case groups the same lines",
    ),
    # read/extract.py, read/visit.py, read/parse.py (after tests for the survivors that matter)
    Accepted(
        "lettermine/read/extract.py",
        "normalise",
        'text = text.replace("\\u00a0", " ").replace("\\u202f", " ").replace("\\t", " ")',
        'text = text.replace("\\u00a0", " ").replace("\\u202f", "XX XX").replace("\\t", " ")',
        "equivalent: NFKC, the line before, has already turned U+202F into a space",
    ),
    Accepted(
        "lettermine/read/extract.py",
        "rejoin_hyphens",
        "done = 0",
        "done = None",
        "equivalent: text[None:i] is text[0:i]",
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_misplaced_object",
        "while at >= 0:",
        "while at >= 1:",
        "equivalent: a PDF pdfium opens starts with its %PDF header, so no 'xref' is at offset 0",
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_stream_span",
        "stop = len(data) if stop < 0 else stop",
        "stop = len(data) if stop <= 0 else stop",
        (
            "equivalent: the search starts at the stream's data (past offset 0), so find never"
            " returns 0"
        ),
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_printed",
        'before = text[at - 1] if at else " "',
        'before = text[at - 1] if (at) and False else " "',
        (
            "not worth a test: a split word whose whole form the letter prints only at the end of"
            " a longer word; neither reading is clearly right"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_printed",
        'joined = after[:1] == "-" and after[1:2].isalpha()',
        "joined = None",
        (
            "not worth a test: a split word whose whole form the letter prints only as the first"
            " half of a compound; neither reading is clearly right"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_printed",
        'if not (before.isalpha() or before == "-" or after[:1].isalpha() or joined):',
        'if not (before.isalpha() and before == "-" or after[:1].isalpha() or joined):',
        (
            "not worth a test: as the other _printed survivors, a whole form printed only inside"
            " a longer word"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_first_char",
        "return m.start() if m else -1",
        "return m.start() if m else +1",
        "not worth a test: a line of spaces only; pypdfium2 gives none for the PDFs we can make",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_Page._split_joined",
        "if 0.5 * line_size < step < 2.5 * line_size and abs(next_size - line_size) < 1:",
        "if 0.5 * line_size < step < 2.5 * line_size and abs(next_size - line_size) <= 1:",
        (
            "not worth a test: a tolerance of the PDF layout heuristics (type sizes, line steps,"
            " margins); a test would pin a number, not what a reader sees"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_Page._split_joined",
        "yield _Line(self.number, piece, start + begin, end, y, line_y, size)",
        "yield _Line(self.number, piece, start - begin, end, y, line_y, size)",
        (
            "not worth a test here: only after a hyphenated word split across a page and joined"
            " to a footnote; the slow corpus sweep reads such pages"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_pdf_text",
        "chars = 0",
        "chars = 1",
        "not worth a test: MAX_CHARS off by one character",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_pdf_text",
        'raise UnreadableLetter(f"{path.name}: a page cannot be read ({e})") from None',
        "raise UnreadableLetter(None) from None",
        "not worth a test: no PDF we can build opens and then fails on a page",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_damage",
        'head = data[max(0, at - _DICT_SPAN) : at] if data[at - 3 : at] != b"end" else b""',
        'head = data[max(0, at - _DICT_SPAN) : at] if data[at - 3 : at] != b"END" else b""',
        "not worth a test: only differs where a stream's own data ends in '>>' and is compressed",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_damage",
        'head = head[max(0, head.rfind(b" obj")) :]',
        'head = head[max(1, head.rfind(b" obj")) :]',
        (
            "not worth a test: drops the window's first byte, a space or what precedes the"
            " object, never a key"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_entries",
        "entries = _ENTRY.findall(data, base, base + 20 * count)",
        "entries = _ENTRY.findall(data, base, )",
        "not worth a test: differs only for a garbled entry followed by a further subsection",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_line_pitch",
        "if a.page == b.page and b.size > 0 and abs(a.size - b.size) < 0.5 and a.y_end > b.y",
        "if a.page == b.page and b.size > 0 and abs(a.size - b.size) < 1.5 and a.y_end > b.y",
        (
            "not worth a test: a tolerance of the PDF layout heuristics (type sizes, line steps,"
            " margins); a test would pin a number, not what a reader sees"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_line_pitch",
        "return min(steps, key=lambda step: (-steps[step], step)) if steps else 1.2",
        "return min(steps, key=lambda step: (-steps[step], step)) if steps else 2.2",
        (
            "not worth a test: a tolerance of the PDF layout heuristics (type sizes, line steps,"
            " margins); a test would pin a number, not what a reader sees"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_paragraph_gap",
        "if abs(step) < 0.3 * size:",
        "if abs(step) < 1.3 * size:",
        (
            "not worth a test: a tolerance of the PDF layout heuristics (type sizes, line steps,"
            " margins); a test would pin a number, not what a reader sees"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_right_margin",
        "return statistics.quantiles(edges, n=10)[-1] if len(edges) >= 2 else 0.0",
        "return statistics.quantiles(edges, n=11)[-1] if len(edges) >= 2 else 0.0",
        (
            "not worth a test: a tolerance of the PDF layout heuristics (type sizes, line steps,"
            " margins); a test would pin a number, not what a reader sees"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_starts_page_paragraph",
        "return before.right(prev.end - 1) + space + width < margin",
        "return before.right(prev.end - 2) + space + width < margin",
        (
            "not worth a test: a tolerance of the PDF layout heuristics (type sizes, line steps,"
            " margins); a test would pin a number, not what a reader sees"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_check_docx_size",
        "if total > MAX_DOCX_TOTAL:",
        "if total >= MAX_DOCX_TOTAL:",
        "not worth a test: MAX_DOCX_TOTAL off by one byte",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/parse.py",
        "parse_letter",
        'kind="other",',
        "",
        "equivalent: Letter's kind defaults to 'other', and parse_letter sets it just after",
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_heading_role",
        'key = re.sub(r"\\s+", " ", key).strip(" :?.")',
        'key = re.sub(r"\\s+", " ", key).strip(None)',
        (
            "equivalent: the key starts with a letter and the line before removed its trailing"
            " spaces and ' :?.'"
        ),
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_line_width",
        "_text_width(f\"{a.text} {b.text.split(' ', 1)[0]}\")",
        "_text_width(f\"{a.text} {b.text.split(' ', )[0]}\")",
        "equivalent: the first piece of a split is the same with or without a limit",
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_line_width",
        "for a, b in zip(body, body[1:], strict=False)",
        "for a, b in zip(body, body[1:], )",
        "equivalent: strict=False is zip's default",
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_units",
        "listed = False  # whether the current section has had a bullet yet",
        "listed = True  # whether the current section has had a bullet yet",
        "equivalent: read only under an improvement heading, which sets it to False first",
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_alternatives",
        'return re.compile("^(" + "|".join(patterns) + ")$")',
        'return re.compile("^(" + "|".join(patterns) + "XX)$XX")',
        (
            "not worth a test: mutmut cannot activate it (it runs only at import, before a mutant"
            " is chosen); made by hand, it fails every heading test"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_rejoin_hyphens",
        'vocab = {w.lower() for w in re.findall(r"[A-Za-z]+", text.replace("\\ufffe", " "))}',
        'vocab = {w.lower() for w in re.findall(r"[A-Za-z]+", text.replace("\\ufffe", "XX XX"))}',
        (
            "not worth a test: only the halves of split words leave the vocabulary; a joined word"
            " beside a hyphen mark is needed to tell"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_join",
        'return re.sub(r"\\s+", " ", out).strip()',
        'return re.sub(r"XX\\s+XX", " ", out).strip()',
        (
            "not worth a test: the lines are already tidied; only spaces that NFKC folds"
            " (read_text's text never has them) differ"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_authority",
        "for line in lines[:40]:  # the address block",
        "for line in lines[:41]:  # the address block",
        "not worth a test: how far down the address block is looked for, off by one line",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_is_unwrapped",
        "return bool(lengths) and statistics.median(lengths) > 130",
        "return bool(lengths) and statistics.median(lengths) >= 130",
        "not worth a test: a median line of exactly 130 characters",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_text_width",
        "elif ch in _SLIM:",
        "elif ch not in _SLIM:",
        (
            "not worth a test: the glyph widths are approximate by design and compared only with"
            " each other; a test would pin Helvetica's metrics"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_text_width",
        "total += 690",
        "total += 691",
        "not worth a test: an approximate glyph width",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_line_width",
        "widths = sorted(_text_width(x.text) for x in body if len(x.text) > 30)",
        "widths = sorted(_text_width(x.text) for x in body if len(x.text) >= 30)",
        "not worth a test: a line of exactly 30 characters in a letter with under ten broken lines",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_line_width",
        "return int(widths[int(len(widths) * 0.9)] * 0.96) if widths else 40000",
        "return int(widths[int(len(widths) * 0.9)] * 0.96) if widths else 40001",
        "not worth a test: the measure when no line is over 30 characters, by 1/1000 em",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_starts_paragraph",
        'first_word = line.text.split(" ", 1)[0]',
        "first_word = line.text.split(None, 1)[0]",
        (
            "not worth a test: lines are tidied, so only a space NFKC folds (never in read_text's"
            " text) differs"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/visit.py",
        "_generic_heading",
        "if len(text) > 70 or len(text.split()) > 10 or not text[:1].isupper():",
        "if len(text) > 70 or len(text.split()) > 11 or not text[:1].isupper():",
        "not worth a test: an unlisted heading of exactly 11 words",
        equivalent=False,
    ),
    # actions.py
    Accepted(
        "lettermine/actions.py",
        "coverage",
        'closure = tracker.closures.get(r["id"])',
        'closure = tracker.closures.get(r["ID"])',
        "equivalent: r is an sqlite3.Row, whose keys ignore case",
    ),
    Accepted(
        "lettermine/actions.py",
        "_unit_details",
        '"text": r["text"],',
        '"text": r["TEXT"],',
        "equivalent: r is an sqlite3.Row, whose keys ignore case",
    ),
    Accepted(
        "lettermine/actions.py",
        "_unit_details",
        '"themes": [t["code"] for t in themes.get(r["id"], [])],',
        '"themes": [t["code"] for t in themes.get(r["ID"], [])],',
        "equivalent: r is an sqlite3.Row, whose keys ignore case",
    ),
    Accepted(
        "lettermine/actions.py",
        "_append",
        'columns = ["action_id", "event", "at", "recorded_at", *fields]',
        'columns = ["action_id", "event", "AT", "recorded_at", *fields]',
        "equivalent: the names go into an INSERT's column list, and SQLite ignores their case",
    ),
    # search.py
    Accepted(
        "lettermine/search.py",
        "_few",
        "enough = tagged * 4 // 5 + 1",
        "enough = tagged * 5 // 5 + 1",
        "equivalent: chooses between two query plans that return the same units (a speed"
        " trade-off; the theme-filter tests run both plans)",
    ),
    Accepted(
        "lettermine/search.py",
        "scratch_index",
        'cache: dict[str, sqlite3.Connection] | None = getattr(_scratch, "indexes", None)',
        'cache: dict[str, sqlite3.Connection] | None = getattr(None, "indexes", None)',
        "equivalent: a cache that always misses builds the same scratch index again (slower,"
        " same answers)",
    ),
    Accepted(
        "lettermine/search.py",
        "_mark_repeats",
        "break",
        "return",
        "equivalent: the loop is the function's last statement",
    ),
]
