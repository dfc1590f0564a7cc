"""The North East Lincolnshire action plan and scrutiny report from the sample letters, to look at.

    python scripts/demo_documents.py [--out FOLDER] [--render]

Ingests letters/north-east-lincolnshire-* into a fresh database in --out (default: a
lettermine-demo folder in the temporary directory, so the repository stays clean), records a
few invented actions against their areas for improvement (progress, measures, a revised date,
a blocked and a completed action, some areas left without one), then writes plan.docx and
scrutiny.docx as at 1 February 2024. With --render, scripts/render.sh turns both into PDF and
PNG pages.

Without a trained theme model, themes are added as a person would label them, from a few
keywords, so the theme tables have something to show.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AUTHORITY = "North East Lincolnshire"
TODAY = "2024-02-01"
SINCE = "2023-01-01"

# Demo labelling only: the first theme whose keyword is in an area's text.
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("caseload", "caseloads"),
    ("workforce", "workforce"),
    ("early help", "early_help"),
    ("plans", "planning"),
    ("partner", "partnership"),
    ("health", "partnership"),
    ("police", "partnership"),
    ("oversight", "leadership_governance"),
    ("assessment", "assessment"),
)


def _ingest(conn: sqlite3.Connection) -> None:
    from lettermine.errors import ModelError
    from lettermine.ingest import Classifier, ingest_file

    files = sorted((ROOT / "letters").glob("north-east-lincolnshire-*"))
    if not files:
        sys.exit("Error: no letters/north-east-lincolnshire-* sample letters")
    classifier = Classifier(enabled=True)
    for path in files:
        try:
            ingest_file(conn, path, classifier)
        except ModelError:
            classifier = Classifier(enabled=False)
            ingest_file(conn, path, classifier)


def _areas(conn: sqlite3.Connection) -> list[list[str]]:
    """Each letter's areas for improvement and priority actions as unit ids, in letter order."""
    from lettermine.letters import get_letter, list_letters

    return [
        [
            u["id"]
            for u in get_letter(conn, row["id"])["units"]
            if u["kind"] in ("area_for_improvement", "priority_action")
        ]
        for row in list_letters(conn)
    ]


def _label(conn: sqlite3.Connection, areas: list[list[str]]) -> None:
    from lettermine.labels import label_unit
    from lettermine.letters import effective_themes, get_letter, resolve_unit

    for refs in areas:
        for ref in refs:
            if effective_themes(conn, [resolve_unit(conn, ref)])[resolve_unit(conn, ref)]:
                continue  # the model gave it themes
            letter = get_letter(conn, int(ref.split(":")[0]))
            text = next(u["text"] for u in letter["units"] if u["id"] == ref).lower()
            codes = list(dict.fromkeys(code for word, code in KEYWORDS if word in text))[:2]
            if codes:
                label_unit(conn, ref, add=codes, remove=[], who="demo", at=f"{TODAY}T09:00:00")


def _actions(conn: sqlite3.Connection, areas: list[list[str]]) -> None:
    from lettermine import actions as act

    visit, monitoring, jtai = areas[0], areas[1], areas[2]
    wf = act.add_action(
        conn,
        ref="WF1",
        units=[visit[0], monitoring[1]],
        owner="Assistant Director, Safeguarding",
        title="Recruit and keep social workers: market supplement and an ASYE academy",
        start="2021-07-01",
        due="2022-03-31",
        date="2021-07-01",
        author="Improvement lead",
    )
    act.add_measure(
        conn, wf, name="Agency social workers", baseline=38, target=15, unit="%", date="2021-07-01"
    )
    act.update_action(
        conn,
        wf,
        percent=40,
        value=29,
        author="Improvement lead",
        note="12 newly qualified social workers recruited; supplement agreed.",
        date="2022-01-10",
    )
    act.revise_due(
        conn,
        wf,
        "2023-06-30",
        reason="Second academy cohort moved to September 2022",
        date="2022-02-01",
    )
    act.update_action(
        conn,
        wf,
        percent=75,
        value=21,
        author="Improvement lead",
        note="Agency use down to 21%; second cohort in post.",
        date="2023-09-15",
    )
    cl = act.add_action(
        conn,
        ref="CL1",
        units=[visit[1]],
        owner="Head of Safeguarding",
        title="Bring caseloads down to 20 children or fewer per social worker",
        start="2021-07-01",
        due="2022-06-30",
        date="2021-07-01",
    )
    act.add_measure(
        conn,
        cl,
        name="Average caseload",
        baseline=27,
        target=20,
        unit="children",
        date="2021-07-01",
    )
    act.update_action(
        conn,
        cl,
        percent=60,
        value=23,
        date="2022-01-15",
        note="Two new teams created with the extra investment.",
    )
    act.update_action(conn, cl, value=19, date="2022-06-20")
    act.set_status(conn, cl, "done", date="2022-06-30", note="Average caseload 19.")
    act.update_action(
        conn, cl, evidence="Caseload report to the improvement board, July 2022", date="2023-02-10"
    )
    pq = act.add_action(
        conn,
        ref="PQ1",
        units=[monitoring[0]],
        owner="Principal Social Worker",
        title="Plans that say what must change: training for social workers and chairs",
        start="2022-09-01",
        due="2023-03-31",
        date="2022-09-01",
    )
    act.update_action(
        conn, pq, percent=30, note="Training delivered to three of six teams.", date="2022-12-01"
    )
    act.update_action(
        conn, pq, percent=70, note="All teams trained; chairs' sessions booked.", date="2023-05-01"
    )
    au = act.add_action(
        conn,
        ref="PQ2",
        units=[monitoring[0]],
        owner="Head of Quality Assurance",
        title="Monthly audit of plans with feedback to team managers",
        start="2022-09-01",
        due="2024-03-31",
        date="2022-09-01",
    )
    act.update_action(conn, au, percent=20, note="Audit tool agreed.", date="2023-01-10")
    act.set_status(
        conn, au, "blocked", note="Audit lead post vacant since December.", date="2024-01-15"
    )
    hp = act.add_action(
        conn,
        ref="EH1",
        units=[jtai[0], jtai[3]],
        owner="Designated Nurse, Safeguarding",
        title="A referral pathway from health services to early help, agreed with the ICB",
        start="2023-10-01",
        due="2024-03-31",
        date="2023-10-01",
    )
    act.update_action(
        conn, hp, percent=50, note="Pathway drafted; GP consultation in January.", date="2024-01-20"
    )
    act.add_action(
        conn,
        ref="EH2",
        units=[jtai[1], jtai[5]],
        owner="Head of Early Help",
        title="Early help assessment and plan rebuilt around the child's daily life",
        start="2023-10-01",
        due="2024-06-30",
        date="2023-10-01",
    )


def seed(db: Path) -> sqlite3.Connection:
    """The demo scenario in a new database at db: the sample letters, themes and actions.

    Also the seed of `lettermine serve`'s tests and of bench/serve.py.
    """
    from lettermine.db import connect

    conn = connect(db, create=True)
    _ingest(conn)
    areas = _areas(conn)
    _label(conn, areas)
    _actions(conn, areas)
    return conn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "lettermine-demo")
    parser.add_argument("--render", action="store_true", help="Also render PDF and PNG pages.")
    args = parser.parse_args()

    from lettermine.report import write_plan, write_report

    args.out.mkdir(parents=True, exist_ok=True)
    db = args.out / "demo.db"
    for stale in args.out.glob("demo.db*"):
        stale.unlink()
    conn = seed(db)
    plan = write_plan(conn, args.out / "plan.docx", authority=AUTHORITY, today=TODAY)
    report = write_report(
        conn, args.out / "scrutiny.docx", authority=AUTHORITY, since=SINCE, today=TODAY
    )
    print(plan)
    print(report)
    if args.render:
        subprocess.run([str(ROOT / "scripts" / "render.sh"), str(plan), str(report)], check=True)


if __name__ == "__main__":
    main()
