"""Self-training the theme model on unlabelled findings: which units, which labels, no leaks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import CORPUS, needs_corpus
from test_classify import tiny_examples

from lettermine.self_training import MIN_WORDS, read_unlabelled
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


def test_unlabelled_of_takes_only_training_councils_and_new_texts() -> None:
    from lettermine.training import unlabelled_of

    examples = tiny_examples()
    pool = unlabelled("council-1") + unlabelled("held-out-council")
    # A unit already labelled, as the parser prints it (case and spacing aside).
    pool.append({**pool[0], "text": "  " + examples[0]["text"].upper()})
    picked = unlabelled_of(pool, examples, {"council-1", "council-2"})
    assert [u["text"] for u in picked] == _UNLABELLED
    assert {u["authority"] for u in picked} == {"council-1"}
    assert unlabelled_of(pool, examples, set()) == []


def _theme_weights(models: Any) -> Any:
    return models.themes.W


def _config(units: int) -> Any:
    from lettermine.training import load_config

    return load_config(
        None,
        {
            "lettermine.training.themes.epochs": 3,
            "lettermine.training.themes.self_training_units": units,
            "lettermine.training.themes.self_training_threshold": 0.05,
        },
    )


def test_self_training_learns_from_the_pool_and_never_from_other_councils() -> None:
    import numpy

    from lettermine.training import build_models

    examples = tiny_examples()
    config = _config(units=50)
    gold_only = build_models(examples, config, polarity=False)
    pool = unlabelled("council-2")
    with_pool = build_models(examples, config, polarity=False, unlabelled=pool)
    assert not numpy.array_equal(_theme_weights(gold_only), _theme_weights(with_pool))
    # Units of a council that is not among the training units change nothing.
    outsiders = unlabelled("held-out-council")
    mixed = build_models(examples, config, polarity=False, unlabelled=outsiders + pool)
    assert numpy.array_equal(_theme_weights(with_pool), _theme_weights(mixed))
    # And with self_training_units 0 the pool is ignored.
    off = build_models(examples, _config(units=0), polarity=False, unlabelled=pool)
    assert numpy.array_equal(_theme_weights(gold_only), _theme_weights(off))


def test_self_training_leaves_the_polarity_models_as_they_were() -> None:
    import numpy

    from lettermine.training import build_models

    config = _config(units=50)
    gold_only = build_models(tiny_examples(), config)
    with_pool = build_models(tiny_examples(), config, unlabelled=unlabelled("council-2"))
    assert not numpy.array_equal(_theme_weights(gold_only), _theme_weights(with_pool))
    # The vocabulary grows with the pool's words: compare the weights of the words both know.
    for name in ("polarity", "sentences"):
        a, b = getattr(gold_only, name), getattr(with_pool, name)
        assert numpy.array_equal(a.b, b.b)
        common = [
            (gold_only.vocab.index[s], with_pool.vocab.index[s]) for s in gold_only.vocab.stems
        ]
        i, j = (list(x) for x in zip(*common, strict=True))
        assert numpy.array_equal(a.W[i], b.W[j])


def test_train_pipeline_self_trains_end_to_end(tmp_path: Path) -> None:
    from lettermine.classify import classify, load_pipeline
    from lettermine.training import train_pipeline

    out = train_pipeline(
        tiny_examples(), tmp_path / "model", max_epochs=5, unlabelled=unlabelled("council-3")
    )
    nlp = load_pipeline(out)
    assert tuple(nlp.get_pipe("lettermine_themes").labels) == THEME_CODES
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
    from lettermine.corpus import council_of

    corpus = tmp_path / "corpus"
    picked = []
    for part in ("ilacs", "focused"):
        source = sorted((CORPUS / part / "pdf").glob("*.pdf"))[0]
        (corpus / part / "pdf").mkdir(parents=True)
        (corpus / part / "pdf" / source.name).symlink_to(source)
        picked.append(source.name)
    units = read_unlabelled(corpus)
    councils = {council_of(name) for name in picked}
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
    from lettermine.training import read_gold

    gold = tmp_path / "corpus" / "gold"
    _write_tiny_gold(gold)
    train = read_gold(gold)
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
    assert f"training on {len(train)} labelled units and 0 labelled by people" in result.stderr
    found = len(read_unlabelled(tmp_path / "corpus"))
    assert found > 10 and f"({found} unlabelled findings to self-train on)" in result.stderr
    nlp = load_pipeline(tmp_path / "m")
    assert tuple(nlp.get_pipe("lettermine_themes").labels) == THEME_CODES
    # It learnt from every council: `model evaluate` has nothing unseen to score.
    assert set(nlp.meta["lettermine"]["councils"]) == {ex["authority"] for ex in train}
    evaluated = runner.invoke(app, ["model", "evaluate", "--gold", str(gold), "--model",
                                    str(tmp_path / "m")])  # fmt: skip
    assert evaluated.exit_code == 1 and "nothing unseen to score" in evaluated.stderr


def test_model_train_holds_out_a_fold_of_councils_people_labels_included(  # type: ignore[no-untyped-def]
    tmp_path: Path, runner, db_path: Path
) -> None:
    import json

    from lettermine.classify import load_pipeline
    from lettermine.cli import app
    from lettermine.db import open_db
    from lettermine.labels import label_unit, person_examples
    from lettermine.letters import save_letter
    from lettermine.records import Letter, Unit
    from lettermine.training import assign_folds, council, read_gold

    gold = tmp_path / "corpus" / "gold"
    _write_tiny_gold(gold)
    examples = read_gold(gold)
    held = sorted({council(ex) for ex in examples})[0]
    # A person labels a unit of a letter of that council (invented text).
    conn = open_db(db_path).conn
    letter = Letter(
        kind="focused_visit",
        authority=held,
        units=[Unit("area_for_improvement", "Life-story work for adopted children.")],
    )
    save_letter(conn, letter, sha256="b" * 64, source="held.txt")  # fmt: skip
    label_unit(conn, "1:1", add=["permanence"], remove=[])
    [person] = person_examples(conn)
    assert person["authority"] == held
    folds = assign_folds(examples + [person])
    fold = folds[held]
    result = runner.invoke(
        app,
        ["model", "train", "--gold", str(gold), "--out", str(tmp_path / "m"),
         "--hold-out", str(fold)],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "0 labelled by people" in result.stderr  # the held-out council's label stays out
    learnt = set(load_pipeline(tmp_path / "m").meta["lettermine"]["councils"])
    assert learnt == {council(ex) for ex in examples if folds[council(ex)] != fold}
    evaluated = runner.invoke(
        app, ["model", "evaluate", "--gold", str(gold), "--model", str(tmp_path / "m"), "--json"]
    )
    assert evaluated.exit_code == 0, evaluated.stderr
    report = json.loads(evaluated.stdout)
    assert report["units"] == sum(1 for ex in examples if folds[council(ex)] == fold)
    assert report["councils"] == len({council(ex) for ex in examples} - learnt)
