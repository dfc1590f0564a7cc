"""Units for people to label, and their labels kept as data the project owns (no letter text).

    python -m models.scripts.labelling export --kind ilacs --documents 25 --seed 0 --out DIR
    python -m models.scripts.labelling collect DIR/answers/*.jsonl --out models/labels/NAME.jsonl
    python -m models.scripts.labelling sample DIR/*.jsonl --fraction 0.12 --out DIR2
    python -m models.scripts.labelling agree --first A/*.jsonl --second B/*.jsonl \
        --batches DIR/*.jsonl

`export` parses corpus letters of one kind (a seeded random choice, one letter per council
first, letters whose findings are already in the gold left out) and writes their units, with
text, to DIR/<kind>-NN.jsonl batches for labellers: {"uid", "file", "seq", "kind", "section",
"number", "text"}. A labeller answers one line per unit: {"uid", "themes", "polarity"}.

`collect` joins the answers to the units and writes the label file the repository keeps:
{"file", "seq", "kind", "section", "number", "sha1", "words", "themes", "polarity", "pass"},
where sha1 is of the unit's matching form (lettermine.labelled.match_key) and the text itself
stays in ../shared: lettermine.labelled.read_labels finds each unit again by parsing the file.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from lettermine.corpus import corpus_dir, gold_dir
from lettermine.errors import LettermineError
from lettermine.labelled import match_key, sha1
from lettermine.themes import POLARITIES, THEME_CODES

FOLDERS = {"ilacs": "ilacs", "sif": "ilacs", "focused_visit": "focused", "jtai": "jtai",
           "area_send": "send"}  # fmt: skip
_COUNCIL = re.compile(r"^(\d+_[a-z0-9-]+)_\d{4}-\d{2}-\d{2}")


def _already_labelled() -> set[str]:
    """Stems of letters whose findings the gold already labels."""
    stems: set[str] = set()
    for part in ("findings", "focused-findings"):
        stems |= {p.stem for p in (gold_dir() / part).glob("*.json")}
    return stems


def _parse(path: Path) -> Any:
    from lettermine.read.extract import read_text
    from lettermine.read.parse import parse_letter

    return parse_letter(read_text(path))


def export(kind: str, documents: int, seed: int, out: Path, per_batch: int, units: str) -> None:
    folder = corpus_dir() / FOLDERS[kind] / "pdf"
    done = _already_labelled()
    by_council: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(folder.glob("*.pdf")):
        m = _COUNCIL.match(path.name)
        if m and path.stem not in done:
            by_council[m.group(1)].append(path)
    rng = random.Random(seed)
    councils = sorted(by_council)
    rng.shuffle(councils)
    for council in councils:
        rng.shuffle(by_council[council])
    order: list[Path] = []  # one letter per council, then a second per council, ...
    for round_ in range(max((len(v) for v in by_council.values()), default=0)):
        order += [by_council[c][round_] for c in councils if round_ < len(by_council[c])]
    rows: list[dict[str, Any]] = []
    taken = 0
    for path in order:
        if taken == documents:
            break
        try:
            letter = _parse(path)
        except LettermineError:
            continue
        if letter.kind != kind:
            continue
        picked = [
            (seq, u)
            for seq, u in enumerate(letter.units, start=1)
            if units == "all" or u.kind == units
        ]
        if not picked:
            continue
        taken += 1
        rel = f"{FOLDERS[kind]}/pdf/{path.name}"
        rows += [
            {"uid": f"{path.stem}#{seq}", "file": rel, "seq": seq, "kind": u.kind,
             "section": u.section, "number": u.number, "group": getattr(u, "group", None),
             "text": u.text}
            for seq, u in picked
        ]  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    for n, start in enumerate(range(0, len(rows), per_batch), start=1):
        batch = out / f"{kind}-{n:02d}.jsonl"
        with batch.open("w", encoding="utf-8") as f:
            for row in rows[start : start + per_batch]:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{taken} {kind} letters, {len(rows)} units, batches in {out}", file=sys.stderr)


def collect(answers: list[Path], batches: Path, out: Path, pass_: int) -> None:
    units: dict[str, dict[str, Any]] = {}
    for batch in sorted(batches.glob("*.jsonl")):
        for line in batch.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            units[row["uid"]] = row
    labelled: list[dict[str, Any]] = []
    seen: set[str] = set()
    for answer in answers:
        for n, line in enumerate(answer.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            a = json.loads(line)
            unit = units.get(a["uid"])
            bad = set(a["themes"]) - set(THEME_CODES)
            if unit is None or bad or a.get("polarity") not in (*POLARITIES, None):
                sys.exit(f"{answer}:{n}: unknown unit, theme or polarity: {line[:120]}")
            if a["uid"] in seen:  # a unit given to two batches: its first answer counts
                continue
            seen.add(a["uid"])
            labelled.append(
                {"file": unit["file"], "seq": unit["seq"], "kind": unit["kind"],
                 "section": unit["section"], "number": unit["number"], "group": unit.get("group"),
                 "sha1": sha1(match_key(unit["text"])), "words": len(unit["text"].split()),
                 "themes": sorted(set(a["themes"])), "polarity": a.get("polarity"),
                 "pass": pass_}
            )  # fmt: skip
    labelled.sort(key=lambda r: (r["file"], r["seq"]))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for row in labelled:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(labelled)} labels -> {out}", file=sys.stderr)


def _read_jsonl(paths: list[Path]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows.setdefault(row["uid"], row)
    return rows


def sample(batches: list[Path], fraction: float, seed: int, out: Path) -> None:
    """A seeded random share of each kind's units, for an independent second pass."""
    units = _read_jsonl(batches)
    by_kind: dict[str, list[str]] = defaultdict(list)
    for uid, row in units.items():
        by_kind[_letter_kind(row["file"])].append(uid)
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    for kind, uids in sorted(by_kind.items()):
        picked = sorted(rng.sample(sorted(uids), max(1, round(len(uids) * fraction))))
        with (out / f"{kind}-second.jsonl").open("w", encoding="utf-8") as f:
            for uid in picked:
                f.write(json.dumps(units[uid], ensure_ascii=False) + "\n")
        print(f"{kind}: {len(picked)} of {len(uids)} units", file=sys.stderr)


def _letter_kind(file: str) -> str:
    folder = file.split("/")[0]
    return {"focused": "focused_visit", "send": "area_send"}.get(folder, folder)


def agree(first: list[Path], second: list[Path], batches: list[Path]) -> None:
    """Theme micro-F1 and polarity agreement between two passes, per kind of letter and unit."""
    a, b, units = _read_jsonl(first), _read_jsonl(second), _read_jsonl(batches)
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # tp fp fn pol_same n
    for uid in sorted(set(a) & set(b)):
        unit = units.get(uid, {})
        key = f"{_letter_kind(unit.get('file', '?/'))} {unit.get('kind', '?')}"
        for k in (key, "all"):
            ta, tb = set(a[uid]["themes"]), set(b[uid]["themes"])
            st = stats[k]
            st[0] += len(ta & tb)
            st[1] += len(tb - ta)
            st[2] += len(ta - tb)
            st[3] += a[uid].get("polarity") == b[uid].get("polarity")
            st[4] += 1
    print(f"{'kind':32} {'units':>5} {'theme micro-F1':>14} {'polarity agree':>14}")
    for k, (tp, fp, fn, same, n) in sorted(stats.items(), key=lambda kv: kv[0] == "all"):
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
        print(f"{k:32} {n:5d} {f1:14.3f} {same / n:14.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export")
    e.add_argument("--kind", choices=sorted(FOLDERS), required=True)
    e.add_argument("--documents", type=int, default=25)
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--per-batch", type=int, default=120)
    e.add_argument("--units", default="finding", help="unit kind to export, or 'all'")
    e.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("collect")
    c.add_argument("answers", type=Path, nargs="+")
    c.add_argument("--batches", type=Path, required=True)
    c.add_argument("--pass", dest="pass_", type=int, default=1)
    c.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("sample", help="a seeded share of each kind for a second pass")
    s.add_argument("batches", type=Path, nargs="+")
    s.add_argument("--fraction", type=float, default=0.12)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out", type=Path, required=True)
    g = sub.add_parser("agree", help="agreement between two passes")
    g.add_argument("--first", type=Path, nargs="+", required=True)
    g.add_argument("--second", type=Path, nargs="+", required=True)
    g.add_argument("--batches", type=Path, nargs="+", required=True)
    args = parser.parse_args()
    if args.command == "export":
        export(args.kind, args.documents, args.seed, args.out, args.per_batch, args.units)
    elif args.command == "collect":
        collect(args.answers, args.batches, args.out, args.pass_)
    elif args.command == "sample":
        sample(args.batches, args.fraction, args.seed, args.out)
    else:
        agree(args.first, args.second, args.batches)


if __name__ == "__main__":
    main()
