"""How good and how fast is the theme model? The shipped pipeline against two baselines.

    python bench/classify.py [--model models/lettermine_themes] [--json]

On the held-out councils of models/scripts/convert.py (the same split the model was built with:
no council in both train and test), compare:
  - pipeline: the shipped spaCy pipeline (models/lettermine_themes), as it is;
  - keywords: the theme lexicon alone (a theme when one of its phrases occurs; polarity from
    praise and hedge cues);
  - tfidf_lr: TF-IDF word 1-2 grams + one-vs-rest logistic regression (class_weight balanced,
    threshold 0.5), trained on the training councils; polarity by multinomial logistic
    regression on the training findings;
  - tfidf_lr_tuned: the same, with one threshold tuned on out-of-fold scores of the training
    councils, as the pipeline's are (so the comparison is not just about thresholds).
Prints theme micro-F1 (all units, areas for improvement incl. priority actions, findings),
per-theme F1, polarity accuracy on findings, throughput on one core and pipeline load time.
scikit-learn is a dev dependency, used here only. Skips with a message without ../shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lettermine.corpus import gold_dir  # noqa: E402

GOLD = gold_dir()
MODEL = ROOT / "models" / "lettermine_themes"
Example = dict[str, Any]


def pin_one_core() -> None:
    """Measure on one core, as the target says: pin the process, keep BLAS single-threaded."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def themes_from_scores(probs: Any, threshold: float) -> list[list[str]]:
    """Codes at or above the threshold per row, the top one when none is (as pick_themes)."""
    from lettermine.classify import pick_themes
    from lettermine.themes import THEME_CODES

    thresholds = dict.fromkeys(THEME_CODES, threshold)
    return [
        [
            c
            for c, _ in pick_themes(
                dict(zip(THEME_CODES, map(float, row), strict=True)), thresholds
            )
        ]
        for row in probs
    ]


def fit_tfidf_lr(train: Sequence[Example]) -> Callable[[Sequence[Example]], Any]:
    """TF-IDF word 1-2 grams + one-vs-rest balanced logistic regression; returns a scorer."""
    import numpy
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    from lettermine.themes import THEME_CODES

    vec = TfidfVectorizer(ngram_range=(1, 2))
    x = vec.fit_transform([ex["text"] for ex in train])
    y = numpy.asarray([[c in ex["themes"] for c in THEME_CODES] for ex in train], dtype=int)
    clf = OneVsRestClassifier(LogisticRegression(class_weight="balanced", max_iter=2000))
    clf.fit(x, y)
    return lambda units: clf.predict_proba(vec.transform([ex["text"] for ex in units]))


def tfidf_lr_polarity(train: Sequence[Example], test: Sequence[Example]) -> list[str]:
    """Polarity of every test unit: concern for areas, a logistic regression for findings."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    findings = [ex for ex in train if ex["kind"] == "finding"]
    vec = TfidfVectorizer(ngram_range=(1, 2))
    x = vec.fit_transform([ex["text"] for ex in findings])
    clf = LogisticRegression(class_weight="balanced", max_iter=2000)
    clf.fit(x, [ex["polarity"] for ex in findings])
    predicted = clf.predict(vec.transform([ex["text"] for ex in test]))
    return [
        str(p) if ex["kind"] == "finding" else "concern"
        for p, ex in zip(predicted, test, strict=True)
    ]


def tuned_threshold(train: Sequence[Example]) -> float:
    """The single threshold with the best out-of-fold micro-F1 (folds by authority)."""
    import numpy

    from lettermine.training import THRESHOLD_GRID, assign_folds, theme_report

    fold = assign_folds(train, 4)
    probs = numpy.zeros((len(train), 21))
    for f in range(4):
        held = [i for i, ex in enumerate(train) if fold[ex["authority"]] == f]
        scorer = fit_tfidf_lr([ex for ex in train if fold[ex["authority"]] != f])
        probs[held] = scorer([train[i] for i in held])
    gold = [ex["themes"] for ex in train]
    return max(
        THRESHOLD_GRID,
        key=lambda t: theme_report(themes_from_scores(probs, t), gold)["micro_f1"],
    )


def keyword_system(
    train: Sequence[Example], test: Sequence[Example]
) -> tuple[list[list[str]], list[str]]:
    """Themes and polarities from the lexicon alone."""
    from collections import Counter

    import spacy

    from lettermine.classify import RULES_KEY, _register
    from lettermine.themes import THEME_CODES

    _register()
    nlp = spacy.blank("en")
    nlp.add_pipe("lettermine_rules")
    # With no phrase matched, guess the commonest theme of the training units.
    fallback = Counter(t for ex in train for t in ex["themes"]).most_common(1)[0][0]
    themes: list[list[str]] = []
    polarities: list[str] = []
    for ex, doc in zip(test, nlp.pipe([ex["text"] for ex in test]), strict=True):
        labels = Counter(span.label_ for span in doc.spans[RULES_KEY])
        themes.append([c for c in THEME_CODES if labels[c]] or [fallback])
        if ex["kind"] != "finding":
            polarities.append("concern")
        elif labels["cue_neg"] and labels["cue_pos"]:
            polarities.append("mixed")
        elif labels["cue_neg"]:
            polarities.append("concern")
        else:
            polarities.append("strength")
    return themes, polarities


def cold_load_times(model: Path) -> dict[str, float]:
    """Seconds to import spaCy and to load the pipeline, in a fresh interpreter."""
    code = (
        "import time, json; t0 = time.perf_counter(); import spacy; t1 = time.perf_counter()\n"
        "from lettermine.classify import load_pipeline\n"
        f"t2 = time.perf_counter(); load_pipeline({str(model)!r}); t3 = time.perf_counter()\n"
        "print(json.dumps({'import_spacy': t1 - t0, 'load_pipeline': t3 - t2}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return {k: round(v, 3) for k, v in json.loads(out.stdout).items()}


def throughput(nlp: Any, test: Sequence[Example], repeats: int = 5) -> dict[str, float]:
    """Units per second through nlp.pipe (all components) and through classify()."""
    from lettermine.classify import classify

    texts = [ex["text"] for ex in test] * repeats
    kinds = [ex["kind"] for ex in test] * repeats
    classify(nlp, texts[:100], kinds[:100])  # warm caches (stems, strings)
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    pipe_s = time.perf_counter() - start
    start = time.perf_counter()
    classify(nlp, texts, kinds)
    classify_s = time.perf_counter() - start
    words = sum(len(t.split()) for t in texts)
    return {
        "units": len(texts),
        "nlp_pipe_units_per_s": round(len(texts) / pipe_s),
        "nlp_pipe_words_per_s": round(words / pipe_s),
        "classify_units_per_s": round(len(texts) / classify_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    args = parser.parse_args()
    if not args.gold.is_dir():
        print(f"skipped: {args.gold} is absent (the benchmark needs the gold corpus)")
        return
    pin_one_core()
    sys.path.insert(0, str(ROOT))
    from lettermine.classify import load_pipeline
    from lettermine.training import evaluate_pipeline, evaluate_predictions
    from models.scripts.convert import load_split

    train, test = load_split(args.gold)
    loads = cold_load_times(args.model)
    nlp = load_pipeline(args.model)
    reports: dict[str, dict[str, Any]] = {"pipeline": evaluate_pipeline(nlp, test)}
    kw_themes, kw_polarity = keyword_system(train, test)
    reports["keywords"] = evaluate_predictions(test, kw_themes, kw_polarity)
    lr_polarity = tfidf_lr_polarity(train, test)
    lr_probs = fit_tfidf_lr(train)(test)
    reports["tfidf_lr"] = evaluate_predictions(test, themes_from_scores(lr_probs, 0.5), lr_polarity)
    threshold = tuned_threshold(train)
    reports["tfidf_lr_tuned"] = evaluate_predictions(
        test, themes_from_scores(lr_probs, threshold), lr_polarity
    )
    speed = throughput(nlp, test)
    figures = {
        "split": {
            "train_units": len(train),
            "test_units": len(test),
            "test_authorities": len({ex["authority"] for ex in test}),
        },
        "systems": reports,
        "tfidf_lr_tuned_threshold": threshold,
        "speed": speed,
        "load": loads,
        "model_mb": round(
            sum(f.stat().st_size for f in args.model.rglob("*") if f.is_file()) / 1e6, 1
        ),
    }
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    print_report(figures)


def print_report(figures: dict[str, Any]) -> None:
    """The figures as plain tables."""
    from lettermine.themes import THEME_CODES

    split = figures["split"]
    reports = figures["systems"]
    names = list(reports)
    print(
        f"held-out split: {split['test_units']} units from {split['test_authorities']} "
        f"authorities (trained on {split['train_units']} units of other authorities)\n"
    )
    print(
        f"{'system':16s} {'micro-F1':>8s} {'areas':>7s} {'findings':>8s} {'macro-F1':>8s} "
        f"{'polarity':>8s}"
    )
    for name in names:
        r = reports[name]
        pol = r["polarity_accuracy"]
        print(
            f"{name:16s} {r['micro_f1']:8.3f} {r['micro_f1_areas']:7.3f} "
            f"{r['micro_f1_findings']:8.3f} {r['macro_f1']:8.3f} "
            f"{pol if pol is None else format(pol, '8.3f')}"
        )
    print(
        f"(tfidf_lr_tuned threshold {figures['tfidf_lr_tuned_threshold']}; polarity is "
        f"accuracy on {reports['pipeline']['polarity_units']} findings)\n"
    )
    print(f"{'theme F1':24s} {'n':>4s} " + " ".join(f"{n[:14]:>14s}" for n in names))
    for code in THEME_CODES:
        support = int(reports["pipeline"]["per_theme"][code]["support"])
        cells = " ".join(f"{reports[n]['per_theme'][code]['f1']:14.3f}" for n in names)
        print(f"{code:24s} {support:4d} {cells}")
    print(
        f"\npipeline polarity confusion (gold -> predicted): "
        f"{reports['pipeline'].get('polarity_confusion')}"
    )
    speed, load = figures["speed"], figures["load"]
    print(
        f"\nthroughput (one core): nlp.pipe {speed['nlp_pipe_units_per_s']} units/s "
        f"({speed['nlp_pipe_words_per_s']} words/s), classify() "
        f"{speed['classify_units_per_s']} units/s over {speed['units']} units"
    )
    print(
        f"load (fresh process): import spacy {load['import_spacy']:.2f} s, "
        f"load_pipeline {load['load_pipeline']:.2f} s; model {figures['model_mb']} MB"
    )


if __name__ == "__main__":
    main()
