"""The command line: the only package that imports typer. Parse args -> call core -> print.

Split into one module per command group so each stays small; every module registers its
commands on `app` here. Heavy libraries (spaCy, sqlite-utils, python-docx) are imported inside
commands so that `lettermine --help` and the search path stay fast.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

# Rich-formatted help costs ~100 ms at every start; plain help reads as well. TYPER_USE_RICH=1
# brings the boxes back. Set before typer is imported: it reads the variable once.
os.environ.setdefault("TYPER_USE_RICH", "0")

import typer  # noqa: E402

from lettermine.errors import LettermineError

app = typer.Typer(
    name="lettermine",
    help="Ofsted children's services letters as a searchable, themed improvement tracker.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # a letter's text never spills into a traceback
    add_completion=False,
)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="LETTERMINE_DB",
        dir_okay=False,
        help="SQLite database file (default: ./lettermine.db).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]


# Every integer and decimal argument is read by one of these two (typer's `parser=`), so none
# reaches SQLite or arithmetic as a 20-digit id, NaN, infinity or 1e400 (lettermine.numbers).
def whole_number(text: str | int) -> int:
    """An integer option or argument: one SQLite can store (ranges are the library's to check)."""
    from lettermine.numbers import whole

    try:
        return whole(text)
    except LettermineError as e:
        raise typer.BadParameter(str(e)) from None


def real_number(text: str | float) -> float:
    """A decimal option or argument: finite, and no larger than any measure needs."""
    from lettermine.numbers import real

    try:
        return real(text)
    except LettermineError as e:
        raise typer.BadParameter(str(e)) from None


@contextmanager
def reported_errors() -> Iterator[None]:
    """Show expected failures as 'Error: ...' on stderr and exit 1."""
    try:
        yield
    except LettermineError as e:
        typer.echo(f"Error: {e}", err=True)
        raise typer.Exit(code=1) from None
    except sqlite3.Error as e:
        # A busy, read-only, full or damaged database met outside a write transaction (reads);
        # any other sqlite3 error is a bug and keeps its traceback.
        from lettermine.db import database_error

        translated = database_error(e)
        if translated is None:
            raise
        typer.echo(f"Error: {translated}", err=True)
        raise typer.Exit(code=1) from None


@app.callback()
def _every_command() -> None:
    # Runs before any command (also under typer's CliRunner, which skips main()).
    from lettermine.cli.output import guard_streams

    guard_streams()


def main() -> None:
    """Entry point of the `lettermine` console script."""
    from lettermine.cli.output import guard_streams

    guard_streams()  # usage errors from the command line's parser print arguments back too
    with reported_errors():
        app()


def _register() -> None:
    # Importing a module registers its commands on `app`, in the order help lists them.
    import importlib

    for name in ("letters", "model", "search", "actions", "documents"):
        importlib.import_module(f"lettermine.cli.{name}")


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
