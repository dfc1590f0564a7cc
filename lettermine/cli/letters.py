"""Commands about letters: ingest, letters, show, export."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path
from typing import Annotated, Any

import typer

from lettermine.cli import DbOption, JsonOption, app, reported_errors, whole_number
from lettermine.cli.output import print_json, print_table, unguarded

GRADE_SHORT = {"outstanding": "O", "good": "G", "requires improvement": "RI", "inadequate": "I"}
JUDGEMENT_SHORT = {
    "impact_of_leaders": "lead",
    "help_and_protection": "H&P",
    "in_care": "CiC",
    "care_leavers": "CL",
    "in_care_and_care_leavers": "CiC+CL",
    "overall_effectiveness": "overall",
}


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Letter files (.pdf .docx .txt) or folders.")],
    *,
    db: DbOption = None,
    classify: Annotated[
        bool, typer.Option("--classify/--no-classify", help="Classify units by theme.")
    ] = True,
    model: Annotated[
        Path | None, typer.Option(help="Theme pipeline folder [default: the shipped one].")
    ] = None,
) -> None:
    """Read letters, classify their units and store them. Exit 1 if any file failed.

    Example: lettermine ingest letters/
    """
    from lettermine.db import DatabaseError, open_db, optimize_search_index
    from lettermine.errors import LettermineError, ModelError
    from lettermine.ingest import Classifier, Ingested, ingest_file, letter_files

    with reported_errors():
        conn = open_db(db).conn
        classifier = Classifier(model, enabled=classify)
        files, skipped = letter_files(paths)
        results: list[Ingested] = []
        # A database or model that fails is no file's fault, and would fail every file after
        # it: the batch stops there and says what it had done.
        stopped: LettermineError | None = None
        show_bar = sys.stderr.isatty()
        # The bar redraws itself with control characters: past the filter (it shows no data).
        with typer.progressbar(
            files, label="Ingesting", file=unguarded(sys.stderr), hidden=not show_bar
        ) as bar:
            for path in bar:
                try:
                    result = ingest_file(conn, path, classifier)
                except (DatabaseError, ModelError) as e:
                    stopped = e
                    break
                except LettermineError as e:
                    result = Ingested(path, error=str(e))
                    typer.echo(f"\nError: {e}" if show_bar else f"Error: {e}", err=True)
                results.append(result)
                if not show_bar:
                    _report(result)
        if any(r.new for r in results) and stopped is None:
            # One transaction per letter leaves the search index in many segments: merged,
            # every search is cheaper.
            try:
                optimize_search_index(conn)
            except DatabaseError as e:
                stopped = e
        _summary(results, untried=len(files) - len(results))
        if skipped:
            names = ", ".join(p.name for p in skipped[:5]) + (", ..." if len(skipped) > 5 else "")
            typer.echo(
                f"{len(skipped)} other files skipped (not .pdf, .docx or .txt): {names}", err=True
            )
        if stopped is not None:
            raise stopped
        if any(r.error for r in results):
            raise typer.Exit(code=1)


def _report(result: Any) -> None:
    if result.error:
        return
    if not result.new:
        typer.echo(f"{result.path.name}: already stored as letter {result.letter_id}", err=True)
        return
    typer.echo(
        f"{result.path.name}: letter {result.letter_id}, {result.kind}, "
        f"{result.authority or 'authority unknown'}, {result.units} units",
        err=True,
    )
    for warning in result.warnings:
        typer.echo(f"  warning: {warning}", err=True)


def _summary(results: list[Any], *, untried: int = 0) -> None:
    new = sum(1 for r in results if r.new)
    same = sum(1 for r in results if r.letter_id and not r.new)
    failed = sum(1 for r in results if r.error)
    units = sum(r.units for r in results if r.new)
    stopped = f", {untried} not tried" if untried else ""
    typer.echo(
        f"{len(results) + untried} files: {new} new letters ({units} units), "
        f"{same} already stored, {failed} failed{stopped}",
        err=True,
    )


def _grades(judgements: dict[str, str]) -> str:
    return " ".join(
        f"{JUDGEMENT_SHORT.get(k, k)}={GRADE_SHORT.get(v, v)}" for k, v in judgements.items()
    )


@app.command("letters")
def list_letters_command(*, db: DbOption = None, json: JsonOption = False) -> None:
    """One row per letter: id, authority, kind, dates, grades, counts.

    Example: lettermine letters --json
    """
    from lettermine.db import connect
    from lettermine.letters import list_letters

    with reported_errors():
        rows = list_letters(connect(db))
    if json:
        print_json(rows)
        return
    for row in rows:
        row["dates"] = _dates(row)
        row["grades"] = _grades(row["judgements"])
    print_table(
        rows,
        ["id", "authority", "kind", "dates", "grades", "areas_for_improvement",
         "priority_actions", "findings"],
        headers=["id", "authority", "kind", "dates", "grades", "AFIs", "PAs", "findings"],
    )  # fmt: skip


def _dates(row: dict[str, Any]) -> str:
    start, end = row.get("inspection_start"), row.get("inspection_end")
    if start and end and start != end:
        return f"{start}..{end}"
    return start or end or row.get("published") or ""


@app.command()
def show(
    letter_id: Annotated[
        int, typer.Argument(parser=whole_number, help="Letter id (see 'lettermine letters').")
    ],
    *,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """A letter: metadata, areas for improvement, and findings by section.

    Example: lettermine show 3
    """
    from lettermine.db import connect
    from lettermine.letters import get_letter

    with reported_errors():
        letter = get_letter(connect(db), letter_id)
    if json:
        print_json(letter)
        return
    _print_letter(letter)


KIND_HEADINGS = {
    "priority_action": "Areas for priority action",
    "area_for_improvement": "Areas for improvement",
}


def _print_letter(letter: dict[str, Any]) -> None:
    out = sys.stdout.write
    out(f"Letter {letter['id']}: {letter['authority'] or '?'} — {letter['kind']}\n")
    fields = [
        ("Printed name", letter["printed_name"]),
        ("Dates", _dates(letter)),
        ("Letter date", letter["published"]),
        ("Lead inspector", letter["lead_inspector"]),
        ("Inspectors", ", ".join(letter["inspectors"])),
        ("Focus", letter["focus"]),
        ("Judgements", "; ".join(f"{k}: {v}" for k, v in letter["judgements"].items())),
        ("Source", f"{letter['source']} (sha256 {letter['sha256'][:12]})"),
    ]
    for name, value in fields:
        if value:
            out(f"  {name + ':':16}{value}\n")
    for warning in letter["warnings"]:
        out(f"  warning: {warning}\n")
    heading = None
    for unit in letter["units"]:
        this = KIND_HEADINGS.get(unit["kind"]) or unit["section"] or "Findings"
        if this != heading:
            heading = this
            out(f"\n{heading}\n")
        themes = ", ".join(f"{t['code']} {t['score']:.2f}" for t in unit["themes"][:4])
        pol = f" [{unit['polarity']}]" if unit["polarity"] and unit["kind"] == "finding" else ""
        tag = f"  ({themes}){pol}" if themes or pol else ""
        lscb = " [LSCB]" if unit.get("subject") == "lscb" else ""
        group = f"[{unit['group']}] " if unit.get("group") else ""
        body = textwrap.fill(
            f"{group}{unit['text']}{lscb}{tag}",
            width=max(60, shutil.get_terminal_size((100, 24)).columns - 1),
            initial_indent=f"  {unit['id']:>7}  ",
            subsequent_indent=" " * 11,
        )
        out(body + "\n")


@app.command()
def export(
    *,
    db: DbOption = None,
    json: Annotated[bool, typer.Option("--json", help="JSON array, one object per letter.")] = True,
) -> None:
    """Everything in the database as JSON, for Excel, Power BI and scripts.

    Example: lettermine export --json > all.json
    """
    from lettermine.db import connect
    from lettermine.letters import export_letters

    with reported_errors():
        print_json(export_letters(connect(db)))
