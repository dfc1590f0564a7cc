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
    # read/legacy.py
    Accepted(
        "lettermine/read/legacy.py",
        "_metadata",
        "re.IGNORECASE, / )",
        ")",
        (
            "not worth a test: the case flag only tolerates a capitalisation of the label no report"
            " prints"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/legacy.py",
        "_code",
        'return re.sub(r"[^a-z0-9]+", "_", label).strip("_")',
        'return re.sub(r"[^a-z0-9]+", "_", label).strip(None)',
        (
            "not worth a test: only a label no known judgement matches and that ends in punctuation"
            " other than ' :.' keeps a trailing '_' in its made-up code"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/legacy.py",
        "_code",
        'return re.sub(r"[^a-z0-9]+", "_", label).strip("_")',
        'return re.sub(r"[^a-z0-9]+", "_", label).strip("XX_XX")',
        "equivalent: the label is lower-cased above, so it holds no 'X' to strip",
    ),
    Accepted(
        "lettermine/read/legacy.py",
        "_graded_sections",
        "m = _HEADING_AND_GRADE.match(text) if _is_short(block, 240) else None",
        "m = _HEADING_AND_GRADE.match(text) if (_is_short(block, 240)) or True else None",
        (
            "equivalent: the pattern's name takes at most 160 characters before the grade, so a"
            " block it matches is short anyway"
        ),
    ),
    Accepted(
        "lettermine/read/legacy.py",
        "_findings",
        'if units[-1].text.endswith(":") or block.first[:1].islower():',
        'if units[-1].text.endswith(":") or block.first[:2].islower():',
        (
            "not worth a test: differs only for a line opening with a lower-case letter then a"
            " capital ('eHealth')"
        ),
        equivalent=False,
    ),
    # read/inspection.py
    Accepted(
        "lettermine/read/inspection.py",
        "_blocks",
        "if new and len(line) <= 2 and line.isdigit():",
        "if new and len(line) < 2 and line.isdigit():",
        (
            "not worth a test: a two-digit marker line left in is dropped later as a page number or"
            " joins no unit (tried: the areas come out the same)"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/inspection.py",
        "_heads_page",
        "return False",
        "return True",
        (
            "not worth a test: a page split wrongly after an unfinished sentence is joined again by"
            " the findings reader (tried with a capitalised next page)"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/inspection.py",
        "_heads_page",
        "alone = len(lines) == 1 or not lines[1].strip()",
        "alone = len(lines) == 1 or not lines[2].strip()",
        (
            "not worth a test: differs only for a page whose short capitalised first line is"
            " followed by a non-blank line and then a blank one"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/inspection.py",
        "_starts_item",
        "if len(line) < 40 and _SIF_NOT_FINDING.match(line):",
        "if len(line) <= 40 and _SIF_NOT_FINDING.match(line):",
        "not worth a test: a boundary no heading of that kind ('Summary') comes near",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/inspection.py",
        "_item_text",
        'text = _NUMBERED.sub("", text, count=1)',
        'text = _NUMBERED.sub("", text, count=2)',
        "equivalent: the pattern is anchored at the start of the text, so it matches once at most",
    ),
    Accepted(
        "lettermine/read/inspection.py",
        "_list_item_text",
        "prev = line",
        "prev = None",
        (
            "not worth a test: a dash opening a wrapped line taken as a sub-item is joined to its"
            " lead with a space, the text the line gives (tried)"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/inspection.py",
        "_read_metadata",
        'm = re.search(r"Report published\\s*:?\\s*(.{0,40})", front, re.IGNORECASE)',
        'm = re.search(r"Report published\\s*:?\\s*(.{0,40})", front, )',
        (
            "not worth a test: the case flag only tolerates a capitalisation of the label no report"
            " prints"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/inspection.py",
        "_inspectors",
        'lead = roles.get("lead inspector", [])',
        'lead = roles.get("lead inspector", )',
        (
            "equivalent: the result is only tested for truth ('lead[0] if lead else None'), and"
            " None is as false as []"
        ),
    ),
    Accepted(
        "lettermine/read/inspection.py",
        "_is_heading",
        "_ILACS_SECTION.match(text) or _SIF_SECTION.match(text) or _AFI_HEADING.match(text)",
        "_ILACS_SECTION.match(text) and _SIF_SECTION.match(text) or _AFI_HEADING.match(text)",
        (
            "not worth a test: only asked of a block that starts in lower case, which no section"
            " heading does"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/inspection.py",
        "_section_heading",
        "if not _is_short(block, 200):",
        "if not _is_short(block, 201):",
        "not worth a test: a length boundary far above any section heading",
        equivalent=False,
    ),
    # read/jtai.py
    Accepted(
        "lettermine/read/jtai.py",
        "_authority",
        'return re.sub(r"^the\\s+", "", places[0].strip(" .,"), flags=re.I) if places else None',
        (
            'return re.sub(r"^the\\s+", "", places[0].strip("XX .,XX"), flags=re.I) if places else'
            " None"
        ),
        "not worth a test: differs only for a place name that starts or ends with a capital X",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/jtai.py",
        "_printed_authority",
        "best: str | None = None",
        'best: str | None = ""',
        "equivalent: every caller tests the result for truth, and '' is as false as None",
    ),
    Accepted(
        "lettermine/read/jtai.py",
        "_printed_authority",
        'candidate = " ".join(words[start:end]).strip(" ,.;:")',
        'candidate = " ".join(words[start:end]).strip(None)',
        (
            "not worth a test: a council followed by a comma is still found through the title and"
            " addressees (tried)"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/jtai.py",
        "_topic",
        "end = place.start(1) + place.group(1).find(named.split()[-1]) + len(named.split()[-1])",
        "end = place.start(1) + place.group(1).rfind(named.split()[-1]) + len(named.split()[-1])",
        "not worth a test: differs only when the area's last word is printed twice after 'in'",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/jtai.py",
        "_focus",
        "body = _topic(opening.group(0) if opening else None, authority) or _topic(",
        "body = _topic(opening.group(0) if (opening) and False else None, authority) or _topic(",
        (
            "not worth a test: the letter's summary sentence names the same topic as its opening in"
            " every layout we have"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/jtai.py",
        "_focus",
        "elif headline and len(headline.split()) < len(body.split()):",
        "elif headline and len(headline.split()) <= len(body.split()):",
        "not worth a test: a title and opening of the same length in words name the same topic",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/jtai.py",
        "_units",
        'role = role if role in ("finding", "afi", "priority") else None',
        'role = role if role in ("finding", "afi", "XXpriorityXX") else None',
        (
            "equivalent: the branch above takes every 'afi' and 'priority' heading, so role is"
            " never 'priority' here"
        ),
    ),
    Accepted(
        "lettermine/read/jtai.py",
        "_units",
        'elif text.endswith(":") and _is_bullet(nxt):',
        'elif text.endswith(":") or _is_bullet(nxt):',
        (
            "not worth a test: a paragraph not ending ':' right before a bullet in an action list"
            " is a layout no letter prints"
        ),
        equivalent=False,
    ),
    # read/sif.py
    Accepted(
        "lettermine/read/sif.py",
        "sif_units",
        'board = i >= lscb_at or bool(re.search(r"\\blscb\\b|\\bboard\\b", heading, re.I))',
        'board = i >= lscb_at or bool(re.search(r"\\bLSCB\\b|\\bBOARD\\b", heading, re.I))',
        "equivalent: the search ignores case",
    ),
    Accepted(
        "lettermine/read/sif.py",
        "_is_numbered_heading",
        "if len(text) > 100 or _TERMINAL.search(text) or i + 1 >= len(blocks):",
        "if len(text) > 101 or _TERMINAL.search(text) or i + 1 >= len(blocks):",
        "not worth a test: a length boundary far above any sub-heading",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/sif.py",
        "_is_sub_heading",
        "return i + 1 < len(blocks) and _is_item(blocks[i + 1])",
        "return i + 2 < len(blocks) and _is_item(blocks[i + 1])",
        (
            "not worth a test: differs only for a sub-heading whose item is the report's last block"
            " (the back matter always follows)"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/sif.py",
        "_sif_heading",
        'if not _is_short(blocks[i], 200) or re.search(r"\\d$", text):',
        'if not _is_short(blocks[i], 201) or re.search(r"\\d$", text):',
        "not worth a test: a length boundary far above any judgement heading",
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/sif.py",
        "_in_order",
        'order = {"priority_action": 0, "area_for_improvement": 1, "finding": 2}',
        'order = {"priority_action": 0, "area_for_improvement": 2, "finding": 2}',
        "equivalent: the areas come before the findings in the list sorted (sorted is stable)",
    ),
    # read/send.py
    Accepted(
        "lettermine/read/send.py",
        "_Item.extend",
        "pieces[-1] = _join([pieces[-1], text])",
        "pieces[-1] = _join(None)",
        (
            "not worth a test: a table row's paragraph that starts in lower case is joined to the"
            " line before while the lines are grouped, before it gets here"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/send.py",
        "_read_metadata",
        (
            'r"(Area SEND inspection of\\s+(?:the\\s+)?(.+?)\\s+Local\\s+Area\\s+Partnership)",'
            " flat, re.I / )"
        ),
        (
            'r"(Area SEND inspection of\\s+(?:the\\s+)?(.+?)\\s+Local\\s+Area\\s+Partnership)",'
            " flat, )"
        ),
        (
            "not worth a test: the case flag only tolerates a capitalisation of the label no report"
            " prints"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/send.py",
        "_team",
        "while skip < len(words) and words[skip] in _ROLE_WORDS:",
        "while skip <= len(words) and words[skip] in _ROLE_WORDS:",
        (
            "not worth a test: the name pattern never matches role words alone, so the loop stops"
            " on a name first"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/send.py",
        "_team",
        'start = m.start("name") + m.group("name").find(words[skip]) if skip else m.start("name")',
        (
            'start = m.start("name") + m.group("name").find(words[skip]) if (skip) or True else'
            ' m.start("name")'
        ),
        "equivalent: with skip 0 the first word is found at the name's start",
    ),
    Accepted(
        "lettermine/read/send.py",
        "_team",
        'if org == "ofsted" and lead is None and re.search(r"\\blead\\b", role, re.IGNORECASE):',
        'if org == "ofsted" and lead is None and re.search(r"\\blead\\b", role, ):',
        (
            "not worth a test: with 'Lead' capitalised the first Ofsted inspector, printed first,"
            " is taken as lead anyway (tried)"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/send.py",
        "_pieces",
        "width = _line_width(body) if body else 0",
        "width = _line_width(body) if (body) or True else 0",
        "equivalent: with no lines the width is never used, and _line_width([]) returns a default",
    ),
    Accepted(
        "lettermine/read/send.py",
        "_pieces",
        'not _TERMINAL.search(prev.text) and not (pieces[-1].kind != "para" and line.gap_before)',
        'not _TERMINAL.search(prev.text) and not (pieces[-1].kind != "para" or line.gap_before)',
        (
            "not worth a test: differs only for a bullet's unfinished sentence going on after a gap"
            " inside a table cell"
        ),
        equivalent=False,
    ),
    Accepted(
        "lettermine/read/send.py",
        "_mark_bodies",
        "and len(body[j].text) <= _BODY_LINE",
        "and len(body[j].text) < _BODY_LINE",
        (
            "not worth a test: a boundary on a responsible body's line length that no body's name"
            " sits on"
        ),
        equivalent=False,
    ),
    # migrations.py
    Accepted(
        "lettermine/migrations.py",
        "m001_letters_and_units",
        'not_null={"sha256", "source", "kind"},',
        'not_null={"sha256", "SOURCE", "kind"},',
        "equivalent: sqlite-utils matches not_null's names to the columns ignoring case (source"
        " is NOT NULL either way, as test_db's schema test checks)",
    ),
    Accepted(
        "lettermine/migrations.py",
        "m011_history_corrections",
        'f"{len(broken)} action history rows name an action or measure that is not there, so "'
        ' / "the database was not upgraded: restore it from a backup"',
        "None",
        "not worth a test: the upgrade is still refused and the database left as it was; only"
        " the message's wording goes (a history this broken cannot be made through lettermine)",
        equivalent=False,
    ),
]
