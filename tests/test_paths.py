"""Paths that are not what they seem: names that are not UTF-8, FIFOs, devices, links, no access.

The command line runs in a new process here (real argv bytes, real stdout and stderr), each
under a timeout so that a command that waits on a FIFO fails the test instead of hanging it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bad_files import GOOD_DOCX, GOOD_PDF, GOOD_TXT, unprivileged_cli

from lettermine.paths import NotReadable, check_target, read_file, shown, walk

FF = "\udcff"  # how Python carries the byte 0xff of a file name that is not UTF-8
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def _cli(
    *args: str, db: Path, cwd: Path | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [sys.executable, "-m", "lettermine", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        errors="surrogateescape",
        timeout=120,
        cwd=cwd,
        **kw,  # type: ignore[call-overload]
    )
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode in (0, 1, 2), run.stderr
    return run  # type: ignore[no-any-return]


def _errors(run: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.startswith("Error:")]


# -- printing names ---------------------------------------------------------------------------


def test_shown_writes_undecodable_bytes_and_controls_as_escapes() -> None:
    assert shown(f"caf{FF}.txt") == "caf\\xff.txt"
    assert shown("a\x1b]0;title\x07b") == "a\\x1b]0;title\\x07b"
    assert shown("gpj\u202eexe.docx") == "gpj\\u202eexe.docx"
    assert shown("two\nlines") == "two\\x0alines"
    assert shown("two\nlines", keep_newlines=True) == "two\nlines"
    assert shown("\ud800x") == "\\ud800x"
    plain = "Café – children’s services.pdf"
    assert shown(plain) is plain or shown(plain) == plain
    assert shown(Path(f"/x/{FF}")) == "/x/\\xff"
    # Whatever goes in, what comes out can be encoded, stored and printed.
    shown(f"{FF}\x00\x9b\u2028").encode("utf-8")


# -- reading ----------------------------------------------------------------------------------


def test_read_file_reads_regular_files_and_refuses_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    assert read_file(path) == b"abc"
    with pytest.raises(NotReadable, match="a.txt: .*a folder"):
        read_file(tmp_path, label="a.txt")
    with pytest.raises(NotReadable, match="no such file"):
        read_file(tmp_path / "gone.txt")
    with pytest.raises(NotReadable, match="too large"):
        read_file(path, limit=2)
    if Path("/dev/null").exists():
        with pytest.raises(NotReadable, match=r"not a regular file \(a character device\)"):
            read_file(Path("/dev/null"))


@needs_fifo
def test_check_target_refuses_a_fifo_and_allows_a_new_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "out.docx")
    with pytest.raises(NotReadable, match=r"a FIFO \(named pipe\), not a file that can be written"):
        check_target(tmp_path / "out.docx")
    check_target(tmp_path / "new.docx")
    (tmp_path / "old.docx").write_bytes(b"x")
    check_target(tmp_path / "old.docx")


@needs_fifo
def test_walk_accounts_for_every_entry(tmp_path: Path) -> None:
    root, outside = tmp_path / "in", tmp_path / "out"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (root / "a.txt").write_text("a")
    (root / "sub" / "b.pdf").write_text("b")
    (outside / "secret.txt").write_text("s")
    os.mkfifo(root / "x.txt")
    (root / "in-link.txt").symlink_to("a.txt")
    (root / "out-link.txt").symlink_to(outside / "secret.txt")
    (root / "dir-link").symlink_to(outside)
    (root / "loop").symlink_to(root)
    (root / "dangling.txt").symlink_to(tmp_path / "nowhere")
    (root / ".hidden.txt").write_text("h")

    found = walk(root)

    assert [p.name for p in found.files] == ["a.txt", "in-link.txt", "b.pdf"]
    assert [(p.name, why) for p, why in found.special] == [("x.txt", "a FIFO (named pipe)")]
    assert sorted((p.name, why) for p, why in found.links) == [
        ("dangling.txt", "leads nowhere"),
        ("dir-link", "leads out of the folder"),
        ("loop", "leads to a folder"),
        ("out-link.txt", "leads out of the folder"),
    ]
    assert found.unreadable == []


# -- ingest -----------------------------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A folder of letters with a name that is not UTF-8, a FIFO, links and a control character."""
    folder = tmp_path / "inbox"
    (folder / "2022").mkdir(parents=True)
    shutil.copy(GOOD_TXT, folder / f"letter-{FF}.txt")
    shutil.copy(GOOD_PDF, folder / "2022" / GOOD_PDF.name)
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(GOOD_DOCX, tmp_path / "elsewhere" / GOOD_DOCX.name)
    (folder / "jtai.docx").symlink_to(tmp_path / "elsewhere" / GOOD_DOCX.name)
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "x.txt")
    (folder / "notes\x1b]0;owned\x07.md").write_text("not a letter")
    return folder


def test_a_hostile_folder_is_ingested_and_every_oddity_named(hostile: Path, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    run = _cli("ingest", "--no-classify", str(hostile), db=db)

    assert run.returncode == 1  # the FIFO
    assert f"{GOOD_PDF.name}: letter 1, monitoring_visit" in run.stderr  # 2022/ sorts first
    assert "letter-\\xff.txt: letter 2, focused_visit" in run.stderr
    if hasattr(os, "mkfifo"):
        assert _errors(run) == [
            f"Error: {hostile / 'x.txt'}: not a regular file (a FIFO (named pipe))"
        ]
    assert (
        "1 symbolic links not followed (only links to files inside the folder are): " in run.stderr
    )
    assert "jtai.docx (leads out of the folder)" in run.stderr
    assert "notes\\x1b]0;owned\\x07.md" in run.stderr and "\x1b" not in run.stderr
    conn = sqlite3.connect(db)
    sources = [r[0] for r in conn.execute("SELECT source FROM letters ORDER BY id")]
    conn.close()
    assert sources == [GOOD_PDF.name, "letter-\\xff.txt"]  # the linked-out letter is not read


@needs_fifo
def test_a_fifo_named_on_the_command_line_is_refused_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.txt")
    run = _cli(
        "ingest", "--no-classify", str(tmp_path / "x.txt"), str(GOOD_TXT), db=tmp_path / "t.db"
    )
    assert run.returncode == 1
    assert _errors(run) == ["Error: x.txt: not a regular file (a FIFO (named pipe))"]
    assert "1 new letters" in run.stderr


def test_a_name_that_is_not_utf8_works_as_an_argument(tmp_path: Path) -> None:
    path = tmp_path / f"Ofsted {FF}.docx"
    shutil.copy(GOOD_DOCX, path)
    db = tmp_path / f"letters-{FF}.db"
    run = _cli("ingest", "--no-classify", str(path), db=db)
    assert run.returncode == 0
    assert "Ofsted \\xff.docx: letter 1, jtai" in run.stderr
    assert os.fsencode(db.name) in os.listdir(os.fsencode(tmp_path))
    backup = tmp_path / f"backup-{FF}.db"
    run = _cli("db", "backup", str(backup), db=db)
    assert run.returncode == 0, run.stderr
    assert "Backed up to " in run.stderr and "backup-\\xff.db" in run.stderr
    assert sqlite3.connect(backup).execute("SELECT count(*) FROM letters").fetchone() == (1,)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    out = tmp_path / f"plan-{FF}.docx"
    run = _cli("plan", "--letter", "1", "--output", str(out), db=db)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("plan-\\xff.docx") and out.is_file()
    run = _cli("db", "path", db=db)
    assert run.stdout.strip().endswith("letters-\\xff.db")
    status = _cli("db", "status", "--json", db=db)
    assert "letters-\\\\xff.db" in status.stdout


def test_text_arguments_that_are_not_utf8_are_one_line_errors(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    _cli("ingest", "--no-classify", str(GOOD_TXT), db=db)
    for args in (
        ["actions", "add", "--for", "1:1", "--title", f"Plan {FF}"],
        ["search", f"caseload{FF}"],
        ["search", f"caseload{FF}", "--raw"],
        ["themes", "--la", f"North {FF}"],
        ["actions", "list", "--owner", f"{FF}"],
        ["label", "1:1", "--add", "workforce", "--who", f"{FF}"],
    ):
        run = _cli(*args, db=db)
        assert run.returncode == 1, (args, run.stderr)
        assert len(_errors(run)) == 1, run.stderr
        assert "\\xff" in _errors(run)[0] and "is not UTF-8 text" in _errors(run)[0]


@needs_fifo
def test_other_path_arguments_refuse_fifos_without_waiting(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    _cli("ingest", "--no-classify", str(GOOD_TXT), db=db)
    fifo_csv, fifo_docx, fifo_db = tmp_path / "t.csv", tmp_path / "p.docx", tmp_path / "f.db"
    for fifo in (fifo_csv, fifo_docx, fifo_db):
        os.mkfifo(fifo)
    run = _cli("actions", "import", str(fifo_csv), db=db)
    assert _errors(run) == [f"Error: {fifo_csv}: not a regular file (a FIFO (named pipe))"]
    run = _cli("plan", "--letter", "1", "--output", str(fifo_docx), db=db)
    assert (
        run.returncode == 1 and "a FIFO (named pipe), not a file that can be written" in run.stderr
    )
    run = _cli("letters", db=fifo_db)
    assert run.returncode == 1 and "a FIFO (named pipe)" in run.stderr
    run = _cli("db", "backup", str(fifo_db), db=db)
    assert run.returncode == 1 and "already exists" in run.stderr
    gold = tmp_path / "gold" / "afi"
    gold.mkdir(parents=True)
    os.mkfifo(gold / "80000_x_2020-01-01.json")
    run = subprocess.run(
        [sys.executable, "-m", "lettermine", "model", "evaluate", "--gold", str(gold.parent)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1 and "not a regular file (a FIFO" in run.stderr


# -- what cannot be read ----------------------------------------------------------------------


@pytest.fixture
def unprivileged() -> Iterator[tuple[Path, list[str]]]:
    """A scratch folder everyone may use, and the command that runs lettermine without root."""
    folder = Path(tempfile.mkdtemp(prefix="lettermine-perm-"))
    os.chmod(folder, 0o777)
    try:
        yield folder, unprivileged_cli()
    finally:
        for p in folder.rglob("*"):
            if not p.is_symlink():
                os.chmod(p, 0o700)
        shutil.rmtree(folder)


def test_unreadable_folders_and_files_are_named_and_the_batch_goes_on(
    unprivileged: tuple[Path, list[str]],
) -> None:
    folder, command = unprivileged
    inbox = folder / "inbox"
    (inbox / "locked").mkdir(parents=True)
    shutil.copy(GOOD_TXT, inbox / GOOD_TXT.name)
    shutil.copy(GOOD_DOCX, inbox / "locked" / GOOD_DOCX.name)
    shutil.copy(GOOD_PDF, inbox / "private.pdf")
    for p in (folder, inbox, inbox / GOOD_TXT.name):
        os.chmod(p, 0o777 if p.is_dir() else 0o666)
    os.chmod(inbox / "locked", 0)
    os.chmod(inbox / "private.pdf", 0)

    run = subprocess.run(
        [*command, "ingest", "--no-classify", str(inbox), "--db", str(folder / "t.db")],
        capture_output=True, text=True, timeout=120, cwd=folder,
    )  # fmt: skip

    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 1
    assert sorted(_errors(run)) == [
        f"Error: {inbox / 'locked'}: folder cannot be read (Permission denied)",
        "Error: private.pdf: cannot be read (Permission denied)",
    ]
    assert f"{GOOD_TXT.name}: letter 1" in run.stderr
    assert "3 files: 1 new letters (24 units), 0 already stored, 2 failed" in run.stderr
