"""How fast is search? Query latency on a database of 100,000+ units, and the whole CLI process.

    python bench/search.py [--units N] [--pdfs N] [--runs N] [--keep FILE] [--repeat N]
                           [--rounds N] [--all] [--ids FILE] [--no-process]

Builds a temporary database: corpus PDFs ingested (without the theme model), the gold letters of
../shared/corpus/gold for every PDF that did not ingest (their units carry themes and polarity),
then letters and units copied with new ids, authorities and dates until there are N units, the
search index then merged as `lettermine ingest` leaves it. With --keep FILE the database is built
there once and reused by later runs. Then times 50 varied queries with filters through
lettermine.search.search_units (p50/p95 of each query's median over --rounds runs, wall and CPU
time; --repeat runs the whole set again, --all prints every query), and the whole
`lettermine search ...` process (median of --runs runs). --ids FILE saves every query's result
ids, or compares them with those saved, to check a change keeps the results.

Targets: p50 <= 5 ms for the query; the process <= 0.5 s, aiming at 0.3 s. Measured on 100,776
units, on the shared 2-CPU machine with others training models beside it (load 2.8-3.1, which
moves wall times ~2x and CPU times ~1.5x), five runs: p50 4.5-7.9 ms wall, 4.2-5.9 ms CPU; p95
31-46 ms wall, 22-27 ms CPU (common single words: "children" matches 66,000 units and BM25
scores every one, ~50 ms); the process 0.31-0.45 s wall, 0.23-0.32 s CPU. The older query path
(snippets cut from units_fts, themes checked by code, index not merged), timed alternately with
this one: p50 5.2-5.6 ms CPU against 4.7-5.1 ms; callgrind counts 28% fewer instructions at p50.
Most of what is left is FTS5's own: bm25() first counts every row holding each word (40% of a
query with a common word such as "plans"), then reads each scored row's size by a nested query.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lettermine.corpus import corpus_dir  # noqa: E402

CORPUS = corpus_dir()
GOLD = CORPUS / "gold"

# Varied on purpose: rare and common words, phrases, stems, hyphens, apostrophes, prefixes, each
# with and without filters, both orders. (query, search_units keyword arguments)
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("changes of social worker", {}),
    ("supervision", {"themes": ["supervision_oversight"], "authority": "Bradford"}),
    ("PLO", {"kind": "ilacs", "section": "children in care", "polarity": "concern"}),
    ("caseloads", {}),
    ("caseloads", {"since": "2019-01-01", "until": "2021-12-31"}),
    ("children", {}),
    ("children", {"authority": "North East Lincolnshire"}),
    ("children", {"themes": ["care_leavers"], "order": "newest"}),
    ("social work", {"unit_kind": "area_for_improvement"}),
    ("management oversight", {"polarity": "concern"}),
    ('"management oversight"', {"order": "newest"}),
    ("children's plans", {}),
    ("PLO-358", {}),
    ("multi-agency", {"themes": ["partnership"]}),
    ("pre-proceedings", {"since": "2018-01-01"}),
    ("exploitation", {"kind": "focused_visit"}),
    ("missing from home", {}),
    ("return home interviews", {"themes": ["exploitation_missing"]}),
    ("care leavers", {"unit_kind": "area_for_improvement", "order": "newest"}),
    ("personal advisers", {"authority": "Kent"}),
    ("pathway plans", {"polarity": "mixed"}),
    ("superv*", {"unit_kind": "area_for_improvement"}),
    ("assess*", {"kind": "ilacs"}),
    ("agency staff", {"themes": ["workforce"]}),
    ("recruitment and retention", {}),
    ("AND OR NOT", {}),
    ("visits", {"since": "2022-01-01"}),
    ("strategy meetings", {"themes": ["child_protection"]}),
    ("section 47", {}),
    ("child protection conferences", {"authority": "Oldham"}),
    ("private fostering", {}),
    ("special guardianship", {"themes": ["permanence"]}),
    ("short breaks", {"themes": ["disabled_children"]}),
    ("CAMHS", {}),
    ("emotional wellbeing", {"themes": ["health"]}),
    ("personal education plans", {"themes": ["education"]}),
    ("virtual school", {}),
    ("early help", {"polarity": "strength"}),
    ("front door", {"kind": "focused_visit", "order": "newest"}),
    ("thresholds", {"authority": "Middlesbrough"}),
    ("audits", {"themes": ["quality_assurance"], "unit_kind": "area_for_improvement"}),
    ("performance data", {}),
    ("corporate parenting", {}),
    ("COVID-19", {}),
    ("pandemic", {"since": "2020-03-01", "until": "2021-12-31"}),
    ("leaders", {"themes": ["leadership_governance"], "polarity": "strength"}),
    ("drift and delay", {"order": "newest"}),
    ("life-story work", {}),
    ("the quality", {"unit_kind": "finding"}),
    ("timeliness", {"themes": ["assessment", "planning"]}),
]

CLI_RUNS = [
    ["changes of social worker"],
    ["supervision", "--theme", "supervision_oversight", "--la", "Bradford", "--json"],
    ["PLO", "--kind", "ilacs", "--section", "children in care", "--polarity", "concern", "--csv"],
]


# --- building the database ----------------------------------------------------------------------


def ingest_pdfs(conn: Any, files: list[Path]) -> set[str]:
    """Ingest PDFs without the theme model; the stems of those that gave units."""
    from lettermine.errors import LettermineError
    from lettermine.ingest import Classifier, ingest_file

    done: set[str] = set()
    classifier = Classifier(enabled=False)
    for path in files:
        try:
            result = ingest_file(conn, path, classifier)
        except (LettermineError, ImportError) as e:  # parsers may still be in progress
            print(f"  not ingested: {path.name}: {e}", file=sys.stderr)
            continue
        if result.units:
            done.add(path.stem)
    return done


def gold_letters(skip: set[str]) -> list[tuple[str, Any, list[Any]]]:
    """Letters built from the gold annotations (units with themes and polarity), stem -> letter."""
    from lettermine.authorities import authority_name
    from lettermine.letters import UnitThemes
    from lettermine.records import Letter, Unit

    # The findings files hold the same reports' areas for improvement as afi/ and focused/:
    # read each report once, from the fullest file.
    files: dict[str, Path] = {}
    for folder in ("afi", "focused", "findings", "focused-findings"):
        for path in sorted((GOLD / folder).glob("*.json")):
            files[path.stem] = path
    out = []
    for stem, path in sorted(files.items()):
        if stem in skip:
            continue
        data = json.loads(path.read_text())
        _urn, slug, date = stem.split("_")[:3]
        printed = data.get("local_authority") or slug.replace("-", " ")
        letter = Letter(
            kind=data.get("kind", "other"),
            local_authority=printed,
            authority=authority_name(printed),
            inspection_start=data.get("visit_start"),
            inspection_end=data.get("visit_end"),
            published=data.get("letter_date") or date,
        )
        verdicts = []
        for key, kind in (
            ("priority_actions", "priority_action"),
            ("areas_for_improvement", "area_for_improvement"),
            ("findings", "finding"),
        ):
            for item in data.get(key) or []:
                section = item.get("section") or (
                    None if kind == "finding" else data.get("afi_heading")
                )
                letter.units.append(Unit(kind, item["text"], section, item.get("number")))
                polarity = item.get("polarity") or ("concern" if kind != "finding" else None)
                verdicts.append(UnitThemes([(t, 0.9) for t in item.get("themes", [])], polarity))
        if letter.units:
            out.append((stem, letter, verdicts))
    return out


def replicate(conn: Any, target_units: int) -> None:
    """Copy letters with their units and themes, new ids, until there are enough units.

    One transaction per letter, as ingest writes them, so the search index gets the couple of
    dozen segments a batch leaves before ingest merges them (build() merges them too).
    """
    from lettermine.authorities import AUTHORITIES

    base_letters = conn.execute("SELECT * FROM letters ORDER BY id").fetchall()
    n_units, max_unit = conn.execute("SELECT count(*), max(id) FROM units").fetchone()
    max_letter = base_letters[-1]["id"]
    copies = -(-target_units // n_units) - 1
    columns = [c for c in base_letters[0].keys() if c != "id"]
    insert_letter = (
        f"INSERT INTO letters (id, {', '.join(columns)}) "
        f"VALUES (:id, {', '.join(':' + c for c in columns)})"
    )
    for k in range(1, copies + 1):
        du, dl = k * max_unit, k * max_letter
        for i, row in enumerate(base_letters):
            new = dict(row)
            new["id"] = row["id"] + dl
            new["sha256"] = hashlib.sha256(f"{row['sha256']}:{k}".encode()).hexdigest()
            # Spread copies over other councils and years, as a national database would be.
            new["authority"] = AUTHORITIES[(i * 7 + k * 13) % len(AUTHORITIES)]
            new["local_authority"] = new["authority"]
            for key in ("inspection_start", "inspection_end", "published"):
                if row[key]:
                    year = 2013 + (int(row[key][:4]) - 2013 + k) % 13
                    new[key] = f"{year}{row[key][4:]}".replace("-02-29", "-02-28")
            conn.execute("BEGIN")
            conn.execute(insert_letter, new)
            conn.execute(
                """INSERT INTO units (id, letter_id, seq, kind, section, number, subject, text,
                                      polarity, polarity_score)
                   SELECT id + :du, letter_id + :dl, seq, kind, section, number, subject, text,
                          polarity, polarity_score
                   FROM units WHERE letter_id = :letter""",
                {"du": du, "dl": dl, "letter": row["id"]},
            )
            conn.execute(
                """INSERT INTO unit_themes (unit_id, code, score, source)
                   SELECT t.unit_id + :du, t.code, t.score, t.source
                   FROM unit_themes t JOIN units u ON u.id = t.unit_id
                   WHERE u.letter_id = :letter""",
                {"du": du, "letter": row["id"]},
            )
            conn.execute("COMMIT")


def add_labels(conn: Any) -> None:
    """A person's decisions on some units, so the theme filter has labels to honour."""
    conn.execute("BEGIN")
    conn.execute(
        """INSERT INTO labels (unit_id, code, decision, who, at)
           SELECT id, 'caseloads', 'add', 'bench', '2025-01-01' FROM units WHERE id % 97 = 0"""
    )
    conn.execute(
        """INSERT INTO labels (unit_id, code, decision, who, at)
           SELECT unit_id, code, 'remove', 'bench', '2025-01-01' FROM unit_themes
           WHERE unit_id % 89 = 0"""
    )
    conn.execute("COMMIT")


def build(path: Path, target_units: int, pdfs: int) -> dict[str, Any]:
    """Build the benchmark database at path; what went into it."""
    from lettermine.db import connect, open_db, optimize_search_index
    from lettermine.letters import save_letter

    conn = open_db(path).conn
    conn.row_factory = sqlite3.Row
    t0 = time.perf_counter()
    files = sorted(CORPUS.glob("*/pdf/*.pdf"))[:pdfs] if pdfs else []
    parsed = ingest_pdfs(conn, files)
    for stem, letter, verdicts in gold_letters(parsed):
        sha = hashlib.sha256(f"gold:{stem}".encode()).hexdigest()
        save_letter(conn, letter, sha256=sha, source=f"{stem}.json", themes=verdicts)
    base = conn.execute("SELECT count(*) FROM units").fetchone()[0]
    replicate(conn, target_units)
    add_labels(conn)
    segments = conn.execute("SELECT count(DISTINCT segid) FROM units_fts_idx").fetchone()[0]
    # As `lettermine ingest` leaves it: the index merged after the batch; no ANALYZE.
    optimize_search_index(conn)
    conn.close()
    conn = connect(path)
    counts = {
        "pdfs_tried": len(files),
        "pdfs_ingested": len(parsed),
        "base_units": base,
        "letters": conn.execute("SELECT count(*) FROM letters").fetchone()[0],
        "units": conn.execute("SELECT count(*) FROM units").fetchone()[0],
        "build_s": round(time.perf_counter() - t0, 1),
        "size_mb": round(path.stat().st_size / 1e6, 1),
        "segments": segments,
    }
    conn.close()
    return counts


# --- timing -------------------------------------------------------------------------------------


def time_queries(
    path: Path, rounds: int = 5
) -> tuple[list[float], list[float], list[tuple[float, float, str, int]]]:
    """Per-query wall and CPU latencies (ms, median of rounds after a warm-up), slowest first."""
    from lettermine.db import connect
    from lettermine.search import search_units, use_mmap

    conn = use_mmap(connect(path))  # as the CLI opens it
    wall: list[float] = []
    cpu: list[float] = []
    detail = []
    for query, kwargs in QUERIES:
        hits = search_units(conn, query, **kwargs)  # warm: the page cache, not the answer
        runs, cpu_runs = [], []
        for _ in range(rounds):
            t0, c0 = time.perf_counter(), time.process_time()
            search_units(conn, query, **kwargs)
            runs.append((time.perf_counter() - t0) * 1000)
            cpu_runs.append((time.process_time() - c0) * 1000)
        wall.append(statistics.median(runs))
        cpu.append(statistics.median(cpu_runs))
        detail.append((wall[-1], cpu[-1], f"{query!r} {kwargs}", len(hits)))
    conn.close()
    return wall, cpu, sorted(detail, reverse=True)


def check_ids(path: Path, saved: Path) -> None:
    """Save each query's result ids in order to saved, or compare them with those saved there."""
    from lettermine.db import connect
    from lettermine.search import search_units

    conn = connect(path)
    now = [[h.id for h in search_units(conn, q, **kwargs)] for q, kwargs in QUERIES]
    conn.close()
    if not saved.exists():
        saved.write_text(json.dumps(now, indent=0) + "\n")
        print(f"result ids of {len(now)} queries saved to {saved}")
        return
    before = json.loads(saved.read_text())
    changed = [
        f"{q!r} {kwargs}" for (q, kwargs), a, b in zip(QUERIES, before, now, strict=True) if a != b
    ]
    print(
        f"result ids: {len(now) - len(changed)} of {len(now)} queries as saved in {saved}"
        + "".join(f"\n  changed: {c}" for c in changed)
    )


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100), nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def time_process(path: Path, runs: int) -> list[tuple[str, float, float]]:
    """Median wall time and CPU time (user + system) of whole `lettermine search` processes."""
    import resource

    env = {**os.environ, "LETTERMINE_DB": str(path)}
    out = []
    for args in CLI_RUNS:
        cmd = [sys.executable, "-m", "lettermine", "search", *args]
        walls, cpus = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(
                cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            walls.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        command = " ".join(["lettermine", "search", *args])
        out.append((command, statistics.median(walls), statistics.median(cpus)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000, help="units in the database")
    parser.add_argument("--pdfs", type=int, default=40, help="corpus PDFs to ingest (0: none)")
    parser.add_argument("--runs", type=int, default=7, help="runs of each whole process")
    parser.add_argument("--keep", type=Path, help="build (or reuse) the database here")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each query")
    parser.add_argument("--repeat", type=int, default=1, help="times the whole query set")
    parser.add_argument("--all", action="store_true", help="print every query's latency")
    parser.add_argument("--ids", type=Path, help="save result ids here, or compare with them")
    parser.add_argument("--no-process", action="store_true", help="skip the process timing")
    args = parser.parse_args()
    if not GOLD.is_dir():
        print(f"skipped: {CORPUS} is absent")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.db"
        if not path.exists():
            counts = build(path, args.units, args.pdfs)
            print(
                f"database: {counts['units']:,} units in {counts['letters']:,} letters, "
                f"{counts['size_mb']} MB, {counts['segments']} index segments merged into one, "
                f"built in {counts['build_s']} s "
                f"(base: {counts['base_units']:,} units; "
                f"{counts['pdfs_ingested']}/{counts['pdfs_tried']} PDFs ingested, "
                "the rest from gold)"
            )
        from lettermine.db import connect

        conn = connect(path)  # migrated first, as search would
        segments = conn.execute("SELECT count(DISTINCT segid) FROM units_fts_idx").fetchone()[0]
        units = conn.execute("SELECT count(*) FROM units").fetchone()[0]
        conn.close()
        print(f"timing {path}: {units:,} units, {segments} search index segments")
        if args.ids:
            check_ids(path, args.ids)
        for _ in range(args.repeat):
            print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            wall, cpu, slowest = time_queries(path, args.rounds)
            print(
                f"search_units, {len(wall)} queries: p50 {percentile(wall, 50):.2f} ms, "
                f"p95 {percentile(wall, 95):.2f} ms, max {max(wall):.2f} ms "
                f"(CPU time p50 {percentile(cpu, 50):.2f} ms, p95 {percentile(cpu, 95):.2f} ms;"
                " target p50 <= 5 ms)"
            )
            for ms, cpu_ms, what, n in slowest if args.all else slowest[:5]:
                print(f"  {ms:7.2f} ms (CPU {cpu_ms:7.2f})  {n:2} hits  {what}")
        if args.no_process:
            return
        for command, wall_s, cpu_s in time_process(path, args.runs):
            print(
                f"process {wall_s:.3f} s (CPU {cpu_s:.3f} s)  {command}"
                "  (target <= 0.5 s, aim 0.3 s)"
            )


if __name__ == "__main__":
    main()
