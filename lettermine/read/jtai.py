"""Text -> Letter for joint targeted area inspection (JTAI) letters, both layouts.

Pure: no database, no spaCy. A JTAI letter is written by Ofsted with the CQC, HMICFRS and HMI
Probation to the area's leaders. Two layouts:

- 2016-2020: "Joint targeted area inspection of the multi-agency response to <topic> in <area>";
  the opening sentence gives the dates ("Between 5 and 9 December 2016, Ofsted, the Care Quality
  Commission ... undertook a joint inspection of ...", sometimes without the year) and a
  "'deep dive' focus on ..."; "Areas for priority action" and "Areas for improvement" list
  bullets, often under sub-headings ("Leadership and management", an agency), and a bullet may
  go on with an indented paragraph; case-study boxes may interrupt the list mid-sentence.
- 2022 on: "Joint targeted area inspection of <area>"; "This inspection took place from ...";
  the focus in the first sentence ("... of the multi-agency response to <focus> in <area>");
  "What needs to improve?" lists bullets, and some letters have an "Area for priority action"
  with a lead-in paragraph.

Units: every item under those headings (a bullet, or a paragraph where the section has no
bullets), its sub-items joined in (read.lists), with the sub-heading it sits under as `group`;
findings under the findings headings. The lines, blocks and shared letter metadata (letter date,
signatures, visit dates) are read as visit.py reads a letter: the same machinery.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lettermine.authorities import canonical_authority
from lettermine.read.lists import join_item
from lettermine.read.visit import (
    _APOS,
    _CLOSING,
    _OTHER_HEADING,
    _TERMINAL,
    _Block,
    _blocks,
    _clean_heading,
    _flat,
    _heading_role,
    _is_procedural,
    _join,
    _key,
    _letter_date,
    _Line,
    _prepare,
    _signatures,
    _subject_line,
    _visit_dates,
)
from lettermine.records import Letter, Unit

_PRIORITY = re.compile(r"^areas? (?:for|of) priority actions?$|^priority actions?$")
_NONE_TO_ACT_ON = re.compile(
    r"^there (?:are|were|is) no (?:areas? for )?(?:priority|immediate) actions?\b", re.IGNORECASE
)
# The statutory footnotes every letter of the 2016-2020 layout prints, wherever the PDF put them.
_FOOTNOTE = re.compile(
    r"^\d{0,2}\s*(?:This joint inspection was conducted under section \d+ of the Children Act"
    r"|The Children Act 2004 \(Joint Area Reviews\) Regulations)",
    re.IGNORECASE,
)
_OPENS = re.compile(r"^(?:Between|From|On|During|This letter|This inspection|Dear)\b")
_QUOTES = "['\u2018\u2019]"
_DEEP_DIVE = re.compile(
    rf"{_QUOTES}deep dive{_QUOTES}\s+(?:focus\s+on\s+(?:the\s+response\s+to\s+)?(?P<on>[^.]+)|"
    r"into\s+the\s+effectiveness\s+of\s+services\s+for\s+(?:a\s+(?:small\s+)?group\s+of\s+)?"
    r"(?P<into>[^.]+))",
    re.IGNORECASE,
)
_OPENING = re.compile(
    r"(?:Between|From|On|During)\s+(?:the\s+)?\d[^.]{0,300}?(?:undertook|carried\s+out|conducted)"
    r"\s+a\s+joint\s+(?:targeted\s+area\s+)?inspection[^.]*\.",
    re.IGNORECASE,
)
_RESPONSE_TO = re.compile(
    r"(?:inspection|JTAI\)?)\s+of\s+the\s+multi-agency\s+(?:responses?\s+to\s+)?(?P<topic>.+?)"
    r"(?:\.\s|\.$|$)",
    re.IGNORECASE,
)


def parse_jtai(text: str) -> Letter:
    """Parse a joint targeted area inspection letter's text into a Letter."""
    letter = Letter(kind="jtai")
    lines = [x for x in _prepare(text) if not _FOOTNOTE.match(x.text)]
    if not lines:
        letter.warnings.append("no text to read")
        return letter
    flat = _flat(lines)
    _read_metadata(lines, flat, letter)
    letter.units = _units(_blocks(lines))
    _warn_missing(letter)
    return letter


# ---------------------------------------------------------------------------------------------
# Metadata


def _read_metadata(lines: list[_Line], flat: str, letter: Letter) -> None:
    letter.published = _letter_date(lines)
    letter.title = _title(lines) or _subject_line(lines)
    opening = _OPENING.search(flat)
    summary = re.search(r"This letter summarises[^.]*\.", flat)
    sentences = " ".join(m.group(0) for m in (opening, summary) if m)
    letter.local_authority = _authority(letter.title, sentences, lines)
    letter.authority = canonical_authority(letter.local_authority)
    letter.inspection_start, letter.inspection_end = _visit_dates(
        flat, opening.group(0) if opening else "", letter.published
    )
    # Each inspectorate's director signs; a JTAI letter names no lead inspector.
    letter.inspectors = _signatures(lines)
    letter.focus = _focus(letter.title, flat, letter.local_authority)


def _title(lines: list[_Line]) -> str | None:
    """The title, "Joint targeted area inspection of ...", over as many lines as it wraps to."""
    for i, line in enumerate(lines[:80]):
        if re.match(r"^joint targeted area inspection\b", line.text, re.IGNORECASE):
            taken = [line.text]
            for nxt in lines[i + 1 : i + 5]:
                if nxt.gap_before or _OPENS.match(nxt.text) or _heading_role(nxt.text):
                    break
                taken.append(nxt.text)
            return _join(taken).rstrip(".")
    return None


def _authority(title: str | None, opening: str, lines: list[_Line]) -> str | None:
    """The area as printed: the title's ("... inspection of Barnsley", "... in Hampshire"), else
    the opening sentences', else an addressee's ("Director of Children's Services, X Council")."""
    places: list[str] = []
    if title:
        m = re.search(r"inspection\s+of\s+(.+)$", title, re.IGNORECASE)
        if m and not re.match(r"the\s+multi-agency", m.group(1), re.IGNORECASE):
            places.append(m.group(1))
        places.extend(re.findall(r"\bin\s+(?=(.+)$)", title)[::-1])
    if opening:
        places.extend(re.findall(r"\bin\s+(?=([^.,]+))", opening)[::-1])
    for place in places:
        found = _printed_authority(place)
        if found:
            return found
    for line in lines[:40]:  # the addressees
        if re.match(r"^(dear|joint targeted)\b", line.text, re.IGNORECASE):
            break
        found = _printed_authority(line.text, anywhere=True)
        if found:
            return found
    # A council the list of authorities does not know: the title's own words for the area.
    return re.sub(r"^the\s+", "", places[0].strip(" .,"), flags=re.I) if places else None


def _printed_authority(text: str, *, anywhere: bool = False) -> str | None:
    """The longest run of words, from the start of the text (or anywhere in it), that names a
    known council: 'Surrey who need help' -> 'Surrey', 'the London Borough of Croydon' -> itself."""
    words = re.sub(r"[.,;:]+$", "", text.strip()).split()
    starts = range(len(words)) if anywhere else range(1)
    best: str | None = None
    for start in starts:
        for end in range(len(words), start, -1):
            candidate = " ".join(words[start:end]).strip(" ,.;:")
            if canonical_authority(candidate):
                if best is None or len(candidate) > len(best):
                    best = candidate
                break
    if best is None:
        return None
    return re.sub(r"^the\s+", "", best, flags=re.IGNORECASE) if best[:4].lower() == "the " else best


def _topic(text: str | None, authority: str | None) -> str | None:
    """What a sentence says the multi-agency response was to, without the area's name."""
    if not text:
        return None
    m = _RESPONSE_TO.search(text)
    if not m:
        return None
    topic = m.group("topic").strip()
    # "... in Hampshire", "... in the London Borough of Croydon", "children and families in
    # Surrey who need help": the area is not part of the topic.
    area = canonical_authority(authority)
    for place in re.finditer(r"\s+in\s+(?=(.+))", topic):
        named = _printed_authority(re.sub(rf"{_APOS}s\b", "", place.group(1)))
        if named and canonical_authority(named) == area:
            end = place.start(1) + place.group(1).find(named.split()[-1]) + len(named.split()[-1])
            topic = topic[: place.start()] + re.sub(rf"^{_APOS}s", "", topic[end:])
            break
    topic = re.sub(r"\s*\d{1,2}$", "", topic)  # a footnote marker after the area's name
    topic = re.sub(r"^the\s+", "", topic.strip(" .,"), flags=re.IGNORECASE)
    return topic or None


def _focus(title: str | None, flat: str, authority: str | None) -> str | None:
    """The inspection's focus: the topic, and the deep dive where the letter names one
    ("abuse and neglect; deep dive: children living with domestic abuse")."""
    summary = re.search(r"This letter summarises[^.]*\.", flat)
    opening = _OPENING.search(flat)
    body = _topic(opening.group(0) if opening else None, authority) or _topic(
        summary.group(0) if summary else None, authority
    )
    headline = _topic(title, authority)
    topic = body
    if body is None or re.match(r"(?:these|those|this)\b", body, re.IGNORECASE):
        topic = headline  # "the response to these related areas of risk": the title says which
    elif headline and len(headline.split()) < len(body.split()):
        topic = headline  # the title names the theme the opening sentence spells out
    if topic is None:
        return None
    m = _DEEP_DIVE.search(flat)
    deep = None
    if m:
        deep = (m.group("on") or m.group("into") or "").strip()
        deep = re.sub(r"^children and young people who have suffered, or are at risk of,\s+",
                      "", deep)  # fmt: skip
        if re.match(r"(?:this|these|that)\b", deep, re.IGNORECASE):
            deep = body if body != topic else None  # "on this vulnerable group of children"
    if headline and headline != topic and (deep is None or headline not in deep):
        deep = headline  # the title names the deep dive ("children's mental health")
    return f"{topic}; deep dive: {deep}" if deep else topic


# ---------------------------------------------------------------------------------------------
# Units


@dataclass
class _Item:
    """An area for improvement or priority action being read."""

    kind: str
    section: str | None
    group: str | None
    lead: list[str] = field(default_factory=list)
    subs: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return join_item(" ".join(self.lead), self.subs, self.tail)

    def unit(self) -> Unit:
        return Unit(self.kind, self.text, self.section, group=self.group)


def _role(block: _Block) -> str:
    """A heading's role: 'priority', 'afi', 'finding', 'other' (listed) or 'sub' (unlisted)."""
    key = _key(block.lines[0].text).strip(" :?.")
    if _PRIORITY.match(key):
        return "priority"
    if block.role == "other" and not _OTHER_HEADING.match(key):
        return "sub"
    return block.role


def _units(blocks: list[_Block]) -> list[Unit]:
    """Priority actions, areas for improvement (with their group) and findings, as printed."""
    units: list[Unit] = []
    role: str | None = None  # "afi", "priority", "finding" or None (text to skip)
    section: str | None = None
    group: str | None = None
    listed = False  # whether the current list section has had a bullet
    item: _Item | None = None  # the list item being read
    interrupted: tuple[_Item, str, str | None, str | None] | None = None  # by a case-study box
    number = 0

    def close() -> None:
        nonlocal item
        if item is not None and item.text:
            units.append(item.unit())
        item = None

    for idx, block in enumerate(blocks):
        nxt = blocks[idx + 1] if idx + 1 < len(blocks) else None
        if block.kind == "heading":
            heading, kind = _clean_heading(block.lines[0].text), _role(block)
            if kind in ("afi", "priority"):
                close()
                role, section, group, listed = kind, heading, None, False
            elif kind == "sub" and role in ("afi", "priority") and _opens_group(nxt, listed):
                close()
                group = heading
            elif role in ("afi", "priority") and item is not None and not _ends(item):
                # A case-study box set inside an item that goes on after it.
                interrupted = (item, role, section, group)
                item, role, section, group = None, "finding", heading, None
            else:
                close()
                role = "finding" if kind in ("finding", "sub") and role is not None else kind
                role = role if role in ("finding", "afi", "priority") else None
                section, group = heading, None
            continue
        text = block.text
        if not text:
            continue
        if _CLOSING.match(text):
            break
        if interrupted is not None and block.kind == "para" and text[:1].islower():
            item, role, section, group = interrupted
            interrupted = None
            item.tail.append(text) if item.tail or item.subs else item.lead.append(text)
            continue
        if role in ("afi", "priority"):
            if _NONE_TO_ACT_ON.match(text):
                continue
            kind = "priority_action" if role == "priority" else "area_for_improvement"
            if block.kind == "bullet":
                close()
                listed = True
                item = _Item(kind, section, group, lead=[text])
            elif item is not None and (listed or text[:1].islower()):
                item.tail.append(text)  # a paragraph set under the bullet it belongs to
            elif text.endswith(":") and _is_bullet(nxt):
                continue  # a lead-in to the list
            else:
                close()
                item = _Item(kind, section, group, lead=[text])
            continue
        close()
        if role == "finding" and not _is_procedural(text):
            if block.kind == "para" and text.endswith(":") and _is_bullet(nxt):
                continue  # a lead-in to a list of findings
            number += 1
            units.append(Unit("finding", text, section, number))
    close()
    return units


def _is_bullet(block: _Block | None) -> bool:
    return block is not None and block.kind == "bullet"


def _opens_group(nxt: _Block | None, listed: bool) -> bool:
    """Whether a sub-heading inside a list heads a group of its items ("Police"), rather than
    prose that follows the list (a findings section the letter did not name as one)."""
    if nxt is None or nxt.kind == "heading":
        return nxt is not None
    return nxt.kind == "bullet" or not listed


def _ends(item: _Item) -> bool:
    return bool(_TERMINAL.search(item.text))


def _warn_missing(letter: Letter) -> None:
    """Say what could not be read, so that a person knows what to check."""
    labels = {
        "local_authority": "local authority name",
        "inspection_start": "inspection dates",
        "published": "letter date",
    }
    for name, label in labels.items():
        if getattr(letter, name) is None:
            letter.warnings.append(f"no {label} found")
    kinds = {u.kind for u in letter.units}
    if "finding" not in kinds:
        letter.warnings.append("no findings found: an unrecognised layout?")
    if not kinds & {"area_for_improvement", "priority_action"}:
        letter.warnings.append("no areas for improvement or priority actions found")
