"""Gold JSON -> spaCy DocBins, split by authority: models/corpus/{train,test}.spacy + split.json.

    python -m models.scripts.convert [--gold ../shared/corpus/gold] [--out models/corpus]

No council has units on both sides of the split. The DocBins carry every unit's text with its
themes and (findings only) polarity as `doc.cats`, and `doc.user_data` holds kind and authority:
handy for inspecting the data with spaCy tools. Training itself reads the gold directly.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from lettermine.corpus import gold_dir
from lettermine.themes import POLARITIES, THEME_CODES
from lettermine.training import assign_folds, read_gold, split_by_authority

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_GOLD = gold_dir()
DEFAULT_OUT = ROOT / "models" / "corpus"
# Five folds of councils; fold 0 is held out for evaluation, the rest is for training (and,
# inside train_pipeline, for out-of-fold threshold tuning).
FOLDS = 5
TEST_FOLD = 0


def load_split(gold: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train, test) gold units, split by authority exactly as every script here splits them."""
    return split_by_authority(read_gold(gold), FOLDS, TEST_FOLD)


def write_docbin(examples: list[dict[str, Any]], path: Path) -> None:
    """Save units as a DocBin with cats (themes, and polarity where known)."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    db = DocBin(store_user_data=True)
    for ex in examples:
        doc = nlp.make_doc(ex["text"])
        cats = {code: float(code in ex["themes"]) for code in THEME_CODES}
        if ex["kind"] == "finding" and ex.get("polarity") in POLARITIES:
            cats.update({p: float(p == ex["polarity"]) for p in POLARITIES})
        doc.cats = cats
        doc.user_data["kind"] = ex["kind"]
        doc.user_data["authority"] = ex["authority"]
        db.add(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(path)


def split_summary(examples: list[dict[str, Any]]) -> dict[str, Any]:
    """Which authorities are in which part, and how many units of each kind."""
    fold = assign_folds(examples, FOLDS)
    parts: dict[str, Any] = {}
    for name, held_out in (("train", False), ("test", True)):
        units = [ex for ex in examples if (fold[ex["authority"]] == TEST_FOLD) == held_out]
        parts[name] = {
            "authorities": sorted({ex["authority"] for ex in units}),
            "units": len(units),
            "by_kind": dict(Counter(ex["kind"] for ex in units)),
        }
    return parts


def convert(gold: Path, out: Path) -> dict[str, Any]:
    """Write train.spacy, test.spacy and split.json; returns the split summary."""
    examples = read_gold(gold)
    train, test = split_by_authority(examples, FOLDS, TEST_FOLD)
    write_docbin(train, out / "train.spacy")
    write_docbin(test, out / "test.spacy")
    summary = split_summary(examples)
    (out / "split.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    summary = convert(args.gold, args.out)
    for name, part in summary.items():
        print(
            f"{name}: {part['units']} units, {len(part['authorities'])} authorities, "
            f"{part['by_kind']}"
        )


if __name__ == "__main__":
    main()
