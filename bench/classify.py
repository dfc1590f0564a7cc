"""How good and how fast is the theme model? Cross-validation by council, speed and memory.

    python bench/classify.py [--seeds 0 1 2] [--workers 1] [--speed-only] [--json]

Accuracy: five folds by council (models/scripts/crossval.py), each scored by a pipeline
trained exactly as the shipped one is, on the other councils only, against TF-IDF word 1-2
grams + one-vs-rest logistic regression trained on the same units; theme micro-F1 pooled
over the folds, mean and spread over seeds, per kind of unit and per source of labels (the
gold, the project's labels), per-theme F1, and polarity accuracy on findings. This retrains
the pipeline 5 x seeds times (most of an hour on a shared 2-core machine).

Speed: `classify()` of the shipped pipeline on every finding of the ILACS reports in the
corpus, the process pinned to one core; peak memory (RSS) of a fresh process that loads the
pipeline and classifies 20,000 units, streamed (`iter_classify`); loading time.
scikit-learn is a dev dependency, used for the baseline only. Skips without ../shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lettermine.corpus import corpus_dir  # noqa: E402

MODEL = ROOT / "models" / "lettermine_themes"
RSS_UNITS = 20_000


def pin_one_core() -> None:
    """Measure on one core, as the target says: pin the process, keep BLAS single-threaded."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def ilacs_findings(corpus: Path) -> list[str]:
    """The text of every finding lettermine reads in the corpus's ILACS reports."""
    from lettermine.errors import LettermineError
    from lettermine.read.extract import read_text
    from lettermine.read.parse import parse_letter

    texts = []
    for path in sorted((corpus / "ilacs" / "pdf").glob("*.pdf")):
        try:
            letter = parse_letter(read_text(path))
        except LettermineError:
            continue
        if letter.kind == "ilacs":
            texts += [u.text for u in letter.units if u.kind == "finding"]
    return texts


def speed(model: Path, texts: list[str], repeats: int = 3) -> dict[str, Any]:
    """Units per second of classify() on these findings (one core), best and all of `repeats`."""
    from lettermine.classify import classify, load_pipeline

    nlp = load_pipeline(model)
    kinds = ["finding"] * len(texts)
    classify(nlp, texts, kinds)  # a first pass meets every word once (stems are cached)
    rates, cpu = [], []
    for _ in range(repeats):
        wall, used = time.perf_counter(), time.process_time()
        classify(nlp, texts, kinds)
        rates.append(len(texts) / (time.perf_counter() - wall))
        cpu.append(len(texts) / (time.process_time() - used))
    return {
        "units": len(texts),
        "words_per_unit": round(sum(len(t.split()) for t in texts) / max(1, len(texts)), 1),
        "classify_units_per_s": round(max(rates)),
        "classify_units_per_s_runs": [round(r) for r in rates],
        "classify_units_per_s_cpu_time": round(max(cpu)),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


_RSS_CODE = """
import json, resource, sys, time
t0 = time.perf_counter()
import spacy
t1 = time.perf_counter()
from lettermine.classify import iter_classify, load_pipeline
t2 = time.perf_counter(); nlp = load_pipeline(sys.argv[1]); t3 = time.perf_counter()
texts = [line.rstrip("\\n") for line in open(sys.argv[2], encoding="utf-8")]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
n = sum(1 for _ in iter_classify(nlp, texts, ["finding"] * len(texts)))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"units": n, "rss_before_mb": before / 1024, "peak_rss_mb": peak / 1024,
                  "import_spacy_s": t1 - t0, "load_pipeline_s": t3 - t2}))
"""


def memory(model: Path, texts: list[str], units: int = RSS_UNITS) -> dict[str, Any]:
    """Peak RSS of a fresh process classifying `units` findings (the corpus's, repeated)."""
    import tempfile

    chosen = (texts * (units // max(1, len(texts)) + 1))[:units]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        f.write("".join(t.replace("\n", " ") + "\n" for t in chosen))
    try:
        out = subprocess.run(
            [sys.executable, "-c", _RSS_CODE, str(model), f.name],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
    finally:
        os.unlink(f.name)
    return {
        k: round(v, 2) if isinstance(v, float) else v for k, v in json.loads(out.stdout).items()
    }


def accuracy(seeds: list[int], workers: int, cache: Path | None) -> dict[str, Any]:
    """Cross-validation by council: the pipeline and TF-IDF + LR on the same five folds."""
    from models.scripts import crossval

    corpus = corpus_dir()
    train, test, unlabelled = crossval.load_data(corpus, True, True, cache)
    report = crossval.run(train, test, unlabelled, seeds=seeds, workers=workers)
    report["per_theme"] = crossval.per_theme(test, report.pop("results"))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--workers", type=int, default=1, help="cross-validation processes")
    parser.add_argument("--speed-only", action="store_true", help="skip the cross-validation")
    parser.add_argument("--cache", type=Path, default=None, help="keep the corpus read here")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    args = parser.parse_args()
    corpus = corpus_dir()
    if not (corpus / "gold").is_dir():
        print(f"skipped: {corpus / 'gold'} is absent (the benchmark needs the corpus)")
        return
    texts = ilacs_findings(corpus)
    figures: dict[str, Any] = {"memory": memory(args.model, texts)}
    pin_one_core()
    figures["speed"] = speed(args.model, texts)
    figures["model_mb"] = round(
        sum(f.stat().st_size for f in args.model.rglob("*") if f.is_file()) / 1e6, 1
    )
    if not args.speed_only:
        figures["accuracy"] = accuracy(args.seeds, args.workers, args.cache)
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    print_report(figures)


def print_report(figures: dict[str, Any]) -> None:
    """The figures as plain tables."""
    from models.scripts.crossval import print_report as print_cv

    if "accuracy" in figures:
        acc = figures["accuracy"]
        print_cv(acc)
        per = acc["per_theme"]
        print(f"\n{'theme F1 (gold, five folds pooled, mean over seeds)':52s} {'n':>5s} "
              f"{'pipeline':>8s} {'tfidf_lr':>8s}")  # fmt: skip
        for code, row in per.items():
            print(f"{code:52s} {row['support']:5d} {row['pipeline']:8.3f} {row['tfidf_lr']:8.3f}")
        print()
    s, m = figures["speed"], figures["memory"]
    print(
        f"classify() on {s['units']} ILACS findings ({s['words_per_unit']} words each), one "
        f"core: {s['classify_units_per_s']} units/s (runs {s['classify_units_per_s_runs']}; "
        f"{s['classify_units_per_s_cpu_time']} by CPU time; load average "
        f"{s['load_average']:.1f})"
    )
    print(
        f"peak RSS of a process classifying {m['units']} units: {m['peak_rss_mb']:.0f} MB "
        f"({m['rss_before_mb']:.0f} MB before classifying); import spacy "
        f"{m['import_spacy_s']:.2f} s, load_pipeline {m['load_pipeline_s']:.2f} s; model "
        f"{figures['model_mb']} MB"
    )


if __name__ == "__main__":
    main()
