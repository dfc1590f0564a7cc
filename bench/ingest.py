"""How fast is ingest? PDFs per second for the whole ingest against bare pypdfium2 text extraction.

    python bench/ingest.py [--limit N] [--no-classify]

Both runs read the same corpus PDFs in one process; the ratio (ingest time / bare extraction time)
should be at most 1.5. The whole ingest is read + normalise + parse + classify + store in a fresh
SQLite file; the bare run is pypdfium2's get_text_range() on every page and nothing else.
"""

from __future__ import annotations

import argparse
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


def full_ingest(files: list[Path], classify: bool) -> tuple[float, float, int]:
    """Seconds to ingest every file into a new database, the model load time, and failures."""
    from lettermine.db import open_db
    from lettermine.errors import LettermineError
    from lettermine.ingest import Classifier, ingest_file

    with tempfile.TemporaryDirectory() as tmp:
        conn = open_db(Path(tmp) / "bench.db").conn
        classifier = Classifier(enabled=classify)
        load = 0.0
        if classify:  # load the model outside the timed loop, and report it separately
            t0 = time.perf_counter()
            classifier(["warm up"], ["finding"])
            load = time.perf_counter() - t0
        failed = 0
        start = time.perf_counter()
        for path in files:
            try:
                ingest_file(conn, path, classifier)
            except LettermineError as e:
                failed += 1
                print(f"  failed: {e}", file=sys.stderr)
        return time.perf_counter() - start, load, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N PDFs")
    parser.add_argument("--no-classify", action="store_true", help="skip the theme model")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} is absent")
        return
    files = sorted(CORPUS.glob("*/pdf/*.pdf"))
    if args.limit:
        files = files[: args.limit]
    bare_extract(files[:5])  # warm the file cache so neither run pays for the disk
    bare = bare_extract(files)
    full, load, failed = full_ingest(files, classify=not args.no_classify)
    n = len(files)
    print(f"PDFs: {n} ({failed} failed)")
    print(f"bare pypdfium2 text: {bare:6.2f} s  {n / bare:6.1f} PDFs/s")
    print(
        f"whole ingest:        {full:6.2f} s  {n / full:6.1f} PDFs/s"
        + (f"  (+ model load {load:.2f} s once)" if load else "")
    )
    print(f"ratio ingest/bare:   {full / bare:6.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
