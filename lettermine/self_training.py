"""Unlabelled findings for self-training the theme model: read, pick, pseudo-label.

Gold labels cover the findings of only ~20 letters, but the corpus beside them holds ~14,000
findings nobody labelled. Self-training: a first theme model labels a sample of those findings
(the themes it scores at or above a threshold), and the final model learns from the gold units
plus these at a reduced weight. Only findings of councils among the training units are used,
so a council held out for evaluation is never read, even unlabelled.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lettermine.errors import LettermineError

Example_ = dict[str, Any]

# Corpus file names are <urn>_<authority-slug>_<date>[...]: as the gold files, which name the
# council the same way (lettermine.training.read_gold).
_COUNCIL = re.compile(r"^(\d+_[a-z0-9-]+)_\d{4}-\d{2}-\d{2}")
MIN_WORDS = 15  # shorter "findings" are mostly headings or fragments


def read_unlabelled(corpus: Path) -> list[Example_]:
    """The findings of every letter under corpus/*/pdf/, as unlabelled examples.

    Files that cannot be read or parsed are skipped: this is extra data, not a letter a user
    asked to ingest.
    """
    from lettermine.read.extract import read_text
    from lettermine.read.parse import parse_letter

    out: list[Example_] = []
    for path in sorted(Path(corpus).glob("*/pdf/*.pdf")):
        match = _COUNCIL.match(path.name)
        if not match:
            continue
        try:
            letter = parse_letter(read_text(path))
        except LettermineError:
            continue
        out.extend(
            {"text": u.text, "themes": [], "kind": "finding", "authority": match.group(1)}
            for u in letter.units
            if u.kind == "finding" and len(u.text.split()) >= MIN_WORDS
        )
    return out


def pick_unlabelled(
    pool: Sequence[Example_], examples: Iterable[Example_], units: int, seed: int
) -> list[Example_]:
    """Up to `units` pool findings of the examples' councils that are not examples themselves."""
    examples = list(examples)
    councils = {ex.get("authority") for ex in examples} - {None}
    known = {ex["text"] for ex in examples}
    chosen = [u for u in pool if u.get("authority") in councils and u["text"] not in known]
    random.Random(seed).shuffle(chosen)
    return chosen[:units]


def pseudo_label(
    units: Sequence[Example_],
    scores: Sequence[dict[str, float]],
    *,
    threshold: float,
    weight: float,
) -> list[Example_]:
    """Units with the themes scored at or above `threshold` (none: dropped), at `weight`."""
    out = []
    for unit, score in zip(units, scores, strict=True):
        themes = [code for code, value in score.items() if value >= threshold]
        if themes:
            out.append({**unit, "themes": themes, "polarity": None, "weight": weight})
    return out
