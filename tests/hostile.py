"""Hostile and unlucky input (#17) for the tests and bench/faults.py: documents built to exhaust
the machine, databases that are not lettermine's, trackers as spreadsheets save them, broken
model folders, and a runner that measures a command's peak memory and stops it at a timeout.

Everything is made in pure Python at run time; nothing here reads the corpus.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bad_files import LETTER_TEXT, letter_pages, make_docx

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "lettermine_themes"

# ---------------------------------------------------------------------------------------------
# Running a command: exit status, output, peak memory, and a timeout that counts as a hang


@dataclass
class Run:
    """One command's outcome."""

    returncode: int
    stdout: str
    stderr: str
    peak_mb: float  # the process's peak resident memory (with the children it waited for)
    hung: bool  # killed at the timeout
    seconds: float


# A small process starts the command and measures it: a child's peak RSS (wait4) counts the
# memory of the process it was forked from, so forked straight from a big one (pytest with
# spaCy loaded) the figure would be that process's, not the command's.
_LAUNCHER = """
import json, os, signal, subprocess, sys, time
fd, timeout, args = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
proc = subprocess.Popen(args, start_new_session=True)
start, hung = time.monotonic(), False
while True:
    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    if pid:
        break
    if time.monotonic() - start > timeout:
        hung = True
        os.killpg(proc.pid, signal.SIGKILL)
        pid, status, usage = os.wait4(proc.pid, 0)
        break
    time.sleep(0.02)
result = {"code": os.waitstatus_to_exitcode(status), "kb": usage.ru_maxrss, "hung": hung}
os.write(fd, json.dumps(result).encode())
"""


def run_measured(
    args: list[str],
    *,
    timeout: float = 120,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Run:
    """Run args; its peak RSS (wait4's rusage, its children's included), killed (a hang) after
    timeout seconds."""
    reader, writer = os.pipe()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, str(writer), str(timeout), *args],
            stdout=out, stderr=err, env=env, cwd=cwd, pass_fds=(writer,), check=False,
            timeout=timeout + 60,
        )  # fmt: skip
        os.close(writer)
        with os.fdopen(reader, "rb") as result:
            measured = json.loads(result.read() or b"{}")
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return Run(
            int(measured.get("code", -1)),
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            float(measured.get("kb", 0)) / 1024,
            bool(measured.get("hung", False)),
            seconds,
        )


def lettermine(*args: str, db: Path | None = None) -> list[str]:
    """The command line for `python -m lettermine ARGS [--db DB]`."""
    return [sys.executable, "-m", "lettermine", *args, *(["--db", str(db)] if db else [])]


def traceback_in(run: Run) -> bool:
    return "Traceback" in run.stderr or "Traceback" in run.stdout


def crashed(run: Run) -> bool:
    """Anything but exit 0, 1 or 2 without a traceback (a hang is counted apart)."""
    return not run.hung and (run.returncode not in (0, 1, 2) or traceback_in(run))


def one_line_error(run: Run, *words: str) -> bool:
    """Exit 1 (or 2: bad usage) with exactly one `Error:` line, holding every word given."""
    errors = [x for x in run.stderr.splitlines() if x.startswith("Error:")]
    usage = run.returncode == 2 and ("Invalid value" in run.stderr or "Usage:" in run.stderr)
    return (
        not run.hung
        and not traceback_in(run)
        and ((run.returncode == 1 and len(errors) == 1) or usage)
        and all(w.lower() in run.stderr.lower() for w in words)
    )


def file_hashes(folder: Path, *, skip: Callable[[Path], bool] = lambda p: False) -> dict[str, str]:
    """The SHA-256 of every file under folder (a missing folder: none)."""
    out: dict[str, str] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not skip(path):
            out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def files_changed(before: dict[str, str], after: dict[str, str]) -> int:
    """Files added, removed or changed between two file_hashes()."""
    return sum(1 for k in before.keys() | after.keys() if before.get(k) != after.get(k))


# ---------------------------------------------------------------------------------------------
# PDFs built to exhaust the machine


def pdf_of(objects: dict[int, bytes]) -> bytes:
    """A PDF of numbered objects (1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for n in sorted(objects):
        offsets[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objects[n])
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for n in range(1, size):
        out += b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def _stream(entries: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)


def _text_ops(lines: list[str]) -> bytes:
    ops = [b"BT /F1 11 Tf 14 TL 72 770 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(b"(" + escaped.encode("latin-1", "replace") + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def _zeros_deflated(size: int) -> bytes:
    """A zlib stream of size zero bytes (a multiple of 1 MB), made in a moment: after a full
    flush every further megabyte of zeros compresses to the same bytes."""
    chunk = b"\0" * 2**20
    packer = zlib.compressobj(9)
    first = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.flush()[:-4]  # the final block, without the checksum of two megabytes
    count = size // len(chunk)
    adler = ((count * len(chunk)) % 65521) << 16 | 1  # Adler-32 of that many zeros
    return first + again * (count - 1) + end + struct.pack(">I", adler)


def _letter_objects(first: int = 5) -> tuple[dict[int, bytes], list[int], int]:
    """The sample letter's pages as objects from `first` on: (objects, page numbers, next)."""
    objects: dict[int, bytes] = {3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    number = first
    for lines in letter_pages():
        page, content = number, number + 1
        number += 2
        kids.append(page)
        objects[page] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        objects[content] = _stream(b"", _text_ops(lines))
    return objects, kids, number


def _with_pages(objects: dict[int, bytes], kids: list[int], count: int | None = None) -> bytes:
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids) if count is None else count,
    )
    return pdf_of(objects)


def pdf_zero_bomb(inflated_mb: int = 2048, *, used: bool = False) -> bytes:
    """The sample letter plus a Flate stream of zeros inflating to inflated_mb MB: one that
    nothing uses, or (used) the content stream of an extra page."""
    objects, kids, number = _letter_objects()
    bomb = _stream(b"/Filter /FlateDecode", _zeros_deflated(inflated_mb * 2**20))
    if used:
        objects[number] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>"
            % (number + 1)
        )
        kids.append(number)
        objects[number + 1] = bomb
    else:
        objects[number] = bomb
    return _with_pages(objects, kids)


def pdf_many_pages(pages: int = 50_000, *, shared: bool = True) -> bytes:
    """A page tree of tens of thousands of pages: all one page object (a few KB), or each its
    own small page."""
    objects, kids, number = _letter_objects()
    if shared:
        return _with_pages(objects, [kids[0]] * pages)
    content = number
    objects[content] = _stream(b"", _text_ops(["A page of an unusually long document."]))
    many = []
    for i in range(pages):
        n = content + 1 + i
        objects[n] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        many.append(n)
    return _with_pages(objects, kids + many)


def pdf_lying_count(count: int = 10**9) -> bytes:
    """The sample letter whose page tree claims a billion pages."""
    objects, kids, _ = _letter_objects()
    return _with_pages(objects, kids, count=count)


def pdf_text_flood(glyphs: int = 3_000_000) -> bytes:
    """A page whose compressed content stream draws millions of characters (a few MB of file)."""
    objects, kids, number = _letter_objects()
    ops = (
        b"BT /F1 2 Tf 0 0 Td "
        + b"(xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx) Tj " * (glyphs // 50)
        + b"ET"
    )
    objects[number] = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (number + 1)
    )
    objects[number + 1] = _stream(b"/Filter /FlateDecode", zlib.compress(ops, 9))
    return _with_pages(objects, [*kids, number])


def pdf_recursive_form() -> bytes:
    """The sample letter, one page drawing a form XObject that draws itself."""
    objects, kids, number = _letter_objects()
    form = number
    objects[form] = _stream(
        b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] "
        b"/Resources << /XObject << /X %d 0 R >> >>" % form,
        b"/X Do",
    )
    page = kids[0]
    objects[page] = objects[page].replace(
        b"/Resources << /Font << /F1 3 0 R >> >>",
        b"/Resources << /Font << /F1 3 0 R >> /XObject << /X %d 0 R >> >>" % form,
    )
    content = page + 1
    objects[content] = _stream(b"", _text_ops(letter_pages()[0]) + b"\n/X Do")
    return _with_pages(objects, kids)


def pdf_deep_page_tree(depth: int = 5_000) -> bytes:
    """The sample letter's first page under a chain of thousands of nested /Pages nodes."""
    objects, kids, number = _letter_objects()
    parent = 2
    for _ in range(depth):
        objects[parent] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % number
        parent, number = number, number + 1
    objects[parent] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % kids[0]
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    return pdf_of(objects)


# ---------------------------------------------------------------------------------------------
# Word documents and text built to exhaust the machine


def _docx_with(replace: dict[str, Callable[[zipfile.ZipFile, str], None]], extra: int = 0) -> bytes:
    """The sample-like Word document with some parts written by the given functions (streamed,
    so a part of gigabytes costs little memory), and `extra` more tiny parts."""
    base = zipfile.ZipFile(io.BytesIO(make_docx(LETTER_TEXT.split("\n\n"))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for item in base.infolist():
            if item.filename in replace:
                replace[item.filename](z, item.filename)
            else:
                z.writestr(item, base.read(item.filename))
        for i in range(extra):
            z.writestr(f"customXml/extra{i}.xml", b"<a/>")
    return out.getvalue()


def _huge_document_xml(paragraphs: int) -> Callable[[zipfile.ZipFile, str], None]:
    def write(z: zipfile.ZipFile, name: str) -> None:
        head = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body>"
        )
        para = (
            b"<w:p><w:r><w:t>Inspectors found that social workers know their children well and "
            b"visit them regularly, and that plans are reviewed.</w:t></w:r></w:p>"
        )
        with z.open(name, "w", force_zip64=True) as f:
            f.write(head)
            block = para * 1000
            for _ in range(paragraphs // 1000):
                f.write(block)
            f.write(b"</w:body></w:document>")

    return write


def docx_xml_bomb(paragraphs: int = 2_000_000) -> bytes:
    """A Word document whose document.xml unpacks to hundreds of MB (a small file)."""
    return _docx_with({"word/document.xml": _huge_document_xml(paragraphs)})


def docx_text_flood(paragraphs: int = 60_000) -> bytes:
    """A Word document under the XML bound whose text is beyond any letter's."""
    return _docx_with({"word/document.xml": _huge_document_xml(paragraphs)})


def docx_many_parts(parts: int = 20_000) -> bytes:
    """A Word document with tens of thousands of parts."""
    return _docx_with({}, extra=parts)


def txt_flood(megabytes: int = 19) -> bytes:
    """Letter-like text just under the 20 MB file limit."""
    block = (LETTER_TEXT + "\n\n").encode("utf-8")
    return block * (megabytes * 2**20 // len(block))


HOSTILE_DOCUMENTS: tuple[tuple[str, str, Callable[[], bytes]], ...] = (
    ("unused zero stream (2 GB inflated)", "zero-bomb.pdf", lambda: pdf_zero_bomb(2048)),
    ("page content of zeros (1 GB)", "zero-page.pdf", lambda: pdf_zero_bomb(1024, used=True)),
    ("50,000 pages, one object", "pages-shared.pdf", lambda: pdf_many_pages(50_000)),
    ("20,000 small pages", "pages-many.pdf", lambda: pdf_many_pages(20_000, shared=False)),
    ("page count of a billion", "count-lie.pdf", lambda: pdf_lying_count()),
    ("3 million characters on a page", "text-flood.pdf", lambda: pdf_text_flood()),
    ("form drawing itself", "recursive-form.pdf", pdf_recursive_form),
    ("page tree 5,000 deep", "deep-tree.pdf", lambda: pdf_deep_page_tree()),
    ("document.xml of 290 MB", "xml-bomb.docx", lambda: docx_xml_bomb()),
    ("9 MB of Word text", "text-flood.docx", lambda: docx_text_flood()),
    ("20,000 parts", "many-parts.docx", lambda: docx_many_parts()),
    ("19 MB of text", "flood.txt", lambda: txt_flood()),
)


# ---------------------------------------------------------------------------------------------
# Trackers as spreadsheets save them


NOT_NUMBERS = ["nan", "inf", "1e400", "-inf"]
TRACKER_HEADER = ["ref", "title", "owner", "status", "percent", "due", "units"]


def tracker_rows(units: str = "1:1") -> list[list[str]]:
    return [
        ["T1", "Reduce caseloads to 25", "Head of Service", "in progress", "40", "31/03/2022",
         units],
        ["T2", "Audit supervision", "Principal Social Worker", "not started", "0", "2022-06-30",
         units],
    ]  # fmt: skip


def csv_text(rows: list[list[str]], sep: str = ",", header: list[str] | None = None) -> str:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header or TRACKER_HEADER)
    writer.writerows(rows)
    return buf.getvalue()


def trackers(units: str = "1:1") -> list[tuple[str, str, bytes, int]]:
    """(what, file name, bytes, actions it should create, or -1 for a clear refusal)."""
    rows = tracker_rows(units)
    plain = csv_text(rows)
    unbalanced = plain.replace('"', "") + 'T3,"Open the hub,Team,in progress,10,2022-01-01,' + units
    return [
        ("comma, UTF-8", "plain.csv", plain.encode("utf-8"), 2),
        ("UTF-8 with BOM", "bom.csv", b"\xef\xbb\xbf" + plain.encode("utf-8"), 2),
        ("semicolons (European Excel)", "semi.csv", csv_text(rows, ";").encode("cp1252"), 2),
        ("UTF-16 with BOM, tabs (Unicode text)", "utf16.csv",
         csv_text(rows, "\t").encode("utf-16"), 2),
        ("UTF-16 LE without BOM", "utf16le.csv", plain.encode("utf-16-le"), 2),
        ("UTF-16 BE with BOM, semicolons", "utf16be.csv",
         b"\xfe\xff" + csv_text(rows, ";").encode("utf-16-be"), 2),
        ("Excel's sep=; line", "sep.csv", ("sep=;\r\n" + csv_text(rows, ";")).encode("utf-8"), 2),
        ("dates saved with their time", "times.csv",
         plain.replace("31/03/2022", "31/03/2022 00:00").replace("2022-06-30",
                                                                 "2022-06-30 00:00:00")
         .encode("utf-8"), 2),
        ("unbalanced quote", "unbalanced.csv", unbalanced.encode("utf-8"), -1),
        ("quote closed rows later", "late-quote.csv",
         (csv_text(rows) + 'T4,"Run the panel\r\nT5,Other,Team,done,100,2022-01-01,'
          + units + '",x\r\n').encode("utf-8"), -1),
        ("cell over the CSV field limit", "long-cell.csv",
         csv_text([[*rows[0][:1], "x" * 200_000, *rows[0][2:]]]).encode("utf-8"), -1),
        ("title of 100,000 characters", "long-title.csv",
         csv_text([[*rows[0][:1], "y" * 100_000, *rows[0][2:]]]).encode("utf-8"), 1),
        ("more cells than the header", "extra-cells.csv",
         (csv_text(rows) + "T6,Extra,Team,done,100,2022-01-01," + units + ",spill\r\n")
         .encode("utf-8"), -1),
        ("an xlsx saved as .csv", "workbook.csv", b"PK\x03\x04" + b"\0" * 200, -1),
        ("binary data", "binary.csv", bytes(range(256)) * 8, -1),
        ("units cell of 20 digits", "huge-unit.csv",
         csv_text(tracker_rows("99999999999999999999:1")).encode("utf-8"), -1),
        ("percent nan / inf / 1e400", "nan.csv",
         csv_text([[*r[:4], p, *r[5:]] for r, p in zip(rows * 2, NOT_NUMBERS, strict=True)])
         .encode("utf-8"), -1),
        ("formula cells (exported with an apostrophe)", "formulas.csv",
         csv_text([["F1", "'=HYPERLINK(\"http://x\",\"x\")", "'+44 1234", "done", "100",
                    "2022-01-01", units]]).encode("utf-8"), 1),
        ("date in 2999", "future.csv",
         csv_text([["F2", "Later", "Team", "done", "100", "2022-01-01", units, "2999-01-01"]],
                  header=[*TRACKER_HEADER, "date"]).encode("utf-8"), -1),
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Model folders


def broken_models(work: Path) -> Iterator[tuple[str, Path]]:
    """Copies of the shipped theme pipeline, each broken one way: (what, folder)."""

    def copy(name: str) -> Path:
        dest = work / name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(MODEL, dest)
        return dest

    def edit(name: str, file: str, change: Callable[[bytes], bytes]) -> Path:
        dest = copy(name)
        target = dest / file
        target.write_bytes(change(target.read_bytes()))
        return dest

    yield "thresholds not JSON", edit("m-thr-json", "thresholds.json", lambda b: b[: len(b) // 2])
    yield "thresholds a list", edit("m-thr-list", "thresholds.json", lambda b: b"[1, 2, 3]")
    yield (
        "thresholds NaN",
        edit(
            "m-thr-nan",
            "thresholds.json",
            lambda b: json.dumps({"themes": {"caseloads": "NaN"}}).encode(),
        ),
    )
    yield (
        "thresholds a string",
        edit(
            "m-thr-str",
            "thresholds.json",
            lambda b: json.dumps({"themes": {"caseloads": "high"}}).encode(),
        ),
    )
    yield (
        "thresholds of 7",
        edit(
            "m-thr-big",
            "thresholds.json",
            lambda b: json.dumps({"themes": {"caseloads": 7}}).encode(),
        ),
    )
    yield "thresholds not UTF-8", edit("m-thr-bytes", "thresholds.json", lambda b: b"\xff\xfe\x00")
    yield "config.cfg cut short", edit("m-cfg-cut", "config.cfg", lambda b: b[: len(b) // 3])
    yield "config.cfg binary", edit("m-cfg-bin", "config.cfg", lambda b: bytes(range(256)))
    yield (
        "config.cfg unknown component",
        edit(
            "m-cfg-factory",
            "config.cfg",
            lambda b: b.replace(b'factory = "textcat', b'factory = "nope', 1),
        ),
    )
    yield "meta.json broken", edit("m-meta", "meta.json", lambda b: b"{")
    for sub in ("textcat_multilabel", "textcat", "lettermine_rules", "vocab"):
        folder = MODEL / sub
        if not folder.is_dir():
            continue
        for f in sorted(p for p in folder.iterdir() if p.is_file())[:2]:
            rel = f"{sub}/{f.name}"
            if sub != "vocab":  # a vocab table cut short still loads, and the model still works
                yield (
                    f"{rel} cut short",
                    edit(f"m-cut-{sub}-{f.name}", rel, lambda b: b[: max(1, len(b) // 2)]),
                )
            yield f"{rel} zeroed", edit(f"m-zero-{sub}-{f.name}", rel, lambda b: b"\0" * len(b))
    dest = copy("m-no-weights")
    shutil.rmtree(dest / "textcat_multilabel")
    yield "textcat_multilabel folder missing", dest
    dest = copy("m-tokenizer")
    (dest / "tokenizer").write_bytes(b"\x93\x00garbage")
    yield "tokenizer garbage", dest
    empty = work / "m-empty"
    empty.mkdir(exist_ok=True)
    yield "empty folder", empty
    file_model = work / "m-file"
    file_model.write_text("not a folder")
    yield "a file, not a folder", file_model
