"""Training data: the gold and the project's labels, each unit's council, folds by council."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from conftest import CORPUS, needs_corpus

from lettermine.corpus import council_of
from lettermine.training import (
    KIND_GROUPS,
    assign_folds,
    council,
    evaluate_predictions,
    read_gold,
    read_project_labels,
)


def test_a_council_is_named_the_same_whichever_file_names_it() -> None:
    assert council_of("80426_barnsley_2022-07-18_jtai.json") == "Barnsley"
    assert council_of("ilacs/pdf/80426_barnsley_2018-11-19.pdf") == "Barnsley"
    assert council_of("80564_stoke-on-trent_2019-01-01.pdf") == "Stoke-on-Trent"
    assert council_of("80546_windsor-maidenhead_2019-01-01.pdf") == "Windsor and Maidenhead"
    assert council_of("900001_nowhere-shire_2024-01-01.pdf") == "900001_nowhere-shire"


def _units(council_sizes: dict[str, tuple[int, int]]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for name, (areas, findings) in council_sizes.items():
        out += [{"text": f"{name} a{i}", "kind": "area_for_improvement", "authority": name}
                for i in range(areas)]  # fmt: skip
        out += [{"text": f"{name} f{i}", "kind": "finding", "authority": name}
                for i in range(findings)]  # fmt: skip
    return out


def test_folds_keep_each_council_whole_and_spread_each_kind_of_unit() -> None:
    sizes = {f"c{i}": (5 + i % 7, 40 if i % 5 == 0 else 0) for i in range(40)}
    units = _units(sizes)
    folds = assign_folds(units, 5)
    assert set(folds) == set(sizes) and set(folds.values()) == set(range(5))
    findings = Counter(folds[str(u["authority"])] for u in units if u["kind"] == "finding")
    areas = Counter(folds[str(u["authority"])] for u in units if u["kind"] != "finding")
    assert max(findings.values()) - min(findings.values()) <= 40  # 8 councils with findings
    assert max(areas.values()) - min(areas.values()) <= 8
    assert assign_folds(list(reversed(units)), 5) == folds  # the same on every machine
    # A unit with no council is its own group, by its text.
    lone = {"text": "typed in", "kind": "finding"}
    assert council(lone) == council(dict(lone)) != council({"text": "other", "kind": "finding"})


def test_another_seed_deals_other_folds_as_evenly_spread() -> None:
    sizes = {f"c{i}": (5 + i % 7, 40 if i % 5 == 0 else 0) for i in range(40)}
    units = _units(sizes)
    first, second = assign_folds(units, 5, seed=1), assign_folds(units, 5, seed=2)
    assert first != second != assign_folds(units, 5)
    for folds in (first, second):
        assert set(folds) == set(sizes) and set(folds.values()) == set(range(5))
        areas = Counter(folds[str(u["authority"])] for u in units if u["kind"] != "finding")
        assert max(areas.values()) - min(areas.values()) <= 12
    assert assign_folds(list(reversed(units)), 5, seed=1) == first


def test_kind_groups_score_jtai_and_send_apart_from_reports_and_visits() -> None:
    examples = [
        {"text": "a", "themes": ["health"], "kind": "area_for_improvement", "letter": "ilacs"},
        {"text": "b", "themes": ["health"], "kind": "area_for_improvement", "letter": "jtai"},
        {"text": "c", "themes": ["planning"], "kind": "priority_action", "letter": "area_send"},
    ]
    report = evaluate_predictions(examples, [["health"], ["workforce"], ["planning"]])
    assert report["micro_f1_areas"] == 1.0 and report["units_areas"] == 1
    assert report["micro_f1_jtai"] == 0.0 and report["micro_f1_send"] == 1.0
    assert report["units_reports_and_visits"] == 1
    assert report["micro_f1_priority_actions"] == 1.0
    assert set(KIND_GROUPS) >= {"areas", "findings", "priority_actions", "jtai", "send"}


@needs_corpus
def test_the_gold_holds_jtai_and_send_units_with_their_groups() -> None:
    gold = read_gold(CORPUS / "gold")
    letters = Counter(ex["letter"] for ex in gold)
    assert letters["jtai"] >= 400 and letters["area_send"] >= 100
    assert any(ex["group"] for ex in gold if ex["letter"] == "jtai")
    assert all(ex["origin"] == "gold" and ex["authority"] for ex in gold)
    # Each unit once, though a report's areas are in two folders.
    assert len({(ex["source"], ex["text"]) for ex in gold}) == len(gold)


@needs_corpus
def test_project_labels_are_training_data_but_second_readings_are_not(tmp_path: Path) -> None:
    rows = [
        json.loads(line)
        for line in (Path(__file__).parents[1] / "models/labels/findings.jsonl").open()
    ][:5]
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "first.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:3]))
    second = [{**r, "pass": 2, "themes": ["covid"]} for r in rows[3:]]
    (labels / "second.jsonl").write_text("".join(json.dumps(r) + "\n" for r in second))
    (labels / "blind.jsonl").write_text(json.dumps({"uid": "x#f1", "themes": ["covid"]}) + "\n")
    examples = read_project_labels(CORPUS, labels)
    assert [ex["themes"] for ex in examples] == [r["themes"] for r in rows[:3]]
    assert all(ex["origin"] == "labels" and ex["letter"] for ex in examples)
    assert {ex["authority"] for ex in examples} == {council_of(r["file"]) for r in rows[:3]}
