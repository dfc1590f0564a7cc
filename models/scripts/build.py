"""Build the shipped theme pipeline: every labelled unit, thresholds tuned out of fold.

    python -m models.scripts.build [--corpus ../shared/corpus] [--out models/lettermine_themes]

1. Read the labelled units: the gold (`corpus/gold/`: areas for improvement, priority actions
   and findings of inspection reports and focused visits, JTAI and area SEND units) and the
   project's own labels (models/labels/, their text read from the corpus letters).
2. Read the unlabelled findings of the corpus letters (`corpus/*/pdf/`) for self-training.
3. Train on every council with `lettermine.training.train_pipeline`: thresholds tuned on
   out-of-fold scores (4 folds by council), then the final model on all units.
The pipeline is judged by cross-validation by council (models/scripts/crossval.py,
bench/classify.py), not here: it learns from every council there is. Writes
models/training/build.json (what it learnt from, the thresholds' tuning). Deterministic for a
seed: the default seed rebuilds the committed pipeline byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "models" / "lettermine_themes"
SUMMARY = ROOT / "models" / "training" / "build.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from lettermine.corpus import corpus_dir
    from lettermine.self_training import read_unlabelled
    from lettermine.training import read_gold, read_project_labels, train_pipeline

    corpus = args.corpus or corpus_dir()
    if not (corpus / "gold").is_dir():
        sys.exit(f"no gold folder at {corpus / 'gold'} (pass --corpus)")
    started = time.perf_counter()
    examples = read_gold(corpus / "gold") + read_project_labels(corpus)
    unlabelled = read_unlabelled(corpus)
    by_origin = Counter(str(ex.get("origin")) for ex in examples)
    print(
        f"labelled: {len(examples)} units ({dict(by_origin)}) of "
        f"{len({ex['authority'] for ex in examples})} councils; unlabelled: {len(unlabelled)} "
        "findings",
        file=sys.stderr,
    )
    train_pipeline(
        examples,
        args.out,
        seed=args.seed,
        log=lambda m: print(m, file=sys.stderr),
        unlabelled=unlabelled,
    )
    thresholds = json.loads((args.out / "thresholds.json").read_text(encoding="utf-8"))
    summary = {
        "units": len(examples),
        "by_origin": dict(by_origin),
        "by_kind": dict(Counter(f"{ex.get('letter')}/{ex['kind']}" for ex in examples)),
        "unlabelled": len(unlabelled),
        "seed": args.seed,
        "thresholds": thresholds,
        "seconds": round(time.perf_counter() - started, 1),
    }
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print(f"built {args.out} in {summary['seconds']:.0f} s; summary: {SUMMARY}")


if __name__ == "__main__":
    main()
