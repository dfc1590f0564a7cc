"""Self-training the theme model on unlabelled findings: which units, which labels, no leaks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import CORPUS, needs_corpus
from test_classify import tiny_examples

from lettermine.self_training import (
    MIN_WORDS,
    pick_unlabelled,
    pseudo_label,
    read_unlabelled,
)
from lettermine.themes import THEME_CODES

# Invented findings nobody labelled, written for these tests: the councils of tiny_examples().
_UNLABELLED = [
    "Caseloads for social workers in the assessment team are high, and some families wait.",
    "Managers check plans for children in care in regular supervision with their workers.",
    "Care leavers have pathway plans that they helped to write, and they know their rights.",
    "Health assessments for children in care are timely and their health needs are met.",
    "Recruitment has brought more permanent social workers, and agency staff are fewer now.",
    "Decisions about referrals at the front door are timely, with consent sought as needed.",
]


def unlabelled(council: str = "council-0") -> list[dict[str, Any]]:
    return [{"text": t, "themes": [], "kind": "finding", "authority": council} for t in _UNLABELLED]


def test_pick_unlabelled_takes_only_training_councils_and_new_texts() -> None:
    examples = tiny_examples()
    pool = unlabelled("council-1") + unlabelled("held-out-council")
    pool.append({**pool[0], "text": examples[0]["text"]})  # a unit already labelled
    picked = pick_unlabelled(pool, examples, units=100, seed=0)
    assert len(picked) == len(_UNLABELLED)
    assert {u["authority"] for u in picked} == {"council-1"}
    assert examples[0]["text"] not in {u["text"] for u in picked}
    assert pick_unlabelled(pool, examples, units=2, seed=0) == pick_unlabelled(
        pool, examples, units=2, seed=0
    )
    assert len(pick_unlabelled(pool, examples, units=2, seed=0)) == 2
    assert pick_unlabelled(pool, [{**examples[0], "authority": None}], units=9, seed=0) == []


def test_pseudo_label_keeps_themes_at_the_threshold_and_drops_units_without() -> None:
    units = unlabelled()[:3]
    scores = [
        {"caseloads": 0.9, "workforce": 0.5, "health": 0.49},
        {"planning": 0.2},
        {"care_leavers": 0.51},
    ]
    out = pseudo_label(units, scores, threshold=0.5, weight=0.3)
    assert [u["themes"] for u in out] == [["caseloads", "workforce"], ["care_leavers"]]
    assert all(u["weight"] == 0.3 and u["polarity"] is None for u in out)
    assert out[0]["text"] == units[0]["text"] and units[0]["themes"] == []


def _theme_weights(nlp: Any) -> Any:
    return nlp.get_pipe("textcat_multilabel").model.get_ref("output_layer").get_param("W")


def _config(units: int) -> Any:
    from lettermine.training import load_config

    return load_config(
        None,
        {
            "lettermine.training.textcat_multilabel.epochs": 3,
            "lettermine.training.textcat_multilabel.self_training_units": units,
            "lettermine.training.textcat_multilabel.self_training_threshold": 0.05,
        },
    )


def test_self_training_learns_from_the_pool_and_never_from_other_councils() -> None:
    import numpy

    from lettermine.training import build_nlp

    examples = tiny_examples()
    config = _config(units=50)
    gold_only = build_nlp(examples, config, polarity=False)
    pool = unlabelled("council-2")
    with_pool = build_nlp(examples, config, polarity=False, unlabelled=pool)
    assert not numpy.array_equal(_theme_weights(gold_only), _theme_weights(with_pool))
    # Units of a council that is not among the training units change nothing.
    outsiders = unlabelled("held-out-council")
    mixed = build_nlp(examples, config, polarity=False, unlabelled=outsiders + pool)
    assert numpy.array_equal(_theme_weights(with_pool), _theme_weights(mixed))
    # And with self_training_units 0 the pool is ignored.
    off = build_nlp(examples, _config(units=0), polarity=False, unlabelled=pool)
    assert numpy.array_equal(_theme_weights(gold_only), _theme_weights(off))


def test_self_training_leaves_the_polarity_models_as_they_were() -> None:
    import numpy

    from lettermine.training import build_nlp

    config = _config(units=50)
    gold_only = build_nlp(tiny_examples(), config)
    with_pool = build_nlp(tiny_examples(), config, unlabelled=unlabelled("council-2"))
    assert not numpy.array_equal(_theme_weights(gold_only), _theme_weights(with_pool))
    polarity = [gold_only.get_pipe("textcat"), with_pool.get_pipe("textcat")]
    weights = [p.model.get_ref("output_layer").get_param("W") for p in polarity]  # type: ignore[attr-defined]
    assert numpy.array_equal(*weights)
    sentences = [
        gold_only.get_pipe("lettermine_sentences"),
        with_pool.get_pipe("lettermine_sentences"),
    ]
    assert sentences[0].model.to_bytes() == sentences[1].model.to_bytes()  # type: ignore[attr-defined]


def test_train_pipeline_self_trains_end_to_end(tmp_path: Path) -> None:
    from lettermine.classify import classify, load_pipeline
    from lettermine.training import train_pipeline

    out = train_pipeline(
        tiny_examples(), tmp_path / "model", max_epochs=5, unlabelled=unlabelled("council-3")
    )
    nlp = load_pipeline(out)
    assert tuple(nlp.get_pipe("textcat_multilabel").labels) == THEME_CODES
    result = classify(nlp, ["Caseloads are too high."], ["area_for_improvement"])[0]
    assert result.themes and result.polarity == "concern"


def test_read_unlabelled_skips_what_it_cannot_use(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "visits" / "pdf").mkdir(parents=True)
    (corpus / "visits" / "pdf" / "123_some-council_2024-01-01.pdf").write_bytes(b"%PDF-1.7 junk")
    (corpus / "visits" / "pdf" / "notes.pdf").write_bytes(b"%PDF-1.7 junk")
    assert read_unlabelled(corpus) == []
    assert read_unlabelled(tmp_path / "nowhere") == []


@needs_corpus
def test_read_unlabelled_reads_the_findings_of_real_letters(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    picked = []
    for part in ("ilacs", "focused"):
        source = sorted((CORPUS / part / "pdf").glob("*.pdf"))[0]
        (corpus / part / "pdf").mkdir(parents=True)
        (corpus / part / "pdf" / source.name).symlink_to(source)
        picked.append(source.name)
    units = read_unlabelled(corpus)
    councils = {"_".join(name.split("_")[:2]) for name in picked}
    assert len(units) > 10
    assert {u["authority"] for u in units} == councils
    assert all(u["kind"] == "finding" and u["themes"] == [] for u in units)
    assert all(len(u["text"].split()) >= MIN_WORDS for u in units)
    # The councils are named as the gold names them, so a held-out council's letters can be
    # told apart from the training councils'.
    from lettermine.training import read_gold

    gold = {ex["authority"] for ex in read_gold(CORPUS / "gold")}
    assert councils <= gold


def _write_tiny_gold(gold: Path) -> None:
    """tiny_examples() in the gold format, one file per council (urn_slug_date.json)."""
    import json

    by_council: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for ex in tiny_examples():
        council = by_council.setdefault(ex["authority"], {"areas": [], "findings": []})
        unit = {"text": ex["text"], "themes": ex["themes"]}
        if ex["kind"] == "finding":
            council["findings"].append({**unit, "polarity": ex["polarity"]})
        else:
            council["areas"].append(unit)
    for n, (council, units) in enumerate(sorted(by_council.items())):
        name = f"90000{n}_{council}_2024-01-01.json"
        for part, key, data in (
            ("afi", "areas_for_improvement", units["areas"]),
            ("findings", "findings", units["findings"]),
        ):
            (gold / part).mkdir(parents=True, exist_ok=True)
            (gold / part / name).write_text(json.dumps({key: data}), encoding="utf-8")


def test_model_train_self_trains_on_the_letters_beside_the_gold(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from conftest import LETTERS

    from lettermine.classify import load_pipeline
    from lettermine.cli import app
    from lettermine.training import read_gold, split_by_authority

    gold = tmp_path / "corpus" / "gold"
    _write_tiny_gold(gold)
    train, test = split_by_authority(read_gold(gold))
    # An invented inspection report, filed as if it were a training council's letter.
    pdfs = tmp_path / "corpus" / "ilacs" / "pdf"
    pdfs.mkdir(parents=True)
    shutil.copy(
        LETTERS / "brackwater-2023-01-inspection.pdf",
        pdfs / f"{train[0]['authority']}_2023-01-01.pdf",
    )
    result = runner.invoke(
        app, ["model", "train", "--gold", str(gold), "--out", str(tmp_path / "m"), "--no-labels"]
    )
    assert result.exit_code == 0, result.stderr
    assert f"training on {len(train)} gold units" in result.stderr
    found = len(read_unlabelled(tmp_path / "corpus"))
    assert found > 10 and f"({found} unlabelled findings to self-train on)" in result.stderr
    assert tuple(load_pipeline(tmp_path / "m").get_pipe("textcat_multilabel").labels) == THEME_CODES
