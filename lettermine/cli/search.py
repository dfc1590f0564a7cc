"""Commands to search across visits: `search`, `themes`, and `db path|status|backup`.

`search` is the command people run most: it imports only the standard library, lettermine's
light modules and sqlite3 (no sqlite-utils, spaCy or Rich), so a whole process answers in well
under half a second.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lettermine.cli import (
    AsAtOption,
    CsvOption,
    DbOption,
    JsonOption,
    app,
    reported_errors,
    whole_number,
)
from lettermine.paths import shown

if TYPE_CHECKING:
    import sqlite3

    from lettermine.search import Hit, ThemeTable

db_app = typer.Typer(
    name="db",
    help="The database file: where it is, what is in it, a safe copy.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")

# Private-use characters around matched words while the text is laid out; swapped for bold on a
# terminal or [brackets] elsewhere, so wrapping never splits a marker and width stays honest.
_OPEN, _CLOSE = "\ue000", "\ue001"
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"
UNIT_SHORT = {"area_for_improvement": "AFI", "priority_action": "PA", "finding": "finding"}
KIND_SHORT = {"focused_visit": "focused", "monitoring_visit": "monitoring"}


def _read(db: Path | None) -> sqlite3.Connection:
    """A read connection to an existing database (searching never creates one)."""
    from lettermine.db import DatabaseError, connect, db_path
    from lettermine.search import use_mmap

    path = db_path(db)
    if not path.exists():
        raise DatabaseError(
            f"no database at {path}: ingest letters first ('lettermine ingest FILES'), "
            "or give --db / set LETTERMINE_DB"
        )
    return use_mmap(connect(path))


def _styled() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _marked(text: str, styled: bool) -> str:
    if styled:
        return text.replace(_OPEN, _BOLD).replace(_CLOSE, _RESET)
    return text.replace(_OPEN, "[").replace(_CLOSE, "]")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words to find; "quoted words" as a phrase.')],
    *,
    theme: Annotated[
        list[str] | None,
        typer.Option(
            "--theme",
            "-t",
            metavar="THEME",
            help="Only units with this theme (repeat for any of several).",
        ),
    ] = None,
    la: Annotated[
        str | None,
        typer.Option("--la", metavar="NAME", help="Only this local authority (any printed form)."),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            metavar="KIND",
            help="Only letters of this kind: ilacs, sif, pre_sif, focused_visit, monitoring_visit, "
            "jtai, area_send.",
        ),
    ] = None,
    unit_kind: Annotated[
        str | None,
        typer.Option(
            "--unit-kind",
            metavar="KIND",
            help="Only area_for_improvement (afi), priority_action (pa) or finding.",
        ),
    ] = None,
    section: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="Only units whose section heading contains this."),
    ] = None,
    polarity: Annotated[
        str | None,
        typer.Option(
            metavar="POLARITY", help="Only findings judged strength, concern, mixed or context."
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="Only visits on or after this date.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="Only visits on or before this date.")
    ] = None,
    newest: Annotated[
        bool, typer.Option("--newest", help="Newest visits first, not best match.")
    ] = False,
    limit: Annotated[
        int, typer.Option(metavar="N", parser=whole_number, help="How many units to show.")
    ] = 20,
    raw: Annotated[
        bool,
        typer.Option("--raw", help="Pass the query to SQLite FTS5 as it is (AND, OR, NEAR, *)."),
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
) -> None:
    """Find areas for improvement, priority actions and findings across every letter.

    Every word must match (visits finds visited); "quoted words" match as a phrase; a word
    ending in * matches words it begins.

    Example: lettermine search "changes of social worker" --la Bradford --since 2018-01-01
    """
    from lettermine.search import MARKS, search_units

    with reported_errors():
        hits = search_units(
            _read(db),
            query,
            raw=raw,
            themes=theme or [],
            authority=la,
            kind=kind,
            unit_kind=unit_kind,
            section=section,
            polarity=polarity,
            since=since,
            until=until,
            order="newest" if newest else "rank",
            limit=limit,
            marks=MARKS if json or csv else (_OPEN, _CLOSE),
        )
    if json:
        from dataclasses import asdict

        from lettermine.cli.output import print_json

        print_json([asdict(h) for h in hits])
        return
    if csv:
        from lettermine.cli.output import print_csv

        print_csv(
            [vars(h) for h in hits],
            ["id", "letter_id", "authority", "kind", "date", "section", "unit_kind", "polarity",
             "themes", "rank", "snippet", "text"],
        )  # fmt: skip
        return
    _print_hits(hits)
    if not hits:
        typer.echo("No units match.", err=True)
    elif len(hits) == limit:
        typer.echo(f"First {limit} shown; --limit N for more.", err=True)


def _print_hits(hits: list[Hit]) -> None:
    """A table, one row per unit, with the matching passage wrapped underneath."""
    import shutil
    import textwrap

    styled = _styled()
    width = max(40, min(shutil.get_terminal_size((100, 24)).columns, 120))
    rows = [
        [
            h.id,
            h.date or "",
            h.authority or "?",
            KIND_SHORT.get(h.kind, h.kind),
            UNIT_SHORT.get(h.unit_kind, h.unit_kind),
            h.polarity if h.unit_kind == "finding" and h.polarity else "",
            ", ".join(h.themes[:3]),
        ]
        for h in hits
    ]
    heads = ["id", "date", "authority", "letter", "unit", "polarity", "themes"]
    widths = [max([len(x)] + [len(r[i]) for r in rows]) for i, x in enumerate(heads)]
    from lettermine.cli.output import printable, unguarded

    out = sys.stdout.write
    raw = unguarded(sys.stdout)
    if hits:
        out("  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip() + "\n")
    for hit, row in zip(hits, rows, strict=True):
        out("\n" + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
        where = f"{hit.section}: " if hit.section and hit.unit_kind == "finding" else ""
        passage = " ".join((where + hit.snippet).split())
        for line in textwrap.wrap(passage, width - 4):
            # Made printable before the bold goes in, and written past the filter that would
            # show the bold's escape codes as text.
            raw.write("    " + _marked(printable(line), styled) + "\n")


@app.command()
def themes(
    *,
    la: Annotated[
        str | None,
        typer.Option(
            "--la", metavar="NAME", help="One local authority: its themes visit by visit."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            metavar="visit|year",
            help="Columns: visit (needs --la) or year (default: visit with --la, else year).",
        ),
    ] = None,
    as_at: AsAtOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Themes across visits: how often each came up, and whether it keeps coming back.

    A cell is areas for improvement (and priority actions) / concern findings with the theme;
    * marks a theme raised in the visit before too.

    Example: lettermine themes --la "North East Lincolnshire"
    """
    from lettermine.errors import InvalidInput
    from lettermine.search import theme_table, themes_by_year

    with reported_errors():
        columns = by or ("visit" if la else "year")
        if columns not in ("visit", "year"):
            raise InvalidInput(f"--by must be visit or year, not '{by}'")
        if columns == "visit" and not la:
            raise InvalidInput("--by visit needs an authority: add --la NAME (or use --by year)")
        from lettermine.timeline import resolve_day

        day = resolve_day(None, as_at)[1]
        when = day.isoformat() if day else None
        conn = _read(db)
        if columns == "visit" and la:
            table = theme_table(conn, la, as_at=when)
        else:
            table = themes_by_year(conn, la, as_at=when)
    if json:
        from lettermine.cli.output import print_json

        print_json(_table_json(table))
        return
    _print_theme_table(table)


def _table_json(table: ThemeTable) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(table)
    for row, out in zip(table.rows, data["rows"], strict=True):
        out["areas"], out["concerns"] = row.areas, row.concerns
        for cell, cell_out in zip(row.cells, out["cells"], strict=True):
            cell_out["raised"] = cell.raised
    if table.by == "visit":
        for key in ("letters",):
            data.pop(key)
        for row in data["rows"]:
            row.pop("recurring_authorities")
            for cell in row["cells"]:
                cell.pop("letters")
                cell.pop("authorities")
    else:
        data.pop("visits")
        for row in data["rows"]:
            row.pop("streak")
            for cell in row["cells"]:
                cell.pop("repeat")
    return data


def _print_theme_table(table: ThemeTable) -> None:
    out = sys.stdout.write
    if table.by == "visit":
        out(
            f"{table.authority}: {len(table.visits)} visits. Cells: areas for improvement / "
            "concern findings; * raised in the visit before too.\n\n"
        )
        heads = [[v.date or "?", KIND_SHORT.get(v.kind, v.kind), f"#{v.letter_id}"]
                 for v in table.visits]  # fmt: skip
        extra = ["again", "runs"]
    else:
        who = table.authority or "all authorities"
        out(
            f"{who}, by year of visit. Cells: areas for improvement / concern findings "
            "(authorities raising it); recur: authorities where it came up in consecutive "
            "visits.\n\n"
        )
        heads = [
            [year, f"{n} letters", ""] for year, n in zip(table.columns, table.letters, strict=True)
        ]
        extra = ["recur", ""]
    rows = []
    for row in table.rows:
        if table.by == "visit":
            cells = [_cell(c.areas, c.concerns) + ("*" if c.repeat else "") for c in row.cells]
            tail = ["yes" if row.recurring else "", str(row.streak) if row.streak > 1 else ""]
        else:
            cells = [
                _cell(c.areas, c.concerns) + (f" ({c.authorities})" if c.authorities else "")
                for c in row.cells
            ]
            tail = [str(row.recurring_authorities or ""), ""]
        rows.append([row.code, *cells, *tail])
    header_lines = [
        [("theme" if i == 0 else ""), *[h[i] for h in heads], *(extra if i == 0 else ["", ""])]
        for i in range(3)
    ]
    widths = [max(len(r[i]) for r in [*header_lines, *rows]) for i in range(len(header_lines[0]))]
    if not rows:
        typer.echo("No themes yet: ingest and classify letters first.", err=True)
        return
    for line in header_lines:
        if any(line[1:]):
            out("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() + "\n")
    out("  ".join("-" * w for w in widths) + "\n")
    for line in rows:
        out("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() + "\n")
    if table.by == "visit":
        out("\nagain: raised in two consecutive visits at least once; runs: consecutive visits "
            "raising it, up to the latest.\n")  # fmt: skip


def _cell(areas: int, concerns: int) -> str:
    return f"{areas}/{concerns}" if areas or concerns else "."


@db_app.command("path")
def db_path_command(*, db: DbOption = None) -> None:
    """Print where the database file is (whether or not it exists yet).

    Example: lettermine db path
    """
    from lettermine.db import db_path

    typer.echo(shown(db_path(db).resolve()))


@db_app.command("status")
def db_status_command(*, db: DbOption = None, json: JsonOption = False) -> None:
    """Counts of letters, units, themes and actions; file size; migrations applied.

    Example: lettermine db status --json
    """
    from lettermine.db import db_path
    from lettermine.search import db_status

    with reported_errors():
        status = db_status(_read(db), db_path(db))
    if json:
        from lettermine.cli.output import print_json

        print_json(status)
        return
    out = sys.stdout.write
    out(f"Database:    {status['path']} ({status['size_bytes'] / 1e6:.1f} MB)\n")
    out(f"Letters:     {status['letters']:,} about {status['authorities']:,} authorities\n")
    kinds = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in status["units_by_kind"].items())
    out(f"Units:       {status['units']:,} ({kinds})\n")
    themed, labels = status["units_with_themes"], status["labels"]
    out(f"Themed:      {themed:,} units; {labels:,} labels by people\n")
    out(f"Actions:     {status['actions']:,}\n")
    in_step = status["search_index_rows"] == status["units"]
    note = "" if in_step else " (out of step with the units table: rebuild it, see README)"
    out(f"Search:      {status['search_index_rows']:,} units indexed{note}\n")
    out(f"Integrity:   {status['integrity']} (SQLite quick_check)\n")
    out(f"Schema:      version {status['schema_version']}, migrations applied:\n")
    for m in status["migrations"]:
        out(f"  {m['name']:32} {m['applied_at'][:19]}\n")


@db_app.command("backup")
def db_backup_command(
    dest: Annotated[
        Path, typer.Argument(dir_okay=False, help="New file to write (never replaced).")
    ],
    *,
    db: DbOption = None,
) -> None:
    """Write a consistent copy of the database, safe while others are using it (VACUUM INTO).

    Example: lettermine db backup backup-2025-06-01.db
    """
    from lettermine.db import backup

    with reported_errors():
        written = backup(_read(db), dest)
    typer.echo(f"Backed up to {shown(written)} ({written.stat().st_size / 1e6:.1f} MB)", err=True)
