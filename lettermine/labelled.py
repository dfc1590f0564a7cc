"""The project's own labels (models/labels/*.jsonl): themes and polarity for corpus units, kept
without the units' text. A label names its letter (a corpus file), the unit's position, and the
SHA-1 of the unit's matching form; reading the labels parses the letter again and takes each
unit's text from it, so the text stays in ../shared and a unit the parser now reads differently
is reported rather than silently given another unit's label.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212-]")
_COUNCIL = re.compile(r"^(\d+_[a-z0-9-]+)_\d{4}-\d{2}-\d{2}")


@lru_cache(maxsize=65536)
def match_key(text: str) -> str:
    """A unit's text reduced for matching: case, quotes, dashes, spacing, final punctuation."""
    text = unicodedata.normalize("NFKC", text).replace("\ufffe", "")
    text = re.sub("[\u2018\u2019\u201a\u2032`]", "'", text)
    text = re.sub("[\u201c\u201d\u201e\u2033]", '"', text)
    text = _DASHES.sub("-", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*([-/])\s*", r"\1", text)
    return text.lower().strip().rstrip(" .,;:!?")


def sha1(text: str) -> str:
    """Hex SHA-1 of a string (UTF-8)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass
class ReadLabels:
    """Labelled units found again in their letters, and the labels that could not be."""

    examples: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "<file>#<seq>: why"


def read_labels(files: Iterable[Path], corpus: Path) -> ReadLabels:
    """Training examples ({text, themes, polarity, kind, authority, source, ...}) from label files.

    A label whose letter is absent, or whose unit's text no longer hashes the same, is listed in
    `missing` and left out.
    """
    from lettermine.errors import LettermineError
    from lettermine.read.extract import read_text
    from lettermine.read.parse import parse_letter

    by_file: dict[str, list[dict[str, Any]]] = {}
    for file in files:
        for line in Path(file).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_file.setdefault(row["file"], []).append(row)
    out = ReadLabels()
    for rel, rows in sorted(by_file.items()):
        path = corpus / rel
        try:
            letter = parse_letter(read_text(path)) if path.is_file() else None
        except LettermineError:
            letter = None
        units = letter.units if letter is not None else None
        if units is None:
            out.missing += [f"{rel}#{r['seq']}: letter not found or not readable" for r in rows]
            continue
        index = {sha1(match_key(u.text)): u for u in units}
        council = _COUNCIL.match(path.name)
        for row in rows:
            unit = index.get(row["sha1"])
            if unit is None:
                out.missing.append(f"{rel}#{row['seq']}: no unit with that text now")
                continue
            out.examples.append(
                {
                    "text": unit.text,
                    "themes": list(row["themes"]),
                    "polarity": row.get("polarity") or "concern",
                    "kind": row["kind"],
                    "section": unit.section,
                    "group": unit.group,
                    "letter": letter.kind if letter is not None else None,
                    "authority": council.group(1) if council else path.stem,
                    "source": path.stem,
                }
            )
    return out
