"""Commands about improvement actions: `lettermine actions add|show|list|update|...`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from lettermine.cli import (
    AsAtOption,
    CsvOption,
    DbOption,
    JsonOption,
    app,
    real_number,
    reported_errors,
    whole_number,
)
from lettermine.cli.output import print_csv, print_json, print_table
from lettermine.paths import named

actions_app = typer.Typer(
    name="actions",
    help="Improvement actions answering areas for improvement: progress, RAG, coverage.",
    no_args_is_help=True,
)
app.add_typer(actions_app, name="actions")

TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        envvar="LETTERMINE_TODAY",
        help="Judge RAG and overdue as at this date (default: today). With --as-at, --as-at "
        "wins and this only says what today is.",
        metavar="YYYY-MM-DD",
        show_default=False,
    ),
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        envvar="LETTERMINE_TODAY",
        help="The date this change is recorded as (default: today).",
        metavar="YYYY-MM-DD",
        show_default=False,
    ),
]
AuthorOption = Annotated[
    str | None,
    typer.Option("--author", envvar="LETTERMINE_AUTHOR", help="Who records this change."),
]
ActionId = Annotated[
    int, typer.Argument(parser=whole_number, help="Action id (see 'lettermine actions list').")
]
UnitIds = Annotated[list[str], typer.Argument(help="Unit ids such as 3:1 (see 'lettermine show').")]

LIST_COLUMNS = ["id", "ref", "title", "owner", "status", "percent", "due", "rag", "units"]
CSV_COLUMNS = [
    "id", "ref", "title", "owner", "status", "percent", "start", "due", "original_due",
    "overdue", "rag", "rag_reason", "units",
]  # fmt: skip


def _stderr(message: str) -> None:
    typer.echo(message, err=True)


@actions_app.command()
def add(
    *,
    title: Annotated[str, typer.Option("--title", help="What will be done.")],
    units: Annotated[
        list[str] | None,
        typer.Option(
            "--for", metavar="UNIT", help="A unit the action answers, e.g. 3:1 (repeatable)."
        ),
    ] = None,
    description: Annotated[str | None, typer.Option(help="More detail.")] = None,
    owner: Annotated[str | None, typer.Option(help="Who is accountable.")] = None,
    start: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD", help="Start date.")] = None,
    due: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD", help="Due date.")] = None,
    ref: Annotated[str | None, typer.Option(help="Your own reference, e.g. EM1.")] = None,
    author: AuthorOption = None,
    date: DateOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Create an action; prints its id.

    Example: lettermine actions add --for 3:1 --title "Reduce caseloads to 25" --due 2022-03-31
    """
    from lettermine.actions import add_action
    from lettermine.db import connect

    with reported_errors():
        action_id = add_action(
            connect(db), title=title, units=units or [], description=description, owner=owner,
            start=start, due=due, ref=ref, author=author, date=date,
        )  # fmt: skip
    if json:
        print_json({"id": action_id})
    else:
        typer.echo(action_id)


@actions_app.command()
def show(
    action_id: ActionId,
    *,
    db: DbOption = None,
    json: JsonOption = False,
    today: TodayOption = None,
    as_at: AsAtOption = None,
) -> None:
    """An action: state, RAG, linked units, measures and history (oldest first).

    Example: lettermine actions show 7 --as-at 2022-06-30
    """
    from lettermine.actions import get_action
    from lettermine.db import connect

    with reported_errors():
        action = get_action(connect(db), action_id, today=today, as_at=as_at)
    if json:
        print_json(action)
        return
    _print_action(action)


def _print_action(a: dict[str, Any]) -> None:
    out = sys.stdout.write
    ref = f" [{a['ref']}]" if a["ref"] else ""
    out(f"Action {a['id']}{ref}: {a['title']}\n")
    due = a["due"] or "none"
    if a["original_due"] and a["original_due"] != a["due"]:
        due += f" (originally {a['original_due']})"
    fields = [
        ("Description", a["description"]),
        ("Owner", a["owner"]),
        ("Status", f"{a['status']}, {a['percent']}%"),
        ("Start", a["start"]),
        ("Due", due),
        ("RAG", f"{a['rag']}: {a['rag_reason']} (as at {a['as_at']})"),
        ("Rule says", f"{a['rag_rule']}: {a['rag_rule_reason']}" if a["rag_override"] else None),
    ]
    for name, value in fields:
        if value:
            out(f"  {name + ':':13}{value}\n")
    if a["unit_details"]:
        out("\nAnswers\n")
        for u in a["unit_details"]:
            out(f"  {u['id']:>7}  {u['authority'] or '?'} {u['date'] or ''}: {u['text']}\n")
    if a["measures"]:
        out("\nMeasures\n")
        for m in a["measures"]:
            unit = f" {m['unit']}" if m["unit"] else ""
            latest = "no value yet" if m["latest"] is None else f"latest {m['latest']:g}{unit}"
            progress = "" if m["progress"] is None else f", {m['progress']}% of the way"
            met = " (target met)" if m["met"] else ""
            out(
                f"  {m['name']}: baseline {m['baseline']:g}, target {m['target']:g}{unit} "
                f"({m['direction']}); {latest}{progress}{met}\n"
            )
    out("\nHistory (#entry; corrected with 'lettermine actions correct')\n")
    for h in a["history"]:
        out(f"  #{h['id']:<4} {h['at']}  {_describe(h)}\n")


def _describe(h: dict[str, Any]) -> str:
    parts = [h["event"]]
    for key, label in [
        ("status", ""), ("percent", ""), ("due", "due "), ("unit", ""), ("rag_override", "RAG "),
        ("measure", ""), ("value", "= "), ("note", ""), ("evidence", "evidence: "),
        ("reason", "reason: "), ("author", "by "), ("supersedes", "corrects #"),
        ("correction", "why: "), ("superseded_by", "SUPERSEDED by #"),
    ]:  # fmt: skip
        if key in h:
            value = f"{h[key]}%" if key == "percent" else h[key]
            parts.append(f"{label}{value:g}" if isinstance(value, float) else f"{label}{value}")
    return "  ".join(str(p) for p in parts)


@actions_app.command("list")
def list_command(
    *,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner.")] = None,
    theme: Annotated[
        str | None, typer.Option(help="Only actions on units with this theme.")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue actions.")] = False,
    due_within: Annotated[
        int | None,
        typer.Option("--due-within", parser=whole_number, help="Only open actions due in N days."),
    ] = None,
    letter: Annotated[
        int | None, typer.Option(parser=whole_number, help="Only actions on this letter's units.")
    ] = None,
    la: Annotated[str | None, typer.Option("--la", help="Only actions on this authority.")] = None,
    today: TodayOption = None,
    as_at: AsAtOption = None,
    db: DbOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
) -> None:
    """Actions with status, progress, due date and RAG, soonest due first.

    Example: lettermine actions list --overdue --json
    """
    from lettermine.actions import list_actions
    from lettermine.db import connect

    with reported_errors():
        rows = list_actions(
            connect(db), status=status, owner=owner, theme=theme, overdue=overdue,
            due_within=due_within, letter_id=letter, authority=la, today=today, as_at=as_at,
        )  # fmt: skip
    if json:
        print_json(rows)
    elif csv:
        print_csv(rows, CSV_COLUMNS)
    else:
        for row in rows:
            row["percent"] = f"{row['percent']}%"
            if row["rag_override"]:
                row["rag"] = f"{row['rag']}*"  # * marks an override, as in `show`
        print_table(
            rows, LIST_COLUMNS, headers=[c.upper() if c == "rag" else c for c in LIST_COLUMNS]
        )


@actions_app.command()
def update(
    action_id: ActionId,
    *,
    percent: Annotated[
        int | None, typer.Option(parser=whole_number, help="Percent complete, 0-100.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="What happened.")] = None,
    evidence: Annotated[str | None, typer.Option(help="Where the evidence is.")] = None,
    value: Annotated[
        float | None, typer.Option(parser=real_number, help="A new value of the action's measure.")
    ] = None,
    measure: Annotated[
        str | None, typer.Option(help="Which measure --value is for (if several).")
    ] = None,
    author: AuthorOption = None,
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Record progress: appended to the history, nothing overwritten.

    Example: lettermine actions update 7 --percent 40 --note "Two new teams in post" --value 28
    """
    from lettermine.actions import update_action
    from lettermine.db import connect

    with reported_errors():
        update_action(
            connect(db), action_id, percent=percent, note=note, evidence=evidence, value=value,
            measure=measure, author=author, date=date,
        )  # fmt: skip
    _stderr(f"action {action_id}: update recorded")


@actions_app.command()
def status(
    action_id: ActionId,
    new: Annotated[
        str, typer.Argument(help="not_started, in_progress, done, verified or blocked.")
    ],
    *,
    force: Annotated[
        bool, typer.Option("--force", help="Allow a move the lifecycle forbids.")
    ] = False,
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
    author: AuthorOption = None,
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Move an action along not_started -> in_progress -> done -> verified (or blocked).

    Example: lettermine actions status 7 done --note "Caseloads at 24 for three months"
    """
    from lettermine.actions import set_status
    from lettermine.db import connect

    with reported_errors():
        set_status(connect(db), action_id, new, force=force, note=note, author=author, date=date)
    _stderr(f"action {action_id}: now {new}")


@actions_app.command()
def due(
    action_id: ActionId,
    new_due: Annotated[str, typer.Argument(metavar="DATE", help="New due date, YYYY-MM-DD.")],
    *,
    reason: Annotated[str, typer.Option(help="Why the date moves (required).")],
    author: AuthorOption = None,
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Revise the due date; the original due date is kept and shown.

    Example: lettermine actions due 7 2022-09-30 --reason "Recruitment delayed by the pandemic"
    """
    from lettermine.actions import revise_due
    from lettermine.db import connect

    with reported_errors():
        revise_due(connect(db), action_id, new_due, reason=reason, author=author, date=date)
    _stderr(f"action {action_id}: now due {new_due}")


@actions_app.command()
def rag(
    action_id: ActionId,
    *,
    override: Annotated[
        str | None, typer.Option(help="Set the RAG by hand: red, amber or green.")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why (required with --override).")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Go back to the rule.")] = False,
    author: AuthorOption = None,
    date: DateOption = None,
    today: TodayOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Show an action's RAG and why; or override it with a reason, or clear the override.

    Example: lettermine actions rag 7 --override amber --reason "Agency staff leave in June"
    """
    from lettermine.actions import clear_override, get_action, set_override
    from lettermine.db import connect
    from lettermine.errors import InvalidInput

    with reported_errors():
        conn = connect(db)
        if override is not None and clear:
            raise InvalidInput("give either --override or --clear, not both")
        if override is not None:
            set_override(conn, action_id, override, reason=reason or "", author=author, date=date)
        elif clear:
            clear_override(conn, action_id, reason=reason, author=author, date=date)
        elif reason is not None:
            raise InvalidInput("--reason goes with --override or --clear")
        action = get_action(conn, action_id, today=today)
    result = {k: action[k] for k in ("id", "rag", "rag_reason", "rag_override", "rag_rule",
                                     "rag_rule_reason", "as_at")}  # fmt: skip
    if json:
        print_json(result)
    else:
        typer.echo(f"{result['rag']}  {result['rag_reason']}")


@actions_app.command()
def link(
    action_id: ActionId,
    units: UnitIds,
    *,
    author: AuthorOption = None,
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Link an action to more units, from any letter or visit.

    Example: lettermine actions link 7 5:2
    """
    from lettermine.actions import link_units
    from lettermine.db import connect

    with reported_errors():
        link_units(connect(db), action_id, units, author=author, date=date)
    _stderr(f"action {action_id}: linked {', '.join(units)}")


@actions_app.command()
def unlink(
    action_id: ActionId,
    units: UnitIds,
    *,
    author: AuthorOption = None,
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Remove links to units (the history keeps that they were linked).

    Example: lettermine actions unlink 7 5:2
    """
    from lettermine.actions import unlink_units
    from lettermine.db import connect

    with reported_errors():
        unlink_units(connect(db), action_id, units, author=author, date=date)
    _stderr(f"action {action_id}: unlinked {', '.join(units)}")


@actions_app.command()
def measure(
    action_id: ActionId,
    *,
    name: Annotated[str, typer.Option(help="What is measured.")],
    baseline: Annotated[
        float, typer.Option(parser=real_number, help="Value when the action started.")
    ],
    target: Annotated[float, typer.Option(parser=real_number, help="Value that means success.")],
    direction: Annotated[
        str | None,
        typer.Option(help="up or down: which way is better (default: baseline towards target)."),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="e.g. %, children, days.")] = None,
    author: AuthorOption = None,
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Attach a measure (baseline, target, direction); prints the measure's id.

    Example: lettermine actions measure 7 --name "Average caseload, QSW" --baseline 31 --target 25
    """
    from lettermine.actions import add_measure
    from lettermine.db import connect

    with reported_errors():
        measure_id = add_measure(
            connect(db), action_id, name=name, baseline=baseline, target=target,
            direction=direction, unit=unit, author=author, date=date,
        )  # fmt: skip
    typer.echo(measure_id)


@actions_app.command()
def coverage(
    *,
    la: Annotated[str | None, typer.Option("--la", help="Only this authority's letters.")] = None,
    letter: Annotated[
        list[int] | None,
        typer.Option(parser=whole_number, help="Only this letter (repeatable)."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 while any area has no action.")
    ] = False,
    today: TodayOption = None,
    as_at: AsAtOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Areas for improvement and priority actions that no action answers yet.

    An area closed without an action ('lettermine areas close') counts as answered.

    Example: lettermine actions coverage --la "North East Lincolnshire" --check
    """
    from lettermine.actions import coverage as find_coverage
    from lettermine.db import connect

    with reported_errors():
        result = find_coverage(
            connect(db), letter_ids=letter or [], authority=la, today=today, as_at=as_at
        )
    if json:
        print_json(result)
    elif result["uncovered"]:
        print_table(
            result["uncovered"], ["unit", "authority", "date", "kind", "text"], max_width=80
        )
    kinds = "areas for improvement and priority actions"
    late = f"; {result['overdue']} of them an overdue one" if result["overdue"] else ""
    closed = f" or are closed ({result['closed']})" if result["closed"] else ""
    _stderr(f"{result['covered']} of {result['areas']} {kinds} have an action{closed}{late}")
    if check and result["uncovered"]:
        raise typer.Exit(code=1)


@actions_app.command()
def recurring(
    *,
    la: Annotated[str | None, typer.Option("--la", help="Only this authority.")] = None,
    text_only: Annotated[
        bool, typer.Option("--text-only", help="Match on words only, ignoring themes.")
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Areas that repeat an earlier visit's, with the actions that answered them then.

    Example: lettermine actions recurring --la "North East Lincolnshire"
    """
    from lettermine.actions import resolve_authority
    from lettermine.db import connect
    from lettermine.recurrence import find_recurring

    with reported_errors():
        conn = connect(db)
        authority = resolve_authority(conn, la) if la else None
        found = find_recurring(conn, authority, use_themes=not text_only)
    if json:
        print_json(found)
        return
    rows = []
    for area in found:
        for n, earlier in enumerate(area["earlier"]):
            rows.append(
                {
                    "unit": area["unit"] if n == 0 else "",
                    "date": area["date"] if n == 0 else "",
                    "area": area["text"] if n == 0 else "",
                    "earlier": earlier["unit"],
                    "then": earlier["date"],
                    "earlier area": earlier["text"],
                    "match": f"{earlier['by']} {earlier['score']:.2f}",
                    "actions": [str(a["id"]) for a in earlier["actions"]] or "none",
                }
            )
    columns = ["unit", "date", "area", "earlier", "then", "earlier area", "match", "actions"]
    print_table(rows, columns, max_width=45)
    _stderr(f"{len(found)} areas repeat an earlier one")


@actions_app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A tracker as CSV, or an Excel workbook (.xlsx)."),
    ],
    *,
    author: AuthorOption = None,
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Create actions from a tracker CSV or workbook, all or nothing; prints the new ids.

    Columns: title, owner, status, percent, due, units (required); ref, description, start,
    original_due, note, evidence, author, date, created, rag_override, rag_override_reason
    (optional). Dates YYYY-MM-DD or DD/MM/YYYY; units such as "3:1; 3:2". 'lettermine actions
    export --csv' writes the same columns. A workbook written by 'actions export --xlsx' (with
    its History sheet) is restored whole, history and all, into a database with no actions yet.

    Example: lettermine actions import tracker.xlsx
    """
    from lettermine.actions import import_csv
    from lettermine.db import connect

    with reported_errors():
        if file.suffix.lower() in (".xlsx", ".xlsm"):
            from lettermine.workbook import import_workbook

            ids, warnings = import_workbook(connect(db), file, author=author, date=date)
        else:
            ids, warnings = import_csv(connect(db), file, author=author, date=date)
    for warning in warnings:
        _stderr(f"warning: {warning}")
    for action_id in ids:
        typer.echo(action_id)
    _stderr(f"{named(file)}: {len(ids)} actions imported")


@actions_app.command("export")
def export_command(
    *,
    csv: Annotated[bool, typer.Option("--csv", help="The tracker spreadsheet as CSV.")] = False,
    json: Annotated[
        bool, typer.Option("--json", help="Every action in full, as JSON (the default).")
    ] = False,
    xlsx: Annotated[
        Path | None,
        typer.Option(
            "--xlsx",
            metavar="FILE.xlsx",
            dir_okay=False,
            help="Write the whole tracker as an Excel workbook: actions, measures, history.",
        ),
    ] = None,
    today: TodayOption = None,
    db: DbOption = None,
) -> None:
    """Every action: JSON with history, the tracker CSV, or a workbook 'actions import' reads.

    Example: lettermine actions export --xlsx tracker.xlsx
    """
    from lettermine.actions import export_actions, export_rows, write_tracker
    from lettermine.db import connect

    if sum((csv, json, xlsx is not None)) > 1:
        raise typer.BadParameter("choose one of --csv, --json and --xlsx")
    with reported_errors():
        conn = connect(db)
        if xlsx is not None:
            from lettermine.workbook import export_workbook

            typer.echo(str(export_workbook(conn, xlsx, today=today)))
        elif csv:
            write_tracker(export_rows(conn, today=today), sys.stdout)
        else:
            print_json(export_actions(conn, today=today))


@actions_app.command()
def correct(
    action_id: ActionId,
    entry: Annotated[
        int,
        typer.Argument(
            parser=whole_number, metavar="ENTRY", help="The history entry (#N in 'actions show')."
        ),
    ],
    *,
    reason: Annotated[str, typer.Option(help="What was wrong (required).")],
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="The entry should never have been made.")
    ] = False,
    date: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="The right date of the change.")
    ] = None,
    percent: Annotated[
        int | None, typer.Option(parser=whole_number, help="The right percent.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="The right note.")] = None,
    evidence: Annotated[str | None, typer.Option(help="The right evidence.")] = None,
    value: Annotated[
        float | None, typer.Option(parser=real_number, help="The right measure value.")
    ] = None,
    new_status: Annotated[
        str | None, typer.Option("--status", help="The right status (for a status change).")
    ] = None,
    new_due: Annotated[
        str | None, typer.Option("--due", metavar="YYYY-MM-DD", help="The right due date.")
    ] = None,
    override: Annotated[
        str | None, typer.Option(help="The right RAG override: red, amber or green.")
    ] = None,
    author: AuthorOption = None,
    db: DbOption = None,
) -> None:
    """Correct a mistaken history entry, or withdraw it: a new entry that supersedes it.

    Nothing is edited or deleted: the entry stays in the history, marked as superseded, and the
    action's status, percent, due date, RAG and measures are worked out again without it.

    Example: lettermine actions correct 7 12 --date 2021-11-30 --reason "year typed as 2999"
    """
    from lettermine.corrections import correct_entry
    from lettermine.db import connect

    with reported_errors():
        new_id = correct_entry(
            connect(db), action_id, entry, reason=reason, withdraw=withdraw, date=date,
            percent=percent, note=note, evidence=evidence, value=value, status=new_status,
            due=new_due, rag_override=override, author=author,
        )  # fmt: skip
    what = "withdrawn" if withdraw else "corrected"
    _stderr(f"action {action_id}: entry {entry} {what} by entry {new_id}")
