"""Features of units for the theme and polarity models, computed a batch of units at a time.

A unit's tokens (spaCy's tokenizer) become stem ids; its features are the stems, the pairs of
adjacent stems (bigrams) seen in training, one feature per lexicon label whose phrase occurs
(`RULE=<label>`) and, optionally, context words (the unit's kind, section heading, agency and
kind of letter, each in its own namespace). Every step works on the token ids of a whole batch
concatenated, with a segment id per token (the unit, or the sentence, it belongs to), so the
cost per unit is a few numpy operations shared by hundreds of units rather than Python per
token. Lookups use vectorised open-addressing hash tables (IntMap). numpy only: no spaCy here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# Rolling hash of a phrase's stem ids: h = h * _PRIME + id (wrapping uint64 arithmetic).
_PRIME = np.uint64(1_000_003)
_MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing
_EMPTY = np.int64(-(2**63))
SENTENCE_ENDS = (".", "?", "!")
Strings = Callable[[int], str]


class IntMap:
    """A map of int64 keys to int32 values, looked up an array at a time (-1: absent).

    Open addressing with linear probing in a table at most half full: a lookup is a hash, a
    gather and a compare per key, with a few more rounds for the keys that collided.
    """

    def __init__(self, keys: Any = (), values: Any = ()) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        bits = max(4, int(2 * len(keys)).bit_length())
        self.bits = bits
        self.mask = (1 << bits) - 1
        self.keys = np.full(1 << bits, _EMPTY, dtype=np.int64)
        self.values = np.full(1 << bits, -1, dtype=np.int32)
        self.size = 0
        self.insert(keys, np.asarray(values, dtype=np.int32))

    def _slot(self, keys: np.ndarray) -> Any:
        with np.errstate(over="ignore"):
            h = keys.view(np.uint64) * _MULT
        return (h >> np.uint64(64 - self.bits)).astype(np.int64)

    def insert(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Add keys (distinct) with their values, growing the table as needed."""
        if not len(keys):
            return
        if 2 * (self.size + len(keys)) > len(self.keys):
            old = self.keys != _EMPTY
            grown = IntMap(
                np.concatenate([self.keys[old], keys]), np.concatenate([self.values[old], values])
            )
            self.__dict__.update(grown.__dict__)
            return
        slot = self._slot(keys)
        todo = np.arange(len(keys))
        while len(todo):
            s = slot[todo]
            current = self.keys[s]
            same = current == keys[todo]
            self.values[s[same]] = values[todo[same]]
            free = current == _EMPTY
            taken, first = np.unique(s[free], return_index=True)
            won = todo[free][first]
            self.keys[taken] = keys[won]
            self.values[taken] = values[won]
            self.size += len(won)
            done = np.zeros(len(keys), dtype=bool)
            done[won] = True
            done[todo[same]] = True
            todo = todo[~done[todo]]
            slot[todo] = (slot[todo] + 1) & self.mask

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, -1 where absent."""
        keys = np.asarray(keys, dtype=np.int64)
        slot = self._slot(keys)
        found = self.keys[slot]
        hit = found == keys
        out = np.where(hit, self.values[slot], -1).astype(np.int32)
        todo = np.flatnonzero(~hit & (found != _EMPTY))
        while len(todo):
            slot[todo] = (slot[todo] + 1) & self.mask
            s = slot[todo]
            found = self.keys[s]
            hit = found == keys[todo]
            out[todo[hit]] = self.values[s[hit]]
            todo = todo[~hit & (found != _EMPTY)]
        return out


@dataclass
class Counts:
    """Feature counts of segments (units or sentences) in CSR form: row i is segment i."""

    indptr: np.ndarray  # int64, len rows + 1
    indices: np.ndarray  # int32 feature ids, sorted within each row
    counts: np.ndarray  # float32 occurrences

    @property
    def rows(self) -> int:
        return len(self.indptr) - 1

    def take(self, rows: Sequence[int] | np.ndarray) -> Counts:
        """These rows, in this order, as a new Counts."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        lengths = ends - starts
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        pos = _ranges(starts, lengths)
        return Counts(indptr, self.indices[pos], self.counts[pos])


@dataclass
class Tokens:
    """Stem ids of a batch of units, concatenated."""

    ids: np.ndarray  # int32 stem id per token, -1 for a stem the vocabulary does not know
    offsets: np.ndarray  # int64, len units + 1: unit i is ids[offsets[i]:offsets[i + 1]]

    @property
    def units(self) -> int:
        return len(self.offsets) - 1

    def unit_of_token(self) -> np.ndarray:
        return np.repeat(np.arange(self.units, dtype=np.int64), np.diff(self.offsets))


@dataclass
class Matches:
    """Lexicon phrases found in a batch: token start, length, label index, unit."""

    start: np.ndarray  # int64 token index in the batch
    length: np.ndarray  # int64 tokens
    label: np.ndarray  # int32 label index
    unit: np.ndarray  # int64 unit index


@dataclass
class Entries:
    """A batch's features at token level: where each stem and bigram occurs, and matches."""

    tokens: Tokens
    unit: np.ndarray  # per token, its unit
    pos: np.ndarray  # int64 token where the feature starts
    feat: np.ndarray  # int64 feature id
    bigram: np.ndarray  # bool: the feature is a bigram (it also covers token pos + 1)
    matches: Matches
    weight: np.ndarray | None = None  # float32 per entry, or None: every entry counts 1


class Vocabulary:
    """Stems and bigrams seen in training, the lexicon compiled to stem ids, context words.

    Feature ids: [0, V) stems, [V, V + B) bigrams, then one per lexicon label, then the
    context words of each namespace (`context` lists the namespaces, each with its words).
    """

    def __init__(
        self,
        stems: Sequence[str],
        bigrams: np.ndarray,
        labels: Sequence[str],
        phrases: Mapping[str, Sequence[Sequence[str]]],
        context: Mapping[str, Sequence[str]] | None = None,
        *,
        stem_of: Callable[[str], str],
        clause_weight: float = 1.0,
    ) -> None:
        """`bigrams`: sorted codes id1 * V + id2; `phrases`: label -> phrases as tokens.

        `clause_weight`: how much a word counts once a purpose clause has begun ("so that",
        "to ensure", "in order to": the Y of "X, so that Y"), against 1 before it.
        """
        self.stems = list(stems)
        self.index = {s: i for i, s in enumerate(self.stems)}
        self.bigrams = np.asarray(bigrams, dtype=np.int64)
        self.bigram_ids = IntMap(self.bigrams, np.arange(len(self.bigrams), dtype=np.int32))
        self.labels = list(labels)
        self.phrases = {k: [list(p) for p in v] for k, v in phrases.items()}
        self.context = {k: list(v) for k, v in (context or {}).items()}
        self.stem_of = stem_of
        self.clause_weight = float(clause_weight)
        self.clause_marks = [
            (self.index[a], self.index[b])
            for a, b in (("so", "that"), ("to", "ensure"), ("in", "order"))
            if a in self.index and b in self.index
        ]
        v, b, r = len(self.stems), len(self.bigrams), len(self.labels)
        self.rule_base = v + b
        base = v + b + r
        self.context_base: dict[str, int] = {}
        self.context_index: dict[str, dict[str, int]] = {}
        for name, words in self.context.items():
            self.context_base[name] = base
            self.context_index[name] = {w: i for i, w in enumerate(words)}
            base += len(words)
        self.size = base
        self.forms = IntMap()  # lower-cased form (spaCy hash) -> stem id, filled as met
        self._compile_lexicon()
        ends = [self.index[s] for s in SENTENCE_ENDS if s in self.index]
        self.sentence_end_ids = np.asarray(ends, dtype=np.int32)

    # -- building -------------------------------------------------------------------------
    def _compile_lexicon(self) -> None:
        v = len(self.stems)
        self.single = np.zeros(v + 1, dtype=np.int64)  # stem id -> bitmask of labels
        self.first = np.zeros(v + 1, dtype=np.int64)  # stem id -> bitmask of phrase lengths
        multi: dict[int, dict[int, int]] = {}  # phrase length -> code -> bitmask
        for bit, label in enumerate(self.labels):
            for phrase in self.phrases.get(label, []):
                ids = [self.index.get(self.stem_of(w), -1) for w in phrase]
                if not ids or min(ids) < 0:
                    continue  # a word the vocabulary lacks: the phrase can never match
                if len(ids) == 1:
                    self.single[ids[0]] |= 1 << bit
                else:
                    code = int(_phrase_code(np.asarray(ids, dtype=np.int64)))
                    table = multi.setdefault(len(ids), {})
                    table[code] = table.get(code, 0) | (1 << bit)
                    self.first[ids[0]] |= 1 << len(ids)
        self.multi: dict[int, tuple[IntMap, np.ndarray]] = {}
        for n, table in sorted(multi.items()):
            codes = np.asarray(sorted(table), dtype=np.uint64).view(np.int64)
            masks = np.asarray([table[int(c)] for c in codes.view(np.uint64)], dtype=np.int64)
            self.multi[n] = (IntMap(codes, np.arange(len(codes), dtype=np.int32)), masks)

    # -- tokens -> stem ids -----------------------------------------------------------------
    def stem_ids(self, lowers: Sequence[np.ndarray], strings: Strings) -> Tokens:
        """Stem ids of units given as arrays of spaCy LOWER hashes (one array per unit)."""
        offsets = np.zeros(len(lowers) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in lowers], out=offsets[1:])
        keys = (
            np.concatenate(lowers).astype(np.uint64, copy=False).view(np.int64)
            if len(lowers)
            else np.zeros(0, dtype=np.int64)
        )
        ids = self.forms.get(keys)
        new = ids == -1
        if new.any():
            # Forms not met yet: stem them once (-2 marks a form whose stem is unknown).
            unseen = np.unique(keys[new])
            stems = np.asarray(
                [self.index.get(self.stem_of(strings(int(k))), -2) for k in unseen.view(np.uint64)],
                dtype=np.int32,
            )
            self.forms.insert(unseen, stems)
            ids = self.forms.get(keys)
        return Tokens(np.maximum(ids, -1), offsets)

    def stem_id(self, word: str) -> int:
        """The stem id of a word (-1: a stem the vocabulary does not know)."""
        return self.index.get(self.stem_of(word), -1)

    # -- features ----------------------------------------------------------------------------
    def entries(self, tokens: Tokens) -> Entries:
        """Where each known stem and bigram occurs in the batch, and the lexicon's phrases."""
        ids = tokens.ids
        unit = tokens.unit_of_token()
        known = ids >= 0
        u_pos = np.flatnonzero(known)
        feats = [ids[u_pos].astype(np.int64)]
        positions = [u_pos]
        n_stems = len(self.stems)
        bigram = [np.zeros(len(u_pos), dtype=bool)]
        if len(ids) > 1 and len(self.bigrams):
            ok = known[:-1] & known[1:] & (unit[:-1] == unit[1:])
            b_pos = np.flatnonzero(ok)
            code = ids[b_pos].astype(np.int64) * n_stems + ids[b_pos + 1]
            at = self.bigram_ids.get(code)
            found = at >= 0
            positions.append(b_pos[found])
            feats.append(n_stems + at[found].astype(np.int64))
            bigram.append(np.ones(int(found.sum()), dtype=bool))
        pos = np.concatenate(positions)
        return Entries(
            tokens,
            unit,
            pos,
            np.concatenate(feats),
            np.concatenate(bigram),
            self._matches(tokens, unit, u_pos),
            self._clause_weights(tokens, unit, pos),
        )

    def _clause_weights(self, tokens: Tokens, unit: np.ndarray, pos: np.ndarray) -> Any:
        """Per entry, clause_weight if it starts inside a purpose clause, else 1 (None: all 1)."""
        ids = tokens.ids
        if self.clause_weight == 1.0 or len(ids) < 2 or not self.clause_marks:
            return None
        mark = np.zeros(len(ids), dtype=np.int64)
        for a, b in self.clause_marks:
            mark[1:] |= (ids[:-1] == a) & (ids[1:] == b) & (unit[:-1] == unit[1:])
        if not mark.any():
            return None
        seen = np.cumsum(mark)
        before_unit = seen[tokens.offsets[:-1][unit]] - mark[tokens.offsets[:-1][unit]]
        inside = (seen - before_unit) > 0
        return np.where(inside[pos], np.float32(self.clause_weight), np.float32(1.0)).astype(
            np.float32
        )

    def _matches(self, tokens: Tokens, unit: np.ndarray, known_pos: np.ndarray) -> Matches:
        """Lexicon phrases inside one unit each."""
        ids = tokens.ids
        n = len(ids)
        safe = np.where(ids >= 0, ids, len(self.stems)).astype(np.int64)
        starts: list[np.ndarray] = []
        lengths: list[np.ndarray] = []
        masks: list[np.ndarray] = []
        single = self.single[safe[known_pos]]
        hit = single != 0
        starts.append(known_pos[hit])
        lengths.append(np.ones(int(hit.sum()), dtype=np.int64))
        masks.append(single[hit])
        first = self.first[safe[known_pos]]
        for length, (table, label_masks) in self.multi.items():
            cand = known_pos[(first & (1 << length)) != 0]
            cand = cand[cand + length <= n]
            if not len(cand):
                continue
            cand = cand[unit[cand] == unit[cand + length - 1]]
            code = safe[cand].astype(np.uint64)
            with np.errstate(over="ignore"):
                for j in range(1, length):
                    code = code * _PRIME + safe[cand + j].astype(np.uint64)
            at = table.get(code.view(np.int64))
            found = at >= 0
            starts.append(cand[found])
            lengths.append(np.full(int(found.sum()), length, dtype=np.int64))
            masks.append(label_masks[at[found]])
        start = np.concatenate(starts)
        length_all = np.concatenate(lengths)
        mask = np.concatenate(masks)
        # One row per (match, label bit): a phrase can belong to two labels.
        bits = (mask[:, None] >> np.arange(len(self.labels), dtype=np.int64)) & 1
        row, label = np.nonzero(bits)
        s = start[row]
        order = np.lexsort((label, s))
        return Matches(
            s[order], length_all[row][order], label[order].astype(np.int32), unit[s[order]]
        )

    def sentences(self, entries: Entries) -> np.ndarray:
        """The sentence of each token: sentences end after '.', '?' or '!' and at unit ends."""
        tokens = entries.tokens
        n = len(tokens.ids)
        start = np.zeros(n, dtype=bool)
        start[tokens.offsets[:-1][np.diff(tokens.offsets) > 0]] = True
        if len(self.sentence_end_ids) and n > 1:
            start[1:] |= np.isin(tokens.ids[:-1], self.sentence_end_ids)
        return np.cumsum(start) - 1

    def counts(
        self,
        entries: Entries,
        segment: np.ndarray | None = None,
        n_segments: int | None = None,
        context: np.ndarray | None = None,
        keep: np.ndarray | None = None,
    ) -> Counts:
        """Feature counts per segment (by default the units): stems, bigrams, rule labels.

        `segment` gives each token's segment (e.g. its sentence); a bigram or phrase across two
        segments is left out. Rule labels count once per segment. `context` is a (k, 2) array
        of (segment, feature id) pairs added once each. `keep`: tokens whose entries count
        (the others' are left out, their segments empty).
        """
        seg_of = entries.unit if segment is None else segment
        rows = entries.tokens.units if n_segments is None else n_segments
        pos, feat, weight = entries.pos, entries.feat, entries.weight
        seg = seg_of[pos]
        if segment is not None and len(pos):
            cross = entries.bigram & (seg_of[np.minimum(pos + 1, len(seg_of) - 1)] != seg)
            if cross.any():
                seg, feat = seg[~cross], feat[~cross]
                pos = pos[~cross]
                weight = None if weight is None else weight[~cross]
        if keep is not None:
            k = keep[pos]
            seg, feat = seg[k], feat[k]
            weight = None if weight is None else weight[k]
        m = entries.matches
        n_labels = len(self.labels)
        parts_seg = [seg]
        parts_feat = [feat]
        if len(m.start):
            m_seg = seg_of[m.start]
            ok = seg_of[m.start + m.length - 1] == m_seg
            if keep is not None:
                ok &= keep[m.start]
            pair = np.unique(m_seg[ok] * n_labels + m.label[ok])
            parts_seg.append(pair // n_labels)
            parts_feat.append(self.rule_base + pair % n_labels)
        if context is not None and len(context):
            parts_seg.append(context[:, 0])
            parts_feat.append(context[:, 1])
        weights = None
        if weight is not None:
            ones = sum(len(p) for p in parts_seg[1:])
            weights = np.concatenate([weight, np.ones(ones, dtype=np.float32)])
        return _count(
            np.concatenate(parts_seg), np.concatenate(parts_feat), rows, self.size, weights
        )

    def context_features(self, values: Sequence[Mapping[str, Sequence[str]]]) -> np.ndarray:
        """(unit, feature id) pairs for each unit's context words, per namespace."""
        pairs: list[tuple[int, int]] = []
        for i, by_name in enumerate(values):
            for name, words in by_name.items():
                index = self.context_index.get(name)
                if index is None:
                    continue
                base = self.context_base[name]
                for w in set(words):
                    j = index.get(w)
                    if j is not None:
                        pairs.append((i, base + j))
        return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)

    def unit_labels(self, matches: Matches, units: int) -> np.ndarray:
        """A bitmask of the lexicon labels found in each unit."""
        out = np.zeros(units, dtype=np.int64)
        np.bitwise_or.at(out, matches.unit, np.left_shift(1, matches.label.astype(np.int64)))
        return out

    # -- persistence ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "stems": self.stems,
            "labels": self.labels,
            "phrases": self.phrases,
            "context": self.context,
            "clause_weight": self.clause_weight,
        }


def _count(
    seg: np.ndarray, feat: np.ndarray, rows: int, size: int, weights: np.ndarray | None = None
) -> Counts:
    """Counts (or sums of `weights`) of (segment, feature) pairs, as CSR rows."""
    wide = rows * size >= 2**31
    keys = seg.astype(np.int64) * size + feat if wide else (seg * size + feat).astype(np.int32)
    if weights is not None:
        order = np.argsort(keys, kind="stable")
        keys, weights = keys[order], weights[order]
    else:
        keys.sort()
    if len(keys):
        new = np.empty(len(keys), dtype=bool)
        new[0] = True
        np.not_equal(keys[1:], keys[:-1], out=new[1:])
        at = np.flatnonzero(new)
        unique = keys[at]
        if weights is None:
            counts = np.diff(np.append(at, len(keys))).astype(np.float32)
        else:
            counts = np.add.reduceat(weights, at).astype(np.float32)
    else:
        unique = keys
        counts = np.zeros(0, dtype=np.float32)
    row = unique // size
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=rows), out=indptr[1:])
    return Counts(indptr, (unique % size).astype(np.int32), counts)


def bigram_codes(tokens: Tokens, n_stems: int) -> Any:
    """Codes (id1 * V + id2) of the bigrams of known stems inside units."""
    ids = tokens.ids
    if len(ids) < 2:
        return np.zeros(0, dtype=np.int64)
    unit = tokens.unit_of_token()
    ok = (ids[:-1] >= 0) & (ids[1:] >= 0) & (unit[:-1] == unit[1:])
    where = np.flatnonzero(ok)
    return ids[where].astype(np.int64) * n_stems + ids[where + 1]


def _phrase_code(ids: np.ndarray) -> Any:
    code = np.uint64(ids[0])
    with np.errstate(over="ignore"):
        for i in ids[1:]:
            code = code * _PRIME + np.uint64(i)
    return code


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> Any:
    """Concatenated aranges start[i] .. start[i] + length[i] - 1."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    out_start = np.cumsum(lengths) - lengths
    return (
        np.arange(total, dtype=np.int64)
        - np.repeat(out_start, lengths)
        + np.repeat(np.asarray(starts, dtype=np.int64), lengths)
    )


def tfidf(counts: Counts, idf: np.ndarray) -> Any:
    """(1 + log count) x idf per entry, L2-normalised per row: the values of `counts.indices`."""
    vals = idf[counts.indices]
    c = counts.counts
    repeated = c > 1
    if repeated.any():
        vals[repeated] *= 1.0 + np.log(c[repeated])
    partial = c < 1  # words of a purpose clause count less (Vocabulary.clause_weight)
    if partial.any():
        vals[partial] *= c[partial]
    lengths = np.diff(counts.indptr)
    sq = vals * vals
    if len(sq) and (lengths > 0).all():
        norms = np.sqrt(np.add.reduceat(sq, counts.indptr[:-1]))
    else:
        rows = np.repeat(np.arange(counts.rows), lengths)
        norms = np.sqrt(np.bincount(rows, weights=sq, minlength=counts.rows)).astype(np.float32)
    norms[norms == 0] = 1.0
    vals /= np.repeat(norms, lengths)
    return vals.astype(np.float32, copy=False)


def document_frequency(counts: Counts, size: int, rows: np.ndarray | None = None) -> np.ndarray:
    """How many rows (all, or those listed) hold each feature."""
    sub = counts if rows is None else counts.take(rows)
    return np.bincount(sub.indices, minlength=size).astype(np.float64)


def smoothed_idf(df: np.ndarray, n: int) -> np.ndarray:
    """log((1 + n) / (1 + df)) + 1, and 0 for features no training row holds."""
    return np.where(df > 0, np.log((1.0 + n) / (1.0 + df)) + 1.0, 0.0).astype(np.float32)
