"""SIF inspection reports (2013-2017, and the re-inspections of 2016-2018): judgements and units.

The report is read from inspection._blocks (paragraphs as printed, with their page); metadata
comes from inspection._read_metadata as for ILACS. Pure: no database, no spaCy.

Judgements: the page-1 table (inspection._judgements), the overall judgement printed as a
sentence ("The overall judgement is that children's services require improvement", "Children's
services in X are inadequate", wrapped anywhere) and the board's judgement printed at the head of
its section ("The Local Safeguarding Children Board is good", "The effectiveness of the LSCB
requires improvement").

Areas for improvement and priority actions: every list under "What does the local authority (or
the LSCB) need to improve?", "Priority and immediate action", "Areas for improvement" and
"Recommendations". Items are numbered or bulleted; a sub-heading printed between items ("Care
leavers", "Business planning") is the unit's group; bullets or dashes under a numbered item (or
under a bulleted item that ends with a colon) are its sub-items, joined into it by read.lists's
rule (the lead-in, a space, the first sub-item, then "; " before each further one). Items in
the board's part of the report are the board's (subject "lscb").

Findings: every paragraph of a judgement section (help and protection, children looked after,
adoption, care leavers, leadership), under its heading, and the paragraphs of the board's
findings (subject "lscb"): numbered, or printed without a number; prose at the top of a page
after a numbered paragraph is that paragraph run on over the page. The summaries before the
findings (the council's and the board's) are not findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lettermine.read.inspection import (
    _APOS,
    _BACK_MATTER,
    _DASH_ITEM,
    _GRADE,
    _GRADE_ONLY,
    _NUMBERED,
    _SIF_NOT_FINDING,
    _SIF_SECTION,
    _TERMINAL,
    BULLET,
    _Block,
    _grade,
    _is_heading,
    _is_short,
    _item_text,
    _judgements,
    _plain,
    _section_name,
    _strip_markers,
    join_lines,
)
from lettermine.read.lists import join_item
from lettermine.records import Unit

# ---------------------------------------------------------------------------------------------
# Judgements

_OVERALL = (
    # "The overall judgement is that children's services require improvement", "... is good"
    re.compile(
        rf"\bthe overall judge?ment is\s+(?:that\s+)?(?:(?:the\s+)?children{_APOS}s\s+services?\s+"
        rf"(?:in\s+.{{2,80}}?\s+)?)?(?:are\s+|is\s+)?(?P<grade>{_GRADE})\b",
        re.IGNORECASE | re.DOTALL,
    ),
    # "Children's services in Sunderland are inadequate" (2015 on, and re-inspections);
    # "Children's services require improvement to be good"
    re.compile(
        rf"(?:^|[.!?]\s+|\s)children{_APOS}s\s+services(?:\s+in\s+.{{2,80}}?)?\s+"
        rf"(?:are\s+|is\s+)?(?P<grade>{_GRADE})\b",
        re.IGNORECASE | re.DOTALL,
    ),
)
# "The Local Safeguarding Children Board is good", "The effectiveness of the Local Safeguarding
# Children Board (LSCB) is requires improvement", "The judgement for the effectiveness of the LSCB
# is requires improvement", "The LSCB is inadequate because:".
_LSCB_JUDGEMENT = re.compile(
    r"^(?:the judge?ment (?:for|about) )?(?:the effectiveness of )?the (?:local safeguarding "
    r"children board|lscb)(?: \(lscb\))?\s+(?:(?:is|are)\s+)?(?:that it\s+)?(?:is\s+)?"
    rf"(?P<grade>{_GRADE})\b(?P<rest>.*)$",
    re.IGNORECASE,
)


def sif_judgements(blocks: list[_Block]) -> dict[str, str]:
    """The judgement table's grades, the overall judgement and the board's judgement."""
    judgements = _judgements(blocks)
    second = [_Block(b.lines, 0) for b in blocks if b.page == 1]
    if second and re.match(r"\d(?:\.\d)?\.?\s", second[0].first):  # the table ran over a page
        for code, grade in _judgements(second).items():
            judgements.setdefault(code, grade)
    front = re.sub(r"\s+", " ", " ".join(b.text for b in blocks if b.page == 0))
    for pattern in _OVERALL:  # the printed sentence wins over a table row's reading
        m = pattern.search(front)
        if m:
            judgements["overall_effectiveness"] = _grade(m.group("grade"))
            break
    lscb = _lscb_judgement(blocks)
    if lscb:
        judgements["lscb"] = lscb
    return judgements


def _lscb_judgement(blocks: list[_Block]) -> str | None:
    """The board's grade, from the first paragraph that opens with it."""
    for block in blocks:
        m = _LSCB_JUDGEMENT.match(block.text)
        if not m:
            continue
        rest = m.group("rest").strip()
        # The sentence ends there ("... is good.", "... is good because:", a new sentence), so
        # "The LSCB is good at ..." in prose is not read as a grade.
        if not rest or rest[0] in ".:" or rest[0].isupper() or rest.startswith("because"):
            return _grade(m.group("grade"))
    return None


# ---------------------------------------------------------------------------------------------
# Areas for improvement and priority actions

_IMPROVE = re.compile(r"^what does (?:the )?(?P<who>.{2,80}?) need to improve\s*\??:?$", re.I)
_PRIORITY = re.compile(r"^(?:areas? for )?priority and immediate action:?$", re.I)
_AREAS = re.compile(r"^areas? for improvement:?$", re.I)
_RECOMMENDATIONS = re.compile(r"^recommendations:?$", re.I)
# Headings that end a list: the report's next section, whatever the list was.
_LIST_END = re.compile(
    r"^(?:summary\b|executive summary|inspection findings|inspection judge?ments?|key |"
    r"(?:the )?progress since|information about|what the inspection|the inspection team|"
    r"this local authority|the local safeguarding children board|the lscb\b|section \d|"
    r"the experiences? and progress|the graded judge?ment|\(recommendation\)|contents\b|"
    r"overall effectiveness|what does|children living in|other information)"
    r"|\bstrengths\b",
    re.IGNORECASE,
)
# "The inspection did not find any areas for priority and immediate action."
_NONE_PRINTED = re.compile(r"\b(?:no|none|not (?:find|found|identify|identified) any)\b", re.I)
_LSCB_START = re.compile(
    r"^(?:section 2:\s*)?(?:the effectiveness (?:of )?)?(?:the )?local safeguarding children board"
    r"(?: \(lscb\))?(?: is .*| requires .*)?$",
    re.IGNORECASE,
)


@dataclass
class _Item:
    """One item of a list as printed: its own lines and the lines of each of its sub-items."""

    kind: str
    group: str | None
    lines: list[str]
    subs: list[list[str]] = field(default_factory=list)

    def add(self, lines: list[str]) -> None:
        """Lines that go on with the item's last part (a page or column broke it)."""
        (self.subs[-1] if self.subs else self.lines).extend(lines)

    @property
    def number(self) -> int | None:
        """The paragraph number printed before the item, if it has one."""
        m = _NUMBERED.match(self.lines[0])
        return int(m.group(1)) if m else None

    def ends_with_colon(self) -> bool:
        return join_lines(self.subs[-1] if self.subs else self.lines).endswith(":")

    def text(self) -> str:
        head = _item_text(join_lines(_strip_markers(self.lines)))
        if not self.subs:
            return head
        return join_item(head, [join_lines(_strip_markers(s)) for s in self.subs])


def sif_units(blocks: list[_Block]) -> list[Unit]:
    """Priority actions, areas for improvement (the council's and the board's) and findings."""
    lscb_at = _lscb_start(blocks)
    units: list[Unit] = []
    i = 0
    while i < len(blocks):
        kind = _list_heading(blocks[i])
        if kind is None:
            i += 1
            continue
        heading = _plain(blocks[i])
        board = i >= lscb_at or bool(re.search(r"\blscb\b|\bboard\b", heading, re.I))
        subject = "lscb" if board else "local_authority"
        unheaded = _misplaced_list(blocks, i, lscb_at)
        if unheaded is not None:
            items, _ = _read_list(blocks, unheaded, kind)
            i += 1
        else:
            items, i = _read_list(blocks, i + 1, kind)
        units.extend(
            Unit(
                kind=item.kind,
                text=item.text(),
                number=item.number,
                subject=subject,
                group=item.group,
            )
            for item in items
        )
    return _in_order(units + _sif_findings(blocks, lscb_at))


def _misplaced_list(blocks: list[_Block], i: int, lscb_at: int) -> int | None:
    """Where the items of a list heading printed out of its place start, if it is one.

    A PDF may print a heading away from its list: the board's "Recommendations" set among the
    numbered paragraphs of its findings (the heading, then the next finding's number), while
    its items stand without a heading between the board's summary and its findings heading.
    The heading's list is then those numbered paragraphs; the findings below it stay findings.
    """
    findings_at = next(
        (
            j
            for j in range(lscb_at, i)
            if _is_short(blocks[j], 160) and _LSCB_FINDINGS.match(_plain(blocks[j]))
        ),
        None,
    )
    if findings_at is None or i + 1 >= len(blocks):
        return None
    before = [_item_number(b) for b in blocks[findings_at + 1 : i]]
    after = _item_number(blocks[i + 1])
    if not before or before[-1] is None or after != before[-1] + 1:
        return None  # the heading does not stand inside the run of numbered findings
    start = findings_at
    while start > lscb_at and _item_number(blocks[start - 1]) is not None:
        start -= 1
    return start if start < findings_at else None


def _item_number(block: _Block) -> int | None:
    m = _NUMBERED.match(block.first)
    return int(m.group(1)) if m else None


def _list_heading(block: _Block) -> str | None:
    """The unit kind a heading's list holds, if the block is one of the headings of such lists."""
    if block.page == 0 or not _is_short(block, 100):
        return None
    text = _plain(block)
    if _PRIORITY.match(text):
        return "priority_action"
    if _AREAS.match(text) or _RECOMMENDATIONS.match(text) or _IMPROVE.match(text):
        return "area_for_improvement"
    return None


def _is_item(block: _Block) -> bool:
    first = block.first
    return first.startswith(BULLET) or bool(_NUMBERED.match(first) or _DASH_ITEM.match(first))


def _read_list(blocks: list[_Block], i: int, kind: str) -> tuple[list[_Item], int]:
    """The items from blocks[i] on, and where the list ends (the next heading of a list, or the
    first block that is neither an item, a sub-heading nor a piece of an item)."""
    items: list[_Item] = []
    group: str | None = None
    numbered = False
    while i < len(blocks):
        block = blocks[i]
        text = _plain(block)
        first = block.first
        last = items[-1] if items else None
        if _list_heading(block) is not None:
            if _IMPROVE.match(text):
                break  # the board's own list, read from its heading
            kind, group = _list_heading(block) or kind, None
        elif _NUMBERED.match(first) and _is_numbered_heading(blocks, i):
            group, numbered = _item_text(text), False  # "1. Quality of practice", then bullets
        elif _NUMBERED.match(first):
            numbered = True
            items.extend(_Item(kind, group, lines) for lines in _split_at_next_number(block.lines))
        elif first.startswith(BULLET):
            sub = last is not None and (
                numbered or (last.ends_with_colon() or bool(last.subs)) and _starts_lower(text)
            )
            if sub and last is not None:
                last.subs.append(list(block.lines))
            else:
                items.append(_Item(kind, group, list(block.lines)))
        elif _DASH_ITEM.match(first) and last is not None:
            last.subs.append(list(block.lines))
        elif last is not None and first[:1].islower() and not _is_heading(block):
            last.add(list(block.lines))  # the item went on over a page break
        elif _is_sub_heading(blocks, i):
            group = text.rstrip(" :")
        elif not items and _is_short(block, 200) and _NONE_PRINTED.search(text):
            pass  # "The inspection did not find any areas for priority and immediate action."
        elif not items and _is_introduction(blocks, i):
            pass  # "The following recommendations are those that inspectors considered ..."
        else:
            break
        i += 1
    return items, i


def _is_introduction(blocks: list[_Block], i: int) -> bool:
    """A sentence or two before a list's first item ("The following recommendations are ...")."""
    text = _plain(blocks[i])
    if len(text) > 600 or not _TERMINAL.search(text) or _LIST_END.search(text[:60]):
        return False
    return i + 1 < len(blocks) and _is_item(blocks[i + 1])


def _is_numbered_heading(blocks: list[_Block], i: int) -> bool:
    """A numbered sub-heading ("1. Quality of practice") whose items are the bullets below it:
    short, no sentence, and the bullet below is a sentence of its own (a capital letter), not
    the end of a lead-in ("... this to include" / "◼ reliable data")."""
    text = _item_text(_plain(blocks[i]))
    if len(text) > 100 or _TERMINAL.search(text) or i + 1 >= len(blocks):
        return False
    below = blocks[i + 1].first
    return below.startswith(BULLET) and below.lstrip(BULLET + " ")[:1].isupper()


def _split_at_next_number(lines: list[str]) -> list[list[str]]:
    """A numbered paragraph's lines, split where a line starts the next number ("10." then
    "11."): a page break the extractor did not mark may run two items together."""
    m = _NUMBERED.match(lines[0])
    if m is None:
        return [lines]
    parts, expected = [[lines[0]]], int(m.group(1)) + 1
    for line in lines[1:]:
        n = _NUMBERED.match(line)
        if n and int(n.group(1)) == expected:
            parts.append([line])
            expected += 1
        else:
            parts[-1].append(line)
    return parts


def _starts_lower(text: str) -> bool:
    body = text.lstrip(BULLET + " ")
    return body[:1].islower()


def _is_sub_heading(blocks: list[_Block], i: int) -> bool:
    """A heading printed between a list's items ("Care leavers"): short, no sentence, not the
    report's next section, and an item follows it."""
    block = blocks[i]
    text = _plain(block)
    if not text or not _is_short(block, 100) or _TERMINAL.search(text.rstrip(":")):
        return False
    if _LIST_END.search(text) or _GRADE_ONLY.match(text) or re.search(r"\d$", text):
        return False
    if re.search(rf"(?:{_GRADE})\s*$", text, re.IGNORECASE):
        return False  # a judgement heading with its grade
    return i + 1 < len(blocks) and _is_item(blocks[i + 1])


def _lscb_start(blocks: list[_Block]) -> int:
    """Where the report's section on the Local Safeguarding Children Board starts: its heading;
    failing that, its judgement ("The LSCB is good") or "What does the LSCB need to improve?"."""
    for i, block in enumerate(blocks):
        if block.page > 0 and _is_short(block, 160) and _LSCB_START.match(_plain(block)):
            if not re.search(r"\d$", block.text):  # a line of the contents page
                return i
    for i, block in enumerate(blocks):
        if block.page == 0:
            continue
        if _LSCB_JUDGEMENT.match(block.text) or (
            _is_short(block, 100)
            and (m := _IMPROVE.match(_plain(block)))
            and re.search(r"\blscb\b|\bboard\b", m.group("who"), re.IGNORECASE)
        ):
            return i
    return len(blocks)


# ---------------------------------------------------------------------------------------------
# Findings

# "The graded judgement for adoption performance is that it is good", "The graded judgment
# about the experience and progress of care leavers is that they require improvement", "The
# graded judgment for adoption performance good", "Adoption performance is good".
_SIF_SUBSECTION = re.compile(
    r"^(?:the graded judge?ment (?:for|about|on) (?P<name>.+?)|"
    r"(?P<bare>adoption performance|the experiences? and progress of care leavers))\s+"
    rf"(?:is\s+)?(?:that\s+(?:it|they)\s+)?(?:is\s+|are\s+)?(?P<grade>{_GRADE})\.?$",
    re.IGNORECASE,
)
# The same heading printed as a caption with no grade (the aspect was not judged): "The graded
# judgement for adoption performance."
_SIF_CAPTION = re.compile(
    r"^the graded judge?ment (?:for|about|on) (?P<name>(?:(?!\s(?:is|are)\s)[^.:]){3,80})\.?$",
    re.IGNORECASE,
)
# A judgement heading and its grade run into the paragraph below (no gap printed between them).
_SECTION_THEN_TEXT = re.compile(
    r"^(?P<name>the experiences? and progress of children (?:who need help and protection|"
    r"looked after and achieving permanence)|leadership, management and governance)"
    rf"(?:\s+(?:is|are))?\s*:?\s*(?P<grade>{_GRADE})\.?\s+(?P<rest>(?-i:[A-Z]).{{40,}})$",
    re.IGNORECASE | re.DOTALL,
)
# The heading of the board's findings: "Inspection findings – the Local Safeguarding Children
# Board", "Inspection judgement about the LSCB", "Key strengths and weaknesses of the OSCB".
_LSCB_FINDINGS = re.compile(
    r"^(?:inspection findings\b.*|inspection judge?ments? about the .{2,60}|"
    r"key strengths and weaknesses of the .{2,60})$",
    re.IGNORECASE,
)
LSCB_SECTION = "The Local Safeguarding Children Board"


def _sif_findings(blocks: list[_Block], lscb_at: int) -> list[Unit]:
    """Every paragraph of the judgement sections, under the judgement's heading; then the
    paragraphs of the board's findings."""
    units: list[Unit] = []
    section: str | None = None
    started = False  # the first judgement section is help and protection; nothing before counts
    for i, block in enumerate(blocks[:lscb_at]):
        text = _plain(block)
        if _BACK_MATTER.match(block.first):
            section = None
            continue
        name = _sif_heading(blocks, i, text)
        if name is not None and (started or "help and protection" in name):
            section, started = name, True
            continue
        glued = _SECTION_THEN_TEXT.match(block.text)
        if glued and (started or "help and protection" in glued.group("name").lower()):
            section, started = _section_name(glued.group("name")), True
            units.append(Unit(kind="finding", text=glued.group("rest").strip(), section=section))
            continue
        if section is None or _is_sif_furniture(block, text):
            continue
        if units and block.first[:1].islower():  # a paragraph the page break set apart
            units[-1].text = f"{units[-1].text} {join_lines(block.lines)}"
            continue
        _add_finding(units, block, section, "local_authority")
    return units + _lscb_findings(blocks, lscb_at)


def _lscb_findings(blocks: list[_Block], lscb_at: int) -> list[Unit]:
    """The paragraphs under the board's findings heading, up to the back matter."""
    units: list[Unit] = []
    reading = False
    for i in range(lscb_at, len(blocks)):
        block = blocks[i]
        text = _plain(block)
        if _BACK_MATTER.match(block.first):
            break
        if _is_short(block, 160) and _LSCB_FINDINGS.match(text):
            reading = True
            continue
        if not reading:
            continue
        if _NUMBERED.match(block.first):
            _add_finding(units, block, LSCB_SECTION, "lscb")
        elif block.first.startswith(BULLET) and not _is_sif_furniture(block, text):
            _add_finding(units, block, LSCB_SECTION, "lscb")  # the 2014 reports' bullets
        elif units and (block.first[:1].islower() or _runs_on_over_a_page(blocks, i)):
            units[-1].text = f"{units[-1].text} {join_lines(block.lines)}"
        elif _is_prose(block, text):
            _add_finding(units, block, LSCB_SECTION, "lscb")  # a paragraph printed unnumbered
    return units


def _is_prose(block: _Block, text: str) -> bool:
    """A paragraph of sentences, not a heading, a table's row or a "(Recommendation)" mark."""
    text = _MARK.sub("", text).strip()
    return bool(text) and _TERMINAL.search(text) is not None and not _is_sif_furniture(block, text)


def _runs_on_over_a_page(blocks: list[_Block], i: int) -> bool:
    """A paragraph of prose at the top of a page, between numbered paragraphs: the rest of the
    numbered paragraph before it, which the page broke (its sentence starts a new line)."""
    block, text = blocks[i], _plain(blocks[i])
    if i == 0 or block.page == blocks[i - 1].page or not _is_prose(block, text):
        return False
    return _NUMBERED.match(blocks[i - 1].first) is not None


_MARK = re.compile(r"\(recommendations?\)", re.IGNORECASE)


def _add_finding(units: list[Unit], block: _Block, section: str, subject: str) -> None:
    number = _NUMBERED.match(block.first)
    if block.first.startswith(BULLET) and units and units[-1].text.endswith(":"):
        units[-1].text = f"{units[-1].text} {_item_text(block.text)}"
        return
    units.append(
        Unit(
            kind="finding",
            text=_item_text(join_lines(_strip_markers(block.lines))),
            section=section,
            number=int(number.group(1)) if number else None,
            subject=subject,
        )
    )


def _sif_heading(blocks: list[_Block], i: int, text: str) -> str | None:
    """The section a SIF judgement heading starts, unless it is a line of the contents page."""
    if not _is_short(blocks[i], 200) or re.search(r"\d$", text):
        return None
    m = _SIF_SECTION.match(text)
    if m:
        return _section_name(m.group("name"))
    m = _SIF_SUBSECTION.match(text) or _SIF_CAPTION.match(text)
    if m:
        name = re.sub(r"\s+", " ", m.group("name") or m.group("bare")).strip()
        return name[:1].upper() + name[1:]
    return None


def _is_sif_furniture(block: _Block, text: str) -> bool:
    """Headings and judgement-table text inside a SIF judgement section."""
    if _SIF_NOT_FINDING.match(text) or _GRADE_ONLY.match(text):
        return True
    if _is_short(block, 120) and not _TERMINAL.search(text) and not _NUMBERED.match(text):
        return True  # a sub-heading or a row of the judgement table
    return False


def _in_order(units: list[Unit]) -> list[Unit]:
    """Priority actions, then areas for improvement, then findings, each in printed order."""
    order = {"priority_action": 0, "area_for_improvement": 1, "finding": 2}
    return sorted(units, key=lambda u: order[u.kind])
