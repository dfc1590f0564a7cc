"""Numbers that are not numbers (#17): ids, counts and values checked where they are read, and
the whole command line driven with arbitrary numeric and text arguments."""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
from pathlib import Path

import pytest
from bad_files import LETTER_TEXT, fingerprint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lettermine.actions import measure_progress
from lettermine.cli import app
from lettermine.db import open_db
from lettermine.errors import InvalidInput
from lettermine.ingest import Classifier, ingest_file
from lettermine.numbers import LARGEST, SQLITE_MAX, real, whole

NOT_NUMBERS = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "-1e400",
    "1e16",
    "0x10",
    "",
    "1,5",
]
TOO_BIG = ["99999999999999999999", "-99999999999999999999", str(SQLITE_MAX + 1), "1" * 5000]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_real_refuses_what_is_not_a_storable_number(text: str) -> None:
    with pytest.raises(InvalidInput):
        real(text, "value")


@pytest.mark.parametrize("value", [0, "28", " 2.5e3 ", -LARGEST, LARGEST, 1_000_000_000_000])
def test_real_takes_finite_numbers(value: object) -> None:
    assert math.isfinite(real(value))  # type: ignore[arg-type]


@pytest.mark.parametrize("text", TOO_BIG + ["1.5", "one", "", "nan"])
def test_whole_refuses_what_sqlite_cannot_store(text: str) -> None:
    with pytest.raises(InvalidInput):
        whole(text, "id")


def test_whole_takes_sqlite_integers() -> None:
    assert whole(str(SQLITE_MAX)) == SQLITE_MAX
    assert whole(" -3 ") == -3


def test_measure_progress_never_overflows() -> None:
    assert measure_progress(0.0, 1e-300, "up", LARGEST)[0] == 1_000_000
    assert measure_progress(LARGEST, -LARGEST, "down", 0.0) == (50, False)


@pytest.fixture
def tracker_db(db_path: Path, tmp_path: Path) -> Path:
    """The invented letter and an action with a measure, as a template copied per example."""
    letter = tmp_path / "letter.txt"
    letter.write_text(LETTER_TEXT, encoding="utf-8")
    ingest_file(open_db(db_path).conn, letter, Classifier(enabled=False))
    runner = CliRunner()
    for args in (
        ["actions", "add", "--for", "1:1", "--title", "Plans", "--due", "2022-03-31",
         "--date", "2021-07-01"],
        ["actions", "measure", "1", "--name", "Caseload", "--baseline", "31", "--target", "25",
         "--date", "2021-07-02"],
    ):  # fmt: skip
        assert runner.invoke(app, args).exit_code == 0
    checkpoint = sqlite3.connect(db_path)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file alone holds it all
    checkpoint.close()
    return db_path


@pytest.mark.parametrize("bad", NOT_NUMBERS[:7] + TOO_BIG[:3])
@pytest.mark.parametrize(
    "command",
    [
        ["show", "{}"],
        ["actions", "show", "{}"],
        ["search", "plans", "--limit", "{}"],
        ["actions", "list", "--due-within", "{}"],
        ["actions", "list", "--letter", "{}"],
        ["actions", "coverage", "--letter", "{}"],
        ["actions", "update", "1", "--value", "{}"],
        ["actions", "update", "1", "--percent", "{}"],
        ["actions", "measure", "1", "--name", "m", "--baseline", "{}", "--target", "1"],
        ["explain", "{}:1"],
        ["actions", "link", "1", "1:{}"],
    ],
    ids=lambda c: " ".join(c),
)
def test_no_number_that_is_not_one_gets_through(
    tracker_db: Path, command: list[str], bad: str
) -> None:
    before = fingerprint(tracker_db)
    result = CliRunner().invoke(app, [a.replace("{}", bad) for a in command])
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert fingerprint(tracker_db) == before  # nothing written


def test_json_output_is_never_nan_or_infinity(tracker_db: Path) -> None:
    # A value stored before values were checked: the JSON says null, never Infinity.
    conn = sqlite3.connect(tracker_db)
    conn.execute("UPDATE action_measures SET latest = 9e999")
    conn.commit()
    out = CliRunner().invoke(app, ["actions", "show", "1", "--json"]).stdout
    assert "Infinity" not in out and "NaN" not in out
    assert json.loads(out)["measures"][0]["latest"] is None


# -- the whole command line with arbitrary arguments ---------------------------------------------

# Text a shell could pass: any Unicode but NUL (argv cannot hold it) and lone surrogates
# (undecodable bytes: names that are not UTF-8 are their own class of problem).
ARG_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40
)
NUMBERS = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from([*NOT_NUMBERS, *TOO_BIG, "0", "-1", "1", "100", "101", "2", "1e15"]),
)
ANY = st.one_of(NUMBERS, ARG_TEXT, st.sampled_from(["1:1", "1:2", "2021-07-01", "2999-01-01"]))
TEMPLATES: list[list[str]] = [
    ["show", "N"], ["show", "N", "--json"], ["letters", "--json"], ["export"],
    ["actions", "show", "N"], ["actions", "show", "1", "--today", "T", "--json"],
    ["search", "T"], ["search", "T", "--raw"], ["search", "T", "--limit", "N", "--csv"],
    ["search", "T", "--la", "T", "--since", "T", "--section", "T", "--json"],
    ["search", "plans", "--theme", "T", "--kind", "T", "--polarity", "T", "--unit-kind", "T"],
    ["themes", "--la", "T", "--by", "T"],
    ["actions", "list", "--due-within", "N", "--letter", "N", "--today", "T", "--csv"],
    ["actions", "list", "--owner", "T", "--status", "T", "--theme", "T", "--la", "T", "--json"],
    ["actions", "add", "--title", "T", "--owner", "T", "--for", "T", "--due", "T", "--date", "T"],
    ["actions", "add", "--title", "T", "--ref", "T", "--start", "T", "--description", "T"],
    ["actions", "update", "N", "--percent", "N", "--note", "T", "--date", "T"],
    ["actions", "update", "1", "--value", "N", "--evidence", "T", "--measure", "T"],
    ["actions", "status", "N", "T", "--note", "T", "--date", "T"],
    ["actions", "due", "N", "T", "--reason", "T"],
    ["actions", "rag", "N", "--override", "T", "--reason", "T"],
    ["actions", "measure", "N", "--name", "T", "--baseline", "N", "--target", "N", "--unit", "T"],
    ["actions", "link", "N", "T"], ["actions", "unlink", "1", "T"],
    ["actions", "correct", "N", "N", "--reason", "T", "--percent", "N", "--date", "T"],
    ["actions", "correct", "1", "N", "--reason", "T", "--withdraw"],
    ["actions", "coverage", "--letter", "N", "--la", "T", "--json"],
    ["actions", "recurring", "--la", "T"], ["actions", "export", "--csv", "--today", "T"],
    ["explain", "T"], ["db", "status"],
    ["report", "--la", "T", "--since", "T", "-o", "out.docx"],
    ["plan", "--letter", "N", "-o", "out.docx", "--today", "T"],
    ["plan", "--la", "T", "-o", "p.docx", "--as-at", "T", "--since", "T"],
    ["report", "--letter", "N", "-o", "r.docx", "--as-at", "T", "--today", "T", "--peers"],
    ["peers", "T", "--limit", "N", "--since", "T", "--la", "T", "--csv"],
    ["themes", "--as-at", "T", "--json"], ["actions", "show", "N", "--as-at", "T"],
    ["actions", "list", "--as-at", "T", "--today", "T"], ["actions", "coverage", "--as-at", "T"],
    ["actions", "rag", "1", "--clear", "--today", "T", "--date", "T"],
    ["areas", "close", "T", "--reason", "T", "--by", "T", "--date", "T"],
    ["areas", "reopen", "T", "--reason", "T"], ["areas", "history", "T", "--json"],
    ["label", "T", "--add", "T", "--remove", "T", "--who", "T"],
    ["letters", "delete", "N", "--date", "T", "--author", "T"], ["db", "backup", "b.db"],
    ["users", "add", "T", "--role", "T"], ["users", "role", "T", "T"],
    ["users", "remove", "T"], ["users", "password", "T"], ["users", "list", "--json"],
]  # fmt: skip


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    template = draw(st.sampled_from(TEMPLATES))
    out = []
    for part in template:
        if part == "N":
            out.append(draw(st.one_of(NUMBERS, ANY)))
        elif part == "T":
            out.append(draw(ANY))
        else:
            out.append(part)
    return out


@given(args=command_lines())
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_arguments_end_in_0_1_or_2_without_a_traceback(
    tracker_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    db = tmp_path / "example.db"
    shutil.copy(tracker_db, db)
    monkeypatch.chdir(tmp_path)  # documents and backups land here
    result = CliRunner().invoke(app, [*args, "--db", str(db)])
    assert result.exit_code in (0, 1, 2), (args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        errors = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
        assert len(errors) == 1, (args, result.stderr)
    assert "\x1b" not in result.stdout + result.stderr  # nothing raw reaches a terminal
