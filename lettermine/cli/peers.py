"""`peers`: other councils told the same, and what their next letter found.

Like `search`, it imports only the standard library, lettermine's light modules and sqlite3.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from typing import Annotated, Any

import typer

from lettermine.cli import CsvOption, DbOption, JsonOption, app, reported_errors, whole_number

UNIT_SHORT = {"area_for_improvement": "AFI", "priority_action": "PA", "finding": "finding"}
KIND_SHORT = {"focused_visit": "focused visit", "monitoring_visit": "monitoring visit"}
CLIP = 300  # characters of a next letter's finding shown in the table (all in --json, --csv)
CSV_COLUMNS = [
    "unit", "rank", "score", "peer", "authority", "letter_kind", "date", "unit_kind", "text",
    "shared_words", "shared_themes", "failing", "next_letter", "next_kind", "next_date",
    "judgement_changes", "same_ask_again", "next_findings",
]  # fmt: skip


@app.command()
def peers(
    unit: Annotated[
        str | None,
        typer.Argument(metavar="[UNIT]", help="A unit id (LETTER:UNIT, e.g. 3:1)."),
    ] = None,
    *,
    la: Annotated[
        str | None,
        typer.Option(
            "--la", metavar="NAME", help="Instead of a unit: every open area of this authority."
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            parser=whole_number,
            help="Peers per area (default 5, or 3 with --la).",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM-DD", help="Only peers from visits on or after this date."),
    ] = None,
    include_own: Annotated[
        bool,
        typer.Option("--include-own", help="Also the same council's other letters."),
    ] = False,
    findings: Annotated[
        bool, typer.Option("--findings", help="Also match concern findings, not only areas.")
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
) -> None:
    """Other councils told the same: the closest areas for improvement, and what happened next.

    For each peer: the council, the letter, the matching area with its score and the words and
    themes they share, and the council's next letter after it (grades that changed, whether the
    same ask came back, two findings on the same themes); or that there is no later letter.
    An area is open unless every action answering it is done or verified.

    Example: lettermine peers 3:1 --limit 10 --since 2019-01-01
    """
    from lettermine.cli.search import _read
    from lettermine.errors import InvalidInput
    from lettermine.peers import find_authority_peers, find_peers

    with reported_errors():
        if (unit is None) == (la is None):
            raise InvalidInput("give a unit id (e.g. 'lettermine peers 3:1') or --la NAME")
        conn = _read(db)
        options: dict[str, Any] = {
            "since": since, "include_own": include_own, "findings": findings,
        }  # fmt: skip
        if unit is not None:
            results = [find_peers(conn, unit, limit=5 if limit is None else limit, **options)]
        else:
            results = find_authority_peers(
                conn, str(la), limit=3 if limit is None else limit, **options
            )
    if json:
        from lettermine.cli.output import print_json

        print_json(results[0] if unit is not None else results)
        return
    if csv:
        from lettermine.cli.output import print_csv

        print_csv([_csv_row(r["unit"], p) for r in results for p in r["peers"]], CSV_COLUMNS)
        return
    if la is not None and not results:
        typer.echo(f"No open areas for {la}: every area has a finished action.", err=True)
    for n, result in enumerate(results):
        if n:
            sys.stdout.write("\n" + "=" * 40 + "\n")
        _print_result(result)
        if not result["peers"]:
            typer.echo(
                f"No peers for {result['unit']['id']}: no other council's area is like it"
                + (" since then." if since else "."),
                err=True,
            )


def _grade_changes(changes: list[dict[str, Any]]) -> list[str]:
    return [
        f"{c['judgement'].replace('_', ' ')}: {c['before'] or 'not graded'} -> {c['after']}"
        for c in changes
        if c["before"] != c["after"]
    ]


def _csv_row(unit: dict[str, Any], peer: dict[str, Any]) -> dict[str, Any]:
    after = peer["next"] or {}
    return {
        "unit": unit["id"],
        "rank": peer["rank"],
        "score": peer["score"],
        "peer": peer["id"],
        **{k: peer[k] for k in ("authority", "letter_kind", "date", "unit_kind", "text")},
        "shared_words": peer["shared_words"],
        "shared_themes": peer["shared_themes"],
        "failing": peer["failing"],
        "next_letter": after.get("letter_id", "no later letter"),
        "next_kind": after.get("kind"),
        "next_date": after.get("date"),
        "judgement_changes": _grade_changes(after.get("judgements", [])),
        "same_ask_again": [a["id"] for a in after.get("same_ask_again", [])],
        "next_findings": [f"{f['id']} ({f['polarity']})" for f in after.get("findings", [])],
    }


def _print_result(result: dict[str, Any]) -> None:
    width = max(40, min(shutil.get_terminal_size((100, 24)).columns, 120))
    out = sys.stdout.write
    unit = result["unit"]
    out(_line(unit) + "\n")
    _wrapped(unit["text"], width, "    ")
    for peer in result["peers"]:
        out(f"\n{peer['rank']}. {peer['score']:.2f}  " + _line(peer) + "\n")
        _wrapped(peer["text"], width, "    ")
        shared = peer["shared_words"] + [f"theme {t}" for t in peer["shared_themes"]]
        if shared:
            _wrapped("shares: " + "; ".join(shared), width, "    ")
        after = peer["next"]
        if after is None:
            out("    next: no later letter\n")
            continue
        kind = KIND_SHORT.get(after["kind"], after["kind"])
        out(f"    next: {kind} {after['date']} (letter {after['letter_id']})\n")
        again = after["same_ask_again"]
        if again:
            ids = ", ".join(a["id"] for a in again)
            out(f"      the same ask came back: {ids}\n")
        else:
            out("      the same ask did not come back\n")
        changes = _grade_changes(after["judgements"])
        if changes:
            _wrapped("grades: " + "; ".join(changes), width, "      ")
        elif after["judgements"]:
            out("      grades unchanged\n")
        for found in after["findings"]:
            text = found["text"] if len(found["text"]) <= CLIP else found["text"][: CLIP - 1] + "…"
            _wrapped(f"{found['polarity'] or 'finding'} ({found['id']}): {text}", width, "      ")


def _line(unit: dict[str, Any]) -> str:
    kind = KIND_SHORT.get(unit["letter_kind"], unit["letter_kind"])
    themes = ", ".join(unit["themes"][:3])
    parts = [unit["id"], unit["date"] or "?", unit["authority"] or "?", kind,
             UNIT_SHORT.get(unit["unit_kind"], unit["unit_kind"]), themes]  # fmt: skip
    return "  ".join(p for p in parts if p)


def _wrapped(text: str, width: int, indent: str) -> None:
    for line in textwrap.wrap(" ".join(text.split()), width - len(indent)):
        sys.stdout.write(indent + line + "\n")
