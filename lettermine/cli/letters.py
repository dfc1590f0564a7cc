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
from lettermine.paths import named, shown

GRADE_SHORT = {
    "outstanding": "O",
    "good": "G",
    "requires improvement": "RI",
    "adequate": "A",
    "inadequate": "I",
    "widespread and/or systemic failings": "failings",  # an area SEND inspection's outcome
}
JUDGEMENT_SHORT = {
    "impact_of_leaders": "lead",
    "help_and_protection": "H&P",
    "in_care": "CiC",
    "care_leavers": "CL",
    "in_care_and_care_leavers": "CiC+CL",
    "overall_effectiveness": "overall",
    "capacity_to_improve": "capacity",
    "outcomes_for_looked_after_children": "outcomes",
    "quality_of_provision": "provision",
    "leadership_and_management": "L&M",
    "quality_of_practice": "practice",
    "leadership_and_governance": "L&G",
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
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Store a copy of a visit already stored in place of the stored one, keeping "
            "its letter id and the action links and labels whose unit text it still has.",
        ),
    ] = False,
    keep_unread: Annotated[
        bool,
        typer.Option(
            "--keep-unread",
            help="Store documents whose layout lettermine does not read (marked as unread).",
        ),
    ] = False,
) -> None:
    """Read letters, classify their units and store them. Exit 1 if any file failed.

    A letter is stored once per visit: another copy (a PDF of a stored .txt) is refused unless
    --replace. A document lettermine cannot read is refused unless --keep-unread.

    Example: lettermine ingest letters/
    """
    import os

    from lettermine import peer_index
    from lettermine.db import DatabaseError, open_db, optimize_search_index
    from lettermine.errors import LettermineError, ModelError
    from lettermine.ingest import Classifier, Ingested, ingest_file, letter_files

    with reported_errors():
        conn = open_db(db).conn
        classifier = Classifier(model, enabled=classify)
        batch = letter_files(paths)
        results: list[Ingested] = []
        # A database or model that fails is no file's fault, and would fail every file after
        # it: the batch stops there and says what it had done.
        stopped: LettermineError | None = None
        show_bar = sys.stderr.isatty()
        for path, message in batch.refused:
            results.append(Ingested(path, error=message))
            _stderr(f"Error: {message}")
        # The bar redraws itself with control characters: past the filter (it shows no data).
        with typer.progressbar(
            batch.files, label="Ingesting", file=unguarded(sys.stderr), hidden=not show_bar
        ) as bar:
            for path in bar:
                try:
                    result = ingest_file(
                        conn, path, classifier, replace=replace, keep_unread=keep_unread,
                        author=os.environ.get("LETTERMINE_AUTHOR"),
                    )  # fmt: skip
                except (DatabaseError, ModelError) as e:
                    stopped = e
                    break
                except LettermineError as e:
                    result = Ingested(path, error=str(e))
                    _stderr(f"\nError: {e}" if show_bar else f"Error: {e}")
                results.append(result)
                if not show_bar:
                    _report(result)
        if any(r.new for r in results) and stopped is None:
            # One transaction per letter leaves the search index in many segments: merged,
            # every search is cheaper.
            try:
                optimize_search_index(conn)
                # The peer index takes the new areas now, so `peers` need not (~0.1 ms an area).
                peer_index.refresh(conn)
            except DatabaseError as e:
                stopped = e
        _summary(results, untried=len(batch.files) + len(batch.refused) - len(results))
        _others(batch)
        if stopped is not None:
            raise stopped
        if any(r.error for r in results):
            raise typer.Exit(code=1)


def _stderr(message: str) -> None:
    typer.echo(shown(message, keep_newlines=True), err=True)


def _names(paths: list[Path], limit: int = 5) -> str:
    return ", ".join(named(p) for p in paths[:limit]) + (", ..." if len(paths) > limit else "")


def _others(batch: Any) -> None:
    if batch.skipped:
        _stderr(
            f"{len(batch.skipped)} other files skipped (not .pdf, .docx or .txt): "
            f"{_names(batch.skipped)}"
        )
    if batch.links:
        listed = ", ".join(f"{named(p)} ({why})" for p, why in batch.links[:5])
        more = ", ..." if len(batch.links) > 5 else ""
        _stderr(
            f"{len(batch.links)} symbolic links not followed (only links to files inside the "
            f"folder are): {listed}{more}"
        )


def _report(result: Any) -> None:
    if result.error:
        return
    name = named(result.path)
    if not result.new:
        _stderr(f"{name}: already stored as letter {result.letter_id}")
        return
    unread = " (unread: kept with --keep-unread)" if result.unread else ""
    _stderr(
        f"{name}: letter {result.letter_id}, {result.kind}, "
        f"{result.authority or 'authority unknown'}, {result.units} units{unread}"
    )
    if result.replaced:
        _stderr(
            f"  replaced the copy {result.replaced.source} of letter {result.letter_id}: "
            f"{result.moved} action links and {result.labels_kept} labels follow their text"
        )
    for lost in result.lost:
        if lost.action_id is not None:
            _stderr(
                f"  warning: action {lost.action_id} unlinked from {lost.ref} "
                f'("{lost.text}"): no unit of this copy has that text'
            )
        else:
            _stderr(
                f'  warning: label {lost.code} on {lost.ref} ("{lost.text}") dropped: '
                "no unit of this copy has that text"
            )
    for warning in result.warnings:
        _stderr(f"  warning: {warning}")


def _summary(results: list[Any], *, untried: int = 0) -> None:
    new = sum(1 for r in results if r.new and not r.replaced)
    replaced = sum(1 for r in results if r.replaced)
    same = sum(1 for r in results if r.letter_id and not r.new)
    failed = sum(1 for r in results if r.error)
    units = sum(r.units for r in results if r.new and not r.replaced)
    swapped = f", {replaced} replaced" if replaced else ""
    stopped = f", {untried} not tried" if untried else ""
    _stderr(
        f"{len(results) + untried} files: {new} new letters ({units} units){swapped}, "
        f"{same} already stored, {failed} failed{stopped}"
    )


def _grades(judgements: dict[str, str]) -> str:
    return " ".join(
        f"{JUDGEMENT_SHORT.get(k, k)}={GRADE_SHORT.get(v, v)}" for k, v in judgements.items()
    )


letters_app = typer.Typer(
    help="List letters: one row each (id, authority, kind, dates, grades, counts; unread ones "
    "marked). 'letters delete ID' removes one.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(letters_app, name="letters")


@letters_app.callback()
def list_letters_command(
    ctx: typer.Context, *, db: DbOption = None, json: JsonOption = False
) -> None:
    """One row per letter: id, authority, kind, dates, grades, counts. Unread ones are marked.

    Example: lettermine letters --json
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = db  # 'letters --db X delete 3' deletes from X
        return
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
        if row["unread"]:
            row["kind"] = f"{row['kind']} (unread)"
    print_table(
        rows,
        ["id", "authority", "kind", "dates", "grades", "areas_for_improvement",
         "priority_actions", "findings"],
        headers=["id", "authority", "kind", "dates", "grades", "AFIs", "PAs", "findings"],
    )  # fmt: skip


@letters_app.command("delete")
def delete_command(
    ctx: typer.Context,
    letter_id: Annotated[
        int, typer.Argument(parser=whole_number, help="Letter id (see 'lettermine letters').")
    ],
    *,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Delete even though actions are linked to its units: the links end (recorded "
            "in each action's history); the actions stay.",
        ),
    ] = False,
    author: Annotated[
        str | None,
        typer.Option("--author", envvar="LETTERMINE_AUTHOR", help="Who deletes it."),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            envvar="LETTERMINE_TODAY",
            metavar="YYYY-MM-DD",
            help="The date the ended links are recorded as (default: today).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Delete a letter and its units, in one transaction; the deletion is recorded.

    Refused while actions are linked to its units (it says which) unless --force.

    Example: lettermine letters delete 3
    """
    from lettermine.db import open_db
    from lettermine.visits import delete_letter

    with reported_errors():
        outcome = delete_letter(
            open_db(db or ctx.obj).conn, letter_id, force=force, author=author, date=date
        )
    for action_id, ref in outcome.unlinked:
        _stderr(f"action {action_id} unlinked from {ref} (the action and its history are kept)")
    if outcome.labels_dropped:
        _stderr(f"{outcome.labels_dropped} labels on its units went with it")
    _stderr(f"letter {letter_id} deleted")


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
    if letter.get("unread"):
        out("  unread:         lettermine does not read this layout; nothing in it is tracked\n")
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
