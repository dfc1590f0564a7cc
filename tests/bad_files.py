"""Bad input for the reliability tests and bench/faults.py: files made in pure Python, mutators
for fuzzing, a fingerprint of a database's content, and a fuzz runner that survives a segfault.

Nothing here reads the corpus: callers pass in the files to mutate. Every PDF is written by hand
(a few objects and an xref table), so a fresh machine with only pip installs can make them all.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LETTERS = ROOT / "letters"
GOOD_TXT = LETTERS / "north-east-lincolnshire-2021-06-focused-visit.txt"
GOOD_PDF = LETTERS / "north-east-lincolnshire-2022-07-monitoring-visit.pdf"
GOOD_DOCX = LETTERS / "north-east-lincolnshire-2023-09-jtai.docx"

# Text about something else entirely: no "Ofsted", "inspection" or "inspector" in it.
OTHER_TEXT = [
    "Greenfield Allotment Society: autumn newsletter",
    "The tomatoes did well this year despite the dry summer, and the committee",
    "thanks every volunteer who watered the shared beds during the heatwave.",
    "Plot rents for next year stay the same. Please pay the treasurer by March,",
    "either at the hut on Saturday mornings or by bank transfer to the account",
    "printed on your renewal form. The compost bays will be emptied in November",
    "and the path by the gate resurfaced before the first frosts arrive.",
]


# ---------------------------------------------------------------------------------------------
# PDF by hand


def _pdf_string(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("latin-1") + b")"


def _text_stream(lines: list[str]) -> bytes:
    ops = [b"BT /F1 11 Tf 14 TL 72 770 Td"]
    for line in lines:
        ops.append(_pdf_string(line) + b" Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


@dataclass
class _Encryption:
    """The PDF standard security handler, revision 2 (40-bit RC4): the simplest a reader must
    honour, and enough to make pdfium ask for a password."""

    user_password: str
    owner_password: str = "owner"
    permissions: int = -44
    file_id: bytes = b"lettermine-tests"

    def __post_init__(self) -> None:
        def padded(pw: str) -> bytes:
            return (pw.encode("latin-1") + _PAD)[:32]

        self.o = _rc4(
            hashlib.md5(padded(self.owner_password)).digest()[:5], padded(self.user_password)
        )
        digest = hashlib.md5(
            padded(self.user_password) + self.o + struct.pack("<i", self.permissions) + self.file_id
        )
        self.key = digest.digest()[:5]
        self.u = _rc4(self.key, _PAD)

    def dictionary(self) -> bytes:
        return b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (
            self.o.hex().encode(),
            self.u.hex().encode(),
            self.permissions,
        )

    def seal(self, number: int, data: bytes) -> bytes:
        key = hashlib.md5(self.key + number.to_bytes(3, "little") + b"\0\0").digest()[:10]
        return _rc4(key, data)


def make_pdf(
    pages: list[list[str]],
    *,
    image_only: bool = False,
    password: str | None = None,
) -> bytes:
    """A PDF with one page per list of lines (Helvetica), or pages holding only an image (a scan
    with no text layer), optionally encrypted with a user password."""
    crypt = _Encryption(password) if password is not None else None
    objects: dict[int, bytes] = {}
    streams: dict[int, tuple[bytes, bytes]] = {}  # number -> (dictionary entries, data)
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    pixels = random.Random(1).randbytes(64)  # an 8 x 8 grey "scan"
    image = b"/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray"
    streams[4] = (image + b" /BitsPerComponent 8", pixels)
    kids = []
    number = 5
    for lines in pages:
        page, content = number, number + 1
        number += 2
        kids.append(page)
        resources = b"/Resources << /Font << /F1 3 0 R >> /XObject << /Im0 4 0 R >> >>"
        page_dict = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] %s /Contents %d 0 R >>"
        objects[page] = page_dict % (resources, content)
        data = b"q 400 0 0 560 100 140 cm /Im0 Do Q" if image_only else _text_stream(lines)
        streams[content] = (b"", data)
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    for n, (entries, data) in streams.items():
        if crypt is not None:
            data = crypt.seal(n, data)
        objects[n] = b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)
    trailer_extra = b""
    if crypt is not None:
        objects[number] = crypt.dictionary()
        trailer_extra = b"/Encrypt %d 0 R /ID [<%s> <%s>] " % (
            number,
            crypt.file_id.hex().encode(),
            crypt.file_id.hex().encode(),
        )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for n in sorted(objects):
        offsets[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objects[n])
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for n in range(1, size):
        out += b"%010d 00000 n \n" % offsets[n]
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        trailer_extra,
        xref,
    )
    return bytes(out)


def letter_pages(per_page: int = 45) -> list[list[str]]:
    """LETTER_TEXT laid out as pages of lines, for make_pdf."""
    lines = LETTER_TEXT.splitlines()
    return [lines[i : i + per_page] for i in range(0, len(lines), per_page)]


# ---------------------------------------------------------------------------------------------
# Word documents


def make_docx(paragraphs: list[str]) -> bytes:
    """A Word document with these paragraphs."""
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def docx_without_body() -> bytes:
    """A Word package whose main document has no w:body element at all."""
    source = zipfile.ZipFile(io.BytesIO(make_docx([])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = (
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    b'<w:document xmlns:w="http://schemas.openxmlformats.org/'
                    b'wordprocessingml/2006/main"/>'
                )
            out.writestr(item, data)
    return buf.getvalue()


def docx_with_broken_xml() -> bytes:
    """A Word package whose main document is cut off half way through its XML."""
    source = zipfile.ZipFile(io.BytesIO(make_docx(LETTER_TEXT.split("\n\n"))))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            out.writestr(item, data)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Every class of bad input


@dataclass(frozen=True)
class BadInput:
    """One bad file: the class of fault it stands for, its name and how to make it."""

    fault: str
    name: str
    make: Callable[[], bytes] | None  # None: the path is never created (a missing path)
    reason: str  # words the one-line error must contain, so that it gives the right reason

    def write(self, folder: Path) -> Path:
        """Write the file into folder (or not, for a missing path); its path."""
        path = folder / self.name
        if self.make is not None:
            path.write_bytes(self.make())
        return path


def _cut(data: bytes, fraction: float) -> bytes:
    return data[: int(len(data) * fraction)]


def _letter_bytes() -> bytes:
    return LETTER_TEXT.encode("utf-8")


def _huge_text() -> bytes:
    block = (LETTER_TEXT + "\n\n").encode("utf-8")
    return block * (50 * 2**20 // len(block) + 1)  # 50 MB of letter-like text


BAD_INPUTS: tuple[BadInput, ...] = (
    BadInput("empty", "empty.pdf", lambda: b"", "empty file"),
    BadInput("empty", "empty.docx", lambda: b"", "empty file"),
    BadInput("empty", "empty.txt", lambda: b"", "empty file"),
    BadInput("empty", "blank-lines.txt", lambda: b"\n \n\t\n" * 50, "no readable text"),
    BadInput("truncated PDF", "truncated-10.pdf", lambda: _cut(GOOD_PDF.read_bytes(), 0.1), "PDF"),
    BadInput("truncated PDF", "truncated-50.pdf", lambda: _cut(GOOD_PDF.read_bytes(), 0.5), "PDF"),
    BadInput("truncated PDF", "truncated-99.pdf", lambda: _cut(GOOD_PDF.read_bytes(), 0.99), "PDF"),
    BadInput("truncated PDF", "header-only.pdf", lambda: b"%PDF-1.7\n", "PDF"),
    BadInput("encrypted PDF", "encrypted.pdf",
             lambda: make_pdf(letter_pages(), password="secret"), "encrypted"),
    BadInput("scanned PDF (no text)", "scan.pdf", lambda: make_pdf([[], []], image_only=True),
             "no readable text"),
    BadInput("scanned PDF (no text)", "blank-page.pdf", lambda: make_pdf([[]]),
             "no readable text"),
    BadInput("not an Ofsted letter", "newsletter.pdf", lambda: make_pdf([OTHER_TEXT * 3]),
             "not read as an Ofsted letter"),
    BadInput("not an Ofsted letter", "newsletter.docx", lambda: make_docx(OTHER_TEXT * 3),
             "not read as an Ofsted letter"),
    BadInput("not an Ofsted letter", "newsletter.txt",
             lambda: "\n".join(OTHER_TEXT * 3).encode(), "not read as an Ofsted letter"),
    BadInput("binary junk as .txt", "junk.txt", lambda: random.Random(7).randbytes(20_000),
             "binary"),
    BadInput("binary junk as .txt", "a-pdf-named.txt", lambda: GOOD_PDF.read_bytes(), "binary"),
    BadInput("invalid UTF-8", "latin1.txt",
             lambda: _letter_bytes() + "Café crème".encode("latin-1"), "UTF-8"),
    BadInput("invalid UTF-8", "broken-sequence.txt",
             lambda: _letter_bytes()[:500] + b"\xe2\x80" + _letter_bytes()[500:], "UTF-8"),
    BadInput("unsupported extension", "letter.rtf", _letter_bytes, "unsupported file type"),
    BadInput("unsupported extension", "letter", _letter_bytes, "unsupported file type"),
    BadInput("unsupported extension", "letter.doc", _letter_bytes, "unsupported file type"),
    BadInput("huge text", "huge.txt", _huge_text, "too large"),
    BadInput("DOCX with no body", "no-body.docx", lambda: docx_without_body(), "no body"),
    BadInput("DOCX with no body", "no-paragraphs.docx", lambda: make_docx([]),
             "no readable text"),
    BadInput("corrupt DOCX", "other-zip.docx", lambda: _zip_of({"notes.txt": b"hello"}),
             "not a readable Word document"),
    BadInput("corrupt DOCX", "not-a-zip.docx", lambda: b"PK\x03\x04 not a zip archive",
             "not a readable Word document"),
    BadInput("corrupt DOCX", "truncated.docx",
             lambda: _cut(make_docx(LETTER_TEXT.split("\n\n")), 0.5),
             "not a readable Word document"),
    BadInput("corrupt DOCX", "broken-xml.docx", lambda: docx_with_broken_xml(),
             "not a readable Word document"),
    BadInput("missing path", "no-such-letter.pdf", None, "no such file"),
)  # fmt: skip


def _zip_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# The database's content


def table_counts(path: Path) -> dict[str, int]:
    """Rows in every table (FTS shadow tables included)."""
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def fingerprint(path: Path) -> tuple[dict[str, int], str]:
    """Row counts per table and a hash of the whole content (schema and every row)."""
    conn = sqlite3.connect(path)
    try:
        digest = hashlib.sha256("\n".join(conn.iterdump()).encode("utf-8")).hexdigest()
    finally:
        conn.close()
    return table_counts(path), digest


# ---------------------------------------------------------------------------------------------
# Fuzzing the PDF path


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One random mutation of a file: a truncation, flipped bytes or a zeroed range."""
    how = rng.choice(("truncate", "flip", "zero", "flip+truncate"))
    buf = bytearray(data)
    if how in ("flip", "flip+truncate"):
        for _ in range(rng.randint(1, 40)):
            i = rng.randrange(len(buf))
            buf[i] ^= 1 << rng.randrange(8)
    if how == "zero":
        start = rng.randrange(len(buf))
        end = min(len(buf), start + rng.randint(1, 4096))
        buf[start:end] = bytes(end - start)
    if how in ("truncate", "flip+truncate"):
        buf = buf[: rng.randrange(1, len(buf))]
    return how, bytes(buf)


def mutants(
    sources: list[Path], count: int, folder: Path, seed: int = 0
) -> Iterator[tuple[Path, Path, str]]:
    """count mutated copies of the source files, written into folder: (mutant, source, how)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    data = {p: p.read_bytes() for p in sources}
    for i in range(count):
        source = sources[i % len(sources)]
        how, mutated = mutate(data[source], rng)
        path = folder / f"{i:04d}-{how}-{source.stem[:40]}.pdf"
        path.write_bytes(mutated)
        yield path, source, how


_STREAM_START = re.compile(rb">>\s*stream\r?\n")
_FLATE = re.compile(rb"/Filter\s*(?:\[\s*)?/Fl(?:ateDecode)?(?![A-Za-z])")  # alone or first


def _streams(data: bytes) -> Iterator[tuple[bytes, int, int]]:
    """Each stream of a PDF: its dictionary, where its data begins and where it ends."""
    for start in _STREAM_START.finditer(data):
        head = data[max(0, start.start() - 4096) : start.start() + 2]
        end = data.find(b"endstream", start.end())
        yield head[max(0, head.rfind(b" obj")) :], start.end(), len(data) if end < 0 else end


def checked_bytes(data: bytes) -> list[tuple[int, int]]:
    """The parts of a sound PDF whose damage can be detected (start, end): the data of each
    Flate stream (its Adler-32 checksum covers it), each cross-reference table and the header
    of each object (`12 0 obj`: the table's offsets must point at them). A run of zero bytes
    outside the data of every stream is detectable too, wherever it falls (undetectable_part).
    """
    streams = list(_streams(data))
    spans = [(b, e) for head, b, e in streams if _FLATE.search(head)]
    for table in re.finditer(rb"(?<!start)xref\s.*?trailer", data, re.DOTALL):
        spans.append(table.span())
    for header in re.finditer(rb"(?<![0-9])[0-9]+ [0-9]+ obj", data):
        if not any(b <= header.start() < e for _, b, e in streams):
            spans.append(header.span())
    return sorted(spans)


def undetectable_part(source: bytes, mutant: bytes) -> bytes | None:
    """The mutant with its detectable damage undone: every changed byte in a part of the
    source that a check covers (checked_bytes) put back, and every run of 16 or more zero
    bytes outside the source's streams put back, and the end of a file cut short put back;
    None for a mutant longer than its source.

    What is left is damage undetectable by construction: the file is a PDF that says other
    words, or fewer, and nothing in the format can tell it from one written so. A letter
    flipped inside a text string of an uncompressed page, an operator or a parenthesis there,
    a key of a dictionary that still parses (a font's name, a page's /Contents). The result
    equals the source where the mutant's damage is all detectable."""
    if len(mutant) > len(source):
        return None
    part = bytearray(mutant + source[len(mutant) :])  # a file cut short: its end is missing
    for start, end in checked_bytes(source):
        part[start:end] = source[start:end]
    streams = [(b, e) for _, b, e in _streams(source)]
    for run in re.finditer(rb"\0{16,}", part):
        if not any(b <= run.start() and run.end() <= e for b, e in streams):
            part[run.start() : run.end()] = source[run.start() : run.end()]
    return bytes(part)


@dataclass
class Outcome:
    """What ingest_file did with one fuzzed file."""

    path: str
    outcome: str  # "stored", "error" (a LettermineError), "exception" (any other), "crash"
    detail: str = ""
    rows_changed: int = 0  # rows in the database changed by a file that failed


def _worker(db: str) -> None:
    """Ingest each path read from stdin; report each as a JSON line. Run in a subprocess."""
    from lettermine.db import open_db
    from lettermine.errors import LettermineError
    from lettermine.ingest import Classifier, ingest_file

    conn = open_db(db).conn
    classifier = Classifier(enabled=False)
    for line in sys.stdin:
        path = Path(line.rstrip("\n"))
        print(json.dumps({"start": str(path)}), flush=True)
        before = table_counts(Path(db))
        try:
            ingest_file(conn, path, classifier)
            result = Outcome(str(path), "stored")
        except LettermineError as e:
            changed = sum(abs(table_counts(Path(db))[t] - n) for t, n in before.items())
            result = Outcome(str(path), "error", str(e), changed)
        except Exception as e:  # noqa: BLE001 -- the point of fuzzing: any other kind is a bug
            changed = sum(abs(table_counts(Path(db))[t] - n) for t, n in before.items())
            result = Outcome(str(path), "exception", f"{type(e).__name__}: {e}", changed)
        print(json.dumps(result.__dict__), flush=True)


def run_fuzz(
    paths: list[Path],
    db: Path,
    *,
    timeout: float = 600,
    on_result: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """ingest_file on every path in a worker process; a worker that dies (a segfault in pdfium)
    is counted as a crash on the file it was reading and replaced, so the run goes on."""
    results: list[Outcome] = []
    todo = list(paths)
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "import bad_files; bad_files._worker(sys.argv[1])"
    )
    env = {**os.environ, "PYTHONFAULTHANDLER": ""}
    while todo:
        proc = subprocess.run(
            [sys.executable, "-c", code, str(db)],
            input="".join(f"{p}\n" for p in todo),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
        started: str | None = None
        done: set[str] = set()
        for line in proc.stdout.splitlines():
            record = json.loads(line)
            if "start" in record:
                started = record["start"]
                continue
            outcome = Outcome(**record)
            results.append(outcome)
            done.add(outcome.path)
            if on_result:
                on_result(outcome)
            started = None
        todo = [p for p in todo if str(p) not in done]
        if proc.returncode == 0:
            if todo:  # the worker stopped early without dying: count the rest, don't loop
                raise RuntimeError(f"fuzz worker stopped early: {proc.stderr[-2000:]}")
            break
        if started is None:
            raise RuntimeError(f"fuzz worker failed before reading a file: {proc.stderr[-2000:]}")
        crash = Outcome(started, "crash", f"worker died (exit {proc.returncode})")
        results.append(crash)
        if on_result:
            on_result(crash)
        todo = [p for p in todo if str(p) != started]
    return results


# ---------------------------------------------------------------------------------------------
# Interruption and concurrent use: lettermine in other processes


def cli(*args: str, db: Path) -> list[str]:
    """The command line that runs `lettermine ARGS --db DB` in a new process."""
    return [sys.executable, "-m", "lettermine", *args, "--db", str(db)]


def count_letters(db: Path) -> int:
    """Letters stored so far, read without disturbing a writer (0 before the schema exists)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT count(*) FROM letters").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def ingest_until_killed(files: list[Path], db: Path, at_least: int) -> int:
    """Run `lettermine ingest` on files, SIGKILL it once at_least letters are stored; how many
    letters there are then. RuntimeError if it ends (or stalls) before it can be killed."""
    proc = subprocess.Popen(
        cli("ingest", "--no-classify", *map(str, files), db=db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while count_letters(db) < at_least:
            if proc.poll() is not None:
                raise RuntimeError("ingest ended before it could be killed")
            if time.monotonic() > deadline:
                raise RuntimeError(f"ingest stored fewer than {at_least} letters in two minutes")
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    return count_letters(db)


def unsound(db: Path, files: dict[str, Path]) -> list[str]:
    """What is wrong with a database after an interruption: integrity, foreign keys, a search
    index out of step with its units, and letters that are not whole (units other than what
    parsing the file gives). files: source name -> path."""
    from lettermine.read.extract import read_text
    from lettermine.read.parse import parse_letter

    problems: list[str] = []
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            problems.append(f"integrity_check: {check[:3]}")
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            problems.append("foreign_key_check found orphans")
        try:
            conn.execute("INSERT INTO units_fts (units_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as e:
            problems.append(f"search index: {e}")
        for letter_id, source in conn.execute("SELECT id, source FROM letters").fetchall():
            stored = [
                r[0]
                for r in conn.execute(
                    "SELECT text FROM units WHERE letter_id = ? ORDER BY seq", [letter_id]
                )
            ]
            if stored != [u.text for u in parse_letter(read_text(files[source])).units]:
                problems.append(f"letter {letter_id} ({source}) is not whole")
    finally:
        conn.close()
    return problems


def distinct_letters(folder: Path, count: int) -> list[Path]:
    """count different letters (half text, half PDF), each about its own council."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        text = LETTER_TEXT.replace("Testshire", f"Testshire {i:02d}").replace(
            "Children are seen regularly", f"In {i + 2} teams, children are seen regularly"
        )
        path = folder / f"letter-{i:02d}{'.pdf' if i % 2 else '.txt'}"
        if i % 2:
            lines = text.splitlines()
            path.write_bytes(make_pdf([lines[k : k + 45] for k in range(0, len(lines), 45)]))
        else:
            path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


# Records updates to action 1 as fast as it can until told to stop (and at least 20), each on a
# new connection as each CLI call makes; prints the notes it recorded.
_HAMMER = """
import json, sys
from pathlib import Path
from lettermine.actions import update_action
from lettermine.db import connect
db, stop = sys.argv[1], Path(sys.argv[2])
notes = []
while not stop.exists() or len(notes) < 20:
    note = f"hammer {len(notes)}"
    conn = connect(db)
    update_action(conn, 1, note=note)
    conn.close()
    notes.append(note)
print(json.dumps(notes))
"""


@dataclass
class Together:
    """What happened when ingests and action updates ran at once against one database."""

    ingests: list[subprocess.CompletedProcess[str]]
    cli_updates: list[tuple[str, subprocess.CompletedProcess[str]]]  # (note, run)
    hammer: subprocess.CompletedProcess[str]

    def written(self) -> list[str]:
        """Every update note a process reported as recorded."""
        notes = [note for note, run in self.cli_updates if run.returncode == 0]
        if self.hammer.returncode == 0:
            notes += json.loads(self.hammer.stdout)
        return notes


def run_together(db: Path, batches: list[list[Path]], *, min_cli_updates: int = 3) -> Together:
    """`lettermine ingest` on each batch, a loop of `lettermine actions update 1` and a tight
    loop of update_action calls, all at once against db (which must hold action 1)."""
    stop = db.with_name(db.name + ".stop")
    stop.unlink(missing_ok=True)
    ingests = [
        subprocess.Popen(
            cli("ingest", "--no-classify", *map(str, files), db=db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for files in batches
    ]
    hammer = subprocess.Popen(
        [sys.executable, "-c", _HAMMER, str(db), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    cli_updates: list[tuple[str, subprocess.CompletedProcess[str]]] = []

    def update_loop() -> None:
        while any(p.poll() is None for p in ingests) or len(cli_updates) < min_cli_updates:
            note = f"cli {len(cli_updates)}"
            run = subprocess.run(
                cli("actions", "update", "1", "--note", note, db=db),
                capture_output=True,
                text=True,
            )
            cli_updates.append((note, run))

    loop = threading.Thread(target=update_loop)
    loop.start()
    done = []
    for p in ingests:
        out, err = p.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    loop.join(timeout=300)
    stop.touch()
    out, err = hammer.communicate(timeout=300)
    stop.unlink(missing_ok=True)
    return Together(
        done, cli_updates, subprocess.CompletedProcess(hammer.args, hammer.returncode, out, err)
    )


LETTER_TEXT = """\
Ofsted
Piccadilly Gate
Store Street
Manchester
M1 2WD

3 March 2022

Jane Example
Director of Children's Services
Testshire County Council

Dear Ms Example

Focused visit to Testshire children's services

This letter summarises the findings of the focused visit to Testshire children's services on
8 and 9 February 2022. His Majesty's Inspectors for this visit were Alex Sample and Sam Person.

Inspectors looked at the local authority's arrangements for children in need and children
subject to a child protection plan.

Headline findings

Senior leaders have a clear understanding of the strengths and weaknesses of practice and have
acted to improve the quality of social work for children in need of help and protection.

What needs to improve in this area of social work practice

The quality and timeliness of written plans for children in need.

The consistency of management oversight and supervision of frontline practice.

Main findings

Children are seen regularly by social workers who know them well and who speak warmly about
the children they work with.

Assessments are mostly timely and consider the child's history, although some do not analyse
the impact of risks on the child's daily life.

Written plans are too often generic, with actions that are not specific enough for families to
understand what needs to change and by when.

Supervision takes place regularly but does not consistently provide reflective challenge or
clear direction to progress children's plans.

Ofsted will take the findings from this focused visit into account when planning your next
inspection or visit.

Yours sincerely

Alex Sample
His Majesty's Inspector
"""


# ---------------------------------------------------------------------------------------------
# Running without root's rights

# Root may read anything, so as root the command gives up root's rights itself, after loading
# what it needs (the interpreter may live where 'nobody' cannot go).
_AS_NOBODY = """
import os, sys
import docx, pypdfium2, sqlite_utils, sqlite_utils.migrations
import lettermine.cli, lettermine.cli.letters, lettermine.db, lettermine.ingest
import lettermine.migrations, lettermine.read.extract, lettermine.read.inspection
import lettermine.read.parse, lettermine.read.visit, lettermine.visits
import termios, tty  # the progress bar
import faulthandler, marshal, resource  # extract reads PDF and Word files in a limited child
import encodings.utf_8_sig, encodings.utf_16_le, encodings.utf_16, encodings.cp1252, encodings.ascii
try:  # pydantic looks for plugins among the installed packages the first time it validates
    from pydantic.plugin._loader import get_plugins
    list(get_plugins())
except ImportError:
    pass
os.setgroups([]); os.setgid(65534); os.setuid(65534)
sys.argv = ["lettermine", *sys.argv[1:]]
lettermine.cli.main()
"""


def unprivileged_cli() -> list[str]:
    """The command that runs lettermine as a user file permissions apply to ('nobody' as root).

    Files and folders it should reach must be open to others (a folder of mode 0o777).
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return [sys.executable, "-c", _AS_NOBODY]
    return [sys.executable, "-m", "lettermine"]
