"""Editorial notes: what a letter says about its own text, not about the area.

A case study or practice study box may open with a note such as "All names are pseudonyms", set
as a line of its own (with or without a full stop, so a reader may take it for a paragraph or a
sub-heading). It is furniture, like a page number: never a finding, an item or a heading. The
readers leave out a paragraph (or heading) that is such a note and nothing else; a note run
into a sentence of the finding is left alone, as is any sentence about names in general.
"""

from __future__ import annotations

import re

_WHO = r"(?:children|child|young\s+people|young\s+person|famil(?:y|ies)|people|individuals?)"
_NOTE = re.compile(
    r"^\(?(?:(?:please\s+)?note\s*:?\s*)?"
    # "All names", "The children's names", "Names of the children and families"
    rf"(?:(?:all|the|any)\s+)?(?:{_WHO}['\u2019]?s?\s+)?names?"
    rf"(?:\s+of\s+(?:the\s+)?{_WHO}(?:\s+and\s+{_WHO})?)?"
    r"(?:\s+and\s+(?:some\s+|other\s+)?(?:identifying\s+)?details)?"
    r"(?:\s+(?:used|given))?(?:\s+in\s+(?:this|these|the)\s+(?:case|practice)\s+stud(?:y|ies))?"
    r"\s+(?:are|is|have\s+been|has\s+been)\s+"
    r"(?:pseudonyms?|changed|anonymi[sz]ed|fictional|fictitious|not\s+(?:their|the)\s+real\s+names?)"
    r"|^\(?(?:this|these|the|all)\s+(?:case|practice)\s+stud(?:y|ies)\s+(?:has|have|is|are)\s+"
    r"(?:been\s+)?anonymi[sz]ed",
    re.IGNORECASE,
)
# What may follow the note's statement: "... to protect their identities", "... throughout".
_TAIL = re.compile(
    r"^(?:\s+(?:to\s+protect\s+[\w\s'\u2019]{1,60}?|throughout|in\s+this\s+letter))?\s*[.)]*\s*$",
    re.IGNORECASE,
)
_LONGEST = 200  # a note is one short sentence


def is_editorial_note(text: str) -> bool:
    """Whether a paragraph or line is an editorial note and nothing else."""
    text = " ".join(text.split())
    if not text or len(text) > _LONGEST:
        return False
    m = _NOTE.match(text)
    return m is not None and _TAIL.match(text[m.end() :]) is not None
