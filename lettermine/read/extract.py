"""File -> text: PDF (pypdfium2), DOCX and TXT, normalised, with page furniture removed.

The text read_text returns: one printed line per line; a blank line between paragraphs (in PDFs
from the vertical gaps between lines, in Word documents after every paragraph); pages separated
by a form feed, and a page whose first line starts a new paragraph begins with a blank line
("\f\n"), otherwise its first line continues the paragraph the page before ended with. Running
headers and footers, page numbers and footnotes are removed; bullets are all "◼", and the dashes
that mark sub-items keep their look (a Symbol-font dash, a long stroke U+0336 or a Word list's
second level becomes "–"; see read.lists); a word broken at a line-end hyphen is rejoined unless
the hyphen is part of the word.
"""

from __future__ import annotations

import ctypes
import re
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isal import isal_zlib  # zlib's inflate (same checks, same errors), 1.6 times as fast

from lettermine.errors import UnreadableLetter, UnsupportedFile
from lettermine.read.bounded import MAX_MEMORY as MAX_MEMORY  # the bounds, named here too
from lettermine.read.bounded import MAX_SECONDS, read_bounded
from lettermine.read.bounded import too_much as _too_much

SUFFIXES = (".pdf", ".docx", ".txt")
BULLET = "\u25fc"  # ◼, the glyph Ofsted letters use; every other bullet is mapped to it
SUB_BULLET = "\u2013"  # –, for sub-item dashes printed in a symbol font (see read.lists)

# Symbol-font dashes (U+F02D minus, U+F0BE horizontal bar) and a long stroke overlay starting a
# line mark sub-items: they must not become item bullets with the rest of U+F000-U+F0FF.
_SUB_DASHES = re.compile("[\uf02d\uf0be][ \t]*|(?<![^\n\f])[ \t]*\u0336[ \t]+")

_BULLETS = re.compile("[\u2022\u25aa\u25cf\u25a0\u25fe\u25e6\u2023\u2043\u25cb\u25b6\uf000-\uf0ff]")
_BULLET_GAP = re.compile(f"^([ \\f]*){BULLET}(?=\\S)", re.MULTILINE)
_SPACES = re.compile(r"  +")
_WORDS = re.compile(r"[A-Za-z]{2,}")
# pypdfium2 marks a line-end hyphen with U+FFFE and joins the two lines.
_HYPHEN_MARK = "\ufffe"
_MARK_RE = re.compile(_HYPHEN_MARK)
_WORD_BEFORE = re.compile(r"[A-Za-z]+$")
_WORD_AFTER = re.compile(r"\s*([A-Za-z]+)")
_LINE = re.compile(r"[^\r\n]+")
_FIRST_CHAR = re.compile("[A-Za-z0-9(\u2018\u201c\"'\u00a3$%]")
_NOT_SPACE = re.compile(r"\S")
_PAGE_NUMBER = re.compile(r"(page\s+)?\d{1,3}(\s+of\s+\d{1,3})?", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?:;][\"'\u2019\u201d)\]]*$")
# A footnote marker printed as a superscript at the end of a line ("improve?1", "area2").
_TRAILING_MARKER = re.compile(r"(?<=[A-Za-z?.:)\u2019])\d{1,2}$")

# Words that a line-end hyphen may split although the document never prints them whole. The
# document's own vocabulary is the main source; this only covers words seen once.
_KNOWN_WORDS = frozenset(
    """
    accommodation achievement additional appropriate appropriately arrangements assessment
    assessments authority commissioning communication consistently coordinated coordination
    development effectiveness establishment experienced experiences implementation improvement
    improvements independent information intervention interventions management manageable
    opportunities organisation particularly performance permanence placement placements
    practitioners professional professionals recommendation recommendations relationships
    representation requirements responsibilities responsibility restructuring safeguarding
    strengthened supervision sufficiency sufficient understanding underdeveloped unregistered
    """.split()
)

# Geometry thresholds, from the corpus: the body's line pitch is 1.2-1.4 font sizes and
# paragraphs are spaced at >= 1.4 pitches; running footers sit in the bottom 7% of the page.
_PARAGRAPH_GAP = 1.3  # a baseline step above this many line pitches starts a paragraph
_FOOTER_BAND = 0.075  # running header/footer lines (in small type) sit below this page height
_NUMBER_BAND = 0.1  # page numbers sit below this (or above 1 - this) share of the page height
_FOOTNOTE_BAND = 0.3  # footnotes sit in the bottom part of a page, below the body text
_SMALL = 0.9  # type smaller than this share of the body size is not body text

# Bounds on the work one document may cause, checked before the work is done, so that a small
# file built to exhaust the machine (a stream of zeros that inflates to gigabytes, a page tree of
# fifty thousand pages, a document.xml of hundreds of megabytes) is refused in a moment with a
# clear error. The largest corpus report has 55 pages, 136,129 characters and 2.5 MB of
# compressed streams once inflated (0.9 MB of images); these allow ten to twenty times as much.
MAX_PAGES = 500
MAX_CHARS = 2_000_000  # characters of text in a document
MAX_INFLATED = 32 * 2**20  # bytes of a PDF's compressed streams (images aside), inflated
MAX_DOCX_XML = 16 * 2**20  # bytes of any one XML part of a Word document, unpacked
MAX_DOCX_TOTAL = 64 * 2**20  # bytes of all its parts, unpacked
MAX_DOCX_PARTS = 5_000


# What no check made beforehand can bound is held in by reading PDF and Word files in a child
# process held to MAX_MEMORY and MAX_SECONDS (see read.bounded).
class _TooMuch(Exception):
    "A document that would take more than a letter's share of memory or time (the reason)"


class _Deadline:
    """Time spent reading one document, checked between pages."""

    def __init__(self, seconds: float = MAX_SECONDS) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise _TooMuch(f"reading it took more than {self.seconds:g} s")


def read_text(path: Path) -> str:
    """The normalised text of a letter file (see the module docstring for its shape)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnsupportedFile(
            f"{path.name}: unsupported file type '{suffix or 'none'}' (use .pdf, .docx or .txt)"
        )
    try:
        size = path.stat().st_size
    except OSError as e:
        raise UnreadableLetter(f"{path.name}: cannot be read ({e.strerror})") from None
    if size == 0:
        raise UnreadableLetter(f"{path.name}: empty file")
    if suffix == ".pdf":
        text = read_bounded(_pdf_text, path)
    elif suffix == ".docx":
        text = read_bounded(_docx_text, path)
    else:
        text = _txt_text(path)
    text = normalise(text)
    if sum(1 for _ in zip(range(20), _WORDS.finditer(text), strict=False)) < 20:
        raise UnreadableLetter(
            f"{path.name}: no readable text (a scanned document, or an empty one?)"
        )
    return text


def normalise(text: str) -> str:
    """NFKC, one kind of bullet and line end, line-end hyphens resolved, no trailing spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\uf02d" in text or "\uf0be" in text or "\u0336" in text:  # rare: skip the scan
        text = _SUB_DASHES.sub(f"{SUB_BULLET} ", text)
    text = _BULLETS.sub(BULLET, text)
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\t", " ")
    text = rejoin_hyphens(text)
    text = _SPACES.sub(" ", text)
    text = _BULLET_GAP.sub(f"\\1{BULLET} ", text)
    return "\n".join(line.rstrip(" ") for line in text.split("\n")).strip("\n ")


def rejoin_hyphens(text: str, known: frozenset[str] = _KNOWN_WORDS) -> str:
    """Resolve pypdfium2's line-end hyphen marks: join a split word, keep a compound's hyphen.

    A word is joined when the document prints it whole elsewhere (and never with the hyphen),
    or when it is in a small list of known words; otherwise the hyphen is real
    ("well-established", "COVID-19") and is kept.
    """
    if _HYPHEN_MARK not in text:
        return text
    plain = text.replace(_HYPHEN_MARK, " ").lower()
    seen: dict[str, bool] = {}

    def printed(word: str) -> bool:
        # A few plain scans per document: cheaper than counting every word of it.
        if word not in seen:
            seen[word] = _printed(plain, word)
        return seen[word]

    out: list[str] = []
    done = 0
    for m in _MARK_RE.finditer(text):
        out.append(text[done : m.start()])
        done = m.end()
        before = _WORD_BEFORE.search(text[max(0, m.start() - 40) : m.start()])
        after = _WORD_AFTER.match(text, m.end())
        if before is not None and after is not None:
            a, b = before.group(), after.group(1)
            whole = (a + b).lower()
            if not printed(f"{a}-{b}".lower()) and (whole in known or printed(whole)):
                out.append(b)  # a split word: the two halves meet
                done = after.end()
                continue
        out.append("-")
    out.append(text[done:])
    return "".join(out)


def _printed(text: str, word: str) -> bool:
    """Whether a lower-case text has the word standing on its own (not inside a longer word)."""
    at = text.find(word)
    while at >= 0:
        before = text[at - 1] if at else " "
        after = text[at + len(word) : at + len(word) + 2]
        joined = after[:1] == "-" and after[1:2].isalpha()
        if not (before.isalpha() or before == "-" or after[:1].isalpha() or joined):
            return True
        at = text.find(word, at + 1)
    return False


# ---------------------------------------------------------------------------------------------
# PDF


def _first_char(line: str) -> int:
    """Where a line's first letter or digit (else its first visible character) is; -1 if none."""
    m = _FIRST_CHAR.search(line) or _NOT_SPACE.search(line)
    return m.start() if m else -1


@dataclass(slots=True)
class _Line:
    """One printed line of a PDF page and where it sits."""

    page: int
    text: str
    start: int  # index of its first character in the page's text
    end: int  # index after its last non-space character
    y: float  # baseline of its first letter or digit
    y_end: float  # baseline of its last character (lower when pypdfium2 joined a hyphen break)
    size: float  # font size of its first letter or digit
    keep: bool = True


class _Page:
    """A PDF page's text, its lines and a cheap way to ask where a character sits."""

    def __init__(self, number: int, textpage: Any, height: float, bottom: float) -> None:
        import pypdfium2.raw as raw

        self.number = number
        self.textpage = textpage
        self.raw = raw
        self.height = height
        self.bottom = bottom
        self.text: str = textpage.get_text_range()
        # Character indices address the page's text only when every character is one code unit.
        self.geometry = len(self.text) == textpage.count_chars()
        self._x = ctypes.c_double()
        self._y = ctypes.c_double()

    def origin(self, index: int) -> tuple[float, float]:
        """The baseline origin (x, y) of a character."""
        self.raw.FPDFText_GetCharOrigin(self.textpage.raw, index, self._x, self._y)
        return self._x.value, self._y.value

    def size(self, index: int) -> float:
        """The font size of a character."""
        return float(self.raw.FPDFText_GetFontSize(self.textpage.raw, index))

    def weight(self, index: int) -> int:
        """The font weight of a character (400 regular, 700 bold; -1 if unknown)."""
        return int(self.raw.FPDFText_GetFontWeight(self.textpage.raw, index))

    def right(self, index: int) -> float:
        """The right edge of a character."""
        return float(self.textpage.get_charbox(index)[2])

    def left(self, index: int) -> float:
        """The left edge of a character."""
        return float(self.textpage.get_charbox(index)[0])

    def level(self, y: float) -> float:
        """How high on the page a baseline is, from 0 (bottom edge) to 1 (top edge)."""
        return (y - self.bottom) / self.height if self.height else 0.5

    def lines(self) -> list[_Line]:
        """The page's non-blank lines with their baselines and type size."""
        out: list[_Line] = []
        text, number, geometry = self.text, self.number, self.geometry
        for m in _LINE.finditer(text):
            line, start = m.group(), m.start()
            # The first letter or digit places the line (a bullet glyph may sit lower).
            first = 0 if line[0].isalnum() else _first_char(line)
            if first < 0:
                continue
            end = start + len(line.rstrip())
            if not geometry:
                out.append(_Line(number, line, start, end, 0.0, 0.0, 0.0))
                continue
            _, y = self.origin(start + first)
            size = self.size(start + first)
            if _HYPHEN_MARK in line:
                out.extend(self._split_joined(start, line, y, size))
            else:
                out.append(_Line(number, line, start, end, y, y, size))
        return out

    def _split_joined(self, start: int, text: str, y: float, size: float) -> Iterator[_Line]:
        """Split a line that pypdfium2 joined at a hyphen to text that is not the next line.

        At the foot of a page a hyphenated word may continue on the next page; pypdfium2 then
        joins it to whatever comes next on this page, such as a footnote.
        """
        begin, line_y, line_size = 0, y, size
        for m in re.finditer(_HYPHEN_MARK, text):
            k = m.end()
            if k >= len(text):
                break
            _, below = self.origin(start + k)
            step = line_y - below
            next_size = self.size(start + k)
            if 0.5 * line_size < step < 2.5 * line_size and abs(next_size - line_size) < 1:
                line_y = below  # the ordinary case: the word goes on on the next line
                continue
            yield _Line(self.number, text[begin:k], start + begin, start + k, y, line_y, size)
            begin, y, line_y, line_size = k, below, below, next_size
            size = next_size
        piece = text[begin:]
        end = start + begin + len(piece.rstrip())
        yield _Line(self.number, piece, start + begin, end, y, line_y, size)


def _pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    deadline = _Deadline()
    data = path.read_bytes()
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise UnreadableLetter(f"{path.name}: {_pdfium_reason(e)}") from None
    try:
        count = len(pdf)
        if count > MAX_PAGES:
            raise _TooMuch(f"{count:,} pages (lettermine reads up to {MAX_PAGES})")
        damage = _damage(data)
        if damage:
            raise UnreadableLetter(
                f"{path.name}: the PDF is damaged ({damage}, so text could be missing or wrong): "
                "download it again"
            )
        pages = []
        chars = 0
        for number in range(count):
            deadline.check()
            page = pdf[number]
            left, bottom, right, top = page.get_bbox()
            textpage = page.get_textpage()
            chars += textpage.count_chars()
            if chars > MAX_CHARS:
                raise _TooMuch(f"more than {MAX_CHARS:,} characters of text")
            pages.append(_Page(number, textpage, top - bottom, bottom))
        deadline.check()
        return _layout(pages)
    except pdfium.PdfiumError as e:
        raise UnreadableLetter(f"{path.name}: a page cannot be read ({e})") from None
    except _TooMuch as e:
        raise _too_much(path.name, str(e)) from None
    finally:
        pdf.close()


_LENGTH = re.compile(rb"/Length\s+(\d+)(?![\d.])(?!\s+\d+\s+R)")  # not /Length1, not 5 0 R
_FLATE = re.compile(rb"/Filter\s*(?:\[\s*)?/Fl(?:ateDecode)?(?![A-Za-z])")  # alone or first
_IMAGE = re.compile(rb"/Subtype\s*/Image(?![A-Za-z])")
_DICT_SPAN = 4096  # how far before `stream` to look for the start of its object
_HOLE = b"\0" * 16  # no PDF writer puts a run of NULs anywhere but inside a stream's data


def _damage(data: bytes) -> str | None:
    """What damage in the PDF pdfium would read past without a word, or None; _TooMuch if its
    streams inflate to more than MAX_INFLATED bytes (inflated a bounded piece at a time).

    pdfium reads what it can of a corrupt stream and says nothing: a damaged page content
    stream loses text, a damaged font program loses glyphs, a damaged object stream loses the
    objects after the damage. So every Flate stream but an image's (a damaged picture cannot
    lose text) is inflated to its end, which also verifies its Adler-32 checksum, with or
    without a /DecodeParms predictor. pdfium also reads NUL bytes as spaces, so a hole of
    zeros (a download or copy that failed part way) silently takes out the objects under it: a
    page's /Contents, a font's /ToUnicode map; and it loses an object that its cross-reference
    table misplaces. Together about 3 ms a report. A hole or a misplaced object where no text
    is (in the structure tree) is refused as well: which objects hold text is not told this
    cheaply. Damage that still parses (a flipped letter in a key such as /Contents) is beyond a
    check of this kind.
    """
    streams: list[tuple[int, int]] = []  # where the data of each stream begins and ends
    inflated = 0
    at = data.find(b"stream")
    while at >= 0:
        after = at + 6
        head = data[max(0, at - _DICT_SPAN) : at] if data[at - 3 : at] != b"end" else b""
        if head.rstrip().endswith(b">>"):  # the keyword after a dictionary, not in a string
            begin = after + (2 if data[after : after + 2] == b"\r\n" else 1)
            head = head[max(0, head.rfind(b" obj")) :]
            stop, end = _stream_span(data, head, begin)
            if _FLATE.search(head) and not _IMAGE.search(head):
                inflate = isal_zlib.decompressobj()
                try:
                    inflated += len(
                        inflate.decompress(data[begin:stop], MAX_INFLATED - inflated + 1)
                    )
                except isal_zlib.error:  # type: ignore[misc]  # (its stub: an instance)
                    return "a compressed page or font is corrupt"
                if inflated > MAX_INFLATED:
                    raise _TooMuch(
                        f"its compressed streams inflate to more than {MAX_INFLATED // 2**20} MB"
                    )
                if not inflate.eof:
                    return "a compressed page or font is cut short"
                end = max(end, stop - len(inflate.unused_data))  # past a /Length too short
            streams.append((begin, end))
            after = max(after, end)
        at = data.find(b"stream", after)
    if _hole(data, streams):
        return "part of it is blank (zero bytes)"
    if _misplaced_object(data):
        return "its cross-reference table is corrupt"
    return None


def _hole(data: bytes, streams: list[tuple[int, int]]) -> bool:
    """Whether a run of NUL bytes lies outside the data of every stream (in file order)."""
    at, i = data.find(_HOLE), 0
    while at >= 0:
        while i < len(streams) and streams[i][1] < at + len(_HOLE):
            i += 1
        if i == len(streams) or streams[i][0] > at:
            return True
        at = data.find(_HOLE, streams[i][1] - len(_HOLE) + 1)
    return False


_SUBSECTION = re.compile(rb"[ \t\r\n]*(\d+) (\d+)[ \t]*\r?\n")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])..", re.DOTALL)  # 20 bytes; pdfium reads 18


def _misplaced_object(data: bytes) -> bool:
    """Whether an object that a cross-reference table says is in use is not where it says,
    or an entry of the table is garbled.

    pdfium trusts the table: an object it does not find there (one digit of its offset
    flipped) is missing, a page or a font map with it. An entry that is not one makes it pass
    over the entry or rebuild the table from what it finds, and an object whose own bytes are
    damaged too is then lost or read another way (a font: other characters).
    """
    at = data.find(b"xref")
    while at >= 0:
        pos = at + 4
        if data[at - 5 : at] != b"start":
            while sub := _SUBSECTION.match(data, pos):
                first, count = int(sub[1]), int(sub[2])
                pos = sub.end() + 20 * count
                entries = list(_entries(data, sub.end(), first, count))
                if len(entries) < count:
                    return True  # a garbled entry: pdfium rebuilds or passes over the table
                for number, (offset, gen, kind) in entries:
                    if kind != b"n":
                        continue
                    header = b"%d %d obj" % (number, int(gen))
                    if data.startswith(header, int(offset)):
                        continue
                    # pdfium also finds an object a few blanks after its offset
                    if not data[int(offset) : int(offset) + 40].lstrip().startswith(header):
                        return True
        at = data.find(b"xref", pos)
    return False


def _entries(
    data: bytes, base: int, first: int, count: int
) -> Iterator[tuple[int, tuple[bytes, bytes, bytes]]]:
    """The entries of a cross-reference subsection with their object numbers, read as pdfium
    reads them: 20 bytes each, whatever their line ends hold; one that is not an entry is
    passed over."""
    entries = _ENTRY.findall(data, base, base + 20 * count)
    if len(entries) == count:
        yield from enumerate(entries, first)
        return
    for entry in _ENTRY.finditer(data, base, base + 20 * count):
        k, off_grid = divmod(entry.start() - base, 20)
        if not off_grid:
            yield first + k, (entry[1], entry[2], entry[3])


def _stream_span(data: bytes, head: bytes, begin: int) -> tuple[int, int]:
    """Where the data of the stream starting at begin ends as pdfium reads it, and where it
    ends as far as one can tell: at its /Length where `endstream` follows it; else (no direct
    length, a wrong one, or `endstream` damaged) pdfium reads on to the next `endstream`."""
    length = _LENGTH.search(head)
    declared = begin + int(length.group(1)) if length else len(data)
    if data[declared : declared + 32].lstrip().startswith(b"endstream"):
        return declared, declared
    stop = data.find(b"endstream", begin)
    stop = len(data) if stop < 0 else stop
    return stop, min(stop, declared)


def _pdfium_reason(error: Exception) -> str:
    """Why pypdfium2 could not open a PDF, in words a user can act on."""
    code = getattr(error, "err_code", None)
    if code == 4 or "password" in str(error).lower():
        return "the PDF is encrypted (password-protected): save an unprotected copy and retry"
    if code == 3:
        return "not a readable PDF (damaged, truncated or not a PDF at all)"
    return f"not a readable PDF ({error})"


def _layout(pages: list[_Page]) -> str:
    """The text of a PDF's pages with furniture removed and paragraphs marked by blank lines."""
    lines = [line for page in pages for line in page.lines()]
    body_size = _body_size(lines)
    _drop_furniture(pages, lines, body_size)
    _drop_footnotes(pages, lines, body_size)
    kept = [x for x in lines if x.keep]
    pitch = _line_pitch(kept)
    out: list[str] = []
    prev: _Line | None = None
    margin = _right_margin(pages, kept, body_size)
    for line in kept:
        text = _strip_marker(pages[line.page], line, body_size)
        if prev is None:
            out.append(text)
        elif prev.page != line.page:
            new = _starts_page_paragraph(pages, prev, line, margin)
            out.append(("\f\n" if new else "\f") + text)
        elif _paragraph_gap(prev, line, pitch):
            out.append("\n" + text)
        else:
            out.append(text)
        prev = line
    return "\n".join(out).replace("\n\f", "\f")


def _body_size(lines: list[_Line]) -> float:
    """The font size most of the text is set in."""
    sizes = Counter(round(x.size * 2) / 2 for x in lines if x.size > 0)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.strip().lower()))


def _drop_furniture(pages: list[_Page], lines: list[_Line], body_size: float) -> None:
    """Mark running headers, footers and page numbers.

    A footer line is set in small type at the foot of the page (pypdfium2 emits the footer
    first, so it sits at the top of the page's text); a page number is a bare number near the
    top or foot; a line repeated near the edge of most pages is furniture whatever its type.
    """
    edge: list[_Line] = []
    for line in lines:
        page = pages[line.page]
        if not page.geometry:
            edge.append(line)  # no geometry: any line may be furniture
            continue
        level = page.level(line.y)
        small = line.size < body_size * _SMALL
        if level < _FOOTER_BAND and small:
            line.keep = False
        elif small and line.text.strip().isdigit():
            line.keep = False  # a superscript footnote marker set on a line of its own
        elif level < _NUMBER_BAND or level > 1 - _NUMBER_BAND:
            edge.append(line)
    on_pages: dict[str, set[int]] = {}
    for line in edge:
        on_pages.setdefault(_furniture_key(line.text), set()).add(line.page)
    repeated = max(2, (len(pages) + 1) // 2)
    for line in edge:
        if _PAGE_NUMBER.fullmatch(line.text.strip()):
            line.keep = False
        elif len(pages) > 2 and len(on_pages[_furniture_key(line.text)]) >= repeated:
            line.keep = False


def _drop_footnotes(pages: list[_Page], lines: list[_Line], body_size: float) -> None:
    """Mark footnotes: lines in small type below the last line of body text on a page."""
    by_page: dict[int, list[_Line]] = {}
    for line in lines:
        if line.keep and pages[line.page].geometry and line.size > 0:
            by_page.setdefault(line.page, []).append(line)
    for number, page_lines in by_page.items():
        body = [x.y_end for x in page_lines if x.size >= body_size * _SMALL]
        if not body:
            continue
        lowest = min(body)
        for line in page_lines:
            small = line.size < body_size * _SMALL
            if small and line.y < lowest and pages[number].level(line.y) < _FOOTNOTE_BAND:
                line.keep = False


def _strip_marker(page: _Page, line: _Line, body_size: float) -> str:
    """The line's text without a superscript footnote marker at its end."""
    text = line.text.rstrip()
    if not text[-1:].isdigit():
        return text
    m = _TRAILING_MARKER.search(text)
    if m is None or not page.geometry:
        return text
    if page.size(line.start + m.start()) < line.size * 0.85:
        return text[: m.start()]
    return text


def _line_pitch(lines: list[_Line]) -> float:
    """The usual baseline step between lines, as a multiple of the font size."""
    steps = Counter(
        round((a.y_end - b.y) / b.size, 2)
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page and b.size > 0 and abs(a.size - b.size) < 0.5 and a.y_end > b.y
    )
    # The most common step; among equally common ones the smallest (a short page has few lines).
    return min(steps, key=lambda step: (-steps[step], step)) if steps else 1.2


def _paragraph_gap(prev: _Line, line: _Line, pitch: float) -> bool:
    """Whether the vertical step from one line to the next is more than a line's."""
    if line.size <= 0 or prev.size <= 0:
        return False
    step = prev.y_end - line.y
    size = max(prev.size, line.size)
    if abs(step) < 0.3 * size:
        return False  # the same printed line, emitted in two runs
    return step < 0 or step > _PARAGRAPH_GAP * pitch * size


def _right_margin(pages: list[_Page], lines: list[_Line], body_size: float) -> float:
    """Where full lines of body text end: the right edge of the longest lines."""
    body = [x for x in lines if pages[x.page].geometry and abs(x.size - body_size) < 0.5]
    longest = sorted(body, key=lambda x: x.end - x.start)[-30:]
    edges = [pages[x.page].right(x.end - 1) for x in longest if x.end > x.start]
    return statistics.quantiles(edges, n=10)[-1] if len(edges) >= 2 else 0.0


def _starts_page_paragraph(pages: list[_Page], prev: _Line, line: _Line, margin: float) -> bool:
    """Whether a page's first line starts a paragraph rather than going on with the last one."""
    first = line.text.lstrip()
    if _BULLETS.match(first) or first.startswith(BULLET):
        return True
    if prev.text.rstrip().endswith(_HYPHEN_MARK):
        return False
    here, before = pages[line.page], pages[prev.page]
    if not (here.geometry and before.geometry) or margin <= 0:
        return False
    if abs(prev.size - line.size) >= 1:
        return True  # a heading, or the end of a table
    begin = line.start + (len(line.text) - len(first))
    weights = before.weight(prev.end - 1), here.weight(begin)
    if min(weights) > 0 and abs(weights[0] - weights[1]) >= 200:
        return True  # a bold heading after plain text, or plain text after a heading
    if not _TERMINAL.search(prev.text.rstrip()):
        return False
    # The last line stopped short: had the paragraph gone on, the next word would have fitted.
    word = re.match(r"\S+", first)
    if word is None:
        return True
    width = here.right(begin + word.end() - 1) - here.left(begin)
    space = 0.3 * prev.size
    return before.right(prev.end - 1) + space + width < margin


# ---------------------------------------------------------------------------------------------
# DOCX and TXT


def _docx_text(path: Path) -> str:
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        _check_docx_size(path)
        document = Document(str(path))
    except _TooMuch as e:
        raise _too_much(path.name, str(e)) from None
    except (PackageNotFoundError, zipfile.BadZipFile, XMLSyntaxError) as e:
        # python-docx names the whole path in its message: the file name says enough.
        reason = "damaged, truncated or not a .docx" if not isinstance(e, XMLSyntaxError) else e
        raise UnreadableLetter(f"{path.name}: not a readable Word document ({reason})") from None
    except (KeyError, ValueError) as e:
        raise UnreadableLetter(f"{path.name}: not a readable Word document ({e})") from None
    body = document.element.body
    if body is None:
        raise UnreadableLetter(f"{path.name}: the Word document has no body")
    numbering = _DocxNumbering(document)
    deadline = _Deadline()
    blocks, chars = [], 0
    try:
        for child in body.iterchildren():
            block = _docx_block(document, child, numbering)
            chars += len(block)
            if chars > MAX_CHARS:
                raise _TooMuch(f"more than {MAX_CHARS:,} characters of text")
            if block:
                blocks.append(block)
            if len(blocks) % 256 == 0:
                deadline.check()
    except _TooMuch as e:
        raise _too_much(path.name, str(e)) from None
    return "\n\n".join(blocks)


def _check_docx_size(path: Path) -> None:
    """_TooMuch if the parts of a Word document unpack to more than a letter could need; the
    sizes are read from the zip's directory (zipfile never unpacks more than it declares)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # python-docx says what is wrong with it
    if len(parts) > MAX_DOCX_PARTS:
        raise _TooMuch(f"{len(parts):,} parts in the Word file")
    total = sum(p.file_size for p in parts)
    if total > MAX_DOCX_TOTAL:
        raise _TooMuch(f"its parts unpack to {total / 2**20:,.0f} MB")
    for part in parts:
        if part.filename.lower().endswith((".xml", ".rels")) and part.file_size > MAX_DOCX_XML:
            raise _TooMuch(f"{part.filename} unpacks to {part.file_size / 2**20:,.0f} MB")


def _docx_block(document: Any, element: Any, numbering: _DocxNumbering) -> str:
    """One body element of a Word document as text: a paragraph, or a table row by row."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    tag = element.tag.rsplit("}", 1)[-1]
    if tag == "p":
        return _docx_paragraph(Paragraph(element, document), numbering)
    if tag == "tbl":
        rows = Table(element, document).rows
        cells = (" ".join(c.text.strip() for c in row.cells if c.text.strip()) for row in rows)
        return "\n".join(c for c in cells if c)
    return ""


def _docx_paragraph(para: Any, numbering: _DocxNumbering) -> str:
    """A Word paragraph's text with the bullet or number Word draws before it, if any."""
    text = " ".join(para.text.split())
    if not text:
        return ""
    label = numbering.label(para)
    found = numbering.style(para)
    style = found.name if found is not None and found.name else ""
    if label is None and "List" in style:
        label = BULLET  # a list style without numbering of its own
    if label == BULLET and re.search(r"List Bullet [2-9]$", style):
        label = SUB_BULLET  # Word's second-level bullet style: a sub-item
    if label is None or _BULLETS.match(text):
        return text
    return f"{label} {text}"


class _DocxNumbering:
    """Word's list numbering: which paragraphs are numbered or bulleted, and their numbers.

    Word keeps list numbers out of the text (in numbering.xml); a report's numbered paragraphs
    need them, so decimal lists are counted here as Word would draw them.
    """

    def __init__(self, document: Any) -> None:
        self.formats: dict[tuple[str, str], tuple[str, int]] = {}
        self.counts: dict[tuple[str, str], int] = {}
        # python-docx looks a paragraph's style up among all the styles each time (a paragraph
        # without one: the default, found by a scan): 9 ms a paragraph. Once per style id.
        self.styles: dict[str | None, Any] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return  # no numbering part: no numbered lists
        for num in _xpath(root, "./w:num"):
            num_id = num.get(_qn("w:numId"))
            abstract = _xpath(num, "./w:abstractNumId/@w:val")
            path = f'./w:abstractNum[@w:abstractNumId="{abstract[0]}"]/w:lvl' if abstract else ""
            levels = _xpath(root, path) if path else []
            for level in levels:
                fmt = _xpath(level, "./w:numFmt/@w:val")
                start = _xpath(level, "./w:start/@w:val")
                self.formats[(num_id, level.get(_qn("w:ilvl")))] = (
                    fmt[0] if fmt else "bullet",
                    int(start[0]) if start and start[0].isdigit() else 1,
                )

    def style(self, para: Any) -> Any:
        """para.style, looked up once per style id."""
        key = para._p.style
        if key not in self.styles:
            self.styles[key] = para.style
        return self.styles[key]

    def label(self, para: Any) -> str | None:
        """ "N." for a paragraph of a decimal list, the bullet ("–" below the first level) for any
        other list, else None."""
        num_id, level = self._numbering(para)
        if num_id is None or num_id == "0":
            return None
        fmt, start = self.formats.get((num_id, level), ("bullet", 1))
        if fmt != "decimal":
            return BULLET if level == "0" else SUB_BULLET  # a second-level bullet: a sub-item
        key = (num_id, level)
        self.counts[key] = self.counts.get(key, start - 1) + 1
        for deeper in [k for k in self.counts if k[0] == num_id and k[1] > level]:
            del self.counts[deeper]  # a new item restarts the levels below it
        return f"{self.counts[key]}."

    def _numbering(self, para: Any) -> tuple[str | None, str]:
        """The paragraph's list (numId) and level, from the paragraph or else its styles."""
        sources = [para._p.pPr]
        style = self.style(para)
        while style is not None:
            sources.append(style.element.pPr)
            style = style.base_style
        for ppr in sources:
            if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
                ilvl = ppr.numPr.ilvl
                return str(ppr.numPr.numId.val), str(ilvl.val if ilvl is not None else 0)
        return None, "0"


def _xpath(element: Any, path: str) -> list[Any]:
    """An XPath query on WordprocessingML, whatever class lxml gave the element."""
    from docx.oxml.ns import nsmap
    from lxml import etree

    # python-docx's elements override xpath() without a namespaces argument: use lxml's own.
    return list(etree.XPath(path, namespaces={"w": nsmap["w"]})(element))


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def _txt_text(path: Path) -> str:
    data = path.read_bytes()
    head = data[:4096]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if b"\x00" in head or controls > len(head) // 20:
        raise UnreadableLetter(f"{path.name}: binary data, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UnreadableLetter(
            f"{path.name}: not valid UTF-8 text (bad byte at offset {e.start}); save it as UTF-8"
        ) from None
    if len(text) > MAX_CHARS:
        raise _too_much(path.name, f"more than {MAX_CHARS:,} characters of text")
    return drop_page_furniture(text) if "\f" in text else text


def drop_page_furniture(text: str, edge: int = 3) -> str:
    """Remove running headers, footers and page numbers from text paged with form feeds.

    Without geometry, furniture is a line near the top or foot of a page (within `edge` lines)
    that is a bare page number or recurs, digits aside, on at least half of the pages.
    """
    pages = [page.split("\n") for page in text.split("\f")]
    if len(pages) < 3:
        return text
    on_pages: dict[str, set[int]] = {}
    for number, lines in enumerate(pages):
        for index in _edge_lines(lines, edge):
            on_pages.setdefault(_furniture_key(lines[index]), set()).add(number)
    repeated = (len(pages) + 1) // 2
    out = []
    for lines in pages:
        drop = {
            i
            for i in _edge_lines(lines, edge)
            if _PAGE_NUMBER.fullmatch(lines[i].strip())
            or len(on_pages[_furniture_key(lines[i])]) >= repeated
        }
        out.append("\n".join(x for i, x in enumerate(lines) if i not in drop))
    return "\f".join(out)


def _edge_lines(lines: list[str], edge: int) -> list[int]:
    """Indexes of the first and last few non-blank lines of a page."""
    filled = [i for i, x in enumerate(lines) if x.strip()]
    return sorted(set(filled[:edge] + filled[-edge:]))
