"""Train and evaluate the theme pipeline: gold units in, a saved spaCy pipeline out.

An example is a dict: {"text", "themes": [codes], "polarity": str | None, "kind"}, optionally
with "authority" (used to keep one council's units together when folds are made). Everything
here runs offline from `spacy.blank("en")`; spaCy is imported inside functions.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lettermine.classify import CONCERN_KINDS, DEFAULT_THRESHOLD, THRESHOLDS_FILE, classify
from lettermine.errors import InvalidInput, ModelError
from lettermine.paths import read_file
from lettermine.themes import POLARITIES, THEME_CODES

if TYPE_CHECKING:
    from spacy.language import Language

Example_ = dict[str, Any]  # one labelled unit, as described in the module docstring

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "models" / "configs" / "themes.cfg"
GOLD_PARTS = ("afi", "findings", "focused", "focused-findings", "jtai", "send")
UNIT_LISTS = (
    ("area_for_improvement", "areas_for_improvement"),
    ("priority_action", "priority_actions"),
    ("finding", "findings"),
)
# The kind of letter of each gold folder, where its files do not say (TAXONOMY.md's `kind`).
_PART_LETTER = {"focused": "focused_visit", "focused-findings": "focused_visit",
                "jtai": "jtai", "send": "area_send"}  # fmt: skip
LABELS_DIR = Path(__file__).resolve().parent.parent / "models" / "labels"
# Fewer labelled units than this and thresholds tuned on folds would be noise.
MIN_UNITS_TO_TUNE = 200
THRESHOLD_GRID = tuple(round(0.05 * i, 2) for i in range(2, 19))


def read_gold(gold_dir: Path) -> list[Example_]:
    """Every gold unit once (a report's areas appear in two folders), with its council.

    Each example: text, themes, polarity (areas and priority actions: concern), kind, authority
    (the council: lettermine.corpus.council_of), source (the file's stem), letter (its kind of
    letter: ilacs, sif, focused_visit, jtai, area_send), section and group (or None), and
    origin "gold".
    """
    from lettermine.corpus import council_of

    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise InvalidInput(f"{gold_dir}: no such gold folder")
    seen: set[tuple[str, str]] = set()
    out: list[Example_] = []
    for part in GOLD_PARTS:
        for file in sorted((gold_dir / part).glob("*.json")):
            data = json.loads(read_file(file).decode("utf-8"))
            letter = str(data.get("kind") or _PART_LETTER.get(part, "ilacs"))
            for kind, key in UNIT_LISTS:
                for unit in data.get(key) or []:
                    ident = (file.stem, unit["text"])
                    if ident in seen:
                        continue
                    seen.add(ident)
                    out.append(
                        {
                            "text": unit["text"],
                            "themes": list(unit.get("themes") or []),
                            "polarity": unit.get("polarity") if kind == "finding" else "concern",
                            "kind": kind,
                            "authority": council_of(file.name),
                            "source": file.stem,
                            "letter": letter,
                            "section": unit.get("section"),
                            "group": unit.get("group"),
                            "origin": "gold",
                        }
                    )
    return out


def read_project_labels(corpus: Path, labels_dir: Path = LABELS_DIR) -> list[Example_]:
    """The project's own labels (models/labels/*.jsonl) with their units' text from the corpus.

    A label file's rows with a `sha1` are labels of units; a second reading kept to measure
    agreement (`"pass": 2`) is not training data, nor are rows without a hash (readings of
    gold units). Units the parser no longer finds are left out (lettermine.labelled).
    """
    from lettermine.corpus import council_of

    files = sorted(Path(labels_dir).glob("*.jsonl"))
    if not files or not Path(corpus).is_dir():
        return []
    keep = []
    for file in files:
        rows = [json.loads(line) for line in file.read_text("utf-8").splitlines() if line.strip()]
        keep += [r for r in rows if r.get("sha1") and r.get("pass") != 2]
    found = _read_label_rows(keep, Path(corpus))
    out = []
    for ex in found:
        ex["authority"] = council_of(ex["source"])
        ex["origin"] = "labels"
        out.append(ex)
    return out


def _read_label_rows(rows: list[dict[str, Any]], corpus: Path) -> list[Example_]:
    import tempfile

    from lettermine.labelled import read_labels

    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "labels.jsonl"
        file.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        return read_labels([file], corpus).examples


def assign_folds(examples: Sequence[Example_], k: int = 5, seed: int = 0) -> dict[str, int]:
    """Council -> fold in 0..k-1, so no council is in two folds.

    Councils are dealt out largest first, each to the fold where it leaves the kinds of unit
    (findings, JTAI units, SEND units, other areas and actions) most evenly spread; ties break
    on a hash of the name, so the split is the same on every machine. Another `seed` deals
    them in an order of its own (a shuffle, the same on every machine): other folds, as evenly
    spread, for repeated cross-validation.
    """
    strata: dict[str, Counter[str]] = defaultdict(Counter)
    for ex in examples:
        strata[council(ex)][_stratum(ex)] += 1
    names = sorted({s for c in strata.values() for s in c})
    totals = {s: max(1, sum(c[s] for c in strata.values())) for s in names}
    if seed:
        order = sorted(strata, key=lambda a: hashlib.sha1(f"{seed}:{a}".encode()).hexdigest())
    else:
        order = sorted(
            strata,
            key=lambda a: (-sum(strata[a].values()), hashlib.sha1(a.encode()).hexdigest()),
        )
    load = [dict.fromkeys(names, 0.0) for _ in range(k)]
    fold: dict[str, int] = {}
    for group in order:
        share = {s: strata[group][s] / totals[s] for s in names}

        def cost(j: int, share: dict[str, float] = share) -> tuple[float, int]:
            after = [
                sum((load[i][s] + (share[s] if i == j else 0.0)) ** 2 for s in names)
                for i in range(k)
            ]
            return sum(after), j

        i = min(range(k), key=cost)
        fold[group] = i
        for s in names:
            load[i][s] += share[s]
    return fold


def _stratum(ex: Example_) -> str:
    letter = ex.get("letter")
    if letter in ("jtai", "area_send"):
        return str(letter)
    return "finding" if ex.get("kind") == "finding" else "area"


def split_by_authority(
    examples: Sequence[Example_], k: int = 5, test_fold: int = 0
) -> tuple[list[Example_], list[Example_]]:
    """(train, held-out test): one fold of councils held out, the rest to train on."""
    fold = assign_folds(examples, k)
    train = [ex for ex in examples if fold[council(ex)] != test_fold]
    test = [ex for ex in examples if fold[council(ex)] == test_fold]
    return train, test


def council(ex: Example_) -> str:
    """The council a unit belongs to: its `authority`, or (none known) its own text's hash."""
    return str(ex.get("authority") or hashlib.sha1(ex["text"].encode()).hexdigest()[:12])


def unseen_examples(nlp: Language, examples: Sequence[Example_]) -> list[Example_]:
    """The examples of councils a pipeline did not learn from (its meta says which it did).

    Raises ModelError when the pipeline does not say, or when it learnt from all of them.
    """
    meta = nlp.meta.get("lettermine") or {}
    if "councils" not in meta:
        raise ModelError(
            "the model does not say which councils it learnt from, so no unit can be "
            "scored as unseen: retrain it (`lettermine model train --hold-out 0`)"
        )
    seen = set(meta["councils"])
    unseen = [ex for ex in examples if council(ex) not in seen]
    if not unseen:
        raise ModelError(
            f"the model learnt from every council of these {len(examples)} units: nothing "
            "unseen to score. Train one with `lettermine model train --hold-out 0`, or "
            "cross-validate: python -m models.scripts.crossval"
        )
    return unseen


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Any:
    """The training config (models/configs/themes.cfg by default), with dotted overrides."""
    from spacy.util import load_config as spacy_load_config

    path = Path(path) if path is not None else DEFAULT_CONFIG
    if not path.is_file():
        raise ModelError(f"no training config at {path}")
    return spacy_load_config(path, overrides=overrides or {}, interpolate=False)


def _section(config: Any, *keys: str) -> dict[str, Any]:
    node: Any = config
    for key in keys:
        node = node.get(key, {}) if isinstance(node, dict) else {}
    return dict(node) if isinstance(node, dict) else {}


def context_namespaces(config: Any) -> list[str]:
    """Which of a unit's context (kind, section, group, letter) the features read."""
    return [str(n) for n in _section(config, "lettermine", "features").get("context", [])]


class Tokenised:
    """Training examples as the trainer sees them: spaCy's tokens, read once per text."""

    def __init__(self) -> None:
        import spacy

        from lettermine.classify import FeatureTagger, _register

        _register()
        self.nlp = spacy.blank("en")
        self._lowers: dict[str, Any] = {}
        self.lexicon = FeatureTagger(self.nlp, "features").phrases()

    def strings(self, key: int) -> str:
        return str(self.nlp.vocab.strings[key])

    def lowers(self, texts: Sequence[str]) -> list[Any]:
        from spacy.attrs import LOWER

        new = sorted({t for t in texts if t not in self._lowers})
        tokenizer: Any = self.nlp.tokenizer
        for text, doc in zip(new, tokenizer.pipe(new, batch_size=512), strict=True):
            self._lowers[text] = doc.to_array(LOWER)
        return [self._lowers[t] for t in texts]

    def units(
        self, examples: Sequence[Example_], namespaces: Sequence[str], weight: float = 1.0
    ) -> list[Any]:
        """model.Unit per example; project labels (origin "labels") weigh `weight`."""
        from lettermine.classify import context_words
        from lettermine.model import Unit

        lowers = self.lowers([ex["text"] for ex in examples])
        return [
            Unit(
                low,
                list(ex.get("themes") or []),
                str(ex.get("kind")),
                ex.get("polarity"),
                council(ex),
                weight if ex.get("origin") == "labels" else float(ex.get("weight", 1.0)),
                context_words(_context(ex), namespaces),
            )
            for ex, low in zip(examples, lowers, strict=True)
        ]


def _context(ex: Example_) -> Any:
    from lettermine.classify import Context

    return Context(
        kind=ex.get("kind"), section=ex.get("section"), group=ex.get("group"),
        letter=ex.get("letter"),
    )  # fmt: skip


def context_vocabulary(units: Sequence[Any]) -> dict[str, list[str]] | None:
    """The context words of the training units, per namespace (None without any)."""
    words: dict[str, set[str]] = defaultdict(set)
    for u in units:
        for name, values in u.context.items():
            words[name].update(values)
    return {k: sorted(v) for k, v in sorted(words.items())} or None


def build_models(
    examples: Sequence[Example_],
    config: Any,
    *,
    seed: int = 0,
    polarity: bool = True,
    unlabelled: Sequence[Example_] = (),
    tokenised: Tokenised | None = None,
) -> Any:
    """Train the theme (and polarity) models on the examples: lettermine.model.Models.

    `unlabelled` findings (lettermine.self_training) are pseudo-labelled by a first theme model
    and added to the theme training when the config asks for it (`self_training_units`); only
    those of the examples' councils are read.
    """
    from lettermine.classify import LEXICON, stem
    from lettermine.model import Lexicon, TrainConfig, train

    _check(examples)
    tok = tokenised or Tokenised()
    namespaces = context_namespaces(config)
    section = _section(config, "lettermine", "training")
    settings = TrainConfig.from_config(section)
    weight = float(section.get("labels_weight", 1.0))
    units = tok.units(examples, namespaces, weight)
    councils = {u.council for u in units}
    pool = tok.units(unlabelled_of(unlabelled, examples, councils), namespaces)
    context = context_vocabulary([*units, *pool]) if namespaces else None
    labels = list(tok.lexicon)
    lexicon = Lexicon(labels, tok.lexicon, stem)
    assert set(LEXICON) <= set(labels)
    return train(units, tok.strings, lexicon, settings, seed=seed, pool=pool,
                 polarity=polarity, context=context)  # fmt: skip


def unlabelled_of(
    unlabelled: Sequence[Example_], examples: Sequence[Example_], councils: set[str]
) -> list[Example_]:
    """The unlabelled findings of these councils that are not among the labelled examples."""
    from lettermine.labelled import match_key

    if not unlabelled:
        return []
    known = {match_key(ex["text"]) for ex in examples}
    return [
        ex for ex in unlabelled
        if council(ex) in councils and match_key(ex["text"]) not in known
    ]  # fmt: skip


def score_examples(
    models: Any, examples: Sequence[Example_], config: Any, tokenised: Tokenised
) -> tuple[Any, list[str]]:
    """(units, 21) theme probabilities and a polarity per example (areas: concern)."""
    import numpy

    from lettermine.classify import context_words
    from lettermine.model import featurise, polarity_scores, theme_scores

    namespaces = context_namespaces(config)
    words = [context_words(_context(ex), namespaces) for ex in examples] if namespaces else None
    batch = featurise(
        models.vocab, tokenised.lowers([ex["text"] for ex in examples]), tokenised.strings, words
    )
    probs = theme_scores(models, batch)
    rows = numpy.asarray(
        [i for i, ex in enumerate(examples) if ex.get("kind") not in CONCERN_KINDS], numpy.int64
    )
    polarity = ["concern"] * len(examples)
    if len(rows):
        scores = polarity_scores(models, batch, rows)
        if scores is not None:
            for i, best in zip(rows.tolist(), scores.argmax(axis=1).tolist(), strict=True):
                polarity[i] = POLARITIES[best]
    return probs, polarity


def out_of_fold_scores(
    examples: Sequence[Example_],
    config: Any,
    *,
    folds: int = 4,
    seed: int = 0,
    unlabelled: Sequence[Example_] = (),
    tokenised: Tokenised | None = None,
) -> Any:
    """(units, 21) theme scores for each example from a model that never saw its council.

    Self-training in each fold reads only unlabelled findings of that fold's training councils.
    """
    import numpy

    tok = tokenised or Tokenised()
    fold = assign_folds(examples, folds)
    scores = numpy.full((len(examples), len(THEME_CODES)), numpy.nan, dtype=numpy.float32)
    for f in range(folds):
        train = [ex for ex in examples if fold[council(ex)] != f]
        held = [i for i, ex in enumerate(examples) if fold[council(ex)] == f]
        if not held or not train:
            continue
        models = build_models(train, config, seed=seed, polarity=False, unlabelled=unlabelled,
                              tokenised=tok)  # fmt: skip
        scores[held] = score_examples(models, [examples[i] for i in held], config, tok)[0]
    return scores


def tune_thresholds(
    scores: Any, gold: Sequence[Sequence[str]], *, shrink: float = 300.0
) -> dict[str, float]:
    """Per-theme thresholds that maximise F1 on held-out scores, pulled towards one global one.

    `scores` is (units, 21) in THEME_CODES order. `shrink` is the number of positives at which
    a theme's own best threshold and the global best weigh the same. Its own best on a few
    dozen units is mostly noise: in nested cross-validation by authority, free per-theme
    thresholds (shrink 10) scored 0.814 micro-F1 against 0.820 for one global threshold,
    hence the strong pull by default.
    """
    import numpy

    from lettermine.model import pick_matrix

    probs = numpy.asarray(scores, dtype=numpy.float32)
    truth = numpy.asarray([[c in g for c in THEME_CODES] for g in gold], dtype=bool)

    def micro(t: float) -> float:
        picked = pick_matrix(probs, numpy.full(len(THEME_CODES), t, dtype=numpy.float32))
        tp = int((picked & truth).sum())
        return 2 * tp / (int(picked.sum()) + int(truth.sum())) if tp else 0.0

    best_global = max(THRESHOLD_GRID, key=micro)
    out: dict[str, float] = {}
    for j, code in enumerate(THEME_CODES):
        positives = int(truth[:, j].sum())

        def own(t: float, j: int = j, positives: int = positives) -> tuple[float, float]:
            pred = probs[:, j] >= t
            tp = int((pred & truth[:, j]).sum())
            f1 = 2 * tp / (int(pred.sum()) + positives) if tp else 0.0
            return f1, -abs(t - best_global)  # ties go to the threshold nearest the global one

        best = max(THRESHOLD_GRID, key=own)
        w = positives / (positives + shrink)
        out[code] = round(w * best + (1 - w) * best_global, 3)
    return out


def fit_thresholds(
    examples: Sequence[Example_],
    config: Any,
    *,
    seed: int = 0,
    unlabelled: Sequence[Example_] = (),
    tokenised: Tokenised | None = None,
    folds: int = 4,
) -> tuple[dict[str, float], dict[str, Any]]:
    """Per-theme thresholds tuned on out-of-fold scores of the examples (folds by council).

    Returns the thresholds and a summary of the tuning. The scores come from models trained as
    the final one is (self-training on the training councils' findings), the examples'
    councils split `folds` ways.
    """
    import numpy

    oof = out_of_fold_scores(examples, config, folds=folds, seed=seed, unlabelled=unlabelled,
                             tokenised=tokenised)  # fmt: skip
    scored = ~numpy.isnan(oof).any(axis=1)
    keep = [i for i, ex in enumerate(examples) if ex.get("themes") and scored[i]]
    scores = oof[keep]
    gold = [examples[i]["themes"] for i in keep]
    tuning: dict[str, Any] = {}
    l2 = float(_section(config, "lettermine", "cooccurrence").get("l2", 0.0))
    if l2 > 0:
        # Label co-occurrence: a second stage reads all 21 first-stage scores. Its own
        # out-of-fold outputs (folds by council) are what the thresholds are tuned on.
        from lettermine.linear import apply_chain, fit_chain

        truth = numpy.asarray([[c in g for c in THEME_CODES] for g in gold], dtype="f")
        inner = assign_folds([examples[i] for i in keep], folds)
        group = numpy.asarray([inner[council(examples[i])] for i in keep])
        second = numpy.zeros_like(scores)
        for f in range(folds):
            held = group == f
            if held.any() and (~held).any():
                chain = fit_chain(scores[~held], truth[~held], l2=l2)
                second[held] = apply_chain(scores[held], chain)
        tuning["chain"] = fit_chain(scores, truth, l2=l2)
        scores = second
    shrink = float(_section(config, "lettermine", "thresholds").get("shrink", 300.0))
    thresholds = tune_thresholds(scores, gold, shrink=shrink)
    return thresholds, {
        **tuning,
        "out_of_fold_units": len(keep),
        "folds": folds,
        # Optimistic: measured on the units the thresholds were chosen on.
        "out_of_fold_micro_f1": round(_micro_f1(scores, gold, thresholds), 4),
        "out_of_fold_micro_f1_at_0.5": round(
            _micro_f1(scores, gold, dict.fromkeys(THEME_CODES, DEFAULT_THRESHOLD)), 4
        ),
    }


def _micro_f1(scores: Any, gold: Sequence[Sequence[str]], thresholds: dict[str, float]) -> float:
    import numpy

    from lettermine.model import pick_matrix

    cut = numpy.asarray([thresholds[c] for c in THEME_CODES], dtype=numpy.float32)
    picked = pick_matrix(numpy.asarray(scores, dtype=numpy.float32), cut)
    predicted = [[c for c, p in zip(THEME_CODES, row, strict=True) if p] for row in picked]
    return float(theme_report(predicted, gold)["micro_f1"])


def assemble(models: Any, tokenised: Tokenised) -> Language:
    """A spaCy pipeline (blank English tokenizer + lettermine's components) holding models."""
    import spacy

    from lettermine.classify import (
        FEATURES_COMPONENT,
        POLARITY_COMPONENT,
        SENTENCE_COMPONENT,
        THEME_COMPONENT,
        _register,
    )

    _register()
    nlp = spacy.blank("en")
    features: Any = nlp.add_pipe(FEATURES_COMPONENT)
    features.vocabulary = models.vocab
    themes: Any = nlp.add_pipe(THEME_COMPONENT)
    themes.model = models.themes
    if models.sentences is not None and models.polarity is not None:
        sentences: Any = nlp.add_pipe(SENTENCE_COMPONENT)
        sentences.model = models.sentences
        polarity: Any = nlp.add_pipe(POLARITY_COMPONENT)
        polarity.model = models.polarity
    return nlp


def train_pipeline(
    examples: list[dict[str, Any]],
    out_dir: Path,
    *,
    seed: int = 0,
    max_epochs: int | None = None,
    config_path: Path | None = None,
    thresholds: dict[str, float] | None = None,
    tune_folds: int = 4,
    log: Callable[[str], None] | None = None,
    unlabelled: Sequence[Example_] = (),
) -> Path:
    """Train the theme and polarity pipeline on labelled units and save it to out_dir.

    Thresholds: given ones are used as they are; otherwise, with enough units, they are tuned
    on out-of-fold scores (folds by council) and the final model is trained on everything.
    `unlabelled` findings are for self-training (lettermine.self_training.read_unlabelled).
    The councils learnt from are saved in the pipeline's meta (`lettermine.councils`), so that
    an evaluation never scores a council the model saw.
    """
    say = log or (lambda _msg: None)
    config = load_config(config_path)
    if max_epochs is not None:  # one knob for callers: caps every model's epochs
        overrides: dict[str, Any] = {}
        for name in ("themes", "sentences", "polarity"):
            current = _section(config, "lettermine", "training", name)
            key = f"lettermine.training.{name}.epochs"
            overrides[key] = min(max_epochs, int(current.get("epochs", max_epochs)))
        config = load_config(config_path, overrides)
    _check(examples)
    started = time.perf_counter()
    tok = Tokenised()
    tuning: dict[str, Any] = {"out_of_fold_units": 0}
    if thresholds is None:
        if tune_folds >= 2 and len(examples) >= MIN_UNITS_TO_TUNE:
            say(f"tuning thresholds on {tune_folds} folds by council ...")
            thresholds, tuning = fit_thresholds(
                examples, config, seed=seed, unlabelled=unlabelled, tokenised=tok,
                folds=tune_folds,
            )  # fmt: skip
        else:
            thresholds = dict.fromkeys(THEME_CODES, DEFAULT_THRESHOLD)
    say(f"training on {len(examples)} units ...")
    models = build_models(examples, config, seed=seed, unlabelled=unlabelled, tokenised=tok)
    if "chain" in tuning:
        models.themes.chain = tuning.pop("chain")
    nlp = assemble(models, tok)
    out_dir = Path(out_dir)
    nlp.meta["name"] = "lettermine_themes"
    nlp.meta["version"] = "2.0.0"
    nlp.meta["description"] = "lettermine unit themes (21, multi-label) and finding polarity"
    nlp.meta["lettermine"] = {
        "units": len(examples),
        "by_kind": dict(sorted(Counter(str(ex.get("kind")) for ex in examples).items())),
        "by_origin": dict(
            sorted(Counter(str(ex.get("origin", "other")) for ex in examples).items())
        ),
        "seed": seed,
        "context": context_namespaces(config),
        "councils": sorted({council(ex) for ex in examples}),
    }
    nlp.to_disk(out_dir)
    payload = {
        "themes": {code: float(thresholds.get(code, DEFAULT_THRESHOLD)) for code in THEME_CODES},
        "tuning": tuning,
    }
    (out_dir / THRESHOLDS_FILE).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    say(f"saved to {out_dir} in {time.perf_counter() - started:.0f} s")
    return out_dir


def trained_councils(nlp: Language) -> set[str]:
    """The councils whose units a pipeline learnt from (its meta), empty if it does not say."""
    return set((nlp.meta.get("lettermine") or {}).get("councils") or [])


def _check(examples: Sequence[Example_]) -> None:
    if not examples:
        raise InvalidInput("no labelled units to train on")
    unknown = {t for ex in examples for t in ex.get("themes") or [] if t not in THEME_CODES}
    if unknown:
        raise InvalidInput(f"unknown theme codes in training data: {', '.join(sorted(unknown))}")


def theme_report(
    predicted: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]
) -> dict[str, Any]:
    """Micro/macro F1 and per-theme precision, recall, F1 and support of theme sets."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for p, g in zip(predicted, gold, strict=True):
        ps, gs = set(p), set(g)
        for c in ps & gs:
            tp[c] += 1
        for c in ps - gs:
            fp[c] += 1
        for c in gs - ps:
            fn[c] += 1
    per: dict[str, dict[str, float]] = {}
    for c in THEME_CODES:
        prec = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 0.0
        rec = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[c] = {"p": prec, "r": rec, "f1": f1, "support": float(tp[c] + fn[c])}
    t, f_p, f_n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro_p = t / (t + f_p) if t + f_p else 0.0
    micro_r = t / (t + f_n) if t + f_n else 0.0
    micro = 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0
    present = [c for c in THEME_CODES if per[c]["support"]]
    macro = sum(per[c]["f1"] for c in present) / len(present) if present else 0.0
    return {
        "micro_p": micro_p,
        "micro_r": micro_r,
        "micro_f1": micro,
        "macro_f1": macro,
        "per_theme": per,
        "units": len(gold),
    }


def evaluate_pipeline(nlp: Language, examples: list[dict[str, Any]]) -> dict[str, Any]:
    """Theme micro-F1 (all, by kind), per-theme P/R/F1, polarity accuracy on findings."""
    results = classify(
        nlp,
        [ex["text"] for ex in examples],
        [ex["kind"] for ex in examples],
        [_context(ex) for ex in examples],
    )
    return evaluate_predictions(
        examples, [[c for c, _ in r.themes] for r in results], [r.polarity for r in results]
    )


# Per-kind figures: which units each name covers (an example's kind and kind of letter).
KIND_GROUPS: dict[str, Callable[[Example_], bool]] = {
    "reports_and_visits": lambda ex: ex.get("letter") not in ("jtai", "area_send"),
    "areas": lambda ex: (
        ex["kind"] == "area_for_improvement" and ex.get("letter") not in ("jtai", "area_send")
    ),
    "priority_actions": lambda ex: ex["kind"] == "priority_action",
    "findings": lambda ex: ex["kind"] == "finding",
    "jtai": lambda ex: ex.get("letter") == "jtai",
    "send": lambda ex: ex.get("letter") == "area_send",
}


def evaluate_predictions(
    examples: Sequence[Example_],
    themes: Sequence[Sequence[str]],
    polarities: Sequence[str | None] | None = None,
) -> dict[str, Any]:
    """The evaluate_pipeline report for any system's predicted themes and polarities.

    micro_f1 over all units, then `micro_f1_<group>` and `units_<group>` per KIND_GROUPS group
    that has units (areas: areas for improvement of inspection reports and visits; JTAI and
    SEND units counted in their own groups), and polarity accuracy on findings.
    """
    gold = [ex.get("themes") or [] for ex in examples]
    report = theme_report(themes, gold)
    for name, member in KIND_GROUPS.items():
        idx = [i for i, ex in enumerate(examples) if member(ex)]
        if not idx:
            continue
        sub = theme_report([themes[i] for i in idx], [gold[i] for i in idx])
        report[f"micro_f1_{name}"] = sub["micro_f1"]
        report[f"units_{name}"] = len(idx)
    report.setdefault("micro_f1_areas", 0.0)
    report.setdefault("micro_f1_findings", 0.0)
    scored = [
        i
        for i, ex in enumerate(examples)
        if ex["kind"] == "finding" and ex.get("polarity") in POLARITIES
    ]
    report["polarity_units"] = len(scored)
    report["polarity_accuracy"] = (
        sum(polarities[i] == examples[i]["polarity"] for i in scored) / len(scored)
        if scored and polarities is not None
        else None
    )
    if scored and polarities is not None:
        confusion: dict[str, Counter[str]] = defaultdict(Counter)
        for i in scored:
            confusion[examples[i]["polarity"]][str(polarities[i])] += 1
        report["polarity_confusion"] = {g: dict(c) for g, c in confusion.items()}
    return report


def iter_texts(examples: Iterable[Example_]) -> list[str]:
    """The texts of examples, in order (a convenience for benchmarks)."""
    return [ex["text"] for ex in examples]
