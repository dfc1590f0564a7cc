"""File -> stored letter: read, parse, classify and save, one letter per transaction."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lettermine.db import database_errors
from lettermine.errors import LettermineError, UnreadableLetter, UnreadLayout, UnsupportedFile
from lettermine.letters import UnitThemes, find_letter
from lettermine.paths import NotReadable, named, read_file, shown, walk
from lettermine.read.extract import SUFFIXES, read_text
from lettermine.read.parse import parse_letter
from lettermine.records import Letter
from lettermine.visits import Lost, StoredVisit, find_same_visit, same_visit_error, store_letter

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
    unread: bool = False  # stored with --keep-unread though nothing in it was read
    replaced: StoredVisit | None = None  # the copy this one replaced (--replace)
    lost: list[Lost] = field(default_factory=list)  # links and labels that did not follow
    moved: int = 0  # action links that followed their unit's text
    labels_kept: int = 0


@dataclass
class Batch:
    """What the paths given to ingest hold: files to try, and everything else, named."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # under folders: not letters by name
    refused: list[tuple[Path, str]] = field(default_factory=list)  # errors, one per entry
    links: list[tuple[Path, str]] = field(default_factory=list)  # symbolic links not followed


def letter_files(paths: Iterable[Path]) -> Batch:
    """The files to ingest, and what else the folders among paths hold.

    Files named on the command line are always tried (a wrong one gets its error). Under a
    folder, files with another extension are skipped (the caller names them); hidden files and
    Word's "~$" lock files are passed over silently; a FIFO, socket or device with a letter's
    extension and a subfolder or entry that cannot be read are refused by name; symbolic links
    are followed only to files inside the folder (see paths.walk), the others named.
    """
    batch = Batch()
    for path in paths:
        if not path.is_dir():
            batch.files.append(path)
            continue
        found = walk(path, hidden=(".", "~$"))
        for p in found.files:
            (batch.files if p.suffix.lower() in SUFFIXES else batch.skipped).append(p)
        for p, what in found.special:
            if p.suffix.lower() in SUFFIXES:
                batch.refused.append((p, f"{shown(p)}: not a regular file ({what})"))
            else:
                batch.skipped.append(p)
        batch.refused += [(p, f"{shown(p)}: {why}") for p, why in found.unreadable]
        batch.links += found.links
    return batch


def file_sha256(path: Path) -> str:
    """The content hash that identifies a letter, whatever its file is called."""
    return hashlib.sha256(read_file(path, limit=MAX_FILE_BYTES, label=named(path))).hexdigest()


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


def ingest_file(
    conn: sqlite3.Connection,
    path: Path,
    classifier: Classifier,
    *,
    replace: bool = False,
    keep_unread: bool = False,
    author: str | None = None,
) -> Ingested:
    """Ingest one file; raises LettermineError when it cannot be read as a letter.

    A document whose layout the readers do not know (kind `other`, or no unit read) raises
    UnreadLayout unless keep_unread. A copy of a visit already stored raises visits.SameVisit
    unless replace (see lettermine.visits).
    """
    name = named(path)
    if not os.path.lexists(path):
        raise UnsupportedFile(f"{shown(path)}: no such file")
    if path.suffix.lower() not in SUFFIXES:
        suffix = shown(path.suffix or "none")
        raise UnsupportedFile(f"{name}: unsupported file type '{suffix}' (use .pdf, .docx or .txt)")
    try:
        sha = file_sha256(path)
    except NotReadable as e:
        raise UnreadableLetter(str(e)) from None
    with database_errors(conn=conn):
        existing = find_letter(conn, sha)
    if existing is not None:
        return Ingested(path, existing, new=False)
    text = read_text(path)
    try:
        letter = parse_letter(text)
    except LettermineError as e:
        raise type(e)(f"{name}: {e}") from None
    unread = letter.kind == "other" or not letter.units
    if unread and not keep_unread:
        raise UnreadLayout(f"{name}: not a layout lettermine reads ({_why_unread(letter)}); "
                           "--keep-unread to store it anyway, marked as unread")  # fmt: skip
    found = find_same_visit(conn, letter)  # before classifying: a refusal costs nothing
    for stored in found:  # this very file, stored by another process since we looked
        if stored.sha256 == sha:
            return Ingested(path, stored.letter_id, new=False)
    if found and (not replace or len(found) > 1):
        raise same_visit_error(name, found)
    themes = classifier([u.text for u in letter.units], [u.kind for u in letter.units])
    outcome = store_letter(conn, letter, sha256=sha, source=name, name=name, themes=themes,
                           replace=replace, author=author)  # fmt: skip
    return Ingested(
        path,
        outcome.letter_id,
        new=outcome.new,
        kind=letter.kind,
        authority=letter.authority,
        units=len(letter.units),
        warnings=letter.warnings,
        unread=unread,
        replaced=outcome.replaced,
        lost=outcome.lost,
        moved=outcome.moved,
        labels_kept=outcome.labels_kept,
    )


def _why_unread(letter: Letter) -> str:
    if letter.kind == "other":
        return "its title names no kind of letter or report lettermine knows"
    what = letter.kind.replace("_", " ")
    return f"a {what} with no areas for improvement, priority actions or findings read"
