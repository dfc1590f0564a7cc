"""Documents are read in one bounded child process per process (read.bounded), reused from one
document to the next: a document that kills it, exhausts its memory or hits a bug costs that
document alone, and the next one is read by a new reader."""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import pytest
from conftest import LETTERS

from lettermine.errors import LettermineError, UnreadableLetter
from lettermine.read import bounded, extract

pytestmark = pytest.mark.skipif(not bounded.FORK, reason="the bounded reader is Linux only")

_real_pdf_text = extract._pdf_text


# The reader finds the function it is asked to run by module and name: these are module-level.
def _text_of(path: Path) -> str:
    return f"read {path.name} in {os.getpid()}"


def _killed(path: Path) -> str:
    os.kill(os.getpid(), signal.SIGKILL)  # as pdfium dying on a damaged file would
    return ""


def _killed_once(path: Path) -> str:
    """Dies the first time it is asked for a file, reads it the next time."""
    mark = path.with_suffix(".tried")
    if not mark.exists():
        mark.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return _text_of(path)


def _greedy(path: Path) -> str:
    hoard = bytearray(bounded.MAX_MEMORY + 64 * 2**20)  # more than the reader may take
    return str(len(hoard))


def _buggy(path: Path) -> str:
    raise ValueError("a bug in the reader")


def _crashes_on_crash_pdf(path: Path) -> str:
    if "crash" in path.name:
        os.kill(os.getpid(), signal.SIGSEGV)
    return _real_pdf_text(path)


def _reader_pid() -> int | None:
    reader = bounded._READER
    return reader.pid if reader is not None and reader.owner == os.getpid() else None


def test_one_reader_reads_document_after_document(tmp_path: Path) -> None:
    first = bounded.read_bounded(_text_of, tmp_path / "a.pdf")
    second = bounded.read_bounded(_text_of, tmp_path / "b.pdf")
    pid = _reader_pid()
    assert first == f"read a.pdf in {pid}" and second == f"read b.pdf in {pid}"
    assert pid is not None and pid != os.getpid()


def test_a_document_that_kills_the_reader_costs_that_document_only(tmp_path: Path) -> None:
    bounded.read_bounded(_text_of, tmp_path / "before.pdf")
    with pytest.raises(UnreadableLetter, match=r"^bad\.pdf: the reader stopped on it \(SIGKILL\)"):
        bounded.read_bounded(_killed, tmp_path / "bad.pdf")
    after = bounded.read_bounded(_text_of, tmp_path / "after.pdf")
    assert after == f"read after.pdf in {_reader_pid()}"


def test_a_used_reader_that_dies_gives_the_document_a_fresh_one(tmp_path: Path) -> None:
    # What earlier documents left in a reader's memory must never cost a later one its text.
    bounded.read_bounded(_text_of, tmp_path / "before.pdf")
    used = _reader_pid()
    text = bounded.read_bounded(_killed_once, tmp_path / "flaky.pdf")
    assert text == f"read flaky.pdf in {_reader_pid()}" and _reader_pid() != used


def test_a_document_needing_too_much_memory_is_refused_and_the_next_read(tmp_path: Path) -> None:
    bounded.read_bounded(_text_of, tmp_path / "before.pdf")
    with pytest.raises(UnreadableLetter, match=r"^greedy\.pdf: it needs more than 256 MB"):
        bounded.read_bounded(_greedy, tmp_path / "greedy.pdf")
    assert bounded.read_bounded(_text_of, tmp_path / "after.pdf").startswith("read after.pdf")


def test_a_bug_in_the_reader_is_a_traceback_not_a_message(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="ValueError: a bug in the reader"):
        bounded.read_bounded(_buggy, tmp_path / "x.pdf")
    assert bounded.read_bounded(_text_of, tmp_path / "next.pdf").startswith("read next.pdf")


def test_a_forked_process_gets_a_reader_of_its_own(tmp_path: Path) -> None:
    bounded.read_bounded(_text_of, tmp_path / "parent.pdf")
    parent_reader = _reader_pid()
    reply_r, reply_w = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            text = bounded.read_bounded(_text_of, tmp_path / "child.pdf")
            ok = _reader_pid() not in (None, parent_reader) and text.startswith("read child")
            bounded.close_reader()
            os.write(reply_w, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(reply_w)
    answer = os.read(reply_r, 1)
    os.close(reply_r)
    os.waitpid(child, 0)
    assert answer == b"1"
    assert bounded.read_bounded(_text_of, tmp_path / "again.pdf") == (
        f"read again.pdf in {parent_reader}"
    )


def test_a_pool_worker_whose_reader_dies_costs_that_file_only(
    tmp_path: Path,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lettermine import ingest
    from lettermine.db import open_db

    folder = tmp_path / "letters"
    folder.mkdir()
    for path in sorted(LETTERS.iterdir()):
        if path.suffix in (".pdf", ".txt", ".docx"):
            shutil.copy(path, folder / path.name)
    pdf = next(folder.glob("*.pdf"))
    (folder / "c-crash.pdf").write_bytes(pdf.read_bytes() + b"\n")  # other bytes, same text
    # Pool workers are forked, and their readers from them: they see the reader swapped.
    monkeypatch.setattr(extract, "_pdf_text", _crashes_on_crash_pdf)
    files = sorted(folder.iterdir())
    conn = open_db(db_path).conn
    outcomes = list(ingest.ingest_files(conn, files, ingest.Classifier(enabled=False), workers=2))
    assert [p for p, _ in outcomes] == files
    failed = [(p.name, str(o)) for p, o in outcomes if isinstance(o, LettermineError)]
    assert failed == [("c-crash.pdf", failed[0][1])]
    assert "the reader stopped on it (SIGSEGV)" in failed[0][1]
    stored = [o.letter_id for _, o in outcomes if not isinstance(o, LettermineError)]
    assert stored == list(range(1, len(files)))


def test_the_readers_module_is_what_the_reader_runs() -> None:
    # The reader looks functions up by module and name: they must be reachable so.
    for read in (extract._pdf_text, extract._docx_text):
        assert getattr(sys.modules[read.__module__], read.__qualname__) is read
