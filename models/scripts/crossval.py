"""Five-fold cross-validation by authority: how much does the held-out figure vary by fold?

    python -m models.scripts.crossval [--gold ../shared/corpus/gold] [--workers 2] [--folds 1 2 3 4]

The shipped model is judged on one held-out fold (461 units, 18 councils): one fold is a small
sample. This trains the pipeline exactly as the build does (thresholds tuned out-of-fold inside
the training part) once per fold of councils, scores the fold it did not see, and does the same
for TF-IDF + logistic regression (word 1-2 grams, one-vs-rest, balanced, threshold 0.5).
Prints per-fold and pooled figures; nothing is saved. Needs scikit-learn (a dev dependency).
`--folds 1 2 3 4` scores only those folds (each still trained on all the other councils, fold 0
included): use it to choose between model changes without looking at the held-out fold 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from models.scripts.convert import DEFAULT_GOLD, FOLDS


def run_fold(
    gold: Path, fold: int, seed: int = 0, unlabelled: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Pipeline and TF-IDF + LR predictions for one held-out fold of councils.

    `unlabelled`: the corpus's findings (read_unlabelled); train_pipeline self-trains on those
    of the fold's training councils only.
    """
    import numpy
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    from lettermine.classify import classify, load_pipeline, pick_themes
    from lettermine.themes import THEME_CODES
    from lettermine.training import read_gold, split_by_authority, train_pipeline

    train, test = split_by_authority(read_gold(gold), FOLDS, fold)
    with tempfile.TemporaryDirectory() as tmp:
        model = train_pipeline(train, Path(tmp) / "model", seed=seed, unlabelled=unlabelled or [])
        nlp = load_pipeline(model)
        results = classify(nlp, [ex["text"] for ex in test], [ex["kind"] for ex in test])
    vec = TfidfVectorizer(ngram_range=(1, 2))
    x = vec.fit_transform([ex["text"] for ex in train])
    y = numpy.asarray([[c in ex["themes"] for c in THEME_CODES] for ex in train], dtype=int)
    clf = OneVsRestClassifier(LogisticRegression(class_weight="balanced", max_iter=2000))
    probs = clf.fit(x, y).predict_proba(vec.transform([ex["text"] for ex in test]))
    half = dict.fromkeys(THEME_CODES, 0.5)
    return {
        "fold": fold,
        "test": test,
        "pipeline_themes": [[c for c, _ in r.themes] for r in results],
        "pipeline_polarity": [r.polarity for r in results],
        "lr_themes": [
            [c for c, _ in pick_themes(dict(zip(THEME_CODES, map(float, p), strict=True)), half)]
            for p in probs
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--folds",
        type=int,
        nargs="+",
        default=list(range(FOLDS)),
        help="which folds of councils to score (default: all five)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not args.gold.is_dir():
        sys.exit(f"no gold folder at {args.gold} (pass --gold)")
    from lettermine.self_training import read_unlabelled
    from lettermine.training import evaluate_predictions

    chosen_folds = sorted(set(args.folds))
    if any(not 0 <= f < FOLDS for f in chosen_folds):
        sys.exit(f"--folds takes fold numbers from 0 to {FOLDS - 1}")
    unlabelled = read_unlabelled(args.gold.parent)  # once, not once per fold
    n = len(chosen_folds)
    with ProcessPoolExecutor(args.workers) as pool:
        folds = list(
            pool.map(run_fold, [args.gold] * n, chosen_folds, [args.seed] * n, [unlabelled] * n)
        )
    rows = []
    for part in [*folds, None]:
        chosen = folds if part is None else [part]
        test = [ex for f in chosen for ex in f["test"]]
        pipe = evaluate_predictions(
            test,
            [t for f in chosen for t in f["pipeline_themes"]],
            [p for f in chosen for p in f["pipeline_polarity"]],
        )
        lr = evaluate_predictions(test, [t for f in chosen for t in f["lr_themes"]])
        rows.append(
            {
                "fold": "all" if part is None else part["fold"],
                "units": len(test),
                "pipeline_micro_f1": round(pipe["micro_f1"], 4),
                "pipeline_areas": round(pipe["micro_f1_areas"], 4),
                "pipeline_findings": round(pipe["micro_f1_findings"], 4),
                "tfidf_lr_micro_f1": round(lr["micro_f1"], 4),
                "polarity_accuracy": round(pipe["polarity_accuracy"] or 0.0, 4),
                "polarity_units": pipe["polarity_units"],
            }
        )
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(
        f"{'fold':>4s} {'units':>5s} {'pipeline':>8s} {'areas':>6s} {'findings':>8s} "
        f"{'tfidf_lr':>8s} {'gain':>6s} {'polarity':>8s} {'(n)':>5s}"
    )
    for r in rows:
        gain = r["pipeline_micro_f1"] - r["tfidf_lr_micro_f1"]
        print(
            f"{r['fold']!s:>4s} {r['units']:5d} {r['pipeline_micro_f1']:8.3f} "
            f"{r['pipeline_areas']:6.3f} {r['pipeline_findings']:8.3f} "
            f"{r['tfidf_lr_micro_f1']:8.3f} {gain:+6.3f} {r['polarity_accuracy']:8.3f} "
            f"{r['polarity_units']:5d}"
        )


if __name__ == "__main__":
    main()
