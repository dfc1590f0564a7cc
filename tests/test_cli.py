"""The command line as a whole: help everywhere, fast start-up, one error format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from lettermine.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[list[str]]:
    root = get_command(app)
    found: list[list[str]] = []

    def walk(cmd: typer.core.TyperGroup | object, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        elif path:
            found.append(path)

    walk(root, [])
    return found


COMMANDS = _commands()


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_is_in_the_readme(command: list[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"lettermine {' '.join(command)}" in readme


def _leaf(command: list[str]) -> typer.core.TyperCommand:
    cmd = get_command(app)
    for name in command:
        cmd = cmd.commands[name]  # type: ignore[attr-defined]
    return cmd  # type: ignore[return-value]


NO_DATABASE = [["model", "evaluate"]]  # reads the gold files and the model, nothing stored


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_that_uses_the_database_takes_db(command: list[str]) -> None:
    db = [p.opts for p in _leaf(command).params if p.name == "db"]
    assert db == ([] if command in NO_DATABASE else [["--db"]])


def test_db_before_the_command_name_after_it_and_from_the_environment(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    before, after = tmp_path / "before.db", tmp_path / "after.db"

    def where(*args: str) -> Path:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        return Path(result.stdout.strip())

    assert where("db", "path") == db_path.resolve()  # $LETTERMINE_DB (conftest sets it)
    assert where("--db", str(before), "db", "path") == before.resolve()
    assert where("db", "path", "--db", str(after)) == after.resolve()
    assert where("--db", str(before), "db", "path", "--db", str(after)) == after.resolve()


def test_db_before_the_command_name_is_the_database_the_command_uses(
    runner: CliRunner, tmp_path: Path
) -> None:
    before = tmp_path / "before.db"
    letter = ROOT / "letters" / "north-east-lincolnshire-2021-06-focused-visit.txt"
    ingest = ["--db", str(before), "ingest", "--no-classify", str(letter)]
    assert runner.invoke(app, ingest).exit_code == 0
    listed = runner.invoke(app, ["--db", str(before), "letters", "--json"])
    assert [x["authority"] for x in json.loads(listed.stdout)] == ["North East Lincolnshire"]
    other = runner.invoke(app, ["letters", "--json"])  # $LETTERMINE_DB: none yet, and none made
    assert other.exit_code == 1 and "no database at" in other.stderr
    assert runner.invoke(app, ["--db", str(before), "actions", "list"]).exit_code == 0
    assert runner.invoke(app, ["letters", "--json", "--db", str(before)]).stdout == listed.stdout


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys; from lettermine.cli import app; from typer.main import get_command;"
        "get_command(app);"
        "heavy = [m for m in ('spacy', 'sqlite_utils', 'docx', 'numpy', 'pypdfium2',"
        " 'matplotlib', 'openpyxl', 'datasette', 'uvicorn', 'jinja2')"
        " if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "lettermine", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "ingest" in out.stdout


def test_unknown_letter_is_one_line_error(runner: CliRunner, db_path: Path) -> None:
    from lettermine.db import open_db

    open_db(db_path)
    result = runner.invoke(app, ["show", "99"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == ["Error: no letter 99 (see 'lettermine letters')"]
