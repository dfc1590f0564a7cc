"""Faults and what lettermine does with them: one row per class, the way a user meets it.

    python bench/faults.py [--fuzz 500] [--kills 5] [--seed 0]

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
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
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

from lettermine.errors import LettermineError  # noqa: E402
from lettermine.read.extract import SUFFIXES, read_text  # noqa: E402
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
        "--only", nargs="+", choices=("names", "special"),
        help="run only these classes: names (not UTF-8), special (not files, not readable)",
    )  # fmt: skip
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
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
    bad = sum(r.crashes + r.changed for r in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except LettermineError as e:
        sys.exit(f"Error: {e}")
