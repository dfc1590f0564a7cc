"""Build the shipped theme pipeline from gold: convert, train, tune thresholds, evaluate.

    python -m models.scripts.build [--gold ../shared/corpus/gold] [--out models/lettermine_themes]

1. Convert the gold units and split them by authority (models/corpus/, see convert.py).
2. Read the unlabelled findings of the corpus letters beside the gold folder (--corpus, default
   the gold folder's parent) for self-training; only the training councils' are ever used.
3. Train on the training councils with `lettermine.training.train_pipeline`: thresholds are
   tuned on out-of-fold scores (4 folds of the training councils: the "dev" part), then the
   final model is trained on all training councils.
4. Evaluate on the held-out councils; write models/training/metrics.json and print a summary.
The test councils are never used to train or tune, labelled or not. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from models.scripts.convert import DEFAULT_GOLD, ROOT, convert, load_split

DEFAULT_MODEL = ROOT / "models" / "lettermine_themes"
METRICS = ROOT / "models" / "training" / "metrics.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--corpus", type=Path, default=None, help="letters to self-train on (default: gold/..)"
    )
    args = parser.parse_args()
    if not args.gold.is_dir():
        sys.exit(f"no gold folder at {args.gold} (pass --gold)")

    from lettermine.classify import load_pipeline
    from lettermine.self_training import read_unlabelled
    from lettermine.training import evaluate_pipeline, train_pipeline

    started = time.perf_counter()
    summary = convert(args.gold, ROOT / "models" / "corpus")
    print(
        f"split: train {summary['train']['units']} units / "
        f"{len(summary['train']['authorities'])} authorities, test "
        f"{summary['test']['units']} units / {len(summary['test']['authorities'])}",
        file=sys.stderr,
    )
    train, test = load_split(args.gold)
    unlabelled = read_unlabelled(args.corpus or args.gold.parent)
    print(f"unlabelled: {len(unlabelled)} findings of corpus letters", file=sys.stderr)
    train_pipeline(
        train,
        args.out,
        seed=args.seed,
        log=lambda m: print(m, file=sys.stderr),
        unlabelled=unlabelled,
    )
    nlp = load_pipeline(args.out)
    report = evaluate_pipeline(nlp, test)
    report["train_seconds"] = round(time.perf_counter() - started, 1)
    report["thresholds"] = json.loads((args.out / "thresholds.json").read_text())
    METRICS.parent.mkdir(parents=True, exist_ok=True)
    METRICS.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(
        f"held-out theme micro-F1 {report['micro_f1']:.3f} "
        f"(areas {report['micro_f1_areas']:.3f}, findings {report['micro_f1_findings']:.3f}), "
        f"polarity accuracy {report['polarity_accuracy']:.3f} "
        f"on {report['polarity_units']} findings; {report['train_seconds']:.0f} s"
    )
    print(f"metrics: {METRICS}")


if __name__ == "__main__":
    main()
