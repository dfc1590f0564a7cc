"""Which areas for improvement recur? Ingest a few authorities' letters and list the matches.

    python bench/recurring.py [--urn 80526 80523 80535] [--themes auto|model|gold|none] [-v]

Ingests every PDF of the given URNs (default: North East Lincolnshire 80526, Middlesbrough 80523,
Oldham 80535) from ../shared/corpus/{focused,ilacs}/pdf into a temporary database, then runs
lettermine.recurrence.find_recurring per authority and prints each pair (later area <- earlier
area, how it matched, score) numbered, so a sample can be checked by hand against the texts.

Themes: `model` classifies with the shipped pipeline (models/lettermine_themes); `gold` copies
the themes of ../shared/corpus/gold onto the parsed units whose normalised text equals a gold
unit's (an upper bound: what a perfect classifier would give); `none` matches on words only;
`auto` (default) is `model` when the shipped pipeline exists, else `none`.

Checked by hand (every pair read against its texts; "right" = the same concern raised again, so
the earlier action is relevant; "partly" = the same practice area, another aspect of it), on the
17 documents of the default URNs, 96 areas:
- themes none (no shipped model yet): 32 pairs: 19 right, 7 partly, 6 wrong.
- themes gold: 44 pairs: the same 32 plus 12 by themes alone: 6 right, 4 partly, 2 wrong.
- themes model (the shipped pipeline, 2026-11-27): 44 pairs, 41 of them the same as with gold
  themes; the 3 others are one 2024 area on pathway plans matched to three earlier areas on
  planning for children (partly); gold's 3 not found: supervision <- management direction,
  child protection chairs' oversight <- evidence in investigations, safety plans <- care
  planning (all partly). So the shipped model gives what perfect themes would, within 3 pairs.
Known misses without themes: Oldham's assessments (2018 -> 2019), North East Lincolnshire's
audits (2019 -> 2021) and Middlesbrough's planning (2019 -> 2023); themes find all three.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lettermine.corpus import corpus_dir  # noqa: E402

CORPUS = corpus_dir()
MODEL = ROOT / "models" / "lettermine_themes"

from lettermine.db import connect  # noqa: E402
from lettermine.errors import LettermineError  # noqa: E402
from lettermine.ingest import Classifier, ingest_file  # noqa: E402
from lettermine.letters import UnitThemes, store_themes  # noqa: E402
from lettermine.recurrence import find_recurring  # noqa: E402

DEFAULT_URNS = ["80526", "80523", "80535"]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\ufffe", "").lower()
    text = re.sub(r"[\u2018\u2019]", "'", text)
    text = re.sub(r"[\u2010-\u2015\u2212-]", "-", text)
    return re.sub(r"\s+", " ", text).strip(" .;,")


def _gold_themes(urns: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for folder in ("afi", "focused"):
        for urn in urns:
            for path in (CORPUS / "gold" / folder).glob(f"{urn}_*.json"):
                data = json.loads(path.read_text(encoding="utf-8"))
                for key in ("areas_for_improvement", "priority_actions"):
                    for unit in data.get(key) or []:
                        out[_norm(unit["text"])] = unit["themes"]
    return out


def _apply_gold(conn: sqlite3.Connection, urns: list[str]) -> tuple[int, int]:
    gold = _gold_themes(urns)
    units = conn.execute(
        "SELECT id, text FROM units WHERE kind IN ('area_for_improvement', 'priority_action')"
    ).fetchall()
    found = 0
    conn.execute("BEGIN")
    for unit_id, text in units:
        codes = gold.get(_norm(text))
        if codes:
            found += 1
            themes = [(c, 1.0 - 0.01 * i) for i, c in enumerate(codes)]  # gold order = main first
            store_themes(conn, unit_id, UnitThemes(themes, None, source="gold"))
    conn.execute("COMMIT")
    return found, len(units)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urn", nargs="+", default=DEFAULT_URNS)
    parser.add_argument("--themes", choices=["auto", "model", "gold", "none"], default="auto")
    parser.add_argument("--db", type=Path, help="keep the database here (default: temporary)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print whole texts")
    args = parser.parse_args()
    themes = args.themes
    if themes == "auto":
        themes = "model" if MODEL.exists() else "none"
    if themes == "model" and not MODEL.exists():
        print(f"no shipped model at {MODEL}", file=sys.stderr)
        return 2
    files = sorted(
        p for urn in args.urn for sub in ("focused", "ilacs")
        for p in (CORPUS / sub / "pdf").glob(f"{urn}_*.pdf")
    )  # fmt: skip
    db = args.db or Path(tempfile.mkdtemp()) / "recurring.db"
    conn = connect(db, create=True)
    classifier = Classifier(MODEL if themes == "model" else None, enabled=themes == "model")
    started = time.perf_counter()
    failed = 0
    for path in files:
        try:
            result = ingest_file(conn, path, classifier)
            print(f"{path.name}: letter {result.letter_id}, {result.kind}, {result.units} units")
        except (LettermineError, ImportError) as e:  # ImportError: a parser not written yet
            failed += 1
            print(f"{path.name}: FAILED {type(e).__name__}: {e}")
    print(f"{len(files)} files, {failed} failed, {time.perf_counter() - started:.1f} s")
    if themes == "gold":
        labelled, total = _apply_gold(conn, args.urn)
        print(f"gold themes copied onto {labelled} of {total} areas (by equal normalised text)")
    print(f"themes: {themes}\n")
    kinds = Counter(
        r[0]
        for r in conn.execute(
            "SELECT kind FROM units WHERE kind IN ('area_for_improvement', 'priority_action')"
        )
    )
    authorities = [r[0] for r in conn.execute("SELECT DISTINCT authority FROM letters ORDER BY 1")]
    pairs = 0
    by: Counter[str] = Counter()
    for authority in authorities:
        found = find_recurring(conn, authority, use_themes=themes != "none")
        n_pairs = sum(len(f["earlier"]) for f in found)
        print(f"== {authority}: {len(found)} areas repeat an earlier one ({n_pairs} pairs)")
        for area in found:
            for earlier in area["earlier"]:
                pairs += 1
                by[earlier["by"]] += 1
                cut = None if args.verbose else 110
                print(f"[{pairs}] {area['unit']} {area['date']} {area['text'][:cut]}")
                print(f"     <- {earlier['unit']} {earlier['date']} {earlier['text'][:cut]}")
                shared = f"themes {earlier['shared_themes']}  words {earlier['shared_words']}"
                print(f"     {earlier['by']} {earlier['score']:.2f}  {shared}")
        print()
    print(
        f"{sum(kinds.values())} areas ({kinds['area_for_improvement']} AFIs, "
        f"{kinds['priority_action']} priority actions), {pairs} pairs: "
        + ", ".join(f"{k} {v}" for k, v in sorted(by.items()))
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
