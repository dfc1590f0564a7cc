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


def _db_given_before(
    ctx: typer.Context, param: typer.CallbackParam, value: Path | None
) -> Path | None:
    """A command's --db: its own from the command line, else the one given before the command
    name (`lettermine --db x.db letters`), else $LETTERMINE_DB; the path is resolved later, in
    one place (lettermine.db.db_path)."""
    source = ctx.get_parameter_source(param.name) if param.name else None
    if source is not None and source.name == "COMMANDLINE":  # (typer vendors its own click)
        return value
    before: Path | None = ctx.find_root().params.get("db")
    return before if before is not None else value


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="LETTERMINE_DB",
        dir_okay=False,
        callback=_db_given_before,
        help="SQLite database file (default: ./lettermine.db). Also accepted before the "
        "command name; given in both places, this one wins.",
        show_default=False,
    ),
]


@app.callback()
def _every_command(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            dir_okay=False,
            help="SQLite database file for the command that follows (or $LETTERMINE_DB; "
            "default: ./lettermine.db). A --db after the command name wins.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Options given before the command name; each command reads them (see DbOption)."""
    # Runs before any command (also under typer's CliRunner, which skips main()): everything
    # printed from here on passes through the terminal filter (lettermine.cli.output).
    from lettermine.cli.output import guard_streams

    guard_streams()


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]
AsAtOption = Annotated[
    str | None,
    typer.Option(
        "--as-at",
        metavar="YYYY-MM-DD",
        help="As it stood at the end of this day: rebuilt from the history, with only the "
        "letters published by then; RAG judged on this day (it wins over --today).",
        show_default=False,
    ),
]


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
    from lettermine.paths import shown

    try:
        yield
    except LettermineError as e:
        typer.echo(f"Error: {shown(e, keep_newlines=True)}", err=True)
        raise typer.Exit(code=1) from None
    except UnicodeEncodeError as e:
        # Text that was never UTF-8 (a byte such as 0xff in an argument, which Python carries as
        # a lone surrogate) cannot be stored, searched for or printed. Paths are handled where
        # they are read (lettermine.paths); any other argument is refused here, for every
        # command. Other encoding errors are bugs and keep their traceback.
        if e.reason != "surrogates not allowed":
            raise
        text = shown(e.object[:80]) if isinstance(e.object, str) else "an argument"
        typer.echo(
            f"Error: '{text}' is not UTF-8 text (\\xNN marks a byte that is not): "
            "use UTF-8 (check the encoding of the terminal or script)",
            err=True,
        )
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


def main() -> None:
    """Entry point of the `lettermine` console script."""
    from lettermine.cli.output import guard_streams

    guard_streams()  # usage errors from the command line's parser print arguments back too
    with reported_errors():
        app()


def _register() -> None:
    # Importing a module registers its commands on `app`, in the order help lists them.
    import importlib

    for name in ("letters", "model", "search", "peers", "actions", "areas", "documents", "serve"):
        importlib.import_module(f"lettermine.cli.{name}")


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
