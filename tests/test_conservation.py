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
