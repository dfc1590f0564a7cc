"""Cross-validation by council: how well do themes and polarity hold on councils never seen?

    python -m models.scripts.crossval [--seeds 0 1 2] [--workers 1] [--set KEY=VALUE ...]
                                      [--no-labels] [--no-self-training] [--json]

Every labelled unit (the gold in ../shared/corpus/gold/ and the project's own labels in
models/labels/) belongs to a council; councils are dealt into five folds
(lettermine.training.assign_folds). For each seed and each fold, a pipeline is trained exactly
as the build trains one (thresholds tuned on out-of-fold scores of the training councils,
self-training on the unlabelled findings of the training councils' letters) on the other four
folds and scores the fold it never saw: no unit of a fold's councils, labelled or not, is read
in training. TF-IDF + logistic regression (word 1-2 grams, one-vs-rest, balanced, threshold 0.5)
is trained on the same units of the same folds.

Prints, per kind of unit, theme micro-F1 pooled over the five folds: the mean and spread (sd)
over seeds, the range over single folds, and the gain over TF-IDF + LR; then polarity accuracy
on findings. Scores are given for the gold and for the project's labels apart. `--set` changes
a setting of models/configs/themes.cfg for this run (e.g. `--set
lettermine.training.labels_weight=0.5`): that is how settings are chosen. Needs scikit-learn
(a dev dependency) for the baseline; `--no-baseline` skips it.
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "models" / "training" / "crossval.jsonl"
FOLDS = 5
Example = dict[str, Any]


def load_data(corpus: Path, labels: bool, self_training: bool, cache: Path | None) -> Any:
    """(labelled examples, unlabelled findings), read from the corpus (or a cache of them)."""
    from lettermine.self_training import read_unlabelled
    from lettermine.training import read_gold, read_project_labels

    key = cache / "crossval-data.pkl" if cache else None
    if key is not None and key.is_file():
        gold, project, unlabelled = pickle.loads(key.read_bytes())
    else:
        gold = read_gold(corpus / "gold")
        project = read_project_labels(corpus)
        unlabelled = read_unlabelled(corpus)
        if key is not None:
            key.parent.mkdir(parents=True, exist_ok=True)
            key.write_bytes(pickle.dumps((gold, project, unlabelled)))
    return gold + (project if labels else []), gold + project, (unlabelled if self_training else [])


def run_fold(job: dict[str, Any]) -> dict[str, Any]:
    """Train on every fold but one (per seed) and predict the units of the one left out."""
    import numpy

    from lettermine.model import pick_matrix
    from lettermine.themes import THEME_CODES
    from lettermine.training import (
        Tokenised,
        build_models,
        council,
        fit_thresholds,
        load_config,
        score_examples,
    )

    started = time.process_time()
    fold, seed, folds = job["fold"], job["seed"], job["folds"]
    config = load_config(None, job["overrides"])
    train = [ex for ex in job["train"] if folds[council(ex)] != fold]
    test_idx = [i for i, ex in enumerate(job["test"]) if folds[council(ex)] == fold]
    test = [job["test"][i] for i in test_idx]
    unlabelled = [ex for ex in job["unlabelled"] if folds.get(council(ex)) != fold]
    tok = Tokenised()
    thresholds, tuning = fit_thresholds(
        train, config, seed=seed, unlabelled=unlabelled, tokenised=tok
    )
    models = build_models(
        train, config, seed=seed, unlabelled=unlabelled, tokenised=tok, polarity=job["polarity"]
    )
    if "chain" in tuning:
        models.themes.chain = tuning["chain"]
    probs, polarity = score_examples(models, test, config, tok)
    cut = numpy.asarray([thresholds[c] for c in THEME_CODES], dtype=numpy.float32)
    picked = pick_matrix(probs, cut)
    out = {
        "fold": fold,
        "seed": seed,
        "index": test_idx,
        "themes": [[c for c, p in zip(THEME_CODES, row, strict=True) if p] for row in picked],
        "polarity": polarity,
        "probs": probs.astype(numpy.float16),
    }
    out["cpu_seconds"] = round(time.process_time() - started, 1)
    if job["baseline"]:
        out["baseline"] = tfidf_lr(train, test)
        out["baseline_cpu_seconds"] = round(time.process_time() - started - out["cpu_seconds"], 1)
    return out


def tfidf_lr(train: list[Example], test: list[Example]) -> list[list[str]]:
    """TF-IDF word 1-2 grams + one-vs-rest balanced logistic regression, threshold 0.5."""
    import numpy
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    from lettermine.model import pick_matrix
    from lettermine.themes import THEME_CODES

    vec = TfidfVectorizer(ngram_range=(1, 2))
    x = vec.fit_transform([ex["text"] for ex in train])
    y = numpy.asarray([[c in ex["themes"] for c in THEME_CODES] for ex in train], dtype=int)
    clf = OneVsRestClassifier(LogisticRegression(class_weight="balanced", max_iter=2000))
    probs = clf.fit(x, y).predict_proba(vec.transform([ex["text"] for ex in test]))
    picked = pick_matrix(numpy.asarray(probs, dtype=numpy.float32), numpy.full(21, 0.5, "f"))
    return [[c for c, p in zip(THEME_CODES, row, strict=True) if p] for row in picked]


def summarise(test: list[Example], results: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """Per origin and kind group: micro-F1 pooled over folds, mean/sd over seeds, fold range."""
    from lettermine.training import KIND_GROUPS, theme_report

    seeds = sorted({r["seed"] for r in results})
    out: dict[str, Any] = {}
    for origin in ("all", "gold", "labels"):
        groups = {"all": lambda ex: True, **KIND_GROUPS}
        for name, member in groups.items():
            per_seed, per_fold = [], []
            units = 0
            for seed in seeds:
                pred, gold = [], []
                for r in (r for r in results if r["seed"] == seed):
                    fp, fg = [], []
                    for i, themes in zip(r["index"], r[key], strict=True):
                        ex = test[i]
                        if origin in ("all", ex["origin"]) and member(ex):
                            fp.append(themes)
                            fg.append(ex["themes"])
                    if fg:
                        per_fold.append(theme_report(fp, fg)["micro_f1"])
                    pred += fp
                    gold += fg
                if gold:
                    per_seed.append(theme_report(pred, gold)["micro_f1"])
                    units = len(gold)
            if per_seed:
                out[f"{origin}/{name}"] = {
                    "units": units,
                    "mean": statistics.mean(per_seed),
                    "sd": statistics.pstdev(per_seed),
                    "fold_mean": statistics.mean(per_fold),
                    "fold_sd": statistics.pstdev(per_fold),
                    "fold_min": min(per_fold),
                    "fold_max": max(per_fold),
                    "seeds": per_seed,
                }
    return out


def polarity(test: list[Example], results: list[dict[str, Any]]) -> dict[str, Any]:
    """Polarity accuracy on findings, per origin: mean/sd over seeds, fold range."""
    from lettermine.themes import POLARITIES

    out: dict[str, Any] = {}
    seeds = sorted({r["seed"] for r in results})
    for origin in ("all", "gold", "labels"):
        per_seed, per_fold = [], []
        units = 0
        for seed in seeds:
            right = total = 0
            for r in (r for r in results if r["seed"] == seed):
                pairs = [
                    (test[i]["polarity"], p)
                    for i, p in zip(r["index"], r["polarity"], strict=True)
                    if origin in ("all", test[i]["origin"])
                    and test[i]["kind"] == "finding"
                    and test[i]["polarity"] in POLARITIES
                ]
                if pairs:
                    per_fold.append(sum(g == p for g, p in pairs) / len(pairs))
                right += sum(g == p for g, p in pairs)
                total += len(pairs)
            if total:
                per_seed.append(right / total)
                units = total
        if per_seed:
            out[origin] = {
                "units": units,
                "mean": statistics.mean(per_seed),
                "sd": statistics.pstdev(per_seed),
                "fold_mean": statistics.mean(per_fold),
                "fold_sd": statistics.pstdev(per_fold),
                "fold_min": min(per_fold),
                "fold_max": max(per_fold),
                "seeds": per_seed,
            }
    return out


def run(
    train: list[Example],
    test: list[Example],
    unlabelled: list[Example],
    *,
    seeds: list[int],
    workers: int = 1,
    overrides: dict[str, Any] | None = None,
    baseline: bool = True,
    polarity_models: bool = True,
    keep: Path | None = None,
) -> dict[str, Any]:
    """Five folds by council x seeds: the summary, and every fold's predictions ("results").

    `keep`: a file each fold's predictions are appended to as it finishes (see kept_results).

    Folds are dealt from the councils of `test` (every labelled unit), whatever `train` holds,
    and dealt anew for each seed (lettermine.training.assign_folds): each seed is another
    five-fold split of the councils as well as another training run.
    """
    from lettermine.training import assign_folds

    started = time.perf_counter()
    folds = {s: assign_folds(test, FOLDS, seed=s) for s in seeds}
    jobs = [
        {
            "fold": f,
            "seed": s,
            "folds": folds[s],
            "train": train,
            "test": test,
            "unlabelled": unlabelled,
            "overrides": overrides or {},
            "baseline": baseline,
            "polarity": polarity_models,
        }
        for s in seeds
        for f in range(FOLDS)
    ]
    results: list[dict[str, Any]] = []
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            for result in pool.map(run_fold, jobs):
                results.append(result)
                _keep(keep, result)
    else:
        for job in jobs:
            results.append(run_fold(job))
            _keep(keep, results[-1])
    return report_of(test, results, overrides, seeds, len(folds[seeds[0]]), started, baseline,
                     polarity_models)  # fmt: skip


def _keep(path: Path | None, result: dict[str, Any]) -> None:
    """Append a finished fold's predictions to `path` (pickles, one after another)."""
    if path is not None:
        with path.open("ab") as f:
            pickle.dump(result, f)


def kept_results(paths: list[Path]) -> list[dict[str, Any]]:
    """Every fold's predictions kept in these files (a fold found twice counts once)."""
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for path in paths:
        with path.open("rb") as f:
            while True:
                try:
                    r = pickle.load(f)
                except EOFError:
                    break
                out[(r["seed"], r["fold"])] = r
    return [out[k] for k in sorted(out)]


def report_of(
    test: list[Example],
    results: list[dict[str, Any]],
    overrides: dict[str, Any] | None,
    seeds: list[int],
    councils: int,
    started: float,
    baseline: bool,
    polarity_models: bool,
) -> dict[str, Any]:
    """The summary of folds' predictions (see run)."""
    report: dict[str, Any] = {
        "overrides": overrides or {},
        "seeds": seeds,
        "folds": FOLDS,
        "councils": councils,
        "seconds": round(time.perf_counter() - started),
        "pipeline": summarise(test, results, "themes"),
        "polarity": polarity(test, results) if polarity_models else {},
        "results": results,
    }
    if baseline:
        report["tfidf_lr"] = summarise(test, results, "baseline")
    return report


def per_theme(test: list[Example], results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per theme, F1 on the gold pooled over the folds, mean over seeds; pipeline and baseline."""
    from lettermine.themes import THEME_CODES
    from lettermine.training import theme_report

    seeds = sorted({r["seed"] for r in results})
    out: dict[str, Any] = {}
    keys = ["themes"] + (["baseline"] if "baseline" in results[0] else [])
    reports: dict[str, list[Any]] = {k: [] for k in keys}
    for key in keys:
        for seed in seeds:
            pred, gold = [], []
            for r in (r for r in results if r["seed"] == seed):
                for i, themes in zip(r["index"], r[key], strict=True):
                    if test[i]["origin"] == "gold":
                        pred.append(themes)
                        gold.append(test[i]["themes"])
            reports[key].append(theme_report(pred, gold)["per_theme"])
    for code in THEME_CODES:
        row = {"support": int(reports["themes"][0][code]["support"])}
        row["pipeline"] = statistics.mean(r[code]["f1"] for r in reports["themes"])
        if "baseline" in reports:
            row["tfidf_lr"] = statistics.mean(r[code]["f1"] for r in reports["baseline"])
        out[code] = row
    return out


def parse_set(items: list[str]) -> dict[str, Any]:
    """KEY=VALUE pairs (values read as JSON where they parse) as config overrides."""
    out: dict[str, Any] = {}
    for item in items:
        key, _, value = item.partition("=")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--no-labels", action="store_true", help="train on the gold only")
    parser.add_argument("--no-self-training", action="store_true")
    parser.add_argument("--no-baseline", action="store_true", help="skip TF-IDF + LR")
    parser.add_argument("--themes-only", action="store_true", help="no polarity models")
    parser.add_argument("--cache", type=Path, default=None, help="keep the corpus read here")
    parser.add_argument("--name", default="", help="a name for this run in the results file")
    parser.add_argument("--results", type=Path, default=RESULTS, help="append the figures here")
    parser.add_argument("--save", type=Path, default=None, help="pickle the predictions here")
    parser.add_argument(
        "--keep", type=Path, default=None, help="append each fold's predictions here as it finishes"
    )
    parser.add_argument(
        "--combine",
        type=Path,
        nargs="+",
        default=None,
        help="report on the folds kept in these files (--keep), train nothing",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from lettermine.corpus import corpus_dir

    corpus = args.corpus or corpus_dir()
    if not (corpus / "gold").is_dir():
        sys.exit(f"no gold folder at {corpus / 'gold'} (pass --corpus)")
    train, test, unlabelled = load_data(
        corpus, not args.no_labels, not args.no_self_training, args.cache
    )
    if args.combine:
        from lettermine.training import assign_folds

        kept = kept_results(args.combine)
        seeds = sorted({r["seed"] for r in kept})
        whole = [s for s in seeds if len([r for r in kept if r["seed"] == s]) == FOLDS]
        kept = [r for r in kept if r["seed"] in whole]  # a seed counts once all its folds do
        report = report_of(
            test, kept, parse_set(args.set), whole, len(assign_folds(test, FOLDS)),
            time.perf_counter(), "baseline" in kept[0], bool(kept[0]["polarity"]),
        )  # fmt: skip
        report["per_theme"] = per_theme(test, kept)
        report["results"] = kept
    else:
        report = run(
            train,
            test,
            unlabelled,
            seeds=args.seeds,
            workers=args.workers,
            overrides=parse_set(args.set),
            baseline=not args.no_baseline,
            polarity_models=not args.themes_only,
            keep=args.keep,
        )
    results = report.pop("results")
    if args.save:
        args.save.write_bytes(pickle.dumps({"test": test, "results": results}))
    report.update(
        name=args.name, labels=not args.no_labels, self_training=not args.no_self_training
    )
    args.results.parent.mkdir(parents=True, exist_ok=True)
    with args.results.open("a", encoding="utf-8") as f:
        f.write(json.dumps(report) + "\n")
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print_report(report)


def print_report(report: dict[str, Any]) -> None:
    """The figures as a plain table."""
    seeds = len(report["seeds"])
    print(
        f"theme micro-F1 on councils never seen: {report['folds']} folds by council x {seeds} "
        f"seed(s) (each seed its own split and training; {report['councils']} councils). "
        "pooled: the folds' units pooled, mean ± sd over seeds; folds: mean ± sd and range over "
        f"the {report['folds'] * seeds} single folds; TF-IDF + LR on the same folds "
        f"({report['seconds']} s)"
    )
    print(
        f"{'units':30s} {'n':>5s} {'pooled':>15s} {'folds':>15s} {'range':>11s} "
        f"{'tfidf_lr':>15s} {'gain':>6s}"
    )
    base = report.get("tfidf_lr", {})
    for key, r in report["pipeline"].items():
        b = base.get(key)
        lr = f"{b['mean']:7.3f} ± {b['sd']:.3f}" if b else f"{'-':>15s}"
        gain = f"{r['mean'] - b['mean']:+6.3f}" if b else f"{'-':>6s}"
        print(
            f"{key:30s} {r['units']:5d} {r['mean']:7.3f} ± {r['sd']:.3f} "
            f"{r.get('fold_mean', 0):7.3f} ± {r.get('fold_sd', 0):.3f} "
            f"{r['fold_min']:.3f}-{r['fold_max']:.3f} {lr} {gain}"
        )
    for origin, r in report["polarity"].items():
        print(
            f"{'polarity acc., ' + origin + ' findings':30s} {r['units']:5d} "
            f"{r['mean']:7.3f} ± {r['sd']:.3f} {r.get('fold_mean', 0):7.3f} ± "
            f"{r.get('fold_sd', 0):.3f} {r['fold_min']:.3f}-{r['fold_max']:.3f}"
        )


if __name__ == "__main__":
    main()
