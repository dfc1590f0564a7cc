"""The inspection frameworks SIF replaced (2009-2013), read as one letter kind, "pre_sif".

Three frameworks share one printed layout: "Inspection of safeguarding and looked after children
services" (2009-2012), "Inspection of looked after children services" and "Inspection of local
authority arrangements for the protection of children" (2012-2013). Each report names the
council under its title, prints a section per judgement with its grade on the line below ("Grade
3 (Adequate)": the four-point scale of those years, with "adequate" where SIF has "requires
improvement"), numbers its paragraphs, lists its areas for improvement under timescales
("Immediately:", "Within three months:") and ends with a "Record of main findings" table of every
judgement. Which framework it is goes in the letter's focus.

Judgement codes: overall_effectiveness, capacity_to_improve, and per framework
outcomes_for_looked_after_children, quality_of_provision, leadership_and_management (looked after
children); help_and_protection, quality_of_practice, leadership_and_governance (protection of
children); any other row of the table under its label in snake case. A report that judges two
services (safeguarding and looked after children) prefixes each code with "safeguarding_" or
"looked_after_".

Units: the areas for improvement, each with its timescale as its group (and the service it is
for as its section, where the report judges two); findings: every paragraph of the graded
sections, under the section's heading. Pure: no database, no spaCy.
"""

from __future__ import annotations

import re

from lettermine.dates import parse_date, parse_range
from lettermine.read.inspection import (
    _BACK_MATTER,
    _NUMBERED,
    _TERMINAL,
    BULLET,
    _Block,
    _blocks,
    _is_short,
    _item_text,
    _known_authority,
    _names,
    _plain,
    _strip_markers,
    join_lines,
)
from lettermine.read.sif import _is_item, _read_list
from lettermine.records import Letter, Unit

KIND = "pre_sif"
# (focus, title pattern): the three frameworks, by their printed titles.
FRAMEWORKS: tuple[tuple[str, str], ...] = (
    ("safeguarding and looked after children",
     r"inspection of safeguarding and looked after children services"),
    ("looked after children", r"inspection of looked after children services"),
    ("protection of children",
     r"inspection of local authority arrangements for the protection of children"),
)  # fmt: skip
DETECT = "|".join(pattern for _, pattern in FRAMEWORKS)

_GRADE = r"outstanding|good|adequate|inadequate"
# "Grade 3 (Adequate)", "Grade 3 - adequate", "Grade 3: adequate"
_GRADE_TAIL = rf"grade\s*\d\s*[(:\-\u2013]?\s*(?P<grade>{_GRADE})\s*\)?\.?"
_GRADE_LINE = re.compile(rf"^{_GRADE_TAIL}$", re.IGNORECASE)
_HEADING_AND_GRADE = re.compile(rf"^(?P<name>.{{3,160}}?)\s+{_GRADE_TAIL}$", re.IGNORECASE)
_TABLE_ROW = re.compile(rf"^(?P<label>.{{3,200}}?)\s*:?\s+(?P<grade>{_GRADE})\.?$", re.IGNORECASE)
_GRADE_ONLY = re.compile(rf"^(?:{_GRADE})\.?$", re.IGNORECASE)
_RECORD = re.compile(r"^record of (?:the )?main findings:?$", re.IGNORECASE)
_AREAS = re.compile(r"^areas? for improvement:?$", re.IGNORECASE)
_SAFEGUARDING_AREA = re.compile(r"^safeguarding services$", re.IGNORECASE)
_LOOKED_AFTER_AREA = re.compile(
    r"^(?:services for looked after children|looked after children(?:'s|\u2019s)? services)$",
    re.IGNORECASE,
)
_FRONT_LABEL = re.compile(
    r"\s+(?:inspection dates?|date of (?:inspection|publication)|report published|"
    r"reporting inspector|lead inspector)\b",
    re.IGNORECASE,
)
_CODES: tuple[tuple[str, str], ...] = (
    (r"overall effectiveness", "overall_effectiveness"),
    (r"capacity (?:to|for) improve(?:ment)?", "capacity_to_improve"),
    (r"(?:the )?effectiveness of the help and protection", "help_and_protection"),
    (r"(?:the )?quality of practice", "quality_of_practice"),
    (r"leadership and governance", "leadership_and_governance"),
    (r"(?:how good are )?outcomes for looked after children", "outcomes_for_looked_after_children"),
    (r"(?:the )?quality of provision", "quality_of_provision"),
    (r"leadership and management", "leadership_and_management"),
)


def parse_legacy(text: str) -> Letter:
    """Parse a report of the 2009-2013 frameworks into a Letter of kind "pre_sif"."""
    letter = Letter(kind=KIND)
    blocks = _blocks(text)
    if not blocks:
        letter.warnings.append("no text to read")
        return letter
    _metadata(blocks, letter)
    letter.judgements = _judgements(blocks)
    areas, taken = _areas(blocks)
    letter.units = areas + _findings(blocks, taken)
    if not areas:
        letter.warnings.append("no areas for improvement found")
    if not any(u.kind == "finding" for u in letter.units):
        letter.warnings.append("no findings found (judgement sections not recognised)")
    if not letter.judgements:
        letter.warnings.append("no judgement grades found")
    if letter.inspection_start is None:
        letter.warnings.append("no inspection dates found")
    return letter


# ---------------------------------------------------------------------------------------------
# Metadata


def _metadata(blocks: list[_Block], letter: Letter) -> None:
    """Title and framework, council, inspection dates, publication date, reporting inspector."""
    front = re.sub(r"\s+", " ", " ".join(b.text for b in blocks if b.page == 0))[:3000]
    for focus, pattern in FRAMEWORKS:
        m = re.search(pattern, front, re.IGNORECASE)
        if m:
            letter.focus, letter.title = focus, front[m.start() : m.end()]
            after = front[m.end() :]
            # The council is printed under the title (or, in some reports, above it).
            la = _FRONT_LABEL.split(after, maxsplit=1)[0].strip(" ,:")
            before = front[: m.start()].strip(" ,:")
            letter.local_authority = (la if la and len(la) < 120 else before) or None
            break
    letter.authority = _known_authority(letter.local_authority)
    m = re.search(r"Inspection dates?\s*:?\s*(.{0,80})", front, re.IGNORECASE)
    if m:
        letter.inspection_start, letter.inspection_end = parse_range(m.group(1))
    m = re.search(
        r"(?:Report published|Date of publication|Published)\s*:?\s*(\d{1,2}\s+[A-Za-z]+\s+\d{4})",
        front,
        re.IGNORECASE,
    )
    if m:
        letter.published = parse_date(m.group(1))
    m = re.search(r"(?:Reporting|Lead) inspector\s*:?\s*(.{0,120})", front, re.IGNORECASE)
    if m:
        names = _names(m.group(1))
        if names:
            letter.lead_inspector = names[0]
            letter.inspectors = [names[0]]


# ---------------------------------------------------------------------------------------------
# Judgements


def _code(label: str) -> str:
    """A judgement's code from its printed label."""
    label = re.sub(r"\s+", " ", label).strip(" :.").lower()
    for pattern, code in _CODES:
        if re.match(pattern, label):
            return code
    return re.sub(r"[^a-z0-9]+", "_", label).strip("_")


def _judgements(blocks: list[_Block]) -> dict[str, str]:
    """Every row of the "Record of main findings" table; where it is missing, the grade under
    each section's heading."""
    start = next((i for i, b in enumerate(blocks) if _RECORD.match(_plain(b))), None)
    rows: list[tuple[str | None, str, str]] = []  # (service, label, grade)
    if start is not None:
        service: str | None = None
        pending: list[str] = []
        for block in blocks[start + 1 :]:
            text = _plain(block)
            if _BACK_MATTER.match(block.first) or not _is_short(block, 240):
                break
            if _SAFEGUARDING_AREA.match(text) or _LOOKED_AFTER_AREA.match(text):
                service, pending = ("safeguarding" if _SAFEGUARDING_AREA.match(text)
                                    else "looked_after"), []  # fmt: skip
            elif _GRADE_ONLY.match(text) and pending:
                rows.append((service, " ".join(pending), text))
                pending = []
            elif m := _TABLE_ROW.match(text):
                # A label that goes on from the line above starts in lower case; otherwise the
                # line above was a sub-heading of the table ("Safeguarding outcomes ...").
                label = m.group("label")
                if pending and label[:1].islower():
                    label = " ".join([*pending, label])
                rows.append((service, label, m.group("grade")))
                pending = []
            else:
                pending.append(text)  # a label wrapped over lines, its grade to follow
    if not rows:
        rows = [(None, name, grade) for name, grade, _, _ in _graded_sections(blocks)]
    services = {service for service, _, _ in rows if service}
    judgements: dict[str, str] = {}
    for service, label, grade in rows:
        code = _code(label)
        if len(services) > 1 and service:
            code = f"{service}_{code}"
        judgements.setdefault(code, grade.strip(" .").lower())
    return judgements


def _graded_sections(blocks: list[_Block]) -> list[tuple[str, str, int, int]]:
    """(heading, grade, index of its first block, index of the block after it) for every graded
    section heading."""
    out = []
    for i, block in enumerate(blocks):
        text = _plain(block)
        m = _HEADING_AND_GRADE.match(text) if _is_short(block, 240) else None
        if m:
            out.append((_name(m.group("name")), m.group("grade"), i, i + 1))
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if nxt is None or not _is_short(block, 200) or _TERMINAL.search(text):
            continue
        g = _GRADE_LINE.match(_plain(nxt))
        if g:
            out.append((_name(text), g.group("grade"), i, i + 2))
    return out


def _name(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" :.")


# ---------------------------------------------------------------------------------------------
# Units


def _areas(blocks: list[_Block]) -> tuple[list[Unit], set[int]]:
    """The areas for improvement under each "Areas for improvement" heading, with their timescale
    as group; and the blocks they (with their headings and introduction) take."""
    units: list[Unit] = []
    taken: set[int] = set()
    service: str | None = None
    for i, block in enumerate(blocks):
        text = _plain(block)
        if _SAFEGUARDING_AREA.match(text) or _LOOKED_AFTER_AREA.match(text):
            service = _name(text)
        if block.page == 0 or not _is_short(block, 60) or not _AREAS.match(text) or i in taken:
            continue
        j = i + 1
        # "22. In order to improve ..., the local authority should take the following action.",
        # then the timescales and their bullets.
        if j + 1 < len(blocks) and _TERMINAL.search(_plain(blocks[j])):
            here, below = blocks[j], blocks[j + 1]
            if not _is_item(here) or (
                _NUMBERED.match(here.first) and not _NUMBERED.match(below.first)
            ):
                j += 1
        items, end = _read_list(blocks, j, "area_for_improvement")
        taken.update(range(i, end))
        units.extend(
            Unit(kind=item.kind, text=item.text(), section=service, group=item.group)
            for item in items
        )
    return units, taken


def _findings(blocks: list[_Block], taken: set[int]) -> list[Unit]:
    """Every paragraph of the graded sections (numbered or not), under the section's heading,
    up to the record of main findings."""
    sections = _graded_sections(blocks)
    starts = {after: name for name, _, _, after in sections}
    heading_blocks = {i for _, _, first, after in sections for i in range(first, after)}
    units: list[Unit] = []
    section: str | None = None
    service: str | None = None  # in a report that judges two services, the one being judged
    for i, block in enumerate(blocks):
        text = _plain(block)
        if _SAFEGUARDING_AREA.match(text) or _LOOKED_AFTER_AREA.match(text):
            service = _name(text)
        if i in starts:
            section = f"{service}: {starts[i]}" if service else starts[i]
        if section is None or i in taken or i in heading_blocks:
            continue  # (the copyright notice before the first section is not the back matter)
        if _RECORD.match(text) or _BACK_MATTER.match(block.first):
            break
        number = _NUMBERED.match(block.first)
        if _is_short(block, 120) and not _TERMINAL.search(text) and not number:
            continue  # a sub-heading (a numbered paragraph the page break cut short is not)
        if units and not number and (block.first[:1].islower() or block.first[0] == BULLET):
            if units[-1].text.endswith(":") or block.first[:1].islower():
                units[-1].text = f"{units[-1].text} {_item_text(block.text)}"
                continue
        units.append(
            Unit(
                kind="finding",
                text=_item_text(join_lines(_strip_markers(block.lines))),
                section=section,
                number=int(number.group(1)) if number else None,
            )
        )
    return units
