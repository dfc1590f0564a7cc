"""Text -> Letter for area SEND inspection reports (Ofsted and the CQC, local area partnerships).

Pure: no database, no spaCy. The report (2023 on) prints its title ("Area SEND inspection of
<area> Local Area Partnership") and inspection dates; the inspection outcome, one of three fixed
sentences; its findings under three evaluation headings (paragraphs under "What is it like to be
a child or young person with SEND in this area?", bullets under "What is the area partnership
doing that is effective?" and "What does the area partnership need to do better?"); where
failings are widespread, a table of areas for priority action, each row a responsible body and
the action; a table of areas for improvement, a paragraph each; and the inspection team,
Ofsted's and the CQC's side by side. No letter date is printed.

Units: each area for improvement and priority action is a paragraph, with the bullets below a
paragraph that ends with ":" as its sub-items (read.lists joins them); a priority action's group
is its responsible body. Findings are the bullets and paragraphs under the evaluation headings,
with their section. The lines come through visit.py's reading of a letter's lines (letterhead,
page numbers and glued text dealt with the same way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lettermine.authorities import canonical_authority
from lettermine.dates import parse_range
from lettermine.read.editorial import is_editorial_note
from lettermine.read.lists import BULLET, is_sub_item, join_item
from lettermine.read.visit import _TERMINAL, _join, _Line, _line_width, _prepare, _text_width
from lettermine.records import Letter, Unit

# The inspection outcome: one of three sentences, each naming its outcome.
OUTCOMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("widespread and/or systemic failings", re.compile(r"widespread\s+and/or\s+systemic\s+fail")),
    ("inconsistent", re.compile(r"lead\s+to\s+inconsistent\s+experiences")),
    ("positive", re.compile(r"lead\s+to\s+positive\s+experiences")),
)

# Section headings and the role of the text under them, matched against a whole line.
_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (role, re.compile(rf"^(?:{pattern})$", re.IGNORECASE))
    for role, pattern in (
        ("outcome", r"inspection outcomes?"),
        ("context", r"information about the (?:local )?area partnership"),
        ("finding", r"what is it like to be a child or young person\b.*"),
        ("finding", r"what is the (?:local )?area partnership doing that is effective"),
        ("finding", r"what does the (?:local )?area partnership need to do better"),
        ("priority", r"areas? for priority actions?"),
        ("afi", r"areas? for improvement"),
        ("end", r"local area partnership details|information about this inspection"),
        ("end", r"inspection team|the office for standards in education.*"),
    )
)
# Table headers repeated under a heading or at the top of a page: not text.
_TABLE_HEADER = re.compile(
    r"^(?:responsible bod(?:y|ies)|areas? for priority actions?|areas? for improvement)"
    r"(?: areas? for priority actions?)?$",
    re.IGNORECASE,
)
# The organisations a priority action's responsible body names.
_BODY_WORDS = re.compile(
    r"\b(?:council|icb|nhs|integrated care|board|trust|partnership|authority|commissioning|"
    r"group|alliance|borough)\b",
    re.IGNORECASE,
)
_BODY_LINE = 34  # the responsible-body column is narrow: its lines are shorter than this
# A sentence that opens a new recommendation: a subject other than a pronoun, then a modal.
_OPENER = re.compile(
    r"^(?!(?:They|This|These|That|It|Its|There|Their|Such|However|In|For|As|To|When|Where|"
    r"While|Also|Both|Each|All|Some)\b)[A-Z][\w'\u2019-]*(?:\s+[\w'\u2019,()&/-]+){0,10}?\s+"
    r"(?:should|must|needs?\s+to|will\s+need\s+to)\b"
)
_TEAM_END = re.compile(
    r"If you are not happy|The Office for Standards|You may reuse|\u00a9 Crown", re.IGNORECASE
)
_MEMBER = re.compile(
    r"(?P<name>(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*){1,5}?)"
    r"(?:\s+HMI)?\s*,\s*(?:HMI\s*,\s*)?(?P<org>Ofsted|CQC|Care Quality Commission)\b"
)
_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr")
_ROLE_WORDS = {
    "HMI", "Lead", "Inspector", "Inspectors", "Ofsted", "CQC", "Social", "Care", "Quality",
    "Commission", "Senior", "Regulatory", "Children's", "Children\u2019s", "Services", "Team",
}  # fmt: skip


@dataclass
class _Item:
    """One unit being read: its lead-in paragraph(s), sub-items and any paragraph after them."""

    lead: list[str] = field(default_factory=list)
    subs: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)
    group: list[str] = field(default_factory=list)
    bulleted: bool = False  # the item is a bullet, not a paragraph

    @property
    def text(self) -> str:
        return join_item(" ".join(self.lead), self.subs, self.tail)

    def takes_sub_items(self) -> bool:
        """Whether a bullet that follows belongs to this item (its lead-in ends with ':')."""
        return bool(self.subs) or bool(self.lead) and self.lead[-1].rstrip().endswith(":")

    def extend(self, text: str) -> None:
        """Add a line that goes on with whatever the item printed last."""
        pieces = self.tail or self.subs or self.lead
        if pieces:
            pieces[-1] = _join([pieces[-1], text])
        else:
            self.lead.append(text)


def parse_send(text: str) -> Letter:
    """Parse an area SEND inspection report's text into a Letter."""
    letter = Letter(kind="area_send")
    lines = _prepare(text)
    if not lines:
        letter.warnings.append("no text to read")
        return letter
    flat = _join(x.text for x in lines)
    _read_metadata(flat, letter)
    sections = _sections(lines)
    for role, name, body in sections:
        if role == "outcome":
            outcome = _outcome(_join(x.text for x in body))
            if outcome:
                letter.judgements["outcome"] = outcome
        elif role == "finding":
            letter.units.extend(_findings(body, name))
        elif role in ("afi", "priority"):
            kind = "priority_action" if role == "priority" else "area_for_improvement"
            items = _table_rows(body) if role == "priority" else None
            items = items if items is not None else _paragraph_items(body)
            letter.units.extend(
                Unit(kind, item.text, name, group=_join(item.group) or None)
                for item in items
                if item.text
            )
    _number_findings(letter.units)
    _warn_missing(letter)
    return letter


# ---------------------------------------------------------------------------------------------
# Metadata


def _read_metadata(flat: str, letter: Letter) -> None:
    m = re.search(
        r"(Area SEND inspection of\s+(?:the\s+)?(.+?)\s+Local\s+Area\s+Partnership)", flat, re.I
    )
    if m:
        letter.title = m.group(1)
        letter.local_authority = m.group(2).strip()
    else:
        m = re.search(r"\b(?:of|in)\s+(?:the\s+)?(.{2,60}?)\s+Local\s+Area\s+Partnership", flat)
        letter.local_authority = m.group(1).strip() if m else None
    letter.authority = canonical_authority(letter.local_authority)
    m = re.search(r"Inspection dates?\s*:?\s*(.{0,60})", flat, re.IGNORECASE)
    if m:
        letter.inspection_start, letter.inspection_end = parse_range(m.group(1))
    letter.inspectors, letter.lead_inspector = _team(flat)


def _outcome(text: str) -> str | None:
    for outcome, pattern in OUTCOMES:
        if pattern.search(text):
            return outcome
    return None


def _team(flat: str) -> tuple[list[str], str | None]:
    """The inspection team (Ofsted's, then the CQC's) and Ofsted's lead inspector."""
    at = [m.end() for m in re.finditer(r"\bInspection team\b", flat)]
    if not at:
        return [], None
    team = flat[at[-1] :]
    stop = _TEAM_END.search(team)
    team = team[: stop.start()] if stop else team[:1500]
    team = re.sub(r"^\s*Ofsted\s+(?:and\s+)?(?:the\s+)?Care Quality Commission", " ", team)
    members: list[tuple[str, str, int, int]] = []  # name, organisation, name start, match end
    for m in _MEMBER.finditer(team):
        words = m.group("name").split()
        skip = 0
        while skip < len(words) - 2 and words[skip] in _ROLE_WORDS:
            skip += 1
        while skip < len(words) and words[skip] in _ROLE_WORDS:
            skip += 1
        kept = words[skip:]
        if len(kept) - (kept[0] in _TITLES if kept else 0) < 2:
            continue  # a role, or a title, without a name
        name = " ".join(kept)
        start = m.start("name") + m.group("name").find(words[skip]) if skip else m.start("name")
        org = "ofsted" if m.group("org") == "Ofsted" else "cqc"
        members.append((name, org, start, m.end()))
    lead = None
    for i, (name, org, _, end) in enumerate(members):
        role = team[end : members[i + 1][2] if i + 1 < len(members) else len(team)]
        if org == "ofsted" and lead is None and re.search(r"\blead\b", role, re.IGNORECASE):
            lead = name
    ofsted = [n for n, org, _, _ in members if org == "ofsted"]
    cqc = [n for n, org, _, _ in members if org == "cqc"]
    names = list(dict.fromkeys(ofsted + cqc))
    return names, lead or (ofsted[0] if ofsted else None)


# ---------------------------------------------------------------------------------------------
# Sections


def _heading(lines: list[_Line], i: int) -> tuple[str, str, int] | None:
    """(role, heading text, lines it takes) if lines[i] starts a known heading."""
    text = lines[i].text.strip()
    if len(text) > 110 or text.startswith(BULLET) or not text[:1].isupper():
        return None
    taken = 1
    # "What is it like to be a child or young person with special" wraps onto the next lines.
    if re.match(r"what is it like\b", text, re.IGNORECASE) and not text.endswith("?"):
        for nxt in lines[i + 1 : i + 3]:
            text, taken = f"{text} {nxt.text.strip()}", taken + 1
            if text.endswith("?"):
                break
    key = re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip(" ?:.").lower()
    for role, pattern in _HEADINGS:
        if pattern.match(key):
            return role, re.sub(r"\s+", " ", text).rstrip(" :"), taken
    return None


def _sections(lines: list[_Line]) -> list[tuple[str, str, list[_Line]]]:
    """(role, heading, lines) for each section; a heading printed twice (as the section's and
    its table's) opens one section."""
    sections: list[tuple[str, str, list[_Line]]] = []
    i = 0
    while i < len(lines):
        found = _heading(lines, i)
        if found is not None:
            role, name, taken = found
            if not (sections and sections[-1][1] == name and not sections[-1][2]):
                sections.append((role, name, []))
            i += taken
            continue
        if sections:
            sections[-1][2].append(lines[i])
        i += 1
    return sections


# ---------------------------------------------------------------------------------------------
# Pieces: bullets, sub-items and paragraphs of a section


@dataclass
class _Piece:
    kind: str  # "bullet", "sub", "para" or "body" (a responsible body's cell)
    lines: list[_Line]

    @property
    def text(self) -> str:
        text = _join(x.text for x in self.lines)
        return re.sub(rf"^{BULLET}\s*", "", text)


def _pieces(body: list[_Line], *, openers: bool, prose: bool = False) -> list[_Piece]:
    """The section's lines grouped into bullets, sub-items and paragraphs.

    A paragraph starts after a blank line, or (text set in a table has none) after a sentence
    whose line stops short of the measure; with `openers`, also at a sentence that opens a new
    recommendation ("Leaders across the partnership should ..."). In `prose` (the findings,
    whose paragraphs and bullets blank lines set apart) a line that stops short is only the end
    of a sentence, unless the section has no blank lines to go by.
    """
    body = [x for x in body if not _TABLE_HEADER.match(x.text.strip())]
    width = _line_width(body) if body else 0
    by_gaps = prose and sum(1 for x in body if x.gap_before) >= 2
    pieces: list[_Piece] = []
    for line in body:
        text = line.text.strip()
        if text == BULLET:
            continue  # an empty bullet glyph
        prev = pieces[-1].lines[-1] if pieces else None
        if text.startswith(BULLET):
            pieces.append(_Piece("bullet", [line]))
        elif is_sub_item(text):
            pieces.append(_Piece("sub", [line]))
        elif prev is None:
            pieces.append(_Piece("para", [line]))
        elif text[:1].islower() or (
            not _TERMINAL.search(prev.text) and not (pieces[-1].kind != "para" and line.gap_before)
        ):
            pieces[-1].lines.append(line)  # the sentence goes on, over a gap or a page break
        elif (
            line.gap_before
            or (not by_gaps and _stops_short(prev.text, text, width))
            or (openers and _OPENER.match(text))
        ):
            pieces.append(_Piece("para", [line]))
        else:
            pieces[-1].lines.append(line)
    # An editorial note wrapped over lines of its own ("All names ... have been changed").
    return [p for p in pieces if not is_editorial_note(p.text)]


def _stops_short(prev: str, line: str, width: int) -> bool:
    """Whether a line ends short of the measure, leaving room for the next line's first word."""
    first = line.split(" ", 1)[0]
    return _text_width(f"{prev} {first}") < width


# ---------------------------------------------------------------------------------------------
# Units


def _paragraph_items(body: list[_Line]) -> list[_Item]:
    """Areas for improvement (or priority actions printed without a responsible body): one a
    paragraph, the bullets under a paragraph ending with ':' its sub-items."""
    items: list[_Item] = []
    for piece in _pieces(body, openers=True):
        text = piece.text
        if not text:
            continue
        current = items[-1] if items else None
        if piece.kind == "para":
            items.append(_Item(lead=[text]))
        elif current is not None and (
            piece.kind == "sub" or (not current.bulleted and current.takes_sub_items())
        ):
            current.subs.append(text)
        else:
            items.append(_Item(lead=[text], bulleted=True))
    return items


def _table_rows(body: list[_Line]) -> list[_Item] | None:
    """Priority actions as table rows: a responsible body and the action (paragraphs, with
    sub-items). The body's cell comes first in the text, or (as a PDF may order a row) last.
    None if no row names a responsible body."""
    marked = _mark_bodies(body)
    if not any(is_body for _, is_body in marked):
        return None
    body_first = marked[0][1]
    rows: list[_Item] = []
    text_lines: list[_Line] = []
    run: list[_Line] = []
    for i, (line, is_body) in enumerate(marked):
        if not is_body:
            text_lines.append(line)
            continue
        run.append(line)
        if i + 1 < len(marked) and marked[i + 1][1]:
            continue
        cell = [x.text for x in run]
        run = []
        pending = _join(x.text for x in text_lines)
        if text_lines and not _TERMINAL.search(pending) and (rows or not body_first):
            # The action goes on over a page break and its body's cell with it.
            if body_first:
                rows[-1].group.extend(cell)
                continue
        if body_first:
            if rows:
                _fill_row(rows[-1], _pieces(text_lines, openers=False))
            rows.append(_Item(group=cell))
        else:
            row = rows[-1] if rows and not text_lines else _Item()
            if row is not (rows[-1] if rows else None):
                _fill_row(row, _pieces(text_lines, openers=False))
                rows.append(row)
            row.group.extend(cell)
        text_lines = []
    if body_first and rows:
        _fill_row(rows[-1], _pieces(text_lines, openers=False))
    elif text_lines:
        rows.append(_Item())  # an action whose body's cell was not printed with it
        _fill_row(rows[-1], _pieces(text_lines, openers=False))
    return rows


def _mark_bodies(body: list[_Line]) -> list[tuple[_Line, bool]]:
    """Each line, and whether it is part of a responsible body's cell: a run of short lines with
    no full stop, naming an organisation, that a blank line parts from the action."""
    body = [x for x in body if not _TABLE_HEADER.match(x.text.strip())]
    marks = [False] * len(body)
    i = 0
    while i < len(body):
        j = i
        while (
            j < len(body)
            and len(body[j].text) <= _BODY_LINE
            and not body[j].text.startswith(BULLET)
            and not is_sub_item(body[j].text)
            and not _TERMINAL.search(body[j].text)
            and (j == i or not body[j].gap_before)
        ):
            j += 1
        run = " ".join(x.text for x in body[i:j])
        ends = j >= len(body) or body[j].gap_before
        starts = (
            i == 0
            or body[i].gap_before
            or body[i].page != body[i - 1].page
            or bool(_TERMINAL.search(body[i - 1].text))
        )
        if j > i and ends and starts and _BODY_WORDS.search(run):
            marks[i:j] = [True] * (j - i)
            i = j
        else:
            i += 1
    return list(zip(body, marks, strict=True))


def _fill_row(row: _Item, pieces: list[_Piece]) -> None:
    """A table row's action: its paragraphs, sub-items, and paragraphs after the sub-items."""
    for piece in pieces:
        text = piece.text
        if not text:
            continue
        if piece.kind == "para":
            if row.subs:
                row.tail.append(text)
            elif row.lead and text[:1].islower():
                row.extend(text)
            else:
                row.lead.append(text)
        elif row.takes_sub_items() or piece.kind == "sub" or row.lead:
            row.subs.append(text)
        else:
            row.lead.append(text)


def _findings(body: list[_Line], section: str) -> list[Unit]:
    """The bullets and paragraphs under an evaluation heading; sub-items join their finding."""
    units: list[Unit] = []
    items: list[_Item] = []
    for piece in _pieces(body, openers=False, prose=True):
        text = piece.text
        if not text:
            continue
        current = items[-1] if items else None
        if current is not None and (
            piece.kind == "sub"
            or (piece.kind == "bullet" and not current.bulleted and current.takes_sub_items())
        ):
            current.subs.append(text)
        else:
            items.append(_Item(lead=[text], bulleted=piece.kind != "para"))
    units.extend(Unit("finding", item.text, section) for item in items if item.text)
    return units


def _number_findings(units: list[Unit]) -> None:
    number = 0
    for unit in units:
        if unit.kind == "finding":
            number += 1
            unit.number = number


def _warn_missing(letter: Letter) -> None:
    """Say what could not be read, so that a person knows what to check."""
    labels = {
        "local_authority": "local area partnership",
        "inspection_start": "inspection dates",
        "lead_inspector": "lead inspector",
    }
    for name, label in labels.items():
        if getattr(letter, name) is None:
            letter.warnings.append(f"no {label} found")
    if "outcome" not in letter.judgements:
        letter.warnings.append("no inspection outcome found")
    kinds = {u.kind for u in letter.units}
    if "finding" not in kinds:
        letter.warnings.append("no findings found: an unrecognised layout?")
    if "area_for_improvement" not in kinds:
        letter.warnings.append("no areas for improvement found")
