"""File -> stored letter: read, parse, classify and save, one letter per transaction."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lettermine.db import database_errors
from lettermine.errors import LettermineError, UnreadableLetter, UnsupportedFile
from lettermine.letters import UnitThemes, find_letter, save_letter
from lettermine.read.extract import SUFFIXES, read_text
from lettermine.read.parse import parse_letter

# The largest corpus report is under 1 MB; a file 20 times that is not a letter, and refusing it
# up front keeps a stray 50 MB log or data dump from tying up a batch (or the database).
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class Ingested:
    """What happened to one file."""

    path: Path
    letter_id: int | None = None
    new: bool = False
    kind: str | None = None
    authority: str | None = None
    units: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def letter_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """The files to ingest, and the files found under folders that are not letters.

    Files named on the command line are always tried (a wrong one gets its error). Under a
    folder, files with another extension are skipped and returned so the caller can say so, and
    hidden files and Word's "~$" lock files are passed over silently.
    """
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        for p in sorted(path.rglob("*")):
            rel = p.relative_to(path).parts
            if not p.is_file() or any(part.startswith((".", "~$")) for part in rel):
                continue
            (files if p.suffix.lower() in SUFFIXES else skipped).append(p)
    return files, skipped


def file_sha256(path: Path) -> str:
    """The content hash that identifies a letter, whatever its file is called."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Classifier:
    """Loads the theme pipeline the first time a letter needs classifying."""

    def __init__(self, model: Path | None = None, *, enabled: bool = True) -> None:
        self.model = model
        self.enabled = enabled
        self._nlp: Any = None

    def __call__(self, texts: list[str], kinds: list[str]) -> list[UnitThemes] | None:
        if not self.enabled or not texts:
            return None
        from lettermine import classify

        if self._nlp is None:
            self._nlp = classify.load_pipeline(self.model)
        return [
            UnitThemes(themes=c.themes, polarity=c.polarity, polarity_score=c.polarity_score)
            for c in classify.classify(self._nlp, texts, kinds)
        ]


def ingest_file(conn: sqlite3.Connection, path: Path, classifier: Classifier) -> Ingested:
    """Ingest one file; raises LettermineError when it cannot be read as a letter."""
    if not path.exists():
        raise UnsupportedFile(f"{path}: no such file")
    if path.suffix.lower() not in SUFFIXES:
        suffix = path.suffix or "none"
        raise UnsupportedFile(
            f"{path.name}: unsupported file type '{suffix}' (use .pdf, .docx or .txt)"
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableLetter(
                f"{path.name}: {size / 2**20:.0f} MB is too large for a letter "
                f"(the limit is {MAX_FILE_BYTES // 2**20} MB)"
            )
        sha = file_sha256(path)
    except OSError as e:  # a folder given a letter's name, no permission, gone since listed
        raise UnreadableLetter(f"{path.name}: cannot be read ({e.strerror or e})") from None
    with database_errors(conn=conn):
        existing = find_letter(conn, sha)
    if existing is not None:
        return Ingested(path, existing, new=False)
    text = read_text(path)
    try:
        letter = parse_letter(text)
    except LettermineError as e:
        raise type(e)(f"{path.name}: {e}") from None
    themes = classifier([u.text for u in letter.units], [u.kind for u in letter.units])
    letter_id, new = save_letter(conn, letter, sha256=sha, source=path.name, themes=themes)
    return Ingested(
        path,
        letter_id,
        new=new,
        kind=letter.kind,
        authority=letter.authority,
        units=len(letter.units),
        warnings=letter.warnings,
    )
