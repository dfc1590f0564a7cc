"""Vectorised features: lookups, stems and bigrams, lexicon phrases, sentences, counts, tf-idf."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lettermine.classify import stem
from lettermine.features import IntMap, Tokens, Vocabulary, tfidf


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.integers(-(2**62), 2**62), st.integers(0, 2**30), max_size=300),
    st.lists(st.integers(-(2**62), 2**62), max_size=50),
)
def test_intmap_finds_every_key_and_nothing_else(table: dict[int, int], extra: list[int]) -> None:
    keys = list(table)
    half = len(keys) // 2
    m = IntMap(keys[:half], [table[k] for k in keys[:half]])
    m.insert(numpy.asarray(keys[half:], "int64"), numpy.asarray([table[k] for k in keys[half:]]))
    queries = keys + extra
    got = m.get(numpy.asarray(queries, dtype="int64")).tolist()
    assert got == [table.get(q, -1) for q in queries]


def _vocabulary(**kwargs) -> Vocabulary:  # type: ignore[no-untyped-def]
    stems = sorted({".", "care", "plan", "leaver", "are", "late", "so", "that", "they", "visit"})
    index = {s: i for i, s in enumerate(stems)}
    bigram = index["care"] * len(stems) + index["leaver"]
    phrases = {"care_leavers": [["care", "leavers"]], "planning": [["plans"]]}
    return Vocabulary(stems, numpy.asarray([bigram]), ["care_leavers", "planning"], phrases,
                      stem_of=stem, **kwargs)  # fmt: skip


def _tokens(v: Vocabulary, units: list[list[str]]) -> Tokens:
    ids = [v.stem_id(w) for u in units for w in u]
    return Tokens(numpy.asarray(ids, "int32"), numpy.cumsum([0] + [len(u) for u in units]))


def test_counts_hold_stems_known_bigrams_and_one_feature_per_phrase_label() -> None:
    v = _vocabulary()
    tokens = _tokens(v, [["Care", "leavers", "plans", "plans", "unknown"], ["care", "plans"]])
    entries = v.entries(tokens)
    counts = v.counts(entries)
    first = dict(
        zip(
            counts.indices[: counts.indptr[1]].tolist(),
            counts.counts[: counts.indptr[1]],
            strict=True,
        )
    )
    i = v.index
    assert first[i["plan"]] == 2 and first[i["care"]] == 1 and first[i["leaver"]] == 1
    assert first[len(v.stems)] == 1  # the bigram "care leaver"
    assert first[v.rule_base] == 1 and first[v.rule_base + 1] == 1  # each label once
    second = set(counts.indices[counts.indptr[1] :].tolist())
    # "care" ends unit 0 and "care leavers" is not split across units; "plans" is a phrase.
    assert v.rule_base not in second and v.rule_base + 1 in second
    assert len(v.stems) not in second
    assert v.unit_labels(entries.matches, 2).tolist() == [3, 2]


def test_sentences_end_at_stops_and_bigrams_do_not_cross_them() -> None:
    v = _vocabulary()
    tokens = _tokens(v, [["care", ".", "leavers", "are", "late"], ["plans"]])
    entries = v.entries(tokens)
    sentence = v.sentences(entries)
    assert sentence.tolist() == [0, 0, 1, 1, 1, 2]
    counts = v.counts(entries, segment=sentence, n_segments=3)
    assert counts.rows == 3
    assert len(v.stems) not in counts.indices.tolist()  # "care . leavers": no bigram


def test_words_of_a_purpose_clause_count_at_the_clause_weight() -> None:
    v = _vocabulary(clause_weight=0.5)
    tokens = _tokens(v, [["plans", "so", "that", "they", "visit"], ["visit", "plans"]])
    counts = v.counts(v.entries(tokens))
    value = {
        (row, f): c
        for row in range(2)
        for f, c in zip(
            counts.indices[counts.indptr[row] : counts.indptr[row + 1]].tolist(),
            counts.counts[counts.indptr[row] : counts.indptr[row + 1]].tolist(),
            strict=True,
        )
    }
    i = v.index
    assert value[(0, i["plan"])] == 1.0 and value[(0, i["so"])] == 1.0
    assert value[(0, i["that"])] == 0.5 and value[(0, i["visit"])] == 0.5
    assert value[(1, i["visit"])] == 1.0  # the next unit starts afresh


def test_tfidf_is_log_scaled_and_unit_length() -> None:
    v = _vocabulary()
    counts = v.counts(v.entries(_tokens(v, [["plans", "plans", "late"], []])))
    idf = numpy.ones(v.size, dtype="f")
    vals = tfidf(counts, idf)
    row = vals[: counts.indptr[1]]
    assert float((row**2).sum()) == pytest.approx(1.0)
    assert counts.indptr[2] == counts.indptr[1]  # an empty unit has no features
