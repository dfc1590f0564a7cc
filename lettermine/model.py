"""The theme and polarity models as arrays: build the vocabulary, train, score a batch.

Three linear models share one Vocabulary (lettermine.features):
- themes: 21 independent sigmoids over a unit's TF-IDF features;
- sentences: a concern score (0-1) per sentence of a finding;
- polarity: softmax over strength/concern/mixed/context of a finding, over its TF-IDF
  features plus a summary of its sentences' concern scores (SENTENCE_FEATURES).
Units come in as arrays of spaCy LOWER hashes (the caller tokenises with spaCy) plus a
function that returns a hash's string. No spaCy here; lettermine.classify wraps these in
spaCy components, lettermine.training reads the data and saves pipelines.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lettermine.features import Counts, Entries, Matches, Tokens, Vocabulary, bigram_codes
from lettermine.linear import Linear, Settings, fit, stack
from lettermine.themes import POLARITIES, THEME_CODES

Strings = Callable[[int], str]
Example_ = dict[str, Any]
SENTENCE_FEATURES = ("max", "min", "mean", "share_concern", "first", "last", "both")
CONCERN_KINDS = frozenset({"area_for_improvement", "priority_action"})
DEFAULT_THRESHOLD = 0.5


@dataclass
class Batch:
    """A batch of units featurised: token-level entries, feature counts per unit, labels."""

    entries: Entries
    counts: Counts
    labels: np.ndarray  # per unit, a bitmask of the lexicon labels found in it

    @property
    def tokens(self) -> Tokens:
        return self.entries.tokens

    @property
    def matches(self) -> Matches:
        return self.entries.matches


@dataclass
class Models:
    """Everything a trained pipeline holds, as arrays."""

    vocab: Vocabulary
    themes: Linear
    sentences: Linear | None = None
    polarity: Linear | None = None
    thresholds: dict[str, float] = field(default_factory=dict)


# -- features ---------------------------------------------------------------------------------
def featurise(
    vocab: Vocabulary,
    lowers: Sequence[np.ndarray],
    strings: Strings,
    contexts: Sequence[Mapping[str, Sequence[str]]] | None = None,
) -> Batch:
    """Feature counts of units given as LOWER hash arrays (and context words, if any)."""
    return featurise_tokens(vocab, vocab.stem_ids(lowers, strings), contexts)


def featurise_tokens(
    vocab: Vocabulary,
    tokens: Tokens,
    contexts: Sequence[Mapping[str, Sequence[str]]] | None = None,
) -> Batch:
    """Feature counts of units given as stem ids (and context words, if any)."""
    entries = vocab.entries(tokens)
    context = vocab.context_features(contexts) if contexts and vocab.context else None
    counts = vocab.counts(entries, context=context)
    return Batch(entries, counts, vocab.unit_labels(entries.matches, tokens.units))


def sentence_counts(vocab: Vocabulary, entries: Entries) -> tuple[Counts, np.ndarray]:
    """Feature counts of every sentence of the units, and the unit of each sentence."""
    sentence = vocab.sentences(entries)
    n = int(sentence[-1]) + 1 if len(sentence) else 0
    counts = vocab.counts(entries, segment=sentence, n_segments=n)
    first = np.flatnonzero(np.diff(sentence, prepend=-1) != 0)
    return counts, entries.unit[first]


def sentence_summary(scores: np.ndarray, unit: np.ndarray, units: int) -> np.ndarray:
    """Per unit, SENTENCE_FEATURES of its sentences' concern scores (zeros without any)."""
    out = np.zeros((units, len(SENTENCE_FEATURES)), dtype=np.float32)
    if not len(scores):
        return out
    first = np.flatnonzero(np.diff(unit, prepend=-1) != 0)
    last = np.append(first[1:], len(unit)) - 1
    who = unit[first]
    n = (last - first + 1).astype(np.float32)
    concern = np.add.reduceat((scores >= 0.5).astype(np.float32), first)
    out[who, 0] = np.maximum.reduceat(scores, first)
    out[who, 1] = np.minimum.reduceat(scores, first)
    out[who, 2] = np.add.reduceat(scores, first) / n
    out[who, 3] = concern / n
    out[who, 4] = scores[first]
    out[who, 5] = scores[last]
    out[who, 6] = ((concern > 0) & (concern < n)).astype(np.float32)
    return out


# -- scoring ---------------------------------------------------------------------------------
def theme_scores(models: Models, batch: Batch) -> np.ndarray:
    """(units, 21) theme probabilities."""
    return models.themes.predict(batch.counts)


def polarity_scores(models: Models, batch: Batch, rows: np.ndarray) -> np.ndarray | None:
    """(len(rows), 4) polarity probabilities of these units (findings), or None without a model."""
    if models.polarity is None or models.sentences is None:
        return None
    rows = np.asarray(rows, dtype=np.int64)
    sent_counts, sent_unit = sentence_counts(models.vocab, batch.entries)
    sent = models.sentences.predict(sent_counts)[:, 0]
    summary = sentence_summary(sent, sent_unit, batch.tokens.units)
    if len(rows) == batch.tokens.units:
        return models.polarity.predict(batch.counts, summary)
    return models.polarity.predict(batch.counts.take(rows), summary[rows])


def pick_matrix(probs: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Boolean (units, 21): scores at or above their threshold, or each row's best if none."""
    picked = probs >= thresholds[None, :]
    empty = ~picked.any(axis=1)
    if empty.any():
        picked[np.flatnonzero(empty), probs[empty].argmax(axis=1)] = True
    return picked


# -- vocabulary -------------------------------------------------------------------------------
def build_vocabulary(
    lowers: Sequence[np.ndarray],
    strings: Strings,
    *,
    labels: Sequence[str],
    phrases: Mapping[str, Sequence[Sequence[str]]],
    stem_of: Callable[[str], str],
    context: Mapping[str, Sequence[str]] | None = None,
    min_df: int = 1,
    clause_weight: float = 1.0,
) -> Vocabulary:
    """Stems and bigrams of the training units; lexicon words and sentence ends always in.

    A bigram found in fewer than `min_df` training units is left out (no weight is learnt
    for it, and it costs nothing at run time).
    """
    forms = np.unique(np.concatenate(lowers)) if len(lowers) else np.zeros(0, np.uint64)
    words = {strings(int(h)) for h in forms}
    words.update(w for ps in phrases.values() for p in ps for w in p)
    words.update((".", "?", "!"))
    stems = sorted({stem_of(w) for w in words})
    bare = Vocabulary(stems, np.zeros(0, np.int64), labels, {}, stem_of=stem_of)
    tokens = bare.stem_ids(lowers, strings)
    codes = bigram_codes(tokens, len(stems))
    if min_df > 1 and len(codes):
        # Document frequency: each unit's distinct bigrams, counted over the units.
        unit = tokens.unit_of_token()
        ids = tokens.ids
        ok = (ids[:-1] >= 0) & (ids[1:] >= 0) & (unit[:-1] == unit[1:])
        owner = unit[:-1][ok]
        pairs = np.unique(owner * (len(stems) ** 2) + codes)
        codes, df = np.unique(pairs % (len(stems) ** 2), return_counts=True)
        codes = codes[df >= min_df]
    else:
        codes = np.unique(codes)
    return Vocabulary(
        stems, codes, labels, phrases, context, stem_of=stem_of, clause_weight=clause_weight
    )


# -- training ---------------------------------------------------------------------------------
@dataclass
class TrainConfig:
    """The training settings (models/configs/themes.cfg [lettermine.training])."""

    themes: Settings
    sentences: Settings
    polarity: Settings
    sentence_folds: int = 4
    sentence_areas: float = 0.25  # weight of an area's sentences as concern examples
    self_training_units: int = 0
    self_training_threshold: float = 0.5
    self_training_weight: float = 0.2
    min_df: int = 1  # bigrams found in fewer training units are not features
    clause_weight: float = 1.0  # words after "so that" (Vocabulary)

    @classmethod
    def from_config(cls, section: Mapping[str, Any], learn_rate: float = 0.5) -> TrainConfig:
        themes = dict(section.get("themes", {}))
        sentences = dict(section.get("sentences", {}))
        return cls(
            themes=Settings.from_config(themes, learn_rate),
            sentences=Settings.from_config(sentences, learn_rate),
            polarity=Settings.from_config(dict(section.get("polarity", {})), learn_rate),
            sentence_folds=int(sentences.get("folds", 4)),
            sentence_areas=float(sentences.get("areas", 0.0)),
            self_training_units=int(themes.get("self_training_units", 0)),
            self_training_threshold=float(themes.get("self_training_threshold", 0.5)),
            self_training_weight=float(themes.get("self_training_weight", 1.0)),
            min_df=int(section.get("min_df", 1)),
            clause_weight=float(section.get("clause_weight", 1.0)),
        )


@dataclass
class Unit:
    """A training unit as the trainer sees it."""

    lowers: np.ndarray
    themes: list[str]
    kind: str
    polarity: str | None = None
    council: str | None = None
    weight: float = 1.0
    context: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Lexicon:
    """Lexicon labels (themes then cues) and their phrases as lower-cased token strings."""

    labels: list[str]
    phrases: dict[str, list[list[str]]]
    stem_of: Callable[[str], str]


def train(
    units: Sequence[Unit],
    strings: Strings,
    lexicon: Lexicon,
    config: TrainConfig,
    *,
    seed: int = 0,
    pool: Sequence[Unit] = (),
    polarity: bool = True,
    context: Mapping[str, Sequence[str]] | None = None,
) -> Models:
    """Train the theme model (self-training on `pool` if configured) and the polarity models.

    `pool`: unlabelled findings; only those of the units' councils are used. Thresholds are
    not set here (see lettermine.training.tune_thresholds).
    """
    pseudo = _pseudo_labelled(units, strings, lexicon, config, seed, pool, context)
    themed = [u for u in units if u.themes] + pseudo
    vocab = build_vocabulary(
        [u.lowers for u in [*units, *pseudo]],
        strings,
        labels=lexicon.labels,
        phrases=lexicon.phrases,
        stem_of=lexicon.stem_of,
        context=context,
        min_df=config.min_df,
        clause_weight=config.clause_weight,
    )
    batch = featurise(vocab, [u.lowers for u in themed], strings, [u.context for u in themed])
    truth = np.asarray([[c in u.themes for c in THEME_CODES] for u in themed], dtype=np.float32)
    weights = np.asarray([u.weight for u in themed], dtype=np.float32)
    themes = fit(
        batch.counts,
        truth,
        config.themes,
        np.random.default_rng([seed, 1]),
        size=vocab.size,
        exclusive=False,
        sample_weight=None if (weights == 1.0).all() else weights,
    )
    models = Models(vocab, themes)
    if polarity:
        _train_polarity(models, units, strings, config, seed)
    return models


def _pseudo_labelled(
    units: Sequence[Unit],
    strings: Strings,
    lexicon: Lexicon,
    config: TrainConfig,
    seed: int,
    pool: Sequence[Unit],
    context: Mapping[str, Sequence[str]] | None,
) -> list[Unit]:
    """Self-training: pool findings of the units' councils, labelled by a first theme model."""
    if config.self_training_units <= 0 or not pool:
        return []
    councils = {u.council for u in units} - {None}
    chosen = [u for u in pool if u.council in councils]
    random.Random(seed).shuffle(chosen)
    chosen = chosen[: config.self_training_units]
    if not chosen:
        return []
    first_config = TrainConfig(
        config.themes, config.sentences, config.polarity, self_training_units=0,
        min_df=config.min_df, clause_weight=config.clause_weight,
    )  # fmt: skip
    first = train(units, strings, lexicon, first_config, seed=seed, polarity=False,
                  context=context)  # fmt: skip
    batch = featurise(first.vocab, [u.lowers for u in chosen], strings,
                      [u.context for u in chosen])  # fmt: skip
    probs = theme_scores(first, batch)
    out = []
    for u, row in zip(chosen, probs, strict=True):
        themes = [
            c for c, p in zip(THEME_CODES, row, strict=True) if p >= config.self_training_threshold
        ]
        if themes:
            out.append(Unit(u.lowers, themes, u.kind, None, u.council,
                            config.self_training_weight, u.context))  # fmt: skip
    return out


def _train_polarity(
    models: Models, units: Sequence[Unit], strings: Strings, config: TrainConfig, seed: int
) -> None:
    """Sentence scorer (with held-out scores for the training findings) and polarity softmax."""
    vocab = models.vocab
    rated = [u for u in units if u.kind not in CONCERN_KINDS and u.polarity in POLARITIES]
    if not rated:
        return
    areas = [u for u in units if u.kind in CONCERN_KINDS] if config.sentence_areas > 0 else []
    rated_batch = featurise(vocab, [u.lowers for u in rated], strings, [u.context for u in rated])
    sent_counts, sent_unit = sentence_counts(vocab, rated_batch.entries)
    area_counts = None
    area_unit = np.zeros(0, dtype=np.int64)
    if areas:
        area_batch = featurise(vocab, [u.lowers for u in areas], strings)
        area_counts, area_unit = sentence_counts(vocab, area_batch.entries)
    sent_truth = np.asarray(
        [1.0 if rated[i].polarity == "concern" else 0.0 for i in sent_unit], dtype=np.float32
    )
    clear = np.asarray([rated[i].polarity in ("strength", "concern") for i in sent_unit], bool)
    rng = np.random.default_rng([seed, 2])
    folds = council_folds([u.council for u in rated], config.sentence_folds)
    area_folds = [folds.get(u.council or "", -1) for u in areas]
    rated_fold = np.asarray([folds[u.council or ""] for u in rated])

    def fit_sentences(held_out: int | None) -> Linear | None:
        keep = clear & (rated_fold[sent_unit] != held_out if held_out is not None else True)
        rows = [np.flatnonzero(keep)]
        parts = [sent_counts.take(rows[0])]
        truth = [sent_truth[rows[0]]]
        weight = [np.ones(len(rows[0]), dtype=np.float32)]
        if area_counts is not None:
            a_keep = np.asarray(
                [held_out is None or area_folds[i] != held_out for i in area_unit], dtype=bool
            )
            a_rows = np.flatnonzero(a_keep)
            parts.append(area_counts.take(a_rows))
            truth.append(np.ones(len(a_rows), dtype=np.float32))
            weight.append(np.full(len(a_rows), config.sentence_areas, dtype=np.float32))
        y = np.concatenate(truth)
        if not len(y) or len(set(y.tolist())) < 2:
            return None
        return fit(
            stack(parts),
            y[:, None],
            config.sentences,
            rng,
            size=vocab.size,
            exclusive=False,
            sample_weight=np.concatenate(weight) if area_counts is not None else None,
        )

    final = fit_sentences(None)
    if final is None:
        return
    held_scores = np.zeros(sent_counts.rows, dtype=np.float32)
    for f in sorted(set(rated_fold.tolist())):
        model = fit_sentences(f) or final
        rows = np.flatnonzero(rated_fold[sent_unit] == f)
        held_scores[rows] = model.predict(sent_counts.take(rows))[:, 0]
    summary = sentence_summary(held_scores, sent_unit, len(rated))
    truth = np.asarray([[u.polarity == p for p in POLARITIES] for u in rated], np.float32)
    models.sentences = final
    models.polarity = fit(
        rated_batch.counts,
        truth,
        config.polarity,
        np.random.default_rng([seed, 3]),
        size=vocab.size,
        exclusive=True,
        dense=summary,
    )


def council_folds(councils: Sequence[str | None], k: int) -> dict[str, int]:
    """Council -> fold in 0..k-1, dealt largest first (ties by name) so folds are of a size."""
    sizes = Counter(c or "" for c in councils)
    load = [0] * k
    out: dict[str, int] = {}
    for council, n in sorted(sizes.items(), key=lambda cn: (-cn[1], cn[0])):
        i = min(range(k), key=lambda j: (load[j], j))
        out[council] = i
        load[i] += n
    return out
