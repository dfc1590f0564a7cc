"""Commands that write Word documents: the action plan and the scrutiny progress report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lettermine.cli import DbOption, app, reported_errors, whole_number

OutputOption = Annotated[
    Path,
    typer.Option(
        "--output", "-o", dir_okay=False, help="Word file to write (.docx); replaced if it exists."
    ),
]
# The same flag as the actions commands' --today, so a plan and 'actions list' agree on RAG.
DocTodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        envvar="LETTERMINE_TODAY",
        metavar="YYYY-MM-DD",
        help="Judge RAG and overdue as at this date (default: today).",
        show_default=False,
    ),
]


@app.command()
def plan(
    *,
    la: Annotated[
        str | None, typer.Option("--la", metavar="NAME", help="The authority's letters.")
    ] = None,
    letter: Annotated[
        int | None,
        typer.Option(
            "--letter", metavar="ID", parser=whole_number, help="One letter (see 'letters')."
        ),
    ] = None,
    output: OutputOption,
    db: DbOption = None,
    today: DocTodayOption = None,
) -> None:
    """Write the action plan: each area for improvement with the actions answering it.

    Example: lettermine plan --la "North East Lincolnshire" --output plan.docx
    """
    from lettermine.db import connect
    from lettermine.report import write_plan

    with reported_errors():
        written = write_plan(connect(db), output, authority=la, letter_id=letter, today=today)
    typer.echo(str(written))


@app.command()
def report(
    *,
    la: Annotated[str, typer.Option("--la", metavar="NAME", help="The authority.")],
    since: Annotated[
        str, typer.Option("--since", metavar="YYYY-MM-DD", help="Start of the period.")
    ],
    output: OutputOption,
    db: DbOption = None,
    today: DocTodayOption = None,
) -> None:
    """Write a scrutiny progress report: what changed since a date, and what is still open.

    Example: lettermine report --la "North East Lincolnshire" --since 2021-01-01 -o scrutiny.docx
    """
    from lettermine.db import connect
    from lettermine.report import write_report

    with reported_errors():
        written = write_report(connect(db), output, authority=la, since=since, today=today)
    typer.echo(str(written))
