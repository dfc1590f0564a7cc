"""How fast is ingest? The whole ingest against bare pypdfium2 text extraction, in one run.

    python bench/ingest.py [--limit N] [--no-classify] [--workers N]

Bare: pypdfium2's get_text_range() on every page of every corpus PDF, in one process, nothing
else. Whole ingest: `lettermine.ingest.ingest_files` as `lettermine ingest` runs it (files
hashed, then read and parsed in a pool of worker processes, one per core, 4 files a job, each
worker reading its PDFs in one bounded child process; classified, 4 files' units in one call,
and stored by this process in a fresh SQLite file, one transaction per letter; the search index
merged and the peer index refreshed at the end), model loading included. The target is a ratio
(whole / bare) of at most 1.2 on a 2-core machine. Other processes slow both runs: the load
average before and after is printed; measure when it is low. CPU seconds (user + system) are
printed too: bare; ingest in this process (hashing, model loading, classifying, storing,
indexing); ingest in the workers and their readers (reading and parsing). Their sum over two
cores is the least the whole ingest can take there, whatever the neighbours do.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lettermine.corpus import corpus_dir  # noqa: E402

CORPUS = corpus_dir()


def bare_extract(files: list[Path]) -> float:
    """Seconds for pypdfium2 to read every page's text of every file."""
    import pypdfium2 as pdfium

    start = time.perf_counter()
    for path in files:
        pdf = pdfium.PdfDocument(str(path))
        for page in pdf:
            page.get_textpage().get_text_range()
        pdf.close()
    return time.perf_counter() - start


def full_ingest(files: list[Path], classify: bool, workers: int | None) -> tuple[float, int, int]:
    """Seconds to ingest every file into a new database, units stored, and files that failed."""
    from lettermine import peer_index
    from lettermine.db import open_db, optimize_search_index
    from lettermine.errors import LettermineError
    from lettermine.ingest import Classifier, ingest_files

    with tempfile.TemporaryDirectory() as tmp:
        before = _cpu()
        start = time.perf_counter()
        conn = open_db(Path(tmp) / "bench.db").conn
        classifier = Classifier(enabled=classify)
        failed = units = 0
        for _path, outcome in ingest_files(conn, files, classifier, workers=workers):
            if isinstance(outcome, LettermineError):
                failed += 1
            else:
                units += outcome.units
        optimize_search_index(conn)
        peer_index.refresh(conn)
        wall = time.perf_counter() - start
        after = _cpu()
        CPU["ingest, this process"] = after[0] - before[0]
        CPU["ingest, worker processes"] = after[1] - before[1]
        return wall, units, failed


CPU: dict[str, float] = {}


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process, and of its children that have ended."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N PDFs")
    parser.add_argument("--no-classify", action="store_true", help="skip the theme model")
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} is absent")
        return
    files = sorted(CORPUS.glob("*/pdf/*.pdf"))
    if args.limit:
        files = files[: args.limit]
    load_before = os.getloadavg()[0]
    bare_extract(files[:5])  # warm the file cache so neither run pays for the disk
    before = _cpu()
    bare = bare_extract(files)
    CPU["bare"] = _cpu()[0] - before[0]
    full, units, failed = full_ingest(files, not args.no_classify, args.workers)
    load_after = os.getloadavg()[0]
    n = len(files)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    print(f"PDFs: {n} ({failed} refused), {units} units stored; {cores} cores")
    print(f"bare pypdfium2 text, one process: {bare:6.2f} s  {n / bare:6.1f} PDFs/s")
    what = "without classification" if args.no_classify else "with classification"
    print(f"whole ingest {what}: {full:6.2f} s  {n / full:6.1f} PDFs/s (model load included)")
    print(f"ratio ingest/bare:   {full / bare:6.2f}  (target <= 1.2)")
    print("CPU seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in CPU.items()))
    spent = CPU["ingest, this process"] + CPU["ingest, worker processes"]
    print(
        f"ingest CPU / bare CPU: {spent / CPU['bare']:.2f}; over {cores} cores at best "
        f"{spent / cores:.2f} s, ratio {spent / cores / CPU['bare']:.2f}"
    )
    print(f"load average: {load_before:.1f} before, {load_after:.1f} after")


if __name__ == "__main__":
    main()
