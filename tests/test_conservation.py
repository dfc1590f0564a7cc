"""Nothing printed in a list is lost: the conservation invariant, over every corpus PDF.

Every word printed between an areas-for-improvement or priority-action heading and the next
heading ends up in a unit (an area for improvement or priority action, or the group it is
printed under), and the list units hold no word more often than those sections print it. The
sections are found here from the printed text alone, independently of the parsers: a list
heading opens one (in a report without one, "Recommendations"); the next heading closes it (a
heading of the sections that follow a list in any of the five families, or an unlisted short
heading followed by prose). Not counted, as not
list items: page furniture (bare numbers), a table's header row, a statement that there is
nothing to list ("There are no areas for priority action"), and a lead-in paragraph ending with
":" that introduces a list of bullets before its first item.

Each PDF is read once per test session; without the corpus the corpus tests skip.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from conftest import CORPUS

from lettermine.read.extract import read_text
from lettermine.read.parse import parse_letter
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
    r"inspection judgements?|recommendations?|the local authority|areas? for improvement|"
    r"key strengths and weaknesses.*|"
    r"areas? (?:for|of) priority actions?|what needs to improve\b.*|"
    r"(?:areas? for )?priority and immediate actions?|what (?:does|do) .{3,60} need to improve.*|"
    r"yours sincerely|the office for standards in education.*)$"
)
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
        if _CLOSING.match(line) or (
            _is_short_heading(line.rstrip("?:"))
            and (_NEXT_HEADING.match(key) or _heads_prose(lines, i))
        ):
            last = next((x for x in reversed(current.lines) if x), "")
            suspended = current if re.search(r"[a-z]$", last) else None
            current = None
            continue
        current.lines.append(line)
    return sections


def _closed(sections: list[Section], current: Section | None) -> bool:
    """Whether a list section has been read and closed (another heading came after it)."""
    return any(x.lines for x in sections) and current is None


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
                not after and _is_short_heading(line) and len(line) <= 70
            ):
                return False
            after.append(line)
    return len(" ".join(after)) > 150


def not_items(section: Section) -> Counter[str]:
    """Words of the section that are not list items: headers, 'none' statements, lead-ins."""
    out: Counter[str] = Counter()
    paragraphs: list[list[str]] = [[]]
    for line in section.lines:
        if re.fullmatch(r"\d{1,3}", line):
            continue  # a page number
        if not line:
            paragraphs.append([])
        elif line.startswith(BULLET) or re.match(r"^\d{1,2}\.\s", line):
            paragraphs.append([line])
            paragraphs.append([])
        else:
            paragraphs[-1].append(line)
    seen_item = False
    for i, para in enumerate(paragraphs):
        header = [x for x in para if _TABLE_HEADER.match(x)]
        out += words(" ".join(header))
        text = re.sub(rf"^{BULLET}\s*", "", " ".join(x for x in para if x not in header))
        if not text:
            continue
        nxt = next((p for p in paragraphs[i + 1 :] if p), [])
        if _NOTHING_TO_LIST.match(text):
            out += words(text)
        elif (
            not seen_item
            and text.endswith(":")
            and nxt
            and (nxt[0].startswith(BULLET) or re.match(r"^\d{1,2}\.\s", nxt[0]))
        ):
            out += words(text)  # a lead-in that introduces the list
        else:
            seen_item = seen_item or text.startswith(BULLET)
    return out


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
    for section in list_sections(text, letter.kind):
        printed += words(section.text)
        skipped += not_items(section)
    lost = printed - skipped - held - groups
    extra = held - printed
    return lost, extra


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


def parse_letter_units(texts: list[str]) -> Letter:
    from lettermine.records import Unit

    return Letter(units=[Unit("area_for_improvement", t) for t in texts])


# --- Every corpus PDF ----------------------------------------------------------------------------


@cache
def family(name: str) -> list[tuple[Path, str, Letter]]:
    """Each PDF of a corpus folder, its text and its parse: read once per session."""
    out = []
    for pdf in sorted((CORPUS / name / "pdf").glob("*.pdf")):
        text = read_text(pdf)
        out.append((pdf, text, parse_letter(text)))
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
