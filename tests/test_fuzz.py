"""Arbitrary and damaged input: the normaliser and the parser (hypothesis) and the PDF path
(mutated PDFs, read in a worker process so that a segfault in pdfium is counted, not fatal).

Only LettermineError may come out of them; units never carry page furniture; a damaged PDF is an
error or a whole letter, never a silent part of one.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from bad_files import (
    GOOD_PDF,
    LETTER_TEXT,
    LETTERS,
    letter_pages,
    make_pdf,
    mutants,
    run_fuzz,
    undetectable_part,
)
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lettermine.corpus import corpus_dir
from lettermine.db import open_db
from lettermine.errors import LettermineError
from lettermine.ingest import Classifier, ingest_file
from lettermine.read.extract import normalise, read_text
from lettermine.read.parse import parse_letter
from lettermine.records import Letter

FOCUSED = corpus_dir() / "focused" / "pdf"

# Characters the normaliser has rules for, mixed into arbitrary text so hypothesis meets them.
_SPECIAL = list("\r\n\f\t \u00a0\u202f\ufffe-\u25fc\u2022\u25aa\uf06e\uf0b7\ufb01\u2019\u2013")
TEXT = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(_SPECIAL)), max_size=400)
_OTHER_BULLETS = re.compile(
    "[\u2022\u25aa\u25cf\u25a0\u25fe\u25e6\u2023\u2043\u25cb\u25b6\uf000-\uf0ff]"
)


def _parse(text: str) -> Letter | None:
    """parse_letter, where a LettermineError (a clear 'not a letter') is an allowed outcome."""
    try:
        return parse_letter(text)
    except LettermineError:
        return None


# ---------------------------------------------------------------------------------------------
# The normaliser


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_normalise_keeps_its_promises_on_any_text(text: str) -> None:
    out = normalise(text)
    assert not set("\r\t\ufffe\u00a0\u202f") & set(out)
    assert not _OTHER_BULLETS.search(out)  # every bullet is ◼
    assert not re.search(r" (\n|$)| {2}", out)  # no trailing or doubled spaces
    assert out == out.strip("\n ")


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_normalise_twice_is_normalise_once(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


# ---------------------------------------------------------------------------------------------
# The parser


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_parse_letter_on_any_text_returns_a_letter_or_a_clear_error(text: str) -> None:
    _parse(text)
    _parse(normalise(text))
    _parse("Ofsted focused visit inspection\n" + text)  # past the 'is it a letter' check


LINES = LETTER_TEXT.splitlines()
# Furniture goes after the title: a header above it would be read as the letter's own title.
BODY = next(i for i, line in enumerate(LINES) if line.startswith("Focused visit to")) + 1
_LINE = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(_SPECIAL)), max_size=80)
EDITS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "replace", "delete", "repeat", "shorten", "page break"]),
        st.integers(0, 10_000),
        _LINE,
    ),
    max_size=10,
)


def _edit(edits: list[tuple[str, int, str]]) -> str:
    lines = list(LINES)
    for how, at, text in edits:
        at %= len(lines) + 1
        if how == "insert":
            lines.insert(at, text)
        elif at < len(lines):
            if how == "replace":
                lines[at] = text
            elif how == "delete":
                del lines[at]
            elif how == "repeat":
                lines.insert(at, lines[at])
            elif how == "shorten":
                lines[at] = lines[at][: len(text)]
            else:
                lines[at] = "\f" + lines[at]
    return "\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(EDITS)
def test_parse_letter_on_a_damaged_letter_returns_a_letter_or_a_clear_error(
    edits: list[tuple[str, int, str]],
) -> None:
    text = _edit(edits)
    _parse(text)
    _parse(normalise(text))


PAGE_NUMBERS = st.one_of(
    st.builds("Page {} of {}".format, st.integers(1, 99), st.integers(1, 99)),
    st.integers(1, 999).map(str),
)
_NUMBER_OR_PAGE = re.compile(r"\bpage \d+ of \d+\b|(^|\s)\d{1,3}(\s|$)", re.IGNORECASE)
PLACES = st.lists(st.tuples(st.integers(0, 10_000), st.booleans()), min_size=1, max_size=6)


def _insert(
    lines: list[str], after: int, places: list[tuple[int, bool]], furniture: list[str]
) -> str:
    """The lines with a furniture line at each place after line `after`, some at a page break
    (a form feed), some where the page's text simply runs on (text pasted from a PDF)."""
    out = list(lines)
    for (at, page_break), line in sorted(zip(places, furniture, strict=False), reverse=True):
        at = after + at % (len(out) - after)
        out.insert(at, ("\f" if page_break else "") + line)
    return "\n".join(out)


@settings(max_examples=200, deadline=None)
@given(PLACES, st.lists(PAGE_NUMBERS, min_size=6, max_size=6))
def test_visit_units_never_hold_page_numbers(
    places: list[tuple[int, bool]], numbers: list[str]
) -> None:
    # The sample letter's units have no numbers of their own, so any number is a page number.
    letter = parse_letter(normalise(_insert(LINES, BODY, places, numbers)))
    assert letter.kind == "focused_visit" and letter.units
    for unit in letter.units:
        assert not _NUMBER_OR_PAGE.search(unit.text), unit.text


REPORT = LETTERS / "brackwater-2023-01-inspection.pdf"  # an invented ILACS report


@cache
def _report_lines() -> tuple[list[str], int]:
    """The sample report's text as lines, and the index of the line that ends its first page."""
    lines = read_text(REPORT).split("\n")
    return lines, next(i for i, line in enumerate(lines) if "\f" in line)


RUNNING_HEADERS = st.one_of(
    st.just("Inspection of Brackwater local authority children\u2019s services"),
    st.integers(2, 40).map("7 to 18 November 2022 {}".format),
)


@settings(max_examples=150, deadline=None)
@given(PLACES, st.lists(RUNNING_HEADERS, min_size=6, max_size=6))
def test_report_units_never_hold_its_running_header(
    places: list[tuple[int, bool]], headers: list[str]
) -> None:
    lines, first_page = _report_lines()
    letter = parse_letter(normalise(_insert(lines, first_page + 1, places, headers)))
    assert letter.kind == "ilacs" and letter.units
    for unit in letter.units:
        assert "local authority children" not in unit.text, unit.text
        assert "18 November 2022" not in unit.text, unit.text


# Bare page numbers of three digits: the sample report's units print none of their own.
REPORT_PAGE_NUMBERS = st.one_of(
    st.builds("Page {} of {}".format, st.integers(1, 99), st.integers(1, 99)),
    st.integers(100, 999).map(str),
)


@settings(max_examples=150, deadline=None)
@given(PLACES, st.lists(REPORT_PAGE_NUMBERS, min_size=6, max_size=6))
@example([(40, False)], ["Page 3 of 7"] * 6)  # a footer left in pasted text, mid-paragraph
def test_report_units_never_hold_page_numbers(
    places: list[tuple[int, bool]], numbers: list[str]
) -> None:
    lines, first_page = _report_lines()
    letter = parse_letter(normalise(_insert(lines, first_page + 1, places, numbers)))
    assert letter.kind == "ilacs" and letter.units
    for unit in letter.units:
        assert not re.search(r"\bPage \d+ of \d+|(^|\s)\d{3}(\s|$)", unit.text), unit.text


def _paged(pages: list[str], header: str, style: dict[str, Any]) -> str:
    """Pages joined by form feeds, with a running header, page numbers or dates at their edges,
    as a PDF-to-text tool writes them."""
    out = []
    for number, page in enumerate(pages, start=1):
        top = [header] if style["header"] and number > 1 else []
        top += [str(number)] if style["top number"] and number > 1 else []
        foot = {
            "none": [],
            "number": [str(number)],
            "page of": [f"Page {number} of {len(pages)}"],
            "dates": [f"7 to 18 November 2022 {number}"],
        }[style["foot"]]
        out.append("\n".join([*top, page, *foot]))
    return "\f".join(out)


PAGE_STYLES = st.fixed_dictionaries(
    {
        "header": st.booleans(),
        "top number": st.booleans(),
        "foot": st.sampled_from(["none", "number", "page of", "dates"]),
    }
)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["report", "visit"]), PAGE_STYLES)
def test_furniture_of_paged_text_never_reaches_units(kind: str, style: dict[str, Any]) -> None:
    # The whole path a .txt takes (read_text, then parse_letter): the units are exactly those
    # of the same text without furniture.
    if kind == "report":
        text = "\n".join(_report_lines()[0])
        pages = text.split("\f")
        header = "Inspection of Brackwater local authority children\u2019s services"
    else:
        text = LETTER_TEXT
        # Page breaks inside two paragraphs, which go on over the page.
        a, b = (i + 1 for i, x in enumerate(LINES) if x.startswith(("Children are", "Written")))
        pages = ["\n".join(LINES[:a]), "\n".join(LINES[a:b]), "\n".join(LINES[b:])]
        header = "Focused visit to Testshire children\u2019s services"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "letter.txt"
        path.write_text(_paged(pages, header, style), encoding="utf-8")
        paged = parse_letter(read_text(path))
    assert [u.text for u in paged.units] == [u.text for u in parse_letter(text).units]


# ---------------------------------------------------------------------------------------------
# Damaged PDFs


def _fuzz_sources(folder: Path) -> list[Path]:
    """Real focused visit letters where the corpus is present (spread across years and
    layouts), else the sample PDF and a hand-made one."""
    if FOCUSED.is_dir():
        return sorted(FOCUSED.glob("*.pdf"))[::7][:20]
    made = folder / "made.pdf"
    made.write_bytes(make_pdf(letter_pages()))
    return [GOOD_PDF, made]


def test_mutated_pdfs_are_clear_errors_or_whole_letters(tmp_path: Path) -> None:
    # What the reader promises for a damaged PDF: never a crash; a clear error that changes
    # nothing, or the whole letter. Except for damage undetectable by construction (a byte
    # changed inside an uncompressed page, such as a letter of a text string; a dictionary's key
    # that still parses: a sound PDF that says other words, see undetectable_part), where it
    # promises exactly the text the file now holds: that of the mutant with its detectable
    # damage undone. Damage a check could catch may not change what is stored.
    # The corpus's letters keep their text in compressed streams; the hand-made PDF used beside
    # the sample where there is no corpus has its text uncompressed, in the clear.
    sources = _fuzz_sources(tmp_path)
    made_from = {p: s for p, s, _ in mutants(sources, 200, tmp_path / "mutants", seed=7)}
    results = run_fuzz(list(made_from), tmp_path / "fuzz.db", timeout=300)
    assert len(results) == len(made_from)
    outcomes = Counter(r.outcome for r in results)
    unclear = [r for r in results if r.outcome not in ("stored", "error")]
    assert not unclear, unclear[:5]  # no other exception, no segfault
    stored = _stored_units(tmp_path / "fuzz.db")
    for r in results:
        mutant = Path(r.path)
        if r.outcome == "error":
            assert "\n" not in r.detail and r.detail.startswith(mutant.name), r.detail
            assert r.rows_changed == 0, r
        elif (units := stored.get(mutant.name)) is not None:
            # (a mutant the same as one stored before is stored once, under the first's name)
            if units == _units(made_from[mutant]):
                continue
            source = made_from[mutant].read_bytes()
            part = undetectable_part(source, mutant.read_bytes())
            # all its damage detectable (None, or the source): only the whole letter may be stored
            assert part not in (None, source), f"{mutant.name}: stored in part"
            (clean := tmp_path / "undetectable.pdf").write_bytes(part)
            assert units == _units(clean), f"{mutant.name}: stored other than the file reads"
    assert outcomes["error"] > 0  # the mutations did damage something


def _units(path: Path) -> list[str]:
    """The units of a clean read of a PDF (in this process, not the worker's database)."""
    return [u.text for u in parse_letter(read_text(path)).units]


def _stored_units(db: Path) -> dict[str, list[str]]:
    """The units of each letter in the database, by the name of the file it came from."""
    conn = open_db(db).conn
    letters = conn.execute("SELECT id, source FROM letters").fetchall()
    return {
        source: [
            u[0]
            for u in conn.execute("SELECT text FROM units WHERE letter_id = ? ORDER BY seq", [i])
        ]
        for i, source in letters
    }


# A stream of the sample PDF to damage: its first page content stream, its first embedded
# TrueType font (a font program has /Length1; damage there loses or changes characters).
STREAMS = {
    "content stream": rb"<<[^>]*/FlateDecode[^>]*>>\s*stream\r?\n",
    "embedded font": rb"<<[^>]*/Length1[^>]*>>\s*stream\r?\n",
}


def _damaged_sample(tmp_path: Path, stream: str) -> Path:
    """The sample PDF with one byte flipped in the middle of one compressed stream."""
    data = bytearray(GOOD_PDF.read_bytes())
    start = re.search(STREAMS[stream], data)
    assert start is not None
    end = data.find(b"endstream", start.end())
    data[(start.end() + end) // 2] ^= 0x55
    path = tmp_path / "damaged.pdf"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("stream", list(STREAMS))
def test_a_damaged_pdf_is_an_error_or_a_whole_letter(tmp_path: Path, stream: str) -> None:
    whole = [u.text for u in parse_letter(read_text(GOOD_PDF)).units]
    damaged = _damaged_sample(tmp_path, stream)
    conn = open_db(tmp_path / "d.db").conn
    try:
        ingest_file(conn, damaged, Classifier(enabled=False))
    except LettermineError:
        return
    stored = [r[0] for r in conn.execute("SELECT text FROM units ORDER BY seq")]
    assert stored == whole


def test_a_letter_flipped_in_an_uncompressed_text_string_is_stored_as_the_file_now_reads(
    tmp_path: Path,
) -> None:
    # A page's text in the clear, one byte flipped inside a string: the PDF is sound and says
    # "reflactive". No reader can tell it from a letter written so (a PDF holds no checksum
    # over its text); the promise is the file's text exactly: the letter written with the
    # flipped word, one unit different from the original, nothing lost.
    data = make_pdf(letter_pages())
    at = data.index(b"reflective") + 4
    flipped = data[:at] + bytes([data[at] ^ 0x04]) + data[at + 1 :]  # e -> a
    assert undetectable_part(data, flipped) == flipped  # undetectable by construction
    mutant = tmp_path / "flipped.pdf"
    mutant.write_bytes(flipped)
    conn = open_db(tmp_path / "d.db").conn
    ingest_file(conn, mutant, Classifier(enabled=False))
    stored = [r[0] for r in conn.execute("SELECT text FROM units ORDER BY seq")]
    pages = [[line.replace("reflective", "reflactive") for line in p] for p in letter_pages()]
    (written := tmp_path / "written.pdf").write_bytes(make_pdf(pages))
    assert stored == _units(written)
    (original := tmp_path / "original.pdf").write_bytes(data)
    changed = [(a, b) for a, b in zip(stored, _units(original), strict=True) if a != b]
    assert [b.replace("reflective", "reflactive") for _, b in changed] == [a for a, _ in changed]
    assert len(changed) == 1
