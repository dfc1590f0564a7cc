"""How fast are the papers? Seconds for the action plan and the scrutiny report (charts
included) over 5 letters and 200 actions with their history.

    python bench/plan.py [--actions 200] [--letters 5] [--repeat 3] [--keep FOLDER]

Builds a synthetic database (invented letter texts, themes, actions with monthly updates,
measures with a value each quarter, revised due dates, blocked, done and overridden actions and
closed areas) in a temporary folder, then times write_plan and write_report (a year's period,
with the RAG chart and a chart per measure), live and --as-at; the target is under 2 s each.
Prints the best and median of the runs, the main table's row count and the charts drawn.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TARGET_SECONDS = 2.0
AUTHORITY = "North East Lincolnshire"
THEMES = (
    "assessment",
    "planning",
    "supervision_oversight",
    "workforce",
    "care_leavers",
    "children_in_care",
    "front_door",
    "quality_assurance",
    "direct_work",
)
OWNERS = (
    "Head of Safeguarding",
    "Principal Social Worker",
    "Assistant Director",
    "Workforce Lead",
    "Head of Children in Care",
    "Performance Manager",
)
KINDS = ("focused_visit", "focused_visit", "monitoring_visit", "ilacs", "focused_visit")


def build(conn: sqlite3.Connection, n_letters: int, n_actions: int, seed: int = 7) -> None:
    """Fill an empty database with synthetic letters and actions (reproducible by seed)."""
    from lettermine import actions
    from lettermine.letters import UnitThemes, save_letter
    from lettermine.records import Letter, Unit

    rng = random.Random(seed)
    refs: list[str] = []
    for i in range(n_letters):
        year = 2018 + i
        units, verdicts = [], []
        if KINDS[i % len(KINDS)] == "ilacs":
            units.append(
                Unit(
                    "priority_action",
                    f"Synthetic priority action {i + 1}.1 about "
                    "the timeliness of child protection enquiries.",
                    number=1,
                )
            )
            verdicts.append(UnitThemes([("child_protection", 0.9)], None))
        for n in range(1, 7):
            text = (
                f"Synthetic area for improvement {i + 1}.{n}: the quality and consistency of "
                f"{rng.choice(['assessments', 'plans', 'supervision', 'direct work'])} for "
                "children, so that their needs are understood and met without delay."
            )
            units.append(Unit("area_for_improvement", text, number=n))
            verdicts.append(
                UnitThemes([(c, 0.9 - 0.2 * k) for k, c in enumerate(rng.sample(THEMES, 2))], None)
            )
        units.append(Unit("finding", "Synthetic finding: leaders know their services well."))
        verdicts.append(UnitThemes([], "strength"))
        letter = Letter(
            kind=KINDS[i % len(KINDS)],
            local_authority=f"{AUTHORITY} Council",
            authority=AUTHORITY,
            inspection_start=f"{year}-03-05",
            inspection_end=f"{year}-03-06",
            published=f"{year}-04-02",
            units=units,
        )
        letter_id, _ = save_letter(
            conn, letter, sha256=f"bench-{i}", source=f"bench-{i}.txt", themes=verdicts
        )
        # The last area of each letter is left without an action, as in real plans.
        refs += [f"{letter_id}:{s}" for s in range(1, len(units) - 1)]
    for k in range(n_actions):
        start = f"{2018 + k % n_letters}-05-01"
        action_id = actions.add_action(
            conn,
            title=f"Synthetic action {k + 1}: improve practice through audit and training",
            units=rng.sample(refs, rng.choice([1, 1, 2])),
            owner=rng.choice(OWNERS),
            start=start,
            due=f"{2019 + k % n_letters}-03-31",
            ref=f"AP{k + 1}",
            date=start,
        )
        year = 2018 + k % n_letters
        percent = 0
        for month in (6, 7, 8, 9, 10, 11, 12):
            percent = min(90, percent + rng.randrange(0, 20, 5))
            actions.update_action(
                conn,
                action_id,
                percent=percent,
                note=f"Progress note {k + 1}: audit completed, actions agreed.",
                date=f"{year}-{month:02d}-28",
            )
        if k % 3 == 0:
            actions.add_measure(
                conn,
                action_id,
                name=f"Visits in timescale ({k + 1})",
                baseline=60,
                target=95,
                unit="%",
                date=f"{year}-12-28",
            )
            for quarter in range(4):  # a value each quarter for a year: a chart per measure
                actions.update_action(
                    conn,
                    action_id,
                    value=rng.randint(60, 98),
                    date=f"{year + 1}-{3 * quarter + 1:02d}-15",
                )
        if k % 11 == 0:
            actions.set_status(
                conn, action_id, "blocked", note="Waiting for partners", date=f"{year + 1}-11-01"
            )
        elif k % 13 == 0:
            actions.set_status(conn, action_id, "done", note="Finished", date=f"{year + 1}-11-01")
        elif k % 17 == 0:
            actions.set_override(
                conn, action_id, "amber", reason="Agreed at the board", date=f"{year + 1}-11-01"
            )
        if k % 7 == 0:
            actions.revise_due(
                conn,
                action_id,
                f"{2020 + k % n_letters}-06-30",
                reason="Resources moved",
                date=f"{2019 + k % n_letters}-11-10",
            )
    from lettermine.areas import close_area

    for letter_id in range(2, n_letters + 1):  # each later letter overtakes an earlier area
        (last,) = conn.execute(
            "SELECT max(seq) FROM units WHERE letter_id = ? AND kind != 'finding'",
            [letter_id - 1],
        ).fetchone()
        close_area(conn, f"{letter_id - 1}:{last}", reason="Superseded by a later visit's area",
                   by=f"{letter_id}:1", date=f"{2018 + letter_id - 1}-06-01")  # fmt: skip


def _timed(repeat: int, write: Callable[[], Path]) -> tuple[float, float, Path]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        out = write()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--letters", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Copy the documents written into this folder.")
    args = parser.parse_args()

    import docx

    from lettermine.db import connect
    from lettermine.report import write_plan, write_report

    today, since, as_at = "2023-06-01", "2022-06-01", "2022-12-31"
    with tempfile.TemporaryDirectory() as folder:
        conn = connect(Path(folder) / "bench.db", create=True)
        started = time.perf_counter()
        build(conn, args.letters, args.actions)
        history = conn.execute("SELECT count(*) FROM action_history").fetchone()[0]
        print(
            f"built {args.letters} letters, {args.actions} actions, {history} history rows "
            f"in {time.perf_counter() - started:.1f} s"
        )
        plan_out, report_out = Path(folder) / "plan.docx", Path(folder) / "report.docx"
        runs = {
            "write_plan": lambda: write_plan(conn, plan_out, authority=AUTHORITY, today=today),
            "write_plan --as-at": lambda: write_plan(
                conn, plan_out, authority=AUTHORITY, today=today, as_at=as_at
            ),
            "write_report": lambda: write_report(
                conn, report_out, authority=AUTHORITY, since=since, today=today
            ),
            "write_report --as-at": lambda: write_report(
                conn, report_out, authority=AUTHORITY, since="2022-01-01", today=today,
                as_at=as_at,
            ),
        }  # fmt: skip
        for name, write in runs.items():
            best, median, out = _timed(args.repeat, write)
            document = docx.Document(str(out))
            if "plan" in name:
                detail = f"{len(document.tables[-2].rows) - 1} rows in the main table"
            else:
                detail = f"{len(document.inline_shapes)} charts"
            verdict = "ok" if median < TARGET_SECONDS else "TOO SLOW"
            print(
                f"{name}: best {best:.2f} s, median {median:.2f} s over {args.repeat} runs "
                f"({detail}; target < {TARGET_SECONDS:.0f} s: {verdict})"
            )
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(out, args.keep / f"{name.replace(' --', '-')}.docx")


if __name__ == "__main__":
    main()
