"""Text -> Letter for focused visit and monitoring visit letters.

Pure: no database, no spaCy. The text may come from a PDF (lines wrapped at the page width,
perhaps without blank lines between paragraphs), a Word document (one paragraph a line) or a
plain-text file (blank lines between paragraphs); what cannot be read becomes a warning.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from lettermine.authorities import canonical_authority
from lettermine.dates import MONTHS, iso, list_start, parse_range
from lettermine.read.editorial import is_editorial_note
from lettermine.read.lists import join_item, opens_sub_item
from lettermine.records import Letter, Unit

BULLET = "\u25fc"
# Bullet glyphs a letter may still carry if it did not come through extract.read_text.
_BULLET_CHARS = (
    "\u25fc\u2022\u25aa\u25cf\u25a0\u25fe\u25e6\u2023\u2043\u25cb\u25b6\uf0b7\uf06e\uf0a7\uf0d8"
)
_BULLET_START = re.compile(rf"^\s*[{_BULLET_CHARS}]\s*")
_APOS = "['\u2019]"

# Ofsted's letterhead: pypdfium2 emits it wherever the content stream puts it, often in the
# middle of the body text at the first page break, so it is removed wherever it occurs.
_LETTERHEAD_STRONG = re.compile(
    "^("
    + "|".join(
        [
            r"piccadilly gate", r"store street", r"agora", r"6 cumberland place", r"aviation house",
            r"125 kingsway", r"clive house", r"70 petty france", r"t:? ?0300 ?123 ?1231",
            r"textphone.*", r"enquiries@ofsted\.gov\.uk", r"www\.gov\.uk/ofsted",
            r"www\.ofsted\.gov\.uk", r"(manchester,? )?m1 2wd", r"(london,? )?wc2b 6se",
            r"(london,? )?sw1h 9ex", r"(nottingham,? )?ng1 6hj",
        ]
    )
    + ")$",
    re.IGNORECASE,
)  # fmt: skip
_LETTERHEAD_WEAK = re.compile(
    r"^(ofsted|manchester|london|nottingham|[a-z]{1,2}\d{1,2}[a-z]? \d[a-z]{2})$", re.I
)

_DATE_LINE = re.compile(
    r"^\s*(\d{1,2})(?:st|nd|rd|th)?\s+(January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\s+(\d{4})\s*$",
    re.IGNORECASE,
)
# A telephone number on a line of its own ("0161 618 8524"): the letterhead's, broken from its
# "Textphone" label.
_PHONE_LINE = re.compile(r"^\+?\(?0\d{2,4}\)?(?: ?\d){6,8}$")
_POSTCODE = re.compile(r"^(?:.{0,40}\s)?[A-Z]{1,2}\d{1,2}[A-Z]? ?\d[A-Z]{2}$")
_FOOTNOTE = re.compile(r"national framework|cross-referenced|https?://|www\.", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?:;](?:['\"\u2019\u201d)\]]*)$")


def _alternatives(*patterns: str) -> re.Pattern[str]:
    return re.compile("^(" + "|".join(patterns) + ")$")


# Heading roles, matched against a whole line with trailing punctuation and footnote marks removed.
_PRIORITY_HEADING = _alternatives(
    r"areas? (for|of) priority actions?",
    r"priority actions?",
    r"areas? for (priority and )?immediate action",
    r"priority and immediate actions?",
)
_AFI_HEADING = _alternatives(
    r"what needs to improve\b.*",
    r"what (does|do) .{3,60} need to improve\b.*",
    r"areas? for (further |continued )?improvement",
    r"areas? for development",
    r"areas? (that|which) needs? (to )?improv(e|ing)",
    r"recommendations?",
)
_FINDINGS_HEADING = _alternatives(
    r"overview",
    r"(headline|main|key|other|summary of) findings?",
    r"findings",
    r"(findings and )?evaluation of progress",
    r"progress made",
    r"areas? of strengths?",
    r"(key )?strengths",
    r"what is working well",
    r"(case|practice) study\b.*",
)
_OTHER_HEADING = _alternatives(
    r"introduction",
    r"context",
    r"background",
    r"next steps",
    r"areas covered by the visit",
    r"the visit",
    r"methodology",
    r"about this (visit|inspection)",
    r"scope of the (visit|inspection)",
    r"summary",
    r"conclusion",
)

# Paragraphs that end the letter's findings: the closing, procedural requests and sign-off.
_CLOSING = re.compile(
    "^("
    + "|".join(
        [
            r"(ofsted|we) will (take|use|consider|continue)",
            r"yours? (sincerely|faithfully)",
            r"i am copying this letter",
            r"this letter will be published",
            r"the (local safeguarding partners?|local authority|(safeguarding )?partnership) "
            r"(should|will|is required to|are required to|must) (prepare|submit|produce|provide)",
            r"cc:?\s",
        ]
    )
    + ")",
    re.IGNORECASE,
)
_PROCEDURAL = re.compile(r"action plan|written statement of (proposed )?action", re.IGNORECASE)
_PROCEDURAL_CONTEXT = re.compile(
    r"\bsubmit\b|working days|requires? you|share a draft|send (it|us)", re.IGNORECASE
)

_NAME_STOP = {
    "Her", "His", "Majesty's", "Majesty’s", "Majestys", "Inspector", "Inspectors", "HMI", "The",
    "Senior", "Ofsted", "Lead", "Team", "Social", "Care", "Regulatory", "Inspection", "Manager",
    "And", "Visit", "This", "Chief", "National", "Director", "Deputy", "Children's", "Children’s",
    "Quality", "Assurance", "Commission", "Inspectorate", "Constabulary", "Fire", "Rescue",
    "Services", "Probation", "Police", "Council", "Board", "Trust", "Partnership", "Health",
    "Integrated", "Local", "Authority", "Education", "Skills", "Justice",
}  # fmt: skip
_NAME_WORD = r"(?:Mc|Mac|O['’]|D['’])?[A-Z][a-zA-Z'’]*(?:-[A-Za-z][a-zA-Z'’]*)?"


@dataclass
class _Line:
    text: str
    page: int
    gap_before: bool = False  # a blank line precedes it in the source


@dataclass
class _Block:
    kind: str  # "heading", "bullet" or "para" ("sub" while the blocks are being read)
    lines: list[_Line] = field(default_factory=list)
    role: str = ""  # for headings: "finding", "afi", "priority", "other"
    subs: list[list[_Line]] = field(default_factory=list)  # its sub-items' lines

    @property
    def text(self) -> str:
        own = _join([x.text for x in self.lines])
        return join_item(own, [_join(x.text for x in sub) for sub in self.subs])


def parse_visit(text: str, kind: str) -> Letter:
    """Parse a focused visit or monitoring visit letter's text into a Letter."""
    letter = Letter(kind=kind)
    lines = _prepare(text)
    if not lines:
        letter.warnings.append("no text to read")
        return letter
    flat = _flat(lines)
    _read_metadata(lines, flat, letter)
    blocks = _blocks(lines)
    letter.units = _units(blocks, letter.warnings)
    _warn_missing(letter)
    return letter


# ---------------------------------------------------------------------------------------------
# Lines: page furniture, letterhead and glued text removed


def _prepare(text: str) -> list[_Line]:
    text = _rejoin_hyphens(text.replace("\r\n", "\n").replace("\r", "\n"))
    out: list[_Line] = []
    for page_no, page in enumerate(text.split("\f")):
        raw = [_tidy(x) for x in page.split("\n")]
        raw = [piece for x in raw for piece in _split_glued(x)]
        raw = _drop_footnotes(_drop_letterhead(raw))
        gap = False
        for line in raw:
            if not line.strip():
                gap = True
                continue
            if re.fullmatch(r"\s*(page\s+)?\d{1,3}(\s+of\s+\d{1,3})?\s*", line, re.IGNORECASE):
                continue  # a page number the extractor left behind
            if is_editorial_note(line):
                gap = True  # "All names are pseudonyms": set apart from the text after it
                continue
            out.append(_Line(line.strip(), page_no, gap))
            gap = False
    return out


def _tidy(line: str) -> str:
    line = line.replace("\u00a0", " ").replace("\u202f", " ").replace("\t", " ")
    line = re.sub(r" {2,}", " ", line).rstrip()
    m = _BULLET_START.match(line)
    if m:
        line = f"{BULLET} " + line[m.end() :]
    return line


def _split_glued(line: str) -> list[str]:
    """Split text that the PDF's content order ran together onto one line."""
    # A bullet mid-line starts a new item ("...at this visit:◼ the sufficiency").
    parts = [p for p in re.split(rf"(?<=\S)\s*(?=[{_BULLET_CHARS}]\s)", line) if p.strip()]
    out: list[str] = []
    for part in parts:
        # A new text object that starts a sentence with no space: "care leavers.Ofsted will take".
        part = re.sub(r"(?<=[a-z][.!?])(?=[A-Z][a-z])", "\n", _tidy(part))
        # The signature's role runs into whatever comes next: "His Majesty's InspectorOfsted".
        for piece in part.split("\n"):
            out.extend(
                p
                for p in re.split(r"(?<=Inspector)(?=[A-Z0-9])|(?<=gov\.uk/ofsted)(?=\S)", piece)
                if p
            )
    return out or [line]


def _drop_letterhead(lines: list[str]) -> list[str]:
    """Remove runs of letterhead lines (blank lines between them allowed) that contain at least
    one unmistakable one."""
    keep = [True] * len(lines)
    i = 0
    while i < len(lines):
        j, strong = i, False
        while j < len(lines) and _letterhead_like(lines[j]):
            strong = strong or bool(_LETTERHEAD_STRONG.match(lines[j].strip()))
            j += 1
        if strong:
            keep[i:j] = [not lines[k].strip() for k in range(i, j)]  # keep the blank lines
        i = max(j, i + 1)
    return [x for x, k in zip(lines, keep, strict=True) if k]


def _letterhead_like(line: str) -> bool:
    text = line.strip()
    # A bare number: a telephone number broken over two lines ("Textphone 0161 618" / "8524").
    return (
        not text
        or bool(_LETTERHEAD_STRONG.match(text) or _LETTERHEAD_WEAK.match(text))
        or bool(re.fullmatch(r"\d{3,4}", text))
        or bool(_PHONE_LINE.match(text))
    )


def _drop_footnotes(lines: list[str]) -> list[str]:
    """Remove a footnote at the foot of a page ("1 The areas for improvement have been ...")."""
    filled = [i for i, x in enumerate(lines) if x.strip()]
    before = "\n".join(lines)
    for pos in range(max(0, len(filled) - 6), len(filled)):
        i = filled[pos]
        m = re.match(r"^(\d{1,2})\s+[A-Z]", lines[i])
        if not m or (pos > 0 and not _TERMINAL.search(lines[filled[pos - 1]])):
            continue
        note = " ".join(lines[i:])
        # Superscript markers are often lost, so a footnote is also known by what it says.
        marked = re.search(rf"[A-Za-z?.:)]{m.group(1)}(?:\s|$)", before[: before.find(lines[i])])
        if len(note) < 600 and (marked or _FOOTNOTE.search(note)):
            return lines[:i]
    return lines


def _rejoin_hyphens(text: str) -> str:
    """Resolve pypdfium2's U+FFFE line-end hyphen marks: keep the hyphen unless the document
    spells the joined word without one."""
    if "\ufffe" not in text:
        return text
    vocab = {w.lower() for w in re.findall(r"[A-Za-z]+", text.replace("\ufffe", " "))}

    def fix(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        if (a + b).lower() in vocab and f"{a}-{b}".lower() not in text.lower():
            return a + b
        return f"{a}-{b}"

    text = re.sub(r"([A-Za-z]+)\ufffe\s*([A-Za-z]+)", fix, text)
    return text.replace("\ufffe", "-")


def _join(lines: Iterable[str]) -> str:
    """Join wrapped lines as a reader sees them: single spaces, a line-end hyphen kept."""
    out = ""
    for line in lines:
        line = _BULLET_START.sub("", line).strip() if not out else line.strip()
        if not line:
            continue
        if out.endswith("-") and re.search(r"[A-Za-z]-$", out) and line[:1].isalpha():
            out += line  # "task-" + "orientated": letters are not hyphenated by the typesetter
        else:
            out = f"{out} {line}" if out else line
    return re.sub(r"\s+", " ", out).strip()


def _flat(lines: list[_Line]) -> str:
    return _join(x.text for x in lines)


# ---------------------------------------------------------------------------------------------
# Metadata


def _read_metadata(lines: list[_Line], flat: str, letter: Letter) -> None:
    letter.published = _letter_date(lines)
    opening = _opening_sentence(flat)
    letter.title = _subject_line(lines)
    letter.local_authority = _authority(letter.title, opening, lines)
    letter.authority = canonical_authority(letter.local_authority)
    start, end = _visit_dates(flat, opening, letter.published)
    letter.inspection_start, letter.inspection_end = start, end
    names, lead = _inspectors(flat, opening)
    signature = _signatures(lines)
    if not names:
        names = signature
    letter.inspectors = names
    if lead is None:
        # The lead inspector signs a focused or monitoring visit letter; the inspectors named at
        # the top are not always listed lead first. (JTAI letters, signed by directors, have
        # their own reader: read/jtai.py.)
        lead = signature[0] if signature else names[0] if names else None
    letter.lead_inspector = lead
    letter.focus = _focus(flat)


def _letter_date(lines: list[_Line]) -> str | None:
    """The date on a line of its own: above the address, or (some PDFs) after the signature."""
    for line in lines:
        m = _DATE_LINE.match(line.text)
        if m:
            return iso(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    return None


def _subject_line(lines: list[_Line]) -> str | None:
    kinds = r"focused visit|monitoring visit|joint targeted area inspection|(joint )?inspection of"
    pattern = re.compile(rf"^({kinds})", re.IGNORECASE)
    for i, line in enumerate(lines[:80]):
        if pattern.match(line.text) and not re.match(
            r"^(this|the) letter", line.text, re.IGNORECASE
        ):
            text = line.text
            # A subject line wrapped over two lines: the second line carries the rest of the name.
            nxt = lines[i + 1].text if i + 1 < len(lines) else ""
            if (
                not _TERMINAL.search(text)
                and nxt
                and re.search(r"services|care|\bin\b", nxt, re.I)
                and len(nxt) < 70
            ):
                if not re.search(r"children\S* services\.?$", text, re.IGNORECASE):
                    text = f"{text} {nxt}"
            return text.rstrip(".")
    return None


def _opening_sentence(flat: str) -> str:
    """The sentence saying what the letter summarises, where the dates and often the names are."""
    m = re.search(r"This letter (summarises|sets out|reports)[^.]*(?:\.(?!\s)|[^.])*\.", flat)
    if m:
        return m.group(0)
    m = re.search(
        r"(This|The) (inspection|visit|monitoring visit) (took place|was carried out)[^.]*\.", flat
    )
    return m.group(0) if m else ""


_SERVICES = (
    rf"(?:local authority )?(?:children{_APOS}?s?|young people{_APOS}?s?)(?: social care)? services"
)


def _authority(subject: str | None, opening: str, lines: list[_Line]) -> str | None:
    """The council's name as printed, preferring a form that resolves to a known authority."""
    candidates: list[str] = []
    if subject:
        m = re.search(
            rf"(?:visit|inspection)\s+(?:of|to)\s+(?:.*?\bin\s+)?(.+?)(?:{_APOS}s)?\s+"
            rf"(?:{_SERVICES}|children{_APOS}s social care)\b",
            subject,
            re.IGNORECASE,
        )
        if m:
            candidates.append(m.group(1))
        # "Joint targeted area inspection of the multi-agency response to ... in Dorset"
        candidates.extend(re.findall(r"\bin\s+(?=(.+)$)", subject)[::-1])
        m = re.search(r"visit to\s+(.+)$", subject, re.IGNORECASE)
        if m:
            candidates.append(m.group(1))
    if opening:
        m = re.search(
            rf"visit to\s+(.+?)(?:{_APOS}s)?\s+"
            rf"(?:{_SERVICES}|on\s+(?:the\s+)?\d|between\b|from\b|carried out)",
            opening,
            re.IGNORECASE,
        )
        if m:
            candidates.append(m.group(1))
        m = re.search(r"\bin\s+([A-Z][\w ,&'’-]+?)[.,]", opening)
        if m:
            candidates.append(m.group(1))
    for cand in candidates:
        cand = _tidy_authority(cand)
        if canonical_authority(cand):
            return cand
    for line in lines[:40]:  # the address block
        if canonical_authority(line.text) and not _LETTERHEAD_WEAK.match(line.text):
            return line.text
    return _tidy_authority(candidates[0]) if candidates else None


def _tidy_authority(name: str) -> str:
    name = re.sub(rf"{_APOS}s?$", "", name.strip(" .,"))
    name = (
        re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
        if canonical_authority(name) is None
        else name
    )
    return name.strip()


_MONTH_NAMES = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)


def _visit_dates(flat: str, opening: str, published: str | None) -> tuple[str | None, str | None]:
    """The visit dates from the opening sentence: '5 and 6 May 2021', '13 and 14 July' (no year)."""
    sources = [opening] if opening else []
    m = re.search(r"(?:inspection|visit) took place (?:from |on |between )?[^.]*\.", flat)
    if m:
        sources.insert(0, m.group(0))
    for src in sources:
        src = re.sub(r"\bthe (\d)", r"\1", src)
        src = re.sub(rf"(\d)\s+of\s+({_MONTH_NAMES})", r"\1 \2", src)
        window = _after_visit_words(src)
        start, end = parse_range(window)
        if start and end and start <= end:
            return start, end
        yearless = _yearless_range(window, published)
        if yearless[0]:
            return yearless
    return None, None


def _after_visit_words(sentence: str) -> str:
    m = re.search(r"\b(on|between|from|took place)\s+(?:the\s+)?\d", sentence)
    return sentence[m.start() :] if m else sentence


def _yearless_range(text: str, published: str | None) -> tuple[str | None, str | None]:
    """'13 and 14 July' with no year: the letter's year, or the one before for a later month."""
    if not published:
        return None, None
    m = re.search(
        rf"\b(\d{{1,2}})(?:\s+({_MONTH_NAMES}))?\s*(?:,?\s*and|to|-|–|,)\s*(\d{{1,2}})\s+({_MONTH_NAMES})\b",
        text,
    )
    single = re.search(rf"\b(\d{{1,2}})\s+({_MONTH_NAMES})\b", text)
    year, pub_month = int(published[:4]), int(published[5:7])
    if m:
        d1, m1, d2, m2 = m.groups()
        head = list_start(text[: m.start()])  # "13, 14 and 15 July"
        if head is not None:
            d1, m1 = str(head[0]), head[1] or m1
        end_month = MONTHS[m2.lower()]
        start_month = MONTHS[m1.lower()] if m1 else end_month
        end_year = year - 1 if end_month > pub_month else year
        start_year = end_year - 1 if start_month > end_month else end_year
        return iso(start_year, start_month, int(d1)), iso(end_year, end_month, int(d2))
    if single:
        month = MONTHS[single.group(2).lower()]
        the_year = year - 1 if month > pub_month else year
        day = iso(the_year, month, int(single.group(1)))
        return day, day
    return None, None


_INSPECTOR_LEAD_IN = re.compile(
    r"(?:inspectors?(?:\s+for\s+this\s+(?:visit|inspection))?\s+were|carried\s+out\s+by|conducted\s+by|"
    r"undertaken\s+by|led\s+by|inspectors?\s+(?=[A-Z][a-z]+\s+[A-Z]))",
    re.IGNORECASE,
)


def _inspectors(flat: str, opening: str) -> tuple[list[str], str | None]:
    """The inspectors named near the top ("Her Majesty's Inspectors were ...") and the lead."""
    start = flat.find(opening) if opening else 0
    window = flat[max(0, start) : max(0, start) + 1500]
    sentences = re.split(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])", window)[:5]
    for sentence in sentences:
        m = _INSPECTOR_LEAD_IN.search(sentence)
        if not m or not re.search(r"inspector|HMI", sentence, re.IGNORECASE):
            continue
        names = _names(sentence[m.end() :])
        if names:
            lead = None
            lm = re.search(rf"lead inspector\s+({_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}})", sentence)
            lm2 = re.search(
                rf"({_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}),?\s+\(?lead inspector", sentence
            )
            for cand in (lm, lm2):
                if cand:
                    found = _names(cand.group(1))
                    lead = found[0] if found else None
                    break
            return names, lead
    return [], None


def _names(text: str) -> list[str]:
    """Person names in a list such as 'Neil Penswick, HMI, and Matthew Brazier, HMI'."""
    text = re.sub(r"\([^)]*\)", " ", text)
    tokens = re.findall(r"[A-Za-z'’\-]+|[,;.]", text)
    names: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if 2 <= len(current) <= 4:
            names.append(" ".join(current))
        current.clear()

    for tok in tokens:
        if tok in ",;." or tok not in _NAME_STOP and not re.fullmatch(_NAME_WORD, tok):
            flush()
            if tok == ".":
                break
            continue
        if tok in _NAME_STOP:
            flush()
            continue
        current.append(tok)
    flush()
    return list(dict.fromkeys(names))


def _signatures(lines: list[_Line]) -> list[str]:
    """Names signed under 'Yours sincerely' (a JTAI letter has one per inspectorate)."""
    for i, line in enumerate(lines):
        if re.match(r"^(yours|your) (sincerely|faithfully)", line.text, re.IGNORECASE):
            names = []
            for nxt in lines[i + 1 : i + 25]:
                text = nxt.text.strip()
                if re.fullmatch(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}", text) and not any(
                    w in _NAME_STOP for w in text.split()
                ):
                    names.append(text)
            return list(dict.fromkeys(names))
    return []


def _focus(flat: str) -> str | None:
    """What the visit looked at, from the sentence that says so."""
    verbs = r"(?:looked at|evaluated|reviewed|considered|focused on)"
    patterns = (
        rf"Inspectors {verbs} (?:the (?:local authority{_APOS}s |council{_APOS}s )?)?"
        r"(?:arrangements|practice|services|progress(?: made)?) (?:for|in|with|to|on) ([^.:]+)",
        rf"Inspectors {verbs} (?!a range)([^.:]+)",
        rf"(?:visit|inspection) {verbs} ([^.:]+)",
        r"has delivered (child-centred practice and care within the context of [^.]*pandemic)",
        r"multi-agency response to ([^.:]+?) in [A-Z]",
    )
    for pattern in patterns:
        m = re.search(pattern, flat)
        if m:
            focus = re.split(r",? which included| This included| Inspectors ", m.group(1))[0]
            # "..., with a particular focus on:" introduces a list, not part of the focus.
            focus = re.sub(
                r",? (?:with an? (?:particular |specific )?focus|focusing \w+) on$", "", focus
            )
            return focus.strip(" ,")
    return None


# ---------------------------------------------------------------------------------------------
# Blocks: headings, bullets and paragraphs


def _heading_role(text: str) -> str | None:
    """'priority', 'afi', 'finding' or 'other' if the line is a known heading, else None."""
    if not text[:1].isupper() or re.search(r"\.\s|\.$", text.strip()):
        return None  # a sentence, not a heading
    key = text.strip().lower().replace("\u2019", "'")
    key = re.sub(r"[\s?:.]*\d?\s*$", "", key)  # "practice?1": a trailing footnote marker
    key = re.sub(r"\s+", " ", key).strip(" :?.")
    if len(key) > 110 or not key:
        return None
    if _PRIORITY_HEADING.match(key):
        return "priority"
    if _AFI_HEADING.match(key):
        return "afi"
    if _FINDINGS_HEADING.match(key):
        return "finding"
    if _OTHER_HEADING.match(key):
        return "other"
    return None


def _blocks(lines: list[_Line]) -> list[_Block]:
    """Group lines into headings, bullet items and paragraphs."""
    start = _body_start(lines)
    body = _drop_stray_address(lines[start:])
    unwrapped = _is_unwrapped(body)
    gaps = sum(1 for x in body if x.gap_before) >= 3
    width = _line_width(body)
    blocks: list[_Block] = []
    prev: _Line | None = None
    for i, line in enumerate(body):
        role = _heading_role(line.text) if not line.text.startswith(BULLET) else None
        nxt = body[i + 1] if i + 1 < len(body) else None
        if role is None and not line.text.startswith(BULLET) and _generic_heading(line, prev, nxt):
            role = "other"
        in_subs = bool(blocks) and blocks[-1].kind == "sub"
        if role is not None:
            blocks.append(_Block("heading", [line], role))
        elif line.text.startswith(BULLET):
            blocks.append(_Block("bullet", [line]))
        elif opens_sub_item(line.text, prev.text if prev else None, in_sub_list=in_subs):
            blocks.append(_Block("sub", [line]))
        elif not blocks or blocks[-1].kind == "heading":
            blocks.append(_Block("para", [line]))
        elif _starts_paragraph(line, prev, unwrapped=unwrapped, gaps=gaps, width=width):
            blocks.append(_Block("para", [line]))
        else:
            blocks[-1].lines.append(line)
        prev = line
    # An editorial note wrapped over lines of its own ("All names ... have been changed").
    return _fold_sub_items([b for b in blocks if not is_editorial_note(b.text)])


def _drop_stray_address(body: list[_Line]) -> list[_Line]:
    """Drop the letter's date and the recipient's address where a PDF prints them inside the
    body (at a page break): a date on a line of its own, and the short lines after it down to a
    postcode. A date line with no address after it is dropped alone."""
    out: list[_Line] = []
    i = 0
    while i < len(body):
        if i and _DATE_LINE.match(body[i].text):
            end = i
            for j in range(i + 1, min(i + 10, len(body))):
                text = body[j].text
                if len(text) > 60 or _TERMINAL.search(text) or text.startswith(BULLET):
                    break
                if _POSTCODE.match(text):
                    end = j
                    break
            i = end + 1
            continue
        out.append(body[i])
        i += 1
    return out


def _fold_sub_items(blocks: list[_Block]) -> list[_Block]:
    """Sub-items go into the bullet or paragraph above them (read.lists joins the text)."""
    out: list[_Block] = []
    for block in blocks:
        if block.kind != "sub":
            out.append(block)
        elif out and out[-1].kind in ("bullet", "para"):
            out[-1].subs.append(block.lines)
        else:
            out.append(_Block("bullet", block.lines))  # a dash list with nothing above it
    return out


def _body_start(lines: list[_Line]) -> int:
    for i, line in enumerate(lines[:120]):
        if re.match(r"^(dear|to:?)\b", line.text, re.IGNORECASE):
            return i
    return 0


def _is_unwrapped(body: list[_Line]) -> bool:
    """Whether each paragraph is one line (a Word document), not wrapped at the page width."""
    lengths = [len(x.text) for x in body if len(x.text) > 20]
    return bool(lengths) and statistics.median(lengths) > 130


# Approximate glyph widths (thousandths of an em, after Helvetica's metrics): enough to tell a
# line that stops short of the margin from one that is full, whatever sans-serif face was used.
_NARROW = set("ijlI.,;:!|'\u2019\u2018 ")
_SLIM = set('ftr()-[]/"\u201c\u201d')
_WIDE = set("mwMW@%")


def _text_width(text: str) -> int:
    """The printed width of a line, roughly, in thousandths of an em."""
    total = 0
    for ch in text:
        if ch in _NARROW:
            total += 250
        elif ch in _SLIM:
            total += 320
        elif ch in _WIDE:
            total += 860
        elif ch.isupper():
            total += 690
        elif ch in "ckszvxy":
            total += 500
        else:
            total += 556
    return total


def _line_width(body: list[_Line]) -> int:
    """The measure: the width past which a line must wrap.

    A line broken mid-sentence was too full to take the next word, so the width of such a line
    plus the next line's first word is just over the measure; a low percentile of those widths
    estimates it (glyph widths are approximate, so the very lowest are noise).
    """
    overfull = sorted(
        _text_width(f"{a.text} {b.text.split(' ', 1)[0]}")
        for a, b in zip(body, body[1:], strict=False)
        if len(a.text) > 30
        and a.page == b.page
        and not _TERMINAL.search(a.text)
        and not b.text.startswith(BULLET)
    )
    if len(overfull) >= 10:
        return overfull[len(overfull) // 20]
    widths = sorted(_text_width(x.text) for x in body if len(x.text) > 30)
    return int(widths[int(len(widths) * 0.9)] * 0.96) if widths else 40000


def _starts_paragraph(
    line: _Line, prev: _Line | None, *, unwrapped: bool, gaps: bool, width: int
) -> bool:
    """Whether a non-bullet line starts a new paragraph rather than continuing the last one."""
    if prev is None:
        return True
    continues = not _TERMINAL.search(prev.text) and (
        line.text[:1].islower() or prev.text.endswith(("-", ","))
    )
    if continues:
        return False
    if unwrapped:
        return True
    if gaps:
        # The extractor marks paragraphs with blank lines, at page breaks too ("\f\n").
        return line.gap_before
    # No blank lines (or a page break, where a gap cannot show): a left-aligned paragraph's last
    # line stops short of the margin, leaving room for the next line's first word.
    # Not "(": a bracketed line is a reference ending the item ("(outcome 1, national framework)").
    if not _TERMINAL.search(prev.text) or not re.match(r"[A-Z0-9\u2018\u201c'\"]", line.text):
        return False
    first_word = line.text.split(" ", 1)[0]
    return _text_width(f"{prev.text} {first_word}") < width


def _generic_heading(line: _Line, prev: _Line | None, nxt: _Line | None) -> bool:
    """An unlisted heading: a short capitalised line standing between complete sentences."""
    text = line.text
    if len(text) > 70 or len(text.split()) > 10 or not text[:1].isupper():
        return False
    if re.search(r"[.,;:]$", text) or re.match(r"^(yours|your|dear)\b", text, re.IGNORECASE):
        return False
    if prev is not None and not (_TERMINAL.search(prev.text) or _heading_role(prev.text)):
        return False
    if nxt is None or not (nxt.text[:1].isupper() or nxt.text.startswith(BULLET)):
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Units


def _units(blocks: list[_Block], warnings: list[str]) -> list[Unit]:
    """Areas for improvement, priority actions and findings, in the order printed."""
    units: list[Unit] = []
    role: str | None = None
    section: str | None = None
    number = 0
    listed = False  # whether the current section has had a bullet yet
    for idx, block in enumerate(blocks):
        if block.kind == "heading":
            role = _section_role(block, role, units)
            section, listed = _clean_heading(block.lines[0].text), False
            if role == "priority":
                number = 0  # letters number their findings afresh after a priority-action list
            continue
        text = block.text
        if not text:
            continue  # a bullet with nothing after it
        if _CLOSING.match(text):
            break
        if role in (None, "other") or _is_procedural(text):
            continue
        if role in ("afi", "priority") and _is_prose(block) and listed:
            # Prose after the list with no heading between: the findings heading is missing.
            warnings.append("no heading between the areas for improvement and the findings")
            role, section = "finding", None
        listed = listed or block.kind == "bullet"
        if role in ("afi", "priority"):
            if _is_list_item(blocks, idx):
                unit_kind = "priority_action" if role == "priority" else "area_for_improvement"
                units.append(Unit(unit_kind, text, section))
            continue
        if block.kind == "para" and text.endswith(":") and _next_is_bullet(blocks, idx):
            continue  # a lead-in to a list
        number += 1
        units.append(Unit("finding", text, section, number))
    return units


def _is_prose(block: _Block) -> bool:
    """A paragraph long enough to be a finding, not a stray line under a list."""
    return block.kind == "para" and len(block.text) > 150


def _section_role(block: _Block, current: str | None, units: list[Unit]) -> str:
    """The role of the section a heading opens, given what came before it."""
    role = block.role
    unlisted = role == "other" and not _OTHER_HEADING.match(_key(block.lines[0].text))
    if unlisted and current == "finding":
        return "finding"  # an unlisted heading inside the findings: a sub-section
    if role == "afi" and _has(units, "area_for_improvement"):
        # A second improvement heading ("Areas for improvement" among the findings of a letter
        # that already listed what needs to improve) heads findings, not a second list.
        return "finding"
    return role


def _is_list_item(blocks: list[_Block], idx: int) -> bool:
    """Whether a block under an improvement heading is one of its items, not a lead-in."""
    block = blocks[idx]
    if block.kind == "bullet":
        return True
    return bool(block.subs)  # a paragraph with its own sub-items (a lead-in is not an item)


def _has(units: list[Unit], kind: str) -> bool:
    return any(u.kind == kind for u in units)


def _key(text: str) -> str:
    return re.sub(r"[\s?:.]*\d?\s*$", "", text.strip().lower().replace("\u2019", "'"))


def _clean_heading(text: str) -> str:
    text = re.sub(r"(?<=[a-z?])\d{1,2}$", "", text.strip())
    return text.rstrip(" :")


def _next_is_bullet(blocks: list[_Block], idx: int) -> bool:
    return idx + 1 < len(blocks) and blocks[idx + 1].kind == "bullet"


def _is_procedural(text: str) -> bool:
    """A paragraph asking for an action plan: procedure, not a finding."""
    return bool(_PROCEDURAL.search(text) and _PROCEDURAL_CONTEXT.search(text))


_LABELS = {
    "local_authority": "local authority name",
    "inspection_start": "visit dates",
    "published": "letter date",
    "lead_inspector": "lead inspector",
}


def _warn_missing(letter: Letter) -> None:
    """Say what could not be read, so that a person knows what to check."""
    for name in _LABELS:
        if getattr(letter, name) is None:
            letter.warnings.append(f"no {_LABELS[name]} found")
    if not _has(letter.units, "finding"):
        letter.warnings.append("no findings found: an unrecognised layout?")
    if not (_has(letter.units, "area_for_improvement") or _has(letter.units, "priority_action")):
        letter.warnings.append("no areas for improvement or priority actions found")
