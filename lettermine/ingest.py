"""File -> stored letter: read, parse, classify and save, one letter per transaction."""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
from collections import deque
from collections.abc import Generator, Iterable, Iterator
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

    def __call__(
        self, texts: list[str], kinds: list[str], contexts: list[Any] | None = None
    ) -> list[UnitThemes] | None:
        if not self.enabled or not texts:
            return None
        from lettermine import classify

        if self._nlp is None:
            self._nlp = classify.load_pipeline(self.model)
        return [
            UnitThemes(themes=c.themes, polarity=c.polarity, polarity_score=c.polarity_score)
            for c in classify.classify(self._nlp, texts, kinds, contexts)
        ]

    def letter(self, letter: Letter) -> list[UnitThemes] | None:
        """Themes and polarity of a letter's units (None when classifying is off)."""
        return self.letters([letter])[0]

    def letters(self, letters: list[Letter]) -> list[list[UnitThemes] | None]:
        """Letter.letter for each letter, their units classified in one call (faster)."""
        from lettermine.classify import Context

        units = [(u, letter.kind) for letter in letters for u in letter.units]
        contexts = [Context(u.kind, u.section, u.group, kind) for u, kind in units]
        found = self([u.text for u, _ in units], [u.kind for u, _ in units], contexts)
        if found is None:
            return [None] * len(letters)
        out: list[list[UnitThemes] | None] = []
        for letter in letters:
            out.append(found[: len(letter.units)] or None)
            found = found[len(letter.units) :]
        return out


@dataclass
class Read:
    """A file read as a letter (and classified), ready to store."""

    path: Path
    sha256: str
    letter: Letter
    unread: bool
    themes: list[UnitThemes] | None = None


def check_file(conn: sqlite3.Connection | None, path: Path) -> str | Ingested:
    """The file's content hash, or what was stored from it already; raises if it is no letter.

    Cheap (no parsing): a file of the wrong type, missing or unreadable raises a
    LettermineError; a file already stored gives its Ingested (new=False).
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
    existing = None
    if conn is not None:
        with database_errors(conn=conn):
            existing = find_letter(conn, sha)
    if existing is not None:
        return Ingested(path, existing, new=False)
    return sha


def read_letter(path: Path, sha256: str, *, keep_unread: bool = False) -> Read:
    """Extract and parse a file; raises UnreadLayout for a layout not read (unless keep_unread)."""
    name = named(path)
    text = read_text(path)
    try:
        letter = parse_letter(text)
    except LettermineError as e:
        raise type(e)(f"{name}: {e}") from None
    unread = letter.kind == "other" or not letter.units
    if unread and not keep_unread:
        raise UnreadLayout(f"{name}: not a layout lettermine reads ({_why_unread(letter)}); "
                           "--keep-unread to store it anyway, marked as unread")  # fmt: skip
    return Read(path, sha256, letter, unread)


def store_read(
    conn: sqlite3.Connection,
    read: Read,
    classifier: Classifier | None = None,
    *,
    replace: bool = False,
    author: str | None = None,
) -> Ingested:
    """Store a letter read from a file (classifying it first if `classifier` is given).

    A copy of a visit already stored raises visits.SameVisit unless replace; the check comes
    before classifying, so a refusal costs nothing (see lettermine.visits).
    """
    name = named(read.path)
    letter = read.letter
    found = find_same_visit(conn, letter)
    for stored in found:  # this very file, stored by another process since we looked
        if stored.sha256 == read.sha256:
            return Ingested(read.path, stored.letter_id, new=False)
    if found and (not replace or len(found) > 1):
        raise same_visit_error(name, found)
    themes = read.themes if classifier is None else classifier.letter(letter)
    outcome = store_letter(conn, letter, sha256=read.sha256, source=name, name=name,
                           themes=themes, replace=replace, author=author)  # fmt: skip
    return Ingested(
        read.path,
        outcome.letter_id,
        new=outcome.new,
        kind=letter.kind,
        authority=letter.authority,
        units=len(letter.units),
        warnings=letter.warnings,
        unread=read.unread,
        replaced=outcome.replaced,
        lost=outcome.lost,
        moved=outcome.moved,
        labels_kept=outcome.labels_kept,
    )


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
    checked = check_file(conn, path)
    if isinstance(checked, Ingested):
        return checked
    read = read_letter(path, checked, keep_unread=keep_unread)
    return store_read(conn, read, classifier, replace=replace, author=author)


# -- many files: read in a process pool, classify and store in this process -----------------
# Fewer files given than this and starting a pool costs more than it saves (files already stored
# are only known once hashed, which the workers do not wait for).
POOL_FROM = 4
CHUNK = 4  # files a worker reads at a time, classified together


def ingest_files(
    conn: sqlite3.Connection,
    paths: list[Path],
    classifier: Classifier,
    *,
    replace: bool = False,
    keep_unread: bool = False,
    author: str | None = None,
    workers: int | None = None,
) -> Generator[tuple[Path, Ingested | LettermineError], None, None]:
    """Ingest files, yielding each one's result (or error) in the order of `paths`.

    Files already stored are found by their hash first. The others are extracted and parsed
    in a pool of worker processes (one per core; `workers` or $LETTERMINE_WORKERS to choose,
    1 for none), CHUNK files at a time, and classified (a chunk in one call) and stored here,
    one letter per transaction, in the order of
    `paths`: letter ids follow the files' order whatever finishes first. A file that fails
    gives its error and the batch goes on; a worker that dies on a file (a crash in the PDF
    library) costs that file alone.
    """
    checked: list[str | Ingested | LettermineError] = []

    def to_read() -> Iterator[tuple[Path, str, bool]]:
        for path in paths:
            try:
                checked.append(check_file(conn, path))
            except LettermineError as e:
                checked.append(e)
            if isinstance(checked[-1], str):
                yield path, checked[-1], keep_unread

    n_workers = _pool_size(workers, len(paths))
    if n_workers > 1:
        # The workers start on the first files while the others are checked (hashed).
        chunks = _pooled_reads(to_read(), n_workers)
        try:
            first = next(chunks, [])  # every file checked by now
            pending: deque[Read | LettermineError] = deque(_classified(first, classifier))
            for path, c in zip(paths, checked, strict=True):
                if isinstance(c, str) and not pending:
                    pending.extend(_classified(next(chunks), classifier))
                pooled = pending.popleft() if isinstance(c, str) else c
                yield path, _store(conn, pooled, None, replace, author)
        finally:
            chunks.close()  # a batch stopped early shuts the pool down now
        return
    for _ in to_read():
        pass
    for path, c in zip(paths, checked, strict=True):
        item: Read | LettermineError | Ingested = (
            c if not isinstance(c, str) else _read(path, c, keep_unread)
        )
        yield path, _store(conn, item, classifier, replace, author)


def _read(path: Path, sha: str, keep_unread: bool) -> Read | LettermineError:
    try:
        return read_letter(path, sha, keep_unread=keep_unread)
    except LettermineError as e:
        return e


def _store(
    conn: sqlite3.Connection,
    item: Read | LettermineError | Ingested,
    classifier: Classifier | None,
    replace: bool,
    author: str | None,
) -> Ingested | LettermineError:
    if not isinstance(item, Read):
        return item
    try:
        return store_read(conn, item, classifier, replace=replace, author=author)
    except LettermineError as e:
        return e


def _pool_size(workers: int | None, files: int) -> int:
    if workers is None:
        configured = os.environ.get("LETTERMINE_WORKERS", "")
        if configured.strip().isdigit():
            workers = int(configured)
        else:
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
            workers = cores or os.cpu_count() or 1
            if files < POOL_FROM:
                return 1
    return max(1, min(workers, files))


def _classified(
    results: list[Read | LettermineError], classifier: Classifier
) -> list[Read | LettermineError]:
    """The reads among results with their themes, classified in one call (the model scores 4
    letters' units together in three quarters of the time it takes one by one); each read an
    error if the model cannot be used."""
    reads = [r for r in results if isinstance(r, Read)]
    try:
        themes = classifier.letters([r.letter for r in reads]) if reads else []
    except LettermineError as e:
        return [e if isinstance(r, Read) else r for r in results]
    for read, found in zip(reads, themes, strict=True):
        read.themes = found
    return results


def _pooled_reads(
    jobs: Iterable[tuple[Path, str, bool]], workers: int
) -> Generator[list[Read | LettermineError], None, None]:
    """The jobs' Reads (or errors), CHUNK at a time in order, from a pool of worker processes.

    Every job is taken (and its chunk handed to the pool) before the first chunk is given.
    Workers read and parse; this process classifies (one model in memory, loaded while the
    workers read the first files) and stores.
    """
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    source: Iterator[tuple[Path, str, bool]] | None = iter(jobs)
    left: list[list[tuple[Path, str, bool]]] = []  # chunks a broken pool did not finish
    while source is not None or left:
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker)
        futures: deque[tuple[list[tuple[Path, str, bool]], Future[Any]]] = deque()
        broken = False
        try:
            futures += [(chunk, pool.submit(_job, chunk)) for chunk in left]
            while source is not None:
                chunk = list(itertools.islice(source, CHUNK))
                if not chunk:
                    source = None
                    break
                futures.append((chunk, pool.submit(_job, chunk)))
            while futures:
                try:
                    results = futures[0][1].result()
                except BrokenProcessPool:
                    broken = True
                    break
                futures.popleft()
                yield results
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        left = [chunk for chunk, _ in futures]
        if broken:
            # A worker died: on the first chunk not done, or on one after it. Read that chunk's
            # files one at a time, each alone (it costs a file only if it is the one), then go
            # on with a new pool.
            yield [_read_alone(path, sha, keep, context) for path, sha, keep in left.pop(0)]


def _read_alone(path: Path, sha: str, keep: bool, context: Any) -> Read | LettermineError:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(1, mp_context=context, initializer=_start_worker) as pool:
        try:
            return pool.submit(_job, [(path, sha, keep)]).result()[0]
        except BrokenProcessPool:
            return UnreadableLetter(f"{named(path)}: the PDF reader crashed on this file")


def _start_worker() -> None:
    import signal

    # Ctrl-C is the parent's to handle: it stops the pool; a worker dying of it would look
    # like a file that crashed the reader.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The worker reads its files in one bounded child (read.bounded), ended with the worker.
    from multiprocessing.util import Finalize

    from lettermine.read.bounded import close_reader

    Finalize(None, close_reader, exitpriority=1)


def _job(chunk: list[tuple[Path, str, bool]]) -> list[Read | LettermineError]:
    # Looks _read_in_worker up when it runs, in the worker: what the worker's module holds.
    return [_read_in_worker(path, sha, keep) for path, sha, keep in chunk]


def _read_in_worker(path: Path, sha: str, keep_unread: bool) -> Read | LettermineError:
    try:
        return read_letter(path, sha, keep_unread=keep_unread)
    except LettermineError as e:
        return e


def _why_unread(letter: Letter) -> str:
    if letter.kind == "other":
        return "its title names no kind of letter or report lettermine knows"
    what = letter.kind.replace("_", " ")
    return f"a {what} with no areas for improvement, priority actions or findings read"
