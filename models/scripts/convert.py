"""Labelled units -> a spaCy DocBin with their folds: models/corpus/units.spacy + folds.json.

    python -m models.scripts.convert [--corpus ../shared/corpus] [--out models/corpus]

Every labelled unit (the gold in ../shared/corpus/gold/ and the project's labels in
models/labels/) as a Doc with its themes and (findings) polarity in `doc.cats`, and its kind,
kind of letter, council, fold of councils and origin in `doc.user_data`: handy for looking at
the data with spaCy's tools. Training itself reads the labels directly. The folds are those of
cross-validation (lettermine.training.assign_folds): no council has units in two folds.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from lettermine.corpus import corpus_dir
from lettermine.themes import POLARITIES, THEME_CODES
from lettermine.training import assign_folds, council, read_gold, read_project_labels

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "models" / "corpus"
FOLDS = 5


def labelled_units(corpus: Path) -> list[dict[str, Any]]:
    """The gold units, then the project's own labels (their text read from the corpus)."""
    return read_gold(corpus / "gold") + read_project_labels(corpus)


def write_docbin(examples: list[dict[str, Any]], folds: dict[str, int], path: Path) -> None:
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
        for key in ("kind", "letter", "authority", "origin", "section", "group"):
            doc.user_data[key] = ex.get(key)
        doc.user_data["fold"] = folds[council(ex)]
        db.add(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(path)


def convert(corpus: Path, out: Path) -> dict[str, Any]:
    """Write units.spacy and folds.json; returns a summary per fold."""
    examples = labelled_units(corpus)
    folds = assign_folds(examples, FOLDS)
    write_docbin(examples, folds, out / "units.spacy")
    summary: dict[str, Any] = {}
    for f in range(FOLDS):
        units = [ex for ex in examples if folds[council(ex)] == f]
        summary[str(f)] = {
            "councils": sorted({council(ex) for ex in units}),
            "units": len(units),
            "by_kind": dict(Counter(f"{ex.get('letter')}/{ex['kind']}" for ex in units)),
            "by_origin": dict(Counter(str(ex.get("origin")) for ex in units)),
        }
    (out / "folds.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    summary = convert(args.corpus or corpus_dir(), args.out)
    for fold, part in summary.items():
        print(
            f"fold {fold}: {part['units']} units, {len(part['councils'])} councils, "
            f"{part['by_origin']}"
        )


if __name__ == "__main__":
    main()
