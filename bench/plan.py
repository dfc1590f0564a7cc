"""How fast is the action plan? Seconds for write_plan over 5 letters and 200 actions.

    python bench/plan.py [--actions 200] [--letters 5] [--repeat 3] [--keep plan.docx]

Builds a synthetic database (invented letter texts, themes, actions with updates, measures and
revised due dates) in a temporary folder, then times write_plan; the target is under 2 s.
Prints the best and median of the runs, and the main table's row count.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
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
        actions.update_action(
            conn,
            action_id,
            percent=rng.randrange(0, 100, 10),
            note=f"Progress note {k + 1}: audit completed, actions agreed.",
            date=f"{2018 + k % n_letters}-09-01",
        )
        if k % 3 == 0:
            actions.add_measure(
                conn,
                action_id,
                name="Visits in timescale",
                baseline=60,
                target=95,
                unit="%",
                date=f"{2018 + k % n_letters}-09-01",
            )
            actions.update_action(
                conn, action_id, value=rng.randint(60, 98), date=f"{2018 + k % n_letters}-12-01"
            )
        if k % 7 == 0:
            actions.revise_due(
                conn,
                action_id,
                f"{2020 + k % n_letters}-06-30",
                reason="Resources moved",
                date=f"{2019 + k % n_letters}-01-10",
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--letters", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Copy the last plan written here.")
    args = parser.parse_args()

    import docx

    from lettermine.db import connect
    from lettermine.report import write_plan

    with tempfile.TemporaryDirectory() as folder:
        conn = connect(Path(folder) / "bench.db")
        started = time.perf_counter()
        build(conn, args.letters, args.actions)
        print(
            f"built {args.letters} letters, {args.actions} actions "
            f"in {time.perf_counter() - started:.1f} s"
        )
        out = Path(folder) / "plan.docx"
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            write_plan(conn, out, authority=AUTHORITY, today="2022-06-01")
            times.append(time.perf_counter() - started)
        rows = len(docx.Document(str(out)).tables[-1].rows) - 1
        if args.keep:
            shutil.copy(out, args.keep)
    best, median = min(times), statistics.median(times)
    verdict = "ok" if median < TARGET_SECONDS else "TOO SLOW"
    print(
        f"write_plan: best {best:.2f} s, median {median:.2f} s over {args.repeat} runs "
        f"({rows} rows in the main table; target < {TARGET_SECONDS:.0f} s: {verdict})"
    )


if __name__ == "__main__":
    main()
