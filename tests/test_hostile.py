"""Hostile and unlucky input (#17): terminal escapes in letters, databases that are not
lettermine's or cannot be used, documents built to exhaust the machine, broken model folders."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from bad_files import LETTER_TEXT, fingerprint
from hostile import HOSTILE_DOCUMENTS, broken_models, lettermine, run_measured
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from lettermine.cli import app
from lettermine.cli.output import printable
from lettermine.db import DatabaseError, connect, database_error, open_db
from lettermine.errors import ModelError, UnreadableLetter
from lettermine.ingest import Classifier, ingest_file
from lettermine.migrations import migrations
from lettermine.paths import shown
from lettermine.read.extract import read_text

ROOT = Path(__file__).resolve().parents[1]
ESCAPES = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202eevil\x08"


def _ingest_text(db: Path, folder: Path, text: str, name: str = "letter.txt") -> None:
    letter = folder / name
    letter.write_text(text, encoding="utf-8")
    ingest_file(open_db(db).conn, letter, Classifier(enabled=False))


def _one_error(result: object) -> str:
    stderr = result.stderr  # type: ignore[attr-defined]
    errors = [x for x in stderr.splitlines() if x.startswith("Error:")]
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert len(errors) == 1 and "Traceback" not in result.output, stderr  # type: ignore[attr-defined]
    return errors[0]


# -- terminal escapes ----------------------------------------------------------------------------


def test_printable_shows_controls_as_text() -> None:
    assert printable("a\x1b[2Jb\x07c\x9bd\u202ee\tf\ng") == "a\\x1b[2Jb\\x07c\\x9bd\\u202ee\tf\ng"
    assert printable("caf\u00e9 \u0627\u0644\u0639\u0631\u0628\u064a\u0629") == (
        "caf\u00e9 \u0627\u0644\u0639\u0631\u0628\u064a\u0629"
    )


# Everything a terminal acts on, and that can reorder text, must come out as visible escapes.
_NOT_SEEN = (
    "\x1b\x07\x00\r\x7f\x85\x9b\u061c\u200e\u200f\u2028\u2029\u202a\u202e\u2066\u2069\udcff\ud800"
)


@given(st.text(alphabet=st.characters() | st.sampled_from(_NOT_SEEN)))
def test_names_and_printed_text_follow_one_rule(text: str) -> None:
    # paths.shown (names, messages) and the filter over stdout agree, but for the tab and
    # newline printed output keeps; neither lets through what a terminal would act on.
    plain = text.replace("\t", "").replace("\n", "")
    assert printable(plain) == shown(plain) == shown(plain, keep_newlines=True)
    for out, kept in (
        (printable(text), "\t\n"),
        (shown(text), ""),
        (shown(text, keep_newlines=True), "\n"),
    ):
        assert not [ch for ch in out if ch not in kept and (
            ch in _NOT_SEEN or unicodedata.category(ch) in ("Cc", "Cs"))]  # fmt: skip
    assert printable("\u200f\udcff") == shown("\u200f\udcff") == "\\u200f\\xff"


def test_no_raw_escape_reaches_the_terminal(db_path: Path, tmp_path: Path) -> None:
    text = LETTER_TEXT.replace("Children are seen regularly", f"Children {ESCAPES} are seen")
    _ingest_text(db_path, tmp_path, text)
    runner = CliRunner()
    add = ["actions", "add", "--for", "1:1", "--title", f"Plans {ESCAPES}", "--owner", ESCAPES,
           "--date", "2021-07-01", "--due", "2022-01-01"]  # fmt: skip
    assert runner.invoke(app, add).exit_code == 0
    assert runner.invoke(app, ["actions", "update", "1", "--note", ESCAPES]).exit_code == 0
    commands = [
        ["show", "1"], ["search", "children"], ["search", "owned", "--raw"], ["letters"],
        ["actions", "list"], ["actions", "show", "1"], ["actions", "coverage"],
        ["show", "1", "--json"], ["actions", "export"], ["search", "children", "--csv"],
        ["actions", "list", "--owner", ESCAPES], ["themes", "--la", ESCAPES],
        ["actions", "status", "1", ESCAPES], ["search", ESCAPES, "--since", ESCAPES],
    ]  # fmt: skip
    for args in commands:
        result = runner.invoke(app, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        for raw in ("\x1b", "\x07", "\x9b", "\u202e", "\x08"):
            assert raw not in result.stdout and raw not in result.stderr, (args, raw)
    shown = runner.invoke(app, ["show", "1"]).stdout
    assert "\\x1b]0;owned\\x07" in shown  # visible, not lost


def test_bold_matches_still_reach_a_terminal(db_path: Path, tmp_path: Path) -> None:
    # The filter must not stop lettermine's own styling: search marks matches in bold on a tty.
    _ingest_text(db_path, tmp_path, LETTER_TEXT.replace("regularly", f"regularly {ESCAPES}"))
    code = (
        "import os, pty, sys; pid, fd = pty.fork()\n"
        "if pid == 0:\n"
        f"    os.execv(sys.executable, [sys.executable, '-m', 'lettermine', 'search', 'regularly',"
        f" '--db', {str(db_path)!r}])\n"
        "out = b''\n"
        "while True:\n"
        "    try: chunk = os.read(fd, 65536)\n"
        "    except OSError: break\n"
        "    if not chunk: break\n"
        "    out += chunk\n"
        "sys.stdout.write(out.decode('utf-8', 'replace'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "\x1b[1m" in out.stdout  # bold, written by lettermine
    assert "\x1b]0;" not in out.stdout and "\x07" not in out.stdout  # the letter's, escaped


# -- the database and its neighbours ----------------------------------------------------------


def _foreign(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('mine')")
    conn.commit()
    conn.close()
    return path


READS = [["letters"], ["show", "1"], ["export"], ["search", "x"], ["themes"], ["db", "status"],
         ["actions", "list"], ["actions", "show", "1"], ["actions", "export", "--csv"],
         ["actions", "coverage"], ["explain", "1:1"]]  # fmt: skip
WRITES = [["ingest", "--no-classify", str(ROOT / "letters")], ["actions", "add", "--title", "x"],
          ["actions", "update", "1", "--percent", "5"], ["classify", "--letter", "1"]]  # fmt: skip


@pytest.mark.parametrize("args", READS + WRITES, ids=" ".join)
def test_another_applications_database_is_refused_and_left_alone(
    tmp_path: Path, args: list[str]
) -> None:
    db = _foreign(tmp_path / "notes.db")
    before = db.read_bytes()
    message = _one_error(CliRunner().invoke(app, [*args, "--db", str(db)]))
    assert "is not a lettermine database" in message
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]  # no -wal, no backup


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_read_command_never_creates_a_database(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "missing.db"
    message = _one_error(CliRunner().invoke(app, [*args, "--db", str(db)]))
    assert "no database at" in message
    assert not db.exists()


def test_a_newer_database_is_refused_unchanged(db_path: Path, tmp_path: Path) -> None:
    _ingest_text(db_path, tmp_path, LETTER_TEXT)
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('lettermine', 'm099_from_the_future', '2030-01-01')"
    )
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = fingerprint(db_path)
    for args in (
        ["letters"],
        ["actions", "add", "--title", "x"],
        ["ingest", str(ROOT / "letters")],
    ):
        message = _one_error(CliRunner().invoke(app, args))
        assert "made by a newer lettermine" in message
    assert fingerprint(db_path) == before


def test_a_document_is_never_written_over_the_database(db_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "plan.docx"
    _ingest_text(db, tmp_path, LETTER_TEXT)
    before = fingerprint(db)
    for args in (
        ["plan", "--letter", "1"],
        ["report", "--la", "Testshire", "--since", "2020-01-01"],
    ):
        message = _one_error(CliRunner().invoke(app, [*args, "--db", str(db), "-o", str(db)]))
        assert "is a SQLite database" in message
    assert fingerprint(db) == before
    assert [p.name for p in tmp_path.glob("*.part")] == []


def test_a_lock_held_past_the_busy_timeout_is_one_line(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest_text(db_path, tmp_path, LETTER_TEXT)
    monkeypatch.setenv("LETTERMINE_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE letters SET source = source")
    try:
        before = fingerprint(db_path)
        runner = CliRunner()
        message = _one_error(runner.invoke(app, ["actions", "add", "--title", "x"]))
        assert "in use by another process" in message and "0.2 s" in message
        second = tmp_path / "second.txt"
        second.write_text(LETTER_TEXT.replace("Testshire", "Otherton"), encoding="utf-8")
        result = runner.invoke(app, ["ingest", "--no-classify", str(second), str(second)])
        assert "2 files: 0 new letters (0 units), 0 already stored, 0 failed, 2 not tried" in (
            result.stderr
        )
        _one_error(result)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert fingerprint(db_path) == before


def _damage_table(db: Path, table: str) -> None:
    """Garble the first page of a table's b-tree (its page type), as a failing disk would."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    at = (root - 1) * page_size + (100 if root == 1 else 0)
    data[at : at + 8] = b"\xff" * 8
    db.write_bytes(bytes(data))


def test_a_damaged_database_is_one_line_saying_what_to_do(db_path: Path, tmp_path: Path) -> None:
    _ingest_text(db_path, tmp_path, LETTER_TEXT)
    _damage_table(db_path, "units")
    runner = CliRunner()
    message = _one_error(runner.invoke(app, ["db", "status"]))
    assert "failed its integrity check" in message and "restore it from a backup" in message
    message = _one_error(runner.invoke(app, ["show", "1"]))
    assert "damaged" in message and "restore it from a backup" in message


def test_a_failed_backup_leaves_no_file(db_path: Path, tmp_path: Path) -> None:
    _ingest_text(db_path, tmp_path, LETTER_TEXT)
    _damage_table(db_path, "units")
    dest = tmp_path / "backup.db"
    message = _one_error(CliRunner().invoke(app, ["db", "backup", str(dest)]))
    assert str(db_path) in message and "damaged" in message  # the database's fault, named
    assert not dest.exists()
    assert not list(tmp_path.glob(".backup.db.*"))


def test_sqlite_errors_a_person_can_act_on_are_explained(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    open_db(db)
    reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as caught:
        reader.execute("CREATE TABLE t (x)")
    explained = database_error(caught.value, db)
    assert isinstance(explained, DatabaseError) and "cannot be written" in str(explained)
    with pytest.raises(sqlite3.OperationalError) as bug:
        reader.execute("SELECT nonsense FROM letters")
    assert database_error(bug.value) is None  # a bug keeps its traceback


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes whatever the permissions")
def test_a_read_only_database_is_one_line(db_path: Path, tmp_path: Path) -> None:
    _ingest_text(db_path, tmp_path, LETTER_TEXT)
    db_path.chmod(0o444)
    try:
        message = _one_error(CliRunner().invoke(app, ["actions", "add", "--title", "x"]))
        assert "cannot be written" in message or "cannot be opened" in message
    finally:
        db_path.chmod(0o644)


# -- history table rebuilt by m011 ----------------------------------------------------------------


def test_m011_keeps_history_its_triggers_and_index(db_path: Path, tmp_path: Path) -> None:
    from sqlite_utils import Database

    db = Database(db_path)
    migrations.apply(db, stop_before="m011_history_corrections")
    db.conn.execute(
        "INSERT INTO letters (sha256, source, kind) VALUES ('0', 'x.txt', 'focused_visit')"
    )
    db.conn.execute("INSERT INTO actions (title, created) VALUES ('A', '2021-01-01')")
    db.conn.execute(
        "INSERT INTO action_history (action_id, event, at, recorded_at, percent, note)"
        " VALUES (1, 'update', '2021-02-01', '2021-02-01T00:00:00', 40, 'before')"
    )
    db.conn.commit()
    db.conn.close()
    conn = connect(db_path)
    assert [
        tuple(r) for r in conn.execute("SELECT id, event, percent, note FROM action_history")
    ] == [(1, "update", 40, "before")]
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"action_history_append_only_update", "action_history_append_only_delete",
            "action_history_action", "action_history_supersedes"} <= names  # fmt: skip
    for statement in ("UPDATE action_history SET note = 'x'", "DELETE FROM action_history"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute(
            "INSERT INTO action_history (action_id, event, at, recorded_at)"
            " VALUES (1, 'withdrawal', '2021-03-01', 'x')"  # a withdrawal names what it withdraws
        )


# -- documents built to exhaust the machine -------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "name", "make"), HOSTILE_DOCUMENTS, ids=[d[1] for d in HOSTILE_DOCUMENTS]
)
def test_a_document_built_to_exhaust_the_machine_is_refused_quickly(
    tmp_path: Path, what: str, name: str, make: object
) -> None:
    path = tmp_path / name
    path.write_bytes(make())  # type: ignore[operator]
    start = time.monotonic()
    try:
        text = read_text(path)
    except UnreadableLetter as e:
        assert str(e).startswith(f"{name}: ") and "\n" not in str(e)
    else:  # harmless after all (a lying page count, a form drawing itself): read as a letter
        assert "Testshire" in text
    assert time.monotonic() - start < 55  # well inside the 60 s bound (the bound is the point)


def test_documents_are_read_under_a_memory_bound(tmp_path: Path) -> None:
    path = tmp_path / "flood.pdf"
    path.write_bytes({d[1]: d[2] for d in HOSTILE_DOCUMENTS}["text-flood.pdf"]())
    run = run_measured(lettermine("ingest", "--no-classify", str(path), db=tmp_path / "d.db"))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.peak_mb < 500


# -- a broken model folder ------------------------------------------------------------------------


def test_a_broken_model_folder_is_one_line(tmp_path: Path) -> None:
    from lettermine.classify import load_pipeline

    cases = list(broken_models(tmp_path))
    assert len(cases) >= 15
    quick = [c for c in cases if "thresholds" in c[0] or "config" in c[0] or "zeroed" in c[0]]
    for what, folder in quick:
        with pytest.raises(ModelError) as caught:
            load_pipeline(folder)
        assert "\n" not in str(caught.value), what


def test_ingest_with_a_broken_model_stops_and_reports(tmp_path: Path) -> None:
    folder = dict(broken_models(tmp_path))["thresholds a string"]
    runner = CliRunner()
    args = ["ingest", str(ROOT / "letters"), "--model", str(folder), "--db", str(tmp_path / "d.db")]
    result = runner.invoke(app, args)
    message = _one_error(result)
    assert "threshold for caseloads" in message
    assert "0 new letters" in result.stderr and "not tried" in result.stderr
