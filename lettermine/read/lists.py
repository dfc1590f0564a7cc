"""Lists inside a letter's items: sub-bullets, and one unit's text made from an item and them.

Shared by every family's parser. An item printed with sub-items ("The response to children,
including:" followed by dashes) is ONE unit whose text is the lead-in and its sub-items, as the
corpus's gold reads it: the lead-in, a space, the first sub-item, then "; " before each further
sub-item, or a space where the one before already ends with ";", ",", ":" (a sub-item that
introduces the next) or a joining "and"/"or";
a full stop closing a sub-item that is not the last is dropped ("care." + "All" -> "care; All").
A paragraph that follows the sub-items inside the same item joins with a space.

Sub-bullets are the marks Ofsted's letters print below an item's own bullet: dashes of every
width (hyphen, en and em dash, minus, horizontal bars, U+0336), a small "o" (Word's second-level
bullet) and white bullets (◦ ○). extract.read_text keeps them apart from the "◼" of an item
(Symbol-font dashes become "–").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

BULLET = "\u25fc"
SUB_BULLET = "\u2013"  # what extract.normalise prints for a sub-bullet it had to map
SUB_BULLETS = "-\u2010\u2012\u2013\u2014\u2015\u2212\u2500\u0336\u25e6\u25cb\u2043"
# A sub-bullet and the space after it at the start of a line; "o" only before a word.
_SUB_ITEM = re.compile(rf"^\s*(?:[{SUB_BULLETS}]|o(?=\s+\w))\s+(?=\S)")
_JOINS_ON = re.compile(r"(?:[;,:]|\b(?:and|or))$")
_ENDS_CLAUSE = re.compile(r"(?:[.:;,!?]['\"\u2019\u201d)]*|\b(?:and|or))$")


def is_sub_item(line: str) -> bool:
    """Whether a line starts with a sub-bullet (not the item bullet "◼")."""
    return bool(_SUB_ITEM.match(line))


def opens_sub_item(line: str, prev: str | None, *, in_sub_list: bool = False) -> bool:
    """Whether a line starts a sub-item rather than carrying on a sentence: a sub-bullet after a
    line that ends a clause (":", ";", ",", a full stop, "and", "or"), at the top of the text, or
    inside a run of sub-items. A dash that opens a wrapped line of prose ("... they face" /
    "- they operate in ...") is not one."""
    if not _SUB_ITEM.match(line):
        return False
    return prev is None or in_sub_list or bool(_ENDS_CLAUSE.search(prev.rstrip()))


def strip_sub_bullet(line: str) -> str:
    """The line without its sub-bullet."""
    return _SUB_ITEM.sub("", line, count=1)


def join_item(lead: str, subs: Iterable[str] = (), tail: Iterable[str] = ()) -> str:
    """One unit's text: the lead-in, its sub-items and any paragraph after them (see above)."""
    text = " ".join(lead.split())
    first = True
    for raw in subs:
        sub = " ".join(strip_sub_bullet(raw).split())
        if not sub:
            continue
        if not text:
            text = sub
        elif first or _JOINS_ON.search(text):
            text = f"{text} {sub}"
        else:
            text = f"{text.rstrip('.')}; {sub}"
        first = False
    for para in tail:
        para = " ".join(para.split())
        if para:
            text = f"{text} {para}" if text else para
    return text
