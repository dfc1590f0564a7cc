"""Commands that write Word documents: the action plan and the scrutiny progress report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lettermine.cli import AsAtOption, DbOption, app, reported_errors, whole_number
from lettermine.paths import shown

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
        help="Judge RAG and overdue as at this date (default: today). With --as-at, --as-at "
        "wins and this only says what today is.",
        show_default=False,
    ),
]
LaOption = Annotated[
    str | None, typer.Option("--la", metavar="NAME", help="The authority: its letters.")
]
LettersOption = Annotated[
    list[int] | None,
    typer.Option(
        "--letter",
        metavar="ID",
        parser=whole_number,
        help="A letter (see 'letters'); repeat for more, all are kept.",
    ),
]
KindOption = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        metavar="KIND",
        help="Only letters of this kind (ilacs, sif, focused_visit, monitoring_visit, jtai, "
        "other); repeatable. Needs --la.",
    ),
]


@app.command()
def plan(
    *,
    la: LaOption = None,
    letter: LettersOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="YYYY-MM-DD", help="Only letters published on or after this date."
        ),
    ] = None,
    kind: KindOption = None,
    current: Annotated[
        bool,
        typer.Option(
            "--current",
            help="Only the latest full inspection (ILACS or SIF) and every visit after it.",
        ),
    ] = False,
    output: OutputOption,
    db: DbOption = None,
    today: DocTodayOption = None,
    as_at: AsAtOption = None,
) -> None:
    """Write the action plan: each area for improvement with the actions answering it.

    Choose the letters with --la (all of them, or with --since, --kind or --current) or name
    them with --letter. A combination that cannot be honoured in full is an error.

    Example: lettermine plan --la "North East Lincolnshire" --current --output plan.docx
    """
    from lettermine.db import connect
    from lettermine.report import write_plan

    with reported_errors():
        written = write_plan(
            connect(db), output, authority=la, letter_ids=letter or [], since=since,
            kinds=kind or [], current=current, today=today, as_at=as_at,
        )  # fmt: skip
    typer.echo(shown(written))


@app.command()
def report(
    *,
    la: LaOption = None,
    letter: LettersOption = None,
    kind: KindOption = None,
    since: Annotated[
        str, typer.Option("--since", metavar="YYYY-MM-DD", help="Start of the period.")
    ],
    output: OutputOption,
    charts: Annotated[
        bool, typer.Option("--charts/--no-charts", help="Draw the charts (default: yes).")
    ] = True,
    db: DbOption = None,
    today: DocTodayOption = None,
    as_at: AsAtOption = None,
    peers: Annotated[
        bool,
        typer.Option(
            "--peers",
            help="Add, for each area still open, two councils told the same and what their "
            "next letter found (not with --as-at).",
        ),
    ] = False,
) -> None:
    """Write a scrutiny progress report: what changed since a date, and what is still open.

    Example: lettermine report --la "North East Lincolnshire" --since 2021-01-01 -o scrutiny.docx
    """
    from lettermine.db import connect
    from lettermine.report import write_report

    with reported_errors():
        written = write_report(
            connect(db), output, authority=la, letter_ids=letter or [], kinds=kind or [],
            since=since, today=today, as_at=as_at, charts=charts, peers=peers,
        )  # fmt: skip
    typer.echo(shown(written))
