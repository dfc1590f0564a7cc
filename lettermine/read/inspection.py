"""Text -> Letter for inspection reports: ILACS (2018 on) and SIF (2013-2017, with re-inspections).

Pure: no database, no spaCy. The text is extract.read_text's (a blank line between paragraphs, a
form feed between pages, "\f\n" where a page starts a paragraph), or any text with a blank line
between paragraphs. What cannot be read becomes a warning on the Letter; nothing is guessed.

Units: the areas for improvement under "What needs to improve?" and the findings (every
numbered paragraph of an ILACS judgement section). A SIF report's judgements and units are read
by read/sif.py, and the reports of the frameworks before SIF by read/legacy.py, from the blocks
and metadata this module reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from lettermine.authorities import AUTHORITIES, canonical_authority
from lettermine.dates import parse_date, parse_range
from lettermine.read.editorial import is_editorial_note
from lettermine.read.lists import join_item, opens_sub_item
from lettermine.records import Letter, Unit

BULLET = "\u25fc"
_APOS = "['\u2019]"
_GRADE = r"outstanding|good|requires?\s+improvement(?:\s+to\s+be\s+good)?|inadequate"
_GRADE_ONLY = re.compile(rf"^(?:{_GRADE})\.?$", re.IGNORECASE)
_ENDS_WITH_GRADE = re.compile(rf"(?:{_GRADE})\s*$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?$", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\d{1,3}\.$")
_NUMBERED = re.compile(r"^(\d{1,3})\.(?!\d)\s*(?:\.\s+)?(?=\S)")
_DASH_CHARS = "\u2212\u2013\u2014\u2022o-"
_DASH_ITEM = re.compile(f"^[{_DASH_CHARS}]\\s+")
_TERMINAL = re.compile(r"[.!?:;][\"'\u2019\u201d)\]]*$")
_FOOTNOTE_MARK = re.compile(r"(?<=[A-Za-z?:.)])\d{1,2}$")

# The back of every report: Ofsted's boilerplate, then its address.
_BACK_MATTER = re.compile(
    r"^(The Office for Standards in Education|If you would like a copy of this document|"
    r"You may reuse this information|This (?:report|publication) is available at|"
    r"Interested in our work|Piccadilly Gate|\u00a9 Crown copyright|"
    r"What the inspection judge?ments mean|Information about this inspection)",
    re.IGNORECASE,
)
_AFI_HEADING = re.compile(r"^what needs to improve(?:\s+in this local authority)?\s*[?:]?$", re.I)
# ILACS judgement sections: "The experiences and progress of children in care: good".
_ILACS_SECTION = re.compile(
    rf"^(?P<name>(?:the )?(?:experiences? and progress of|impact of leaders on) .+?)"
    rf"(?:\s+(?:is|are))?\s*:?\s*(?P<grade>{_GRADE})\s*\.?$",
    re.IGNORECASE,
)
_ILACS_SECTION_NAME = re.compile(
    r"^(?:the )?(?:experiences? and progress of|impact of leaders on) ", re.IGNORECASE
)
# SIF judgement sections and sub-judgements.
_SIF_SECTION = re.compile(
    r"^(?P<name>the experiences? and progress of children (?:who need help and protection|"
    r"looked after and achieving permanence)|leadership, management and governance)"
    rf"(?:\s+(?:is|are))?(?:\s*:?\s*(?P<grade>{_GRADE}))?\.?$",
    re.IGNORECASE,
)
_SIF_NOT_FINDING = re.compile(
    r"^(summary|inspection findings.*|key judgement judgement grade|key judgement.*grade|"
    r"\(recommendation\))$",
    re.IGNORECASE,
)

# Page-1 judgement table rows: label patterns, in the order the codes are tried.
_JUDGEMENT_LABELS: tuple[tuple[str, str], ...] = (
    ("impact_of_leaders", r"the impact of leaders on (?:social work )?practice with children"
                          r" and families"),
    ("help_and_protection", r"children who need help and protection"),
    ("in_care_and_care_leavers", r"children in care and care leavers"),
    ("in_care", r"children in care(?! and)"),
    ("in_care", r"children looked after and achieving permanence"),
    ("adoption", r"adoption performance"),
    ("care_leavers", r"(?<!children in care and )(?:experiences? and progress of )?"
                     r"care leavers(?! and)"),
    ("impact_of_leaders", r"leadership, management and governance"),
    ("lscb", r"local safeguarding children board(?: \(lscb\))?(?: is)?"),
    ("overall_effectiveness", r"overall effectiveness|the overall judgement is"),
)  # fmt: skip


@dataclass
class _Block:
    """A paragraph as printed: its lines, and the page it starts on."""

    lines: list[str]
    page: int

    @cached_property
    def text(self) -> str:
        """The paragraph's lines joined as a reader reads them (read once the block is built)."""
        return join_lines(self.lines)

    @property
    def first(self) -> str:
        return self.lines[0]


def parse_report(text: str, kind: str) -> Letter:
    """Parse an ILACS or SIF inspection report's text into a Letter."""
    letter = Letter(kind=kind)
    blocks = _blocks(text)
    if not blocks:
        letter.warnings.append("no text to read")
        return letter
    _read_metadata(blocks, letter)
    if kind == "sif":
        from lettermine.read.sif import sif_judgements, sif_units

        letter.judgements = sif_judgements(blocks)
        letter.units = sif_units(blocks)
    else:
        letter.judgements = _judgements(blocks)
        letter.units = _ilacs_units(blocks)
    _warn_missing(letter)
    return letter


# ---------------------------------------------------------------------------------------------
# Blocks and text


def join_lines(lines: Iterable[str]) -> str:
    """Lines joined with single spaces; a word broken at a line-end hyphen or slash stays whole."""
    pieces: list[str] = []
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            continue
        last = pieces[-1] if pieces else ""
        if last[-1:] in "-/" and last[-2:-1].isalnum() and line[:1].isalnum():
            pieces[-1] = last + line  # "decision-" + "making" across a page; "child protection/"
        else:
            pieces.append(line)
    return " ".join(pieces)


def _blocks(text: str) -> list[_Block]:
    """Paragraphs: split at blank lines, bullets and numbered paragraphs; joined across pages."""
    blocks: list[_Block] = []
    current: _Block | None = None
    marker = ""  # a bullet or paragraph number printed on a line of its own, waiting for its text
    new = True  # the next line starts a paragraph
    for number, page in enumerate(text.replace("\r\n", "\n").split("\f")):
        lines = page.split("\n")
        # A page goes on with the paragraph before unless a blank line ends the page before
        # (text from other tools) or starts this one (extract.read_text's "\f\n").
        new = new or current is None or not lines[0].strip() or _heads_page(lines, current)
        for raw in lines:
            line = raw.strip()
            if not line:
                new = True
                continue
            if new and len(line) <= 2 and line.isdigit():
                continue  # a footnote marker left on a line of its own
            head = line[0]
            if number > 0 and head in _FURNITURE_STARTS and _is_furniture(line):
                continue  # text that did not come through extract.read_text may still carry it
            bare = head.isdigit() and line[-1] == "." and bool(_BARE_NUMBER.match(line))
            if line == BULLET or (bare and _may_start(new, current)):
                marker, new = line, True  # set apart from its text, as some extractors do
                continue
            if marker == BULLET and not _NUMBERED.match(line):
                line = f"{BULLET} {line}"  # a stray glyph before a numbered paragraph is dropped
            elif marker and marker != BULLET:
                line = f"{marker} {line}"
            marker = ""
            if current is None or new or _starts_item(line, current):
                current = _Block([line], number)
                blocks.append(current)
            else:
                current.lines.append(line)
            new = False
    # An editorial note printed as a paragraph of its own ("All names are pseudonyms").
    return [b for b in blocks if len(b.lines) > 3 or not is_editorial_note(b.text)]


# Headings a report prints at the top of a page, which extractors may run on from the paragraph
# that ended the page before.
_PAGE_HEADING = re.compile(
    r"^(?:recommendations|areas for improvement|priority and immediate action|executive summary|"
    r"what (?:does|do) .{2,60} need to improve\??|what needs to improve.{0,40}|"
    r"summary for children and young people|inspection findings.{0,80}|"
    r"the local safeguarding children board(?: \(lscb\))?|the experiences? and progress of.*|"
    r"leadership, management and governance.*)$",
    re.IGNORECASE,
)


def _heads_page(lines: list[str], current: _Block | None) -> bool:
    """Whether a page's first line is a heading although nothing marked a paragraph break: the
    page before ended a sentence, and the line is one of the headings reports print, or a short
    line with no closing punctuation set apart from what follows (a sub-heading)."""
    if current is None or not _TERMINAL.search(current.lines[-1]):
        return False
    first = lines[0].strip()
    if _PAGE_HEADING.match(first):
        return True
    alone = len(lines) == 1 or not lines[1].strip()
    return alone and len(first) <= 80 and first[:1].isupper() and not _CLOSES.search(first)


_CLOSES = re.compile(r"[.!?:;,)\]\"'’”]$")


_RUNNING_TITLE = re.compile(
    rf"^Inspection of .{{2,150}}? (?:local authority )?children{_APOS}s services$", re.IGNORECASE
)
_DATE = r"\d{1,2}(?:st|nd|rd|th)? [A-Z][a-z]+"
_RUNNING_DATES = re.compile(
    r"^(?:\d{1,2}(?:st|nd|rd|th)?(?: [A-Z][a-z]+)?(?: \d{4})? ?(?:to|-|\u2013) ?)?"
    rf"{_DATE} \d{{4}}\.?(?: \d{{1,3}})?$"
)


_FURNITURE_STARTS = frozenset("IPp0123456789")


def _is_furniture(line: str) -> bool:
    """A running header or a page number that reached the text."""
    return _is_running_header(line) or bool(_PAGE_NUMBER.match(line))


def _is_running_header(line: str) -> bool:
    """The running header of an ILACS report: its title, or its dates and a page number."""
    if line.startswith("Inspection of"):
        return bool(_RUNNING_TITLE.match(line))
    return line[:1].isdigit() and bool(_RUNNING_DATES.match(line))


def _may_start(new: bool, current: _Block | None) -> bool:
    """Whether a numbered paragraph may start here: after a gap, a sentence, a graded heading or a
    heading of a list ("Recommendations")."""
    if new or current is None:
        return True
    last = current.lines[-1]
    if _TERMINAL.search(last) or _ENDS_WITH_GRADE.search(last):
        return True
    return len(current.lines) == 1 and bool(_PAGE_HEADING.match(last))


def _starts_item(line: str, current: _Block) -> bool:
    """Whether a line starts a bullet or a numbered paragraph inside a run of lines."""
    if line.startswith(BULLET):
        return True
    last = current.lines[-1]
    if len(line) < 40 and _SIF_NOT_FINDING.match(line):
        return True  # "Summary" set close to the heading above
    if len(last) < 40 and _SIF_NOT_FINDING.match(last):
        return True  # ... or to the paragraph below
    # A numbered paragraph after a sentence, or after a heading ending with its grade.
    return line[0].isdigit() and bool(_NUMBERED.match(line)) and _may_start(False, current)


def _plain(block: _Block) -> str:
    """A heading's text: joined, without a footnote marker ("What needs to improve?1")."""
    return _FOOTNOTE_MARK.sub("", block.text).strip()


def _is_short(block: _Block, limit: int = 160) -> bool:
    """Short enough to be a heading or a table row rather than a paragraph of prose."""
    return len(block.lines) <= 3 and len(block.text) <= limit


def _item_text(text: str) -> str:
    """A unit's text: its bullet or number removed."""
    text = re.sub(f"^{BULLET}\\s*", "", text)
    text = _NUMBERED.sub("", text, count=1)
    return text.strip()


def _list_item_text(lines: list[str]) -> str:
    """A bulleted item's text with the dashed sub-items under it joined in as read.lists joins
    them."""
    lead: list[str] = []
    subs: list[list[str]] = []
    prev: str | None = None
    for line in lines:
        if lead and opens_sub_item(line, prev, in_sub_list=bool(subs)):
            subs.append([line])
        elif subs:
            subs[-1].append(line)
        else:
            lead.append(line)
        prev = line
    own = _item_text(join_lines(_strip_markers(lead)))
    return join_item(own, [join_lines(sub) for sub in subs])


def _strip_markers(lines: list[str]) -> list[str]:
    """Lines with the bullet or dash of a sub-item removed."""
    out = []
    for line in lines:
        if line[:1] == BULLET:
            line = line[1:].lstrip()
        if line[:1] in _DASH_CHARS:
            line = _DASH_ITEM.sub("", line)
        out.append(line)
    return out


# ---------------------------------------------------------------------------------------------
# Metadata


def _front(blocks: list[_Block]) -> str:
    """The text of the first page (the title block and the judgement table), flattened."""
    first = [b.text for b in blocks if b.page == 0] or [blocks[0].text]
    return " ".join(first)[:4000]


def _read_metadata(blocks: list[_Block], letter: Letter) -> None:
    """Title, council, inspection dates, publication date (if printed) and inspectors."""
    front = _front(blocks)
    letter.title, letter.local_authority = _title(front)
    letter.authority = _known_authority(letter.local_authority)
    m = re.search(r"Inspection dates?\s*:?\s*(.{0,80})", front, re.IGNORECASE)
    if m:
        letter.inspection_start, letter.inspection_end = parse_range(m.group(1))
    m = re.search(r"Report published\s*:?\s*(.{0,40})", front, re.IGNORECASE)
    if m:
        letter.published = parse_date(m.group(1))
    lead, names = _inspectors(blocks, front)
    letter.lead_inspector = lead
    letter.inspectors = names


def _title(front: str) -> tuple[str | None, str | None]:
    """The report's title and the council's name as printed in it."""
    cs = rf"children{_APOS}s"
    patterns = (
        # "Barnsley Inspection of children's social care services" (2018-2019)
        rf"^(?P<la>.{{2,120}}?)\s+(?P<title>Inspection of (?:local authority )?{cs}"
        r"(?: social care)? services)",
        # "Inspection of Dorset local authority children's services" (2020 on)
        rf"^(?P<title>Inspection of (?P<la>.+?)\s+(?:local authority\s+)?{cs}\s+services)",
        # SIF: "Bedford Borough Inspection of services for children in need of help and ..."
        r"^(?P<la>.{2,120}?)\s+(?P<title>(?:Re-)?inspection of services for children in need"
        r" of help and protection, children looked after and care leavers)",
        # "Inspection of Bradford Children and Families Trust Inspection dates: ..."
        r"^(?P<title>Inspection of (?P<la>.{2,120}?))\s+Inspection dates?\b",
    )
    for pattern in patterns:
        m = re.search(pattern, front, re.IGNORECASE)
        if m:
            la = re.sub(r"\s+", " ", m.group("la")).strip(" ,")
            return re.sub(r"\s+", " ", m.group("title")).strip(), la or None
    return None, None


def _known_authority(printed: str | None) -> str | None:
    """The canonical council for a printed name, also when it is inside a longer name."""
    if not printed:
        return None
    known = canonical_authority(printed)
    if known:
        return known
    # "Bradford Children and Families Trust", "Bristol City of": the longest council named.
    lowered = f" {printed.lower().replace(chr(0x2019), chr(39))} "
    found = [a for a in AUTHORITIES if f" {a.lower()} " in lowered]
    return max(found, key=len) if found else None


_WORD = r"[A-Z][A-Za-z\u00c0-\u017f'\u2019-]+"
_NAME = rf"{_WORD}(?:\s+(?:[A-Z]\.?\s+)?{_WORD}){{1,3}}"  # "Fiona J Millns": a middle initial
_TITLE_WORDS = re.compile(
    rf"\b(?:senior\s+)?(?:his|her)\s+majesty{_APOS}s\s+inspectors?|\bsenior\s+hmi\b|\bhmi\b|"
    r"\bofsted inspector\b",
    re.IGNORECASE,
)


_ROLE = re.compile(
    r"(?<![A-Za-z])(?P<role>Lead inspectors?|Deputy lead inspectors?|Team inspectors?|"
    r"Shadow inspectors?|Supernumerary inspectors?|Quality assurance manager|Senior data analyst|"
    r"Judgement\b|Inspection dates?|Report published)\s*:?",
)
_TEAM_ROLES = ("lead inspector", "deputy lead inspector", "team inspector")


def _inspectors(blocks: list[_Block], front: str) -> tuple[str | None, list[str]]:
    """The lead inspector and every inspector named (lead, deputy lead, team), lead first."""
    roles = _role_names(front)
    if not roles.get("lead inspector"):
        team = " ".join(b.text for b in blocks if _ROLE.match(b.first))
        roles = _role_names(team)
    lead = roles.get("lead inspector", [])
    names: list[str] = []
    for role in _TEAM_ROLES:
        names.extend(n for n in roles.get(role, []) if n not in names)
    return (lead[0] if lead else None), names


def _role_names(text: str) -> dict[str, list[str]]:
    """The names printed after each "<role>:" label, up to the next label."""
    marks = list(_ROLE.finditer(text))
    out: dict[str, list[str]] = {}
    for m, nxt in zip(marks, [*marks[1:], None], strict=False):
        role = m.group("role").lower().rstrip("s")
        if role not in _TEAM_ROLES or role in out:
            continue
        segment = text[m.end() : nxt.start() if nxt else len(text)][:400]
        out[role] = _names(segment)
    return out


def _names(segment: str) -> list[str]:
    """Personal names in a list such as "A B, His Majesty's Inspector, and C D HMI"."""
    cleaned = _TITLE_WORDS.sub(",", segment)
    cleaned = re.sub(r"\((?:OI|HMI)\)", ",", cleaned)
    names = []
    for piece in re.split(r",|\band\b|;", cleaned):
        name = re.sub(r"\s+", " ", piece).strip(" .,")
        if re.fullmatch(_NAME, name):
            names.append(name)
    return names


# ---------------------------------------------------------------------------------------------
# Judgements


def _grade(text: str) -> str:
    """A printed grade as one of records.GRADES."""
    grade = re.sub(r"\s+", " ", text.lower())
    return "requires improvement" if grade.startswith("require") else grade


def _judgements(blocks: list[_Block]) -> dict[str, str]:
    """The graded judgements of the page-1 table, read by pattern (its columns interleave)."""
    # The table's rows are short paragraphs of the first page; the summary's prose may name a
    # judgement and a grade in one sentence, so it is left out.
    rows = [b.text for b in blocks if b.page == 0 and _is_short(b, 200)]
    front = " ".join(rows)
    judgements: dict[str, str] = {}
    for code, label in _JUDGEMENT_LABELS:
        if code in judgements:
            continue
        m = re.search(
            rf"(?:\d(?:\.\d)?\.?\s+)?(?:the experiences? and progress of\s+)?(?:{label})\.?\s*"
            rf"(?:is|are)?\s*:?\s*"
            rf"(?:that it is\s+)?(?P<grade>{_GRADE})\b",
            front,
            re.IGNORECASE,
        )
        if m:
            judgements[code] = _grade(m.group("grade"))
    if "in_care_and_care_leavers" in judgements:
        judgements.pop("in_care", None)
        judgements.pop("care_leavers", None)
    return judgements


# ---------------------------------------------------------------------------------------------
# ILACS units


def _ilacs_units(blocks: list[_Block]) -> list[Unit]:
    """The areas for improvement under "What needs to improve?", then the findings."""
    units: list[Unit] = []
    start = next((i for i, b in enumerate(blocks) if _is_afi_heading(b)), None)
    if start is not None:
        units.extend(_bullet_list(blocks, start + 1, "area_for_improvement"))
    first_page_end = next((i for i, b in enumerate(blocks) if b.page > 0), len(blocks))
    units.extend(_ilacs_findings(blocks, start if start is not None else first_page_end))
    return units


def _is_afi_heading(block: _Block) -> bool:
    return _is_short(block, 80) and bool(_AFI_HEADING.match(_plain(block)))


def _bullet_list(blocks: list[_Block], i: int, kind: str) -> list[Unit]:
    """The bulleted items from blocks[i] on, sub-items and page-split pieces joined to theirs."""
    items: list[list[str]] = []
    for block in blocks[i:]:
        if block.first.startswith(BULLET):
            items.append(list(block.lines))
        elif items and _DASH_ITEM.match(block.first):
            items[-1].extend(block.lines)  # a dash sub-item belongs to the item above
        elif items and block.first[:1].islower() and not _is_heading(block):
            items[-1].extend(block.lines)  # the item went on over a page break
        else:
            break
    return [Unit(kind=kind, text=_list_item_text(x)) for x in items]


def _is_heading(block: _Block) -> bool:
    """A section heading, whatever the report."""
    text = _plain(block)
    return _is_short(block) and bool(
        _ILACS_SECTION.match(text) or _SIF_SECTION.match(text) or _AFI_HEADING.match(text)
    )


def _section_heading(blocks: list[_Block], i: int) -> tuple[str, int] | None:
    """An ILACS judgement section's name if blocks[i] is its heading, and the blocks it takes."""
    block = blocks[i]
    if not _is_short(block, 200):
        return None
    text = _plain(block)
    m = _ILACS_SECTION.match(text)
    if m:
        return _section_name(m.group("name")), 1
    # The grade printed on its own line after the heading.
    nxt = blocks[i + 1] if i + 1 < len(blocks) else None
    if _ILACS_SECTION_NAME.match(text) and nxt is not None and _GRADE_ONLY.match(_plain(nxt)):
        return _section_name(text), 2
    return None


def _section_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" :.")
    return re.sub(r"\s+(?:is|are)$", "", name)


def _ilacs_findings(blocks: list[_Block], start: int) -> list[Unit]:
    """Every numbered paragraph of the judgement sections, with its section and number."""
    units: list[Unit] = []
    section: str | None = None
    current: list[str] | None = None
    number: int | None = None
    i = start
    while i < len(blocks):
        block = blocks[i]
        heading = _section_heading(blocks, i)
        if heading is not None:
            _flush(units, section, number, current)
            section, current = heading[0], None
            i += heading[1]
            continue
        if _BACK_MATTER.match(block.first):
            break
        m = _NUMBERED.match(block.first)
        if section is not None and m:
            _flush(units, section, number, current)
            number, current = int(m.group(1)), list(block.lines)
        elif current is not None:
            current.extend(block.lines)  # a page-split piece, or a list inside the paragraph
        i += 1
    _flush(units, section, number, current)
    return units


def _flush(
    units: list[Unit], section: str | None, number: int | None, lines: list[str] | None
) -> None:
    if section is None or not lines:
        return
    text = _item_text(join_lines(_strip_markers(lines)))
    units.append(Unit(kind="finding", text=text, section=section, number=number))


def _warn_missing(letter: Letter) -> None:
    kinds = {u.kind for u in letter.units if u.subject == "local_authority"}
    if "area_for_improvement" not in kinds:
        letter.warnings.append("no areas for improvement found")
    if "finding" not in kinds:
        letter.warnings.append("no findings found (judgement sections not recognised)")
    if not letter.judgements:
        letter.warnings.append("no judgement grades found")
    if letter.inspection_start is None:
        letter.warnings.append("no inspection dates found")
