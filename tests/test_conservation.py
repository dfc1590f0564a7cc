"""Nothing printed in a list is lost: the conservation invariant, over every corpus PDF.

Every word printed between an areas-for-improvement or priority-action heading and the next
heading ends up in a unit (an area for improvement or priority action, or the group it is
printed under), and the list units hold no word more often than those sections print them. The
sections are found here from the printed text alone, independently of the parsers: a list
heading opens one (in a report without one, "Recommendations"); the next heading closes it (a
heading of the sections that follow a list in any of the five families, such as a SIF report's
"The local authority's strengths" or "Inspection findings - the LSCB", an unlisted short heading
followed by prose, or the heading above a 2009-2013 report's "Grade 3 (Adequate)" line). A
heading printed directly over a bullet or numbered item belongs to the list (its group), unless
it only ever opens another part of the report (strengths, findings, judgements, a summary) or
carries a grade. Not counted, as not list items: page furniture (bare numbers), a table's
header row, a statement that there is nothing to list ("There are no areas for priority
action"), an editorial note about the text ("All names are pseudonyms": furniture, which no unit
may hold either), and the introduction before the first item: a paragraph ending with ":" or
announcing "the following ..." (numbered, in a report that numbers every paragraph, only when
it ends as a sentence: a numbered item ending with ":" leads its sub-items).

Each PDF is read once per test session; without the corpus the corpus tests skip.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_letter, corpus_text

from lettermine.read.editorial import is_editorial_note
from lettermine.records import Letter

FAMILIES = ("ilacs", "sif", "focused", "jtai", "send")
BULLET = "\u25fc"

_LIST_HEADING = re.compile(
    r"^(?:what needs to improve\b.*|areas? for (?:further |continued )?improvements?|"
    r"areas? (?:for|of) priority actions?|(?:areas? for )?priority and immediate actions?|"
    r"what (?:does|do) .{3,60} need to improve\b.*)$"
)
_IMPROVEMENT_LIST = re.compile(r"^(?:what needs to improve\b.*|areas? for improvements?)$")
# Headings that follow a list in some family's layout, matched against the whole line.
_NEXT_HEADING = re.compile(
    r"^(?:(?:the )?experiences? and progress of .*|(?:the )?impact of leaders on .*|"
    r"leadership, management and governance.*|"
    r"(?:section 2: )?(?:the effectiveness of )?the local safeguarding children board"
    r"(?: \(lscb\))? (?:is|requires) .*|"
    r"summary(?: for children and young people)?|information about this .*|"
    r"(?:key |main |headline |other )?(?:findings?|strengths?)|overview|next steps|"
    r"(?:case|practice) study\b.*|evaluation of progress|findings and evaluation of progress|"
    r"local area partnership details|what is (?:it|the) .*|what does the (?:local )?area .*|"
    r"inspection judge?ments?(?: about .*)?|recommendations?|the local authority|"
    r"areas? for improvement|"
    r"key strengths and weaknesses.*|inspection findings\b.*|"
    r"(?:the )?(?:local authority|lscb|board)(?:'s| has the following) strengths|"
    r"areas? (?:for|of) priority actions?|what needs to improve\b.*|"
    r"(?:areas? for )?priority and immediate actions?|what (?:does|do) .{3,60} need to improve.*|"
    r"yours sincerely|the office for standards in education.*)$"
)
# Headings that never head a list's items, even when a bullet or numbered paragraph follows.
_ENDS_A_LIST = re.compile(
    r"strengths?\b|findings?\b|judge?ments?\b|summary\b|information about|"
    r"local safeguarding children board|^(?:the )?lscb\b|overview|next steps|"
    r"^what is (?:it|the)\b|^what does the (?:local )?area\b|local area partnership details|"
    f"{_LIST_HEADING.pattern}|^recommendations?$"
)
_GRADED = re.compile(r"\b(?:outstanding|good|adequate|inadequate|requires? improvement)\b")
# The grade printed below a judgement's heading in the 2009-2013 reports ("Grade 3 (Adequate)").
_GRADE_LINE = re.compile(r"^grade\s*\d\b")
# A table's header row, wherever a page repeats it.
_TABLE_HEADER = re.compile(
    r"^(?:responsible bod(?:y|ies)(?: areas? for priority actions?)?|areas? for improvement)$",
    re.IGNORECASE,
)
# A statement that there is nothing (new) to list.
_NOTHING_TO_LIST = re.compile(
    r"^(?:(?:there (?:are|were|is) no|the inspection did not (?:find|identify) any) "
    r"(?:areas? (?:for|of) )?(?:priority|immediate)\b|"
    r"the areas? for improvement (?:continue to be|remain|are) (?:those|the same)\b)",
    re.IGNORECASE,
)
# The letter's end: its closing paragraphs, signature and copy list.
_CLOSING = re.compile(
    r"^(?:(?:ofsted|we) will (?:take|use|consider|continue)|yours? (?:sincerely|faithfully)|"
    r"i am copying this letter|this letter will be published|cc:?\s)",
    re.IGNORECASE,
)
# Ofsted's letterhead, which a PDF may print anywhere on the first page.
_LETTERHEAD = re.compile(
    r"^(?:piccadilly gate|store street|agora|6 cumberland place|aviation house|clive house|"
    r"manchester|london|nottingham|ofsted|t:? ?0300 ?123 ?1231|textphone.*|"
    r"(?:e: )?enquiries@ofsted\.gov\.uk|(?:w: )?www\.gov\.uk/ofsted|(?:manchester,? )?m1 2wd|"
    r"[a-z]{1,2}\d{1,2}[a-z]? \d[a-z]{2}|\d{3,4})$",
    re.IGNORECASE,
)
# An editorial note about the letter's own text, printed as a paragraph of its own.
_EDITORIAL_NOTE = re.compile(
    r"^\(?(?:(?:all|the) )?(?:children\W?s )?names(?: of [a-z ]{3,40}?)?(?: used)?"
    r"(?: in this (?:case|practice) study)? (?:are|have been) (?:pseudonyms|changed|anonymi[sz]ed)"
    r"(?: to protect [a-z\u2019' ]{3,60})?[.)]*$|"
    r"^this (?:case|practice) study has been anonymi[sz]ed\.?$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^\d{1,3}\.\s")  # SIF numbers its paragraphs through the report
_TERMINAL = re.compile(r"[.!?:;]['\"\u2019\u201d)]*$")
_WORD = re.compile(r"[a-z]+")


def words(text: str) -> Counter[str]:
    """The words of a text, lower-cased; numbers (page numbers, footnote marks) aside."""
    return Counter(_WORD.findall(text.lower().replace("\u2019", "'").replace("'", "")))


def _key(line: str) -> str:
    line = re.sub(r"(?<=[a-z?:])\d{1,2}$", "", line.strip())  # a footnote mark
    return re.sub(r"\s+", " ", line.lower().replace("\u2019", "'")).strip(" ?:.")


def _is_short_heading(line: str) -> bool:
    text = line.strip()
    return (
        0 < len(text) <= 90
        and text[:1].isupper()
        and not re.search(r"[.,;:]$", text)
        and not text.startswith(BULLET)
    )


@dataclass
class Section:
    heading: str
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def list_sections(text: str, kind: str = "") -> list[Section]:
    """The text under each list heading, up to the next heading (see the module docstring).

    A box ("Case study: ...") set in the middle of an item's sentence interrupts the section;
    it resumes at the paragraph that finishes the sentence. In a focused or monitoring visit
    letter, an improvement heading after the letter's list heads findings about weaknesses.
    """
    lines = [x.strip() for x in re.split(r"[\n\f]", text)]
    # A report without an improvement list has its recommendations as that list.
    opens = _LIST_HEADING
    if not any(
        _IMPROVEMENT_LIST.match(_key(x)) and _is_short_heading(x.rstrip("?:")) for x in lines
    ):
        opens = re.compile(f"{_LIST_HEADING.pattern}|^recommendations$")
    sections: list[Section] = []
    current: Section | None = None
    suspended: Section | None = None
    for i, line in enumerate(lines):
        key = _key(line)
        contents = re.search(r"\s\d{1,3}$", line)  # a line of the contents page
        if opens.match(key) and _is_short_heading(line.rstrip("?:")) and not contents:
            moved = _moved_list(lines, i)
            if moved is not None:  # the heading printed away from its list
                sections.append(Section(line, moved))
                current, suspended = None, None
                continue
            if kind in ("focused_visit", "monitoring_visit") and _closed(sections, current):
                current, suspended = None, None
                continue
            current, suspended = Section(line, []), None
            sections.append(current)
            continue
        if current is None:
            resumes = re.match(r"^[a-z][a-z'\u2019-]*,? [a-z]", line)
            if suspended is not None and resumes and i and not lines[i - 1]:
                current, suspended = suspended, None
                current.lines.append("")
            else:
                continue
        if _LETTERHEAD.match(line):
            continue
        if _GRADE_LINE.match(key):
            # "Grade 3 (Adequate)": the heading printed above it opens a graded section.
            while current.lines and not current.lines[-1]:
                current.lines.pop()
            while current.lines and current.lines[-1]:
                current.lines.pop()
            current, suspended = None, None
            continue
        if _CLOSING.match(line) or (
            _is_short_heading(line.rstrip("?:"))
            and (_NEXT_HEADING.match(key) or _heads_prose(lines, i))
            and not _heads_items(lines, i)
        ):
            last = next((x for x in reversed(current.lines) if x), "")
            suspended = current if re.search(r"[a-z]$", last) else None
            current = None
            continue
        current.lines.append(line)
    return sections


def _number(line: str) -> int | None:
    m = re.match(r"^(\d{1,3})\.\s", line)
    return int(m.group(1)) if m else None


def _moved_list(lines: list[str], i: int) -> list[str] | None:
    """The list of a heading printed out of its place: a list heading among the board's
    numbered findings (the finding above it numbered N-1, the one below it N). Its items are
    then the numbered paragraphs printed without a heading just above the board's findings
    heading, counting up to it, back no further than the board's section heading."""
    below = _number(next((x for x in lines[i + 1 :] if x), ""))
    above = next((j for j in range(i - 1, -1, -1) if _number(lines[j]) is not None), None)
    if below is None or above is None or _number(lines[above]) != below - 1:
        return None
    head = next((j for j in range(above, -1, -1) if _BOARD_FINDINGS.match(_key(lines[j]))), None)
    if head is None:
        return None
    first = next((_number(x) for x in lines[head + 1 :] if _number(x) is not None), None)
    start, j, expected = None, head, (first or 0) - 1
    while True:
        found = None
        for k in range(j - 1, -1, -1):
            if _FINDINGS_END.match(_key(lines[k])):
                break  # the board's section heading: no further back
            if _number(lines[k]) == expected:
                found = k
                break
        if found is None:
            break
        start, j, expected = found, found, expected - 1
    return lines[start:head] if start is not None else None


def _closed(sections: list[Section], current: Section | None) -> bool:
    """Whether a list section has been read and closed (another heading came after it)."""
    return any(x.lines for x in sections) and current is None


def _heads_items(lines: list[str], i: int) -> bool:
    """A sub-heading inside a list: the next line printed is one of the list's items (a bullet
    or a numbered paragraph), and the heading is not one that only ever opens another part of
    the report (strengths, findings, judgements, a summary) nor a judgement with its grade.
    SIF reports group their items under the names of judgement sections ("Leadership,
    management and governance")."""
    key = _key(lines[i])
    if _ENDS_A_LIST.search(key) or _GRADED.search(key):
        return False
    after = next((x for x in lines[i + 1 :] if x), "")
    return after.startswith(BULLET) or bool(_NUMBERED.match(after))


def _heads_prose(lines: list[str], i: int) -> bool:
    """An unlisted heading: a short line, set apart from what follows, between a finished
    sentence and a paragraph of prose."""
    if len(lines[i]) > 70 or (i + 1 < len(lines) and lines[i + 1]):
        return False
    before = next((x for x in reversed(lines[:i]) if x), "")
    if before and not _TERMINAL.search(before) and not _LIST_HEADING.match(_key(before)):
        return False
    after: list[str] = []
    for line in lines[i + 1 :]:
        if not line and after:
            break
        if line:
            if line.startswith(BULLET) or (
                not after and (_is_short_heading(line) and len(line) <= 70 or _NUMBERED.match(line))
            ):
                return False  # a sub-heading over the list's items, not a heading of prose
            after.append(line)
    return len(" ".join(after)) > 150


def not_items(section: Section) -> Counter[str]:
    """Words of the section that are not list items: headers, 'none' statements, and the
    introduction before the first item (a paragraph ending with ":" or announcing "the
    following ..."; in a report that numbers every paragraph, a numbered one that ends as a
    sentence). A paragraph runs to a blank line or to the next bullet or numbered line."""
    out: Counter[str] = Counter()
    paragraphs: list[list[str]] = [[]]
    for line in section.lines:
        if re.fullmatch(r"\d{1,3}", line):
            continue  # a page number
        if not line:
            paragraphs.append([])
        elif _is_item(line):
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    paragraphs = [p for p in paragraphs if p]
    seen_item = False
    for i, para in enumerate(paragraphs):
        header = [x for x in para if _TABLE_HEADER.match(x)]
        out += words(" ".join(header))
        text = " ".join(x for x in para if x not in header)
        if not text:
            continue
        item = _is_item(text)
        items_follow = any(_is_item(p[0]) for p in paragraphs[i + 1 :])
        nothing = _NOTHING_TO_LIST.match(re.sub(rf"^{BULLET}\s*", "", text))
        if nothing or _EDITORIAL_NOTE.match(text):
            out += words(text)
        elif not seen_item and items_follow and _introduces(text, item):
            out += words(text)  # the introduction to the list
        else:
            seen_item = seen_item or item
    return out


def editorial_notes(section: Section) -> Counter[str]:
    """Words of the section's editorial notes (a paragraph of its own), which no unit holds."""
    out: Counter[str] = Counter()
    for paragraph in re.split(r"\n\s*\n", section.text):
        if _EDITORIAL_NOTE.match(" ".join(paragraph.split())):
            out += words(paragraph)
    return out


def _is_item(line: str) -> bool:
    return line.startswith(BULLET) or bool(_NUMBERED.match(line))


def _introduces(text: str, numbered: bool) -> bool:
    """A paragraph that introduces a list rather than being one of its items."""
    if text.startswith(BULLET):
        return False
    announces = bool(re.search(r"\bthe following\b", text, re.IGNORECASE))
    if numbered:  # a numbered lead-in ending with ":" is an item with sub-items
        return announces and text.endswith(".")
    return announces or text.endswith(":")


def lost_and_extra(text: str, letter: Letter) -> tuple[Counter[str], Counter[str]]:
    """Words printed in the list sections that no list unit holds; words the list units hold
    more often than the list sections print them."""
    listed = [u for u in letter.units if u.kind in ("area_for_improvement", "priority_action")]
    held: Counter[str] = Counter()
    for unit in listed:
        held += words(unit.text)
    groups: Counter[str] = Counter()
    for unit in listed:
        groups += words(unit.group or "")
    printed: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    for section in list_sections(text, letter.kind):
        printed += words(section.text)
        skipped += not_items(section)
        notes += editorial_notes(section)
    lost = printed - skipped - held - groups
    extra = held - (printed - notes)
    return lost, extra


# --- Findings: every word printed in the findings sections is in a unit, or furniture -----------

# Page furniture a findings section may carry between its paragraphs: Ofsted's letterhead and
# contact lines, a bare telephone number, a date on a line of its own, page numbers, copyright.
_FURNITURE_LINE = re.compile(
    r"^(?:piccadilly gate|store st(?:reet)?|agora|6 cumberland place|aviation house|"
    r"125 kingsway|clive house|70 petty france|manchester|london|nottingham|ofsted|"
    r"(?:t|tel|telephone|textphone)\b:?\s*(?:\+?[\d ]{10,16})?|"
    r"(?:e:?\s*)?[\w.-]+@[\w.-]+\.[a-z]{2,}|(?:w:?\s*)?(?:https?://)?www\.\S+|"
    r"\+?\(?0\d{2,4}\)?[ \d]{6,12}|[a-z]{1,2}\d{1,2}[a-z]? ?\d[a-z]{2}|"
    r"\d{1,2}(?:st|nd|rd|th)? (?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december) \d{4}|(?:page )?\d{1,3}(?: of \d{1,3})?|"
    r"(?:\u00a9|\(c\)) crown copyright.*)\.?$",
    re.IGNORECASE,
)
# Furniture no stored unit may hold: a telephone number, an e-mail address, a web address, a date
# or page number standing alone, a table's caption.
_FURNITURE_IN_UNIT = re.compile(
    r"\b0\d{3,4} ?\d{3} ?\d{3,4}\b|\b[\w.-]+@[\w-]+\.[\w.]+|https?://|\bwww\.|"
    r"^\s*(?:\d{1,2} [A-Z][a-z]+ \d{4}|(?:page )?\d{1,3})\.?\s*$|"
    r"^the graded judge?ment (?:for|about|on) [^.]{3,80}\.?$|"
    r"(?-i:\b[A-Z]{1,2}\d{1,2}[A-Z]? \d[A-Z]{2}\b)",  # a postcode: an address
    re.IGNORECASE,
)
_F = r"(?:the )?(?:experiences? and progress of|impact of leaders on)\b"
# Where the findings sections begin, per kind of letter: the first findings heading printed as a
# heading (not a line of a contents page or a judgement table).
_FINDINGS_START = {
    "focused_visit": re.compile(
        r"^(?:(?:headline|main|key|summary of) findings?|findings|overview|"
        r"(?:findings and )?evaluation of progress|areas? of strengths?|(?:key )?strengths)$"
    ),
    "jtai": re.compile(
        r"^(?:(?:headline|main|key) findings?|findings|(?:key |multi-agency )?strengths|overview)$"
    ),
    "area_send": re.compile(r"^what is it like to be a child\b.*"),
    "ilacs": re.compile(rf"^{_F}.*:.*"),
    "sif": re.compile(
        r"^(?:the )?experiences? and progress of children who need help and protection\b.*"
    ),
}
# Where they end: the letter's closing, or the back matter of a report.
_FINDINGS_END = re.compile(
    r"^(?:(?:ofsted|we) will (?:take|use|consider|continue)|yours? (?:sincerely|faithfully)|"
    r"i am copying this letter|this letter will be published|cc:?\s|"
    r"local area partnership details|information about this (?:inspection|local authority area)|"
    r"annex\b.*|what the inspection judge?ments mean\b.*|the local authority|"
    r"summary for children and young people|"
    r"the office for standards in education.*|piccadilly gate|next steps|"
    r"(?:the )?local safeguarding children board(?: \(lscb\))?|"
    r"review of the effectiveness of the (?:local safeguarding children board|lscb)\b.*)$",
)
# Where a report's findings about the board begin again, after its summary and recommendations.
_BOARD_FINDINGS = re.compile(
    r"^(?:inspection findings\b.*(?:board|lscb).*|inspection judge?ments? about the .{2,60}|"
    r"key strengths and weaknesses of the .{2,60})$"
)
_CAPTION = re.compile(r"^the graded judge?ment (?:for|about|on) [^.]{3,80}\.?$", re.IGNORECASE)


_DATE_LINE = re.compile(
    r"^\d{1,2} (?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december) \d{4}$",
    re.IGNORECASE,
)
# The addressee block's last line, its postcode (with what the PDF ran on after it).
_ADDRESS_END = re.compile(r"^[A-Z]{1,2}\d{1,2}[A-Z]? ?\d[A-Z]{2}(.*)$")


def findings_regions(text: str, kind: str) -> list[list[str]]:
    """The lines of the letter's findings sections (see the section's comment)."""
    lines = [x.strip() for x in re.split(r"[\n\f]", text)]
    if kind == "pre_sif":
        return _graded_regions(lines)
    start = _FINDINGS_START.get(kind)
    if start is None:
        return []
    regions: list[list[str]] = []
    current: list[str] | None = None
    board = False
    head, skip_to = -1, 0  # the last letterhead line; the addressee block's last line
    # An ILACS report's judgement table repeats the headings before its list; its findings
    # begin at the first judgement heading after "What needs to improve".
    improve = next((i for i, x in enumerate(lines) if _LIST_HEADING.match(_key(x))), None)
    for i, line in enumerate(lines):
        key = _key(line)
        joined = _key(" ".join(lines[i : i + 3]))
        if any(re.search(r"\s\d{1,3}$", x) for x in lines[i : i + 3]):
            joined = ""  # a line of a contents page
        if current is None:
            heading = _is_short_heading(line) and not re.search(r"\s\d{1,3}$", line)
            after_list = kind == "ilacs" and improve is not None and i > improve
            if after_list and re.match(_F, key) and not regions:
                current = []
                regions.append(current)
            elif (
                (heading or kind == "ilacs")
                and (
                    start.match(key)
                    or (kind in ("ilacs", "sif") and start.match(joined) and re.match(_F, key))
                )
                and not regions
            ):
                current = []
                regions.append(current)
            elif board and _BOARD_FINDINGS.match(key):
                current = []
                regions.append(current)
            continue
        if i < skip_to:
            continue  # the addressee's name and address
        if i == skip_to and skip_to:
            line = _ADDRESS_END.match(line).group(1)  # what the PDF ran on after the postcode
        if kind not in ("ilacs", "sif") and _LETTERHEAD.match(line):
            current.append(line)  # a letter's letterhead, printed where the PDF put it
            head = i
            continue
        if _DATE_LINE.match(line) and all(not x for x in lines[head + 1 : i]) and head >= 0:
            # The letter's date under its letterhead, then the addressee block to its postcode.
            ahead = range(i + 1, min(i + 9, len(lines)))
            end = next((j for j in ahead if _ADDRESS_END.match(lines[j])), None)
            if end is not None:
                skip_to = end
            current.append(line)
            continue
        ends = _FINDINGS_END.match(key) and not line.endswith(".")  # not prose's last line
        if ends or _CLOSING.match(line):
            board = board or "safeguarding children board" in key or "lscb" in key
            if _is_contents(current):
                regions.remove(current)  # a contents page's lines, not the section
            current = None
            continue
        current.append(line)
    return regions


def _graded_regions(lines: list[str]) -> list[list[str]]:
    """A 2009-2013 report's findings: from the heading over its first grade ("Overall
    effectiveness of services ...", then "Grade 3 (Adequate)"), its lines back to the sentence
    above it, up to the "Record of main findings" table."""
    grade = next((i for i, x in enumerate(lines) if _GRADE_LINE.match(_key(x))), None)
    if grade is None:
        return []
    first = grade - 1
    while first > 0 and not lines[first]:
        first -= 1  # the blank line between the heading and its grade
    while first > 0 and lines[first - 1] and not _TERMINAL.search(lines[first - 1]):
        first -= 1  # the heading's first line: the line above it ends a sentence or is blank
    region: list[str] = []
    for line in lines[first:]:
        if re.match(r"^record of main findings$", _key(line)) or _CLOSING.match(line):
            break
        region.append(line)
    return [region]


def _is_contents(region: list[str]) -> bool:
    """Lines of a contents page: no sentence, and a page number (alone, or after a title)."""
    if any(_TERMINAL.search(x) for x in region):
        return False
    return any(re.search(r"(?:^|\s)\d{1,3}$", x) for x in region)


def findings_paragraphs(text: str, kind: str) -> list[tuple[bool, str]]:
    """Each paragraph of the findings sections, and whether it is content (not furniture nor a
    heading). A paragraph runs to a blank line; furniture lines inside one are set aside."""
    out: list[tuple[bool, str]] = []
    for region in findings_regions(text, kind):
        for paragraph in "\n".join(region).split("\n\n"):
            kept = []
            for line in paragraph.split("\n"):
                if _FURNITURE_LINE.match(line.strip()):
                    out.append((False, line))
                elif line.strip():
                    kept.append(line.strip())
            for k in (3, 2, 1):  # a heading printed with no gap above the paragraph it heads
                head = " ".join(kept[:k])
                if len(kept) > k and (_is_heading_key(_key(head)) or _GRADE_TAIL.match(head)):
                    out.append((False, " ".join(kept[:k])))
                    kept = kept[k:]
                    break
            # A heading printed with no gap below the paragraph above it ("... recent." then
            # "Inspection findings"): the extractor set no blank line between them.
            if len(kept) > 1 and _SENTENCE_END.search(kept[-2]):
                tail = kept[-1]
                if not _SENTENCE_END.search(tail) and _is_heading_key(_key(tail)):
                    out.append((False, tail))
                    kept = kept[:-1]
            para = " ".join(kept)
            for marker in _MARKER.findall(para):  # "(Recommendation)": a cross-reference mark
                out.append((False, marker))
            para = _MARKER.sub("", para).strip()
            if not para:
                continue
            lead = _GRADED_LEAD.match(para)
            if lead:  # the judgement's grade, stated as the summary's first sentence
                out.append((False, lead.group(0)))
                para = para[lead.end() :]
            heading = len(para) <= 160 and (
                not _SENTENCE_END.search(re.sub(r"\d+$", "", para)) or _is_heading_key(_key(para))
            )
            heading = heading or bool(_GRADE_TAIL.match(para))
            furniture = is_editorial_note(para) or _CAPTION.match(para) or _PROCEDURAL.search(para)
            out.append((not (heading or furniture), para))
    # A lead-in ending with ":" above a list is part of the list, not a finding of its own.
    for i, (is_content, para) in enumerate(out[:-1]):
        if is_content and para.endswith(":") and out[i + 1][1].startswith(BULLET):
            out[i] = (False, para)
    return out


# The letter's procedural request, which closes its findings ("... submit an action plan ...").
_PROCEDURAL = re.compile(
    r"\b(?:submit|prepare|produce|provide)\s+(?:an?|your|its)\s+(?:written\s+)?"
    r"(?:action\s+plan|statement\s+of\s+action)",
    re.IGNORECASE,
)


_GRADED_LEAD = re.compile(
    r"^(?:the experiences? and progress of .{5,90}?|leadership, management and governance|"
    r"adoption performance)\s+(?:is|are)\s*:?\s*(?:outstanding|good|inadequate|"
    r"requires?\s+improvement(?:\s+to\s+be\s+good)?)\.\s+",
    re.IGNORECASE,
)


def _is_heading_key(key: str) -> bool:
    return bool(
        _LIST_HEADING.match(key)
        or _NEXT_HEADING.match(key)
        or any(x.match(key) for x in _FINDINGS_START.values())
        or re.match(rf"^{_F}.{{5,120}}:\s*{_GRADE_WORDS}$", key)
    )


# The end of a judgement heading wrapped onto a line of its own ("protection: inadequate").
_GRADE_TAIL = re.compile(
    r"^[\w ,'\u2019-]{0,100}?:?\s*(?:(?:is|are)\s+)?(?:outstanding|good|inadequate|"
    r"requires?\s+improvement(?:\s+to\s+be\s+good)?)\.?$",
    re.IGNORECASE,
)
_GRADE_WORDS = r"(?:outstanding|good|inadequate|requires? improvement(?: to be good)?)"
_MARKER = re.compile(r"\(recommendations?\)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!:;][)'\u2019\u201d]*$")


def findings_words(text: str, kind: str) -> tuple[Counter[str], Counter[str]]:
    """Words of the findings sections' paragraphs, and of their furniture and headings."""
    content: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for is_content, para in findings_paragraphs(text, kind):
        if is_content:
            content += words(para)
        else:
            other += words(para)
    return content, other


def findings_lost_and_extra(
    text: str, letter: Letter
) -> tuple[Counter[str], Counter[str], list[str]]:
    """Words printed in the findings sections that no unit holds; words the units hold more
    often than the letter prints them outside its furniture; and units that hold furniture."""
    held: Counter[str] = Counter()
    for unit in letter.units:
        held += words(unit.text)
    groups: Counter[str] = Counter()  # a group printed beside each of its items
    for unit in letter.units:
        groups += words(unit.group or "")
    for group in {unit.group for unit in letter.units if unit.group}:
        held += words(group)
    content, other = findings_words(text, letter.kind)
    skipped: Counter[str] = Counter()
    for section in list_sections(text, letter.kind):
        skipped += not_items(section)
    lost = content - skipped - held - groups
    extra = held - words(text)
    furnished = [u.text for u in letter.units if _FURNITURE_IN_UNIT.search(u.text)]
    return lost, extra, furnished


# --- The checker itself, on invented text ---------------------------------------------------------

INVENTED = """What needs to improve?

\u25fc The quality of plans for children in care, including:

\u2013 the timeliness of reviews; and

\u2013 the voice of the child.

\u25fc Management oversight of casework.

The experiences and progress of children who need help and protection: good

1. Children receive a timely response.
"""


def test_the_checker_finds_a_lost_sub_item() -> None:
    whole = parse_letter_units(
        [
            "The quality of plans for children in care, including: the timeliness of reviews; and "
            "the voice of the child.",
            "Management oversight of casework.",
        ]  # fmt: skip
    )
    lost, extra = lost_and_extra(INVENTED, whole)
    assert not lost and not extra
    cut = parse_letter_units(
        [
            "The quality of plans for children in care, including:",
            "Management oversight of casework.",
        ]  # fmt: skip
    )
    lost, _ = lost_and_extra(INVENTED, cut)
    assert lost == words("the timeliness of reviews and the voice of the child")


def test_the_checker_finds_a_unit_read_twice() -> None:
    twice = parse_letter_units(["Management oversight of casework."] * 2)
    _, extra = lost_and_extra(INVENTED, twice)
    assert extra == words("Management oversight casework")  # "of" is printed four times


def test_a_lead_in_and_a_none_statement_are_not_items() -> None:
    text = (
        "Areas for priority action\n\nThere are no areas for priority action\n\n"
        "Areas for improvement\n\nThe partnership should act on the following:\n\n"
        "\u25fc Health visitors should share information.\n\nKey strengths\n\n\u25fc Good work.\n"
    )
    lost, _ = lost_and_extra(
        text, parse_letter_units(["Health visitors should share information."])
    )
    assert not lost


def test_an_editorial_note_is_furniture_that_no_unit_may_hold() -> None:
    text = (
        "Areas for improvement\n\n\u25fc Health visitors should share information.\n\n"
        "All names are pseudonyms.\n\n\u25fc Schools should refer promptly.\n\n"
        "Key strengths\n\n\u25fc Good work.\n"
    )
    items = ["Health visitors should share information.", "Schools should refer promptly."]
    assert lost_and_extra(text, parse_letter_units(items)) == (Counter(), Counter())
    held = parse_letter_units([items[0] + " All names are pseudonyms.", items[1]])
    assert lost_and_extra(text, held) == (Counter(), words("All names are pseudonyms"))


SIF_LIKE = """What does the local authority need to improve?

Areas for improvement

The following recommendations are those that inspectors considered to be priorities.

Leadership, management and governance

12. Ensure that plans are reviewed:

\u25fc when circumstances change

\u25fc at least every six months.

Care leavers

13. Improve the take-up of advocacy by care leavers.

The local authority\u2019s strengths

14. Children are seen promptly by social workers.
"""


def test_a_heading_over_items_is_part_of_the_list_and_strengths_end_it() -> None:
    read = parse_letter_units(
        [
            "Ensure that plans are reviewed: when circumstances change; at least every six months.",
            "Improve the take-up of advocacy by care leavers.",
        ],
        groups=["Leadership, management and governance", "Care leavers"],
    )
    assert lost_and_extra(SIF_LIKE, read) == (Counter(), Counter())
    # The item under a sub-heading named like a judgement section is still checked.
    cut = parse_letter_units(
        ["Improve the take-up of advocacy by care leavers."], groups=["Care leavers"]
    )
    lost, _ = lost_and_extra(SIF_LIKE, cut)
    assert lost == words("Leadership management and governance Ensure that plans are reviewed when "
                         "circumstances change at least every six months")  # fmt: skip
    # A numbered first item ending with ":" is an item, not an introduction.
    lead_lost = parse_letter_units(
        ["when circumstances change; at least every six months.",
         "Improve the take-up of advocacy by care leavers."],
        groups=["Leadership, management and governance", "Care leavers"],
    )  # fmt: skip
    assert lost_and_extra(SIF_LIKE, lead_lost)[0] == words("Ensure that plans are reviewed")
    # The strengths after the list are not part of it.
    strengths = parse_letter_units(["Children are seen promptly by social workers."])
    assert lost_and_extra(SIF_LIKE, strengths)[1] == words("Children seen promptly social workers")


def test_a_graded_heading_ends_the_list_of_a_report_before_2013() -> None:
    text = (
        "Areas for improvement\n\n22. In order to improve services, the local authority should "
        "take the following action.\n\nImmediately:\n\n\u25fc improve supervision\n\n"
        "Within three months:\n\n\u25fc improve plans.\n\nOutcomes for looked after children "
        "and young\npeople\n\nGrade 3 (Adequate)\n\n23. Health outcomes have improved.\n"
    )
    read = parse_letter_units(
        ["improve supervision", "improve plans."], groups=["Immediately", "Within three months"]
    )
    assert lost_and_extra(text, read) == (Counter(), Counter())
    lost, _ = lost_and_extra(text, parse_letter_units(["improve supervision"]))
    assert lost == words("improve plans Within three months")


BOARD_MOVED = """The Local Safeguarding Children Board (LSCB)

Executive summary

The board knows its partners well.
50. Widen the board's data set.

51. Check that training changes practice.

Inspection findings \u2013 the Local Safeguarding Children Board

52. The chair challenges partners openly.

Recommendations

53. Partners attend the board regularly.
"""


def test_a_list_heading_among_the_boards_findings_heads_the_numbered_run_above_them() -> None:
    (section,) = list_sections(BOARD_MOVED, "sif")
    assert words(section.text) == words(
        "50. Widen the board's data set. 51. Check that training changes practice."
    )
    read = parse_letter_units(
        ["Widen the board's data set.", "Check that training changes practice."]
    )
    assert lost_and_extra(BOARD_MOVED, read) == (Counter(), Counter())
    as_printed = parse_letter_units(["Partners attend regularly."])
    assert lost_and_extra(BOARD_MOVED, as_printed)[0] == words(
        "Widen the board's data set Check that training changes practice"
    )


def test_a_heading_printed_with_no_gap_below_a_paragraph_is_not_a_finding() -> None:
    text = (
        "The experiences and progress of children who need help and protection\n\n"
        "Early help reaches families quickly and the work is checked.\nInspection findings\n\n"
        "1. Referrals are answered within a day.\n\nThe local authority\n"
    )
    paragraphs = findings_paragraphs(text, "sif")
    assert (False, "Inspection findings") in paragraphs
    assert (True, "Early help reaches families quickly and the work is checked.") in paragraphs
    # A paragraph whose last line ends a sentence keeps that line.
    ends = text.replace("Inspection findings", "Findings are shared.")
    assert (False, "Findings are shared.") not in findings_paragraphs(ends, "sif")


@pytest.mark.parametrize(
    "heading", ["The Local Safeguarding Children Board (LSCB)", "Local Safeguarding Children Board"]
)
def test_the_boards_summary_is_outside_the_findings_however_its_heading_is_printed(
    heading: str,
) -> None:
    text = (
        "The experiences and progress of children who need help and protection\n\n"
        "1. Referrals are answered within a day.\n\n"
        f"{heading}\n\nSummary of findings\n\nThe LSCB requires improvement because:\n\n"
        "\u25fc The board has not yet checked the work of schools.\n\n"
        "Inspection judgement about the LSCB\n\n2. The board meets every month.\n"
    )
    content, _ = findings_words(text, "sif")
    assert content == words(
        "1. Referrals are answered within a day. 2. The board meets every month."
    )


def test_a_wrapped_contents_line_does_not_take_the_place_of_the_findings() -> None:
    # The contents page prints the heading over two lines and its page number apart.
    text = (
        "Contents\n\nThe experiences and progress of children who need help and\nprotection\n\n"
        "10\n\nInformation about this inspection 28\fThe local authority\n\nSummary\n\n"
        "The council has acted on what the last inspection found.\n\f"
        "The experiences and progress of\nchildren who need help and\nprotection\n"
        "Requires improvement\n\n1. Referrals are answered within a day.\n\n"
        "Information about this inspection\n\nInspectors read case files.\n"
    )
    content, _ = findings_words(text, "sif")
    assert content == words("1. Referrals are answered within a day.")


def test_a_report_before_2013_has_its_findings_from_its_first_graded_heading() -> None:
    text = (
        "Contents\n\nOverall effectiveness of services 4\n\fService information\n\n"
        "9. The council looks after 600 children.\nOverall effectiveness of services for looked\n"
        "after children\n\nGrade 3 (Adequate)\n\n10. Services are adequate and improving.\n\n"
        "Capacity to improve\n\nGrade 2 (Good)\n\n11. Leaders know what to do next.\n\n"
        "Record of main findings\n\nOverall effectiveness Adequate\n"
    )
    content, other = findings_words(text, "pre_sif")
    assert content == words(
        "10. Services are adequate and improving. 11. Leaders know what to do next."
    )
    assert other == words(
        "Overall effectiveness of services for looked after children Grade "
        "(Adequate) Capacity to improve Grade (Good)"
    )


def parse_letter_units(texts: list[str], groups: list[str] | None = None) -> Letter:
    from lettermine.records import Unit

    names = groups or [None] * len(texts)
    return Letter(
        units=[Unit("area_for_improvement", t, group=g) for t, g in zip(texts, names, strict=True)]
    )


# --- Every corpus PDF ----------------------------------------------------------------------------


@cache
def family(name: str) -> list[tuple[Path, str, Letter]]:
    """Each PDF of a corpus folder, its text and its parse: read once per session."""
    out = []
    for pdf in sorted((CORPUS / name / "pdf").glob("*.pdf")):
        out.append((pdf, corpus_text(pdf), corpus_letter(pdf)))
    return out


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("name", FAMILIES)
def test_every_listed_word_ends_up_in_one_unit(name: str) -> None:
    if not (CORPUS / name / "pdf").is_dir():
        pytest.skip(f"{CORPUS / name / 'pdf'} is absent (corpus tests need the real letters)")
    failures = []
    for pdf, text, letter in family(name):
        lost, extra = lost_and_extra(text, letter)
        if lost or extra:
            lost_words, extra_words = sorted(lost.elements()), sorted(extra.elements())
            failures.append(f"{pdf.name}: lost {lost_words[:12]} extra {extra_words[:12]}")
    assert not failures, f"{len(failures)} of {len(family(name))}:\n" + "\n".join(failures)


# Files whose findings the checker cannot yet account for, each with the reason (folder/file).
# An exception that passes fails the test, so the list only shrinks.
KNOWN_FINDINGS_EXCEPTIONS: dict[str, str] = {}


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("name", FAMILIES)
def test_every_finding_word_ends_up_in_one_unit_and_no_unit_holds_furniture(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Findings conservation: in every PDF of the folder, every word printed in the findings
    sections is in a stored unit or is furniture or a heading, no unit holds a word more often
    than the letter prints it, and no unit holds furniture (a telephone number, an address, an
    e-mail or web address, a date or page number alone, a table's caption)."""
    if not (CORPUS / name / "pdf").is_dir():
        pytest.skip(f"{CORPUS / name / 'pdf'} is absent (corpus tests need the real letters)")
    failing: dict[str, str] = {}
    checked = furnished = 0
    for pdf, text, letter in family(name):
        lost, extra, furniture = findings_lost_and_extra(text, letter)
        content, _ = findings_words(text, letter.kind)
        checked += sum(content.values())
        furnished += len(furniture)
        if lost or extra or furniture or not content:
            failing[f"{name}/{pdf.name}"] = (
                f"lost {sorted(lost.elements())[:10]} extra {sorted(extra.elements())[:10]} "
                f"furniture {furniture[:2]}" + ("" if content else " (no findings region)")
            )
    known = {k for k in KNOWN_FINDINGS_EXCEPTIONS if k.startswith(f"{name}/")}
    with capsys.disabled():
        print(
            f"\n{name}: {len(family(name))} files, {checked} findings words checked, "
            f"{len(failing)} failing ({len(known & failing.keys())} known exceptions), "
            f"{furnished} units holding furniture"
        )
    unexpected = {k: v for k, v in failing.items() if k not in known}
    assert not unexpected, f"{len(unexpected)} of {len(family(name))}:\n" + "\n".join(
        f"{k}: {v}" for k, v in unexpected.items()
    )
    fixed = sorted(known - failing.keys())
    assert not fixed, f"known exceptions that now pass (remove them): {fixed}"


FOCUSED_LIKE = """Dear Ms Example

Headline findings

Children are seen quickly by social workers who know them well and plan with them.

Textphone
0161 000 0000

Main findings

Managers check the work of social workers often and their decisions are recorded.

Yours sincerely
"""


LETTERHEAD_INSIDE = """Headline findings

Children in care are seen often by social workers who know them well. Their plans are
written with them and say what will change for them and by when, but a few live in

Ofsted
Piccadilly Gate
Store Street
Manchester
M1 2WD

www.gov.uk/ofsted

3 March 2025

Alex Example
Director of Children's Services
Town Hall
Exampleton
EX1 2ABhomes that are not registered.

Main findings

Managers check plans every month and their decisions are recorded.

Yours sincerely
"""


def test_a_letterhead_printed_inside_the_findings_does_not_end_them() -> None:
    content, other = findings_words(LETTERHEAD_INSIDE, "focused_visit")
    assert content == words(
        "Children in care are seen often by social workers who know them well. Their plans are "
        "written with them and say what will change for them and by when, but a few live in "
        "homes that are not registered. Managers check plans every month and their decisions "
        "are recorded."
    )
    assert not content & words("Alex Example Director Town Hall Exampleton Piccadilly Gate")


def test_a_line_of_prose_that_reads_like_a_heading_does_not_end_the_findings() -> None:
    text = (
        "Main findings\n\nAssessments of risk are thorough and lead to plans that say what the\n"
        "next steps.\n\nManagers check plans every month and their decisions are recorded.\n\n"
        "Next steps\n\nThe council should prepare a written statement of action.\n"
    )
    content, _ = findings_words(text, "focused_visit")
    assert content == words(
        "Assessments of risk are thorough and lead to plans that say what the next steps. "
        "Managers check plans every month and their decisions are recorded."
    )


def test_the_findings_checker_finds_a_lost_finding_and_furniture_in_a_unit() -> None:
    from lettermine.records import Unit

    first = "Children are seen quickly by social workers who know them well and plan with them."
    second = "Managers check the work of social workers often and their decisions are recorded."
    whole = Letter(kind="focused_visit", units=[Unit("finding", first), Unit("finding", second)])
    assert findings_lost_and_extra(FOCUSED_LIKE, whole) == (Counter(), Counter(), [])
    cut = Letter(kind="focused_visit", units=[Unit("finding", first)])
    assert findings_lost_and_extra(FOCUSED_LIKE, cut)[0] == words(second)
    leaked = [Unit("finding", first), Unit("finding", "0161 000 0000"), Unit("finding", second)]
    furniture = findings_lost_and_extra(FOCUSED_LIKE, Letter(kind="focused_visit", units=leaked))
    assert furniture[2] == ["0161 000 0000"]
