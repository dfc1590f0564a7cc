"""Text -> Letter: detect what kind of letter it is and hand it to the parser for that kind.

Pure: no database, no spaCy. Whatever cannot be read becomes a warning on the Letter.
"""

from __future__ import annotations

import re

from lettermine.authorities import authority_name
from lettermine.errors import NotALetter
from lettermine.read.legacy import DETECT as DETECT_PRE_SIF
from lettermine.records import Letter

_KIND_PATTERNS: tuple[tuple[str, str], ...] = (
    ("area_send", r"area send inspection|local area partnership report"),
    ("jtai", r"joint targeted area inspection|\bjtai\b"),
    ("monitoring_visit", r"monitoring visit"),
    ("focused_visit", r"focused visit"),
    (
        "ilacs",
        r"inspection of .{0,120}local authority children's services|inspection of children's "
        r"social care services|the impact of leaders on social work practice",
    ),
    ("sif", r"inspection of services for children in need of help and protection"),
    ("pre_sif", DETECT_PRE_SIF),
)


def detect_kind(text: str) -> str:
    """The kind of an Ofsted letter or report from its opening text, or 'other'."""
    head = re.sub(r"\s+", " ", text[:6000].lower().replace("\u2019", "'"))  # titles wrap
    # The title names the kind; a later mention ("since the second monitoring visit", "the JTAI
    # in 2018") is about another visit, so the earliest mention wins.
    found = [
        (m.start(), kind)
        for kind, pattern in _KIND_PATTERNS
        if (m := re.search(pattern, head, re.S))
    ]
    return min(found)[1] if found else "other"


def looks_like_ofsted(text: str) -> bool:
    """Whether the text is plausibly an Ofsted letter or report about children's services."""
    head = text[:8000].lower()
    return "ofsted" in head or "inspector" in head or "inspection" in head


def parse_letter(text: str) -> Letter:
    """Parse a letter's normalised text (see extract.read_text) into a Letter."""
    if not looks_like_ofsted(text):
        raise NotALetter(
            "this does not read as an Ofsted letter or report (no mention of Ofsted or inspection)"
        )
    kind = detect_kind(text)
    if kind in ("ilacs", "sif"):
        from lettermine.read.inspection import parse_report

        letter = parse_report(text, kind)
    elif kind == "pre_sif":
        from lettermine.read.legacy import parse_legacy

        letter = parse_legacy(text)
    elif kind == "jtai":
        from lettermine.read.jtai import parse_jtai

        letter = parse_jtai(text)
    elif kind == "area_send":
        from lettermine.read.send import parse_send

        letter = parse_send(text)
    elif kind in ("focused_visit", "monitoring_visit"):
        from lettermine.read.visit import parse_visit

        letter = parse_visit(text, kind)
    else:
        letter = Letter(
            kind="other",
            warnings=["unrecognised layout: no areas for improvement or findings read"],
        )
    letter.kind = kind
    if letter.authority is None:
        letter.authority = authority_name(letter.local_authority)
    return letter
