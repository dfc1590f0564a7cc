"""Unlabelled findings for self-training the theme model: the findings of the corpus letters.

Labels cover the findings of a few dozen letters, but the corpus beside the gold holds ~25,000
findings nobody labelled. Self-training: a first theme model labels a sample of those findings
(the themes it scores at or above a threshold), and the final model learns from the labelled
units plus these at a reduced weight (lettermine.model.train). Only findings of councils among
the training units are used (lettermine.training.unlabelled_of), so a council held out for
evaluation is never read, even unlabelled.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lettermine.errors import LettermineError

Example_ = dict[str, Any]

# Corpus file names are <urn>_<authority-slug>_<date>[...], as the gold files' (read_gold).
_NAMED = re.compile(r"^\d+_[a-z0-9-]+_\d{4}-\d{2}-\d{2}")
MIN_WORDS = 15  # shorter "findings" are mostly headings or fragments


def read_unlabelled(corpus: Path) -> list[Example_]:
    """The findings of every letter under corpus/*/pdf/, as unlabelled examples.

    Files that cannot be read or parsed are skipped: this is extra data, not a letter a user
    asked to ingest.
    """
    from lettermine.corpus import council_of
    from lettermine.read.extract import read_text
    from lettermine.read.parse import parse_letter

    out: list[Example_] = []
    for path in sorted(Path(corpus).glob("*/pdf/*.pdf")):
        if not _NAMED.match(path.name):
            continue
        try:
            letter = parse_letter(read_text(path))
        except LettermineError:
            continue
        out.extend(
            {
                "text": u.text,
                "themes": [],
                "kind": "finding",
                "authority": council_of(path.name),
                "section": u.section,
                "group": u.group,
                "letter": letter.kind,
            }
            for u in letter.units
            if u.kind == "finding" and len(u.text.split()) >= MIN_WORDS
        )
    return out
