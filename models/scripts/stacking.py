"""Second stages judged on kept cross-validation folds, without training the pipeline again.

    python -m models.scripts.stacking KEPT [KEPT ...] [--l2 0.01 0.1] [--shrink 100 300 1000]

Reads the folds' theme probabilities kept by `crossval --keep` and, for each seed and each fold
f, fits a stage on the other four folds' probabilities (out of fold for their own models) and
applies it to fold f: thresholds tuned there (`shrink` towards one global threshold), and a
label co-occurrence stage (lettermine.linear.fit_chain, `l2` towards the identity) with
thresholds tuned on its own out-of-fold outputs over those four folds. Fold f's labels are
never read to fit what scores it. (The other folds' probabilities come from models that learnt
from fold f's units: the usual small optimism of stacking on cross-validated scores; the
comparison between stages shares it.) Prints theme micro-F1 pooled per kind, mean ± sd over
seeds, against the thresholds each fold's pipeline chose itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from models.scripts.crossval import kept_results, load_data

Example = dict[str, Any]


def _truth(examples: list[Example]) -> np.ndarray:
    from lettermine.themes import THEME_CODES

    return np.asarray([[c in ex["themes"] for c in THEME_CODES] for ex in examples], "f")


def _picked(probs: np.ndarray, thresholds: dict[str, float]) -> list[list[str]]:
    from lettermine.model import pick_matrix
    from lettermine.themes import THEME_CODES

    cut = np.asarray([thresholds[c] for c in THEME_CODES], dtype=np.float32)
    rows = pick_matrix(probs.astype(np.float32), cut)
    return [[c for c, p in zip(THEME_CODES, row, strict=True) if p] for row in rows]


def stage(
    test: list[Example], kept: list[dict[str, Any]], l2: float | None, shrink: float
) -> list[dict[str, Any]]:
    """Per fold, the themes a stage fitted on the other folds gives (results like kept's)."""
    from lettermine.linear import apply_chain, fit_chain
    from lettermine.training import tune_thresholds

    out = []
    for r in kept:
        others = [o for o in kept if o["seed"] == r["seed"] and o["fold"] != r["fold"]]
        probs = [np.asarray(o["probs"], dtype=np.float32) for o in others]
        labelled = [np.asarray([bool(test[i]["themes"]) for i in o["index"]]) for o in others]
        x = [p[m] for p, m in zip(probs, labelled, strict=True)]
        gold = [[test[i]["themes"] for i in o["index"] if test[i]["themes"]] for o in others]
        mine = np.asarray(r["probs"], dtype=np.float32)
        if l2 is not None:
            second = []
            for g in range(len(x)):
                rest = [j for j in range(len(x)) if j != g]
                chain = fit_chain(np.vstack([x[j] for j in rest]),
                                  np.vstack([_truth_of(gold[j]) for j in rest]), l2=l2)  # fmt: skip
                second.append(apply_chain(x[g], chain))
            chain = fit_chain(np.vstack(x), np.vstack([_truth_of(g) for g in gold]), l2=l2)
            x, mine = second, apply_chain(mine, chain)
        thresholds = tune_thresholds(np.vstack(x), [t for g in gold for t in g], shrink=shrink)
        out.append({**r, "themes": _picked(mine, thresholds)})
    return out


def _truth_of(gold: list[list[str]]) -> np.ndarray:
    return _truth([{"themes": g} for g in gold])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kept", type=Path, nargs="+")
    parser.add_argument("--l2", type=float, nargs="*", default=[0.01, 0.1])
    parser.add_argument("--shrink", type=float, nargs="*", default=[300.0])
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    from lettermine.corpus import corpus_dir
    from models.scripts.crossval import summarise

    _, test, _ = load_data(corpus_dir(), True, False, args.cache)
    kept = kept_results(args.kept)
    seeds = sorted({r["seed"] for r in kept})
    kept = [r for r in kept if sum(o["seed"] == r["seed"] for o in kept) == 5]
    print(f"seeds with all five folds: {sorted({r['seed'] for r in kept})} of {seeds}")
    rows = {"as trained (each fold's own thresholds)": summarise(test, kept, "themes")}
    for shrink in args.shrink:
        rows[f"thresholds from the other folds, shrink {shrink:g}"] = summarise(
            test, stage(test, kept, None, shrink), "themes"
        )
        for l2 in args.l2:
            rows[f"co-occurrence l2 {l2:g} + thresholds, shrink {shrink:g}"] = summarise(
                test, stage(test, kept, l2, shrink), "themes"
            )
    keys = [k for k in next(iter(rows.values())) if k.startswith("all/")]
    print(f"{'stage':55s} " + " ".join(f"{k[4:][:12]:>14s}" for k in keys))
    for name, summary in rows.items():
        cells = " ".join(
            f"{summary[k]['mean']:7.3f}±{summary[k]['sd']:.3f}" if k in summary else " " * 14
            for k in keys
        )
        print(f"{name:55s} {cells}")


if __name__ == "__main__":
    main()
