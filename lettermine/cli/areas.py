"""Commands about areas for improvement themselves: `lettermine areas close|reopen|history`."""

from __future__ import annotations

from typing import Annotated

import typer

from lettermine.cli import DbOption, JsonOption, app, reported_errors
from lettermine.cli.actions import AuthorOption, DateOption
from lettermine.cli.output import print_json, print_table

areas_app = typer.Typer(
    name="areas",
    help="Areas for improvement closed without an action (superseded or absorbed), and reopened.",
    no_args_is_help=True,
)
app.add_typer(areas_app, name="areas")

UnitId = Annotated[str, typer.Argument(metavar="UNIT", help="An area's id, e.g. 3:4.")]


@areas_app.command()
def close(
    unit: UnitId,
    *,
    reason: Annotated[str, typer.Option(help="Why it needs no action of its own (required).")],
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="UNIT", help="The area that took it over, e.g. 7:2."),
    ] = None,
    author: AuthorOption = None,
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Close an area without an action: coverage and the documents count it as answered.

    Example: lettermine areas close 3:4 --reason "superseded by the 2021 inspection" --by 7:2
    """
    from lettermine.areas import close_area
    from lettermine.db import connect

    with reported_errors():
        close_area(connect(db), unit, reason=reason, by=by, author=author, date=date)
    typer.echo(f"area {unit}: closed", err=True)


@areas_app.command()
def reopen(
    unit: UnitId,
    *,
    reason: Annotated[str | None, typer.Option(help="Why.")] = None,
    author: AuthorOption = None,
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Reopen a closed area: it needs an action (or a new closure) again.

    Example: lettermine areas reopen 3:4 --reason "the 2025 inspection raised it again"
    """
    from lettermine.areas import reopen_area
    from lettermine.db import connect

    with reported_errors():
        reopen_area(connect(db), unit, reason=reason, author=author, date=date)
    typer.echo(f"area {unit}: reopened", err=True)


@areas_app.command()
def history(unit: UnitId, *, db: DbOption = None, json: JsonOption = False) -> None:
    """Every close and reopen of an area, oldest first.

    Example: lettermine areas history 3:4
    """
    from lettermine.areas import closure_history
    from lettermine.db import connect

    with reported_errors():
        rows = closure_history(connect(db), unit)
    if json:
        print_json(rows)
    else:
        print_table(rows, ["at", "event", "reason", "by", "author"], max_width=70)
