"""A linear classifier over TF-IDF feature counts: scoring a batch, and training it with SGD.

Scoring is a sparse matrix product done with numpy (gather the weight rows of a batch's
features, sum per row), so a batch of hundreds of units costs a handful of numpy calls.
Training minimises class-weighted log loss with plain mini-batch SGD ('balanced', as the
logistic regression baseline), optionally with each weight's step scaled by its naive Bayes
log-count ratio for the label (NB-SVM in the form that fits SGD; see `nb_step_scale`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lettermine.features import Counts, _ranges, document_frequency, smoothed_idf, tfidf


@dataclass
class Linear:
    """Weights of a linear model over the features of a Vocabulary (and a few dense ones)."""

    W: np.ndarray  # (features, labels) float32
    b: np.ndarray  # (labels,) float32
    idf: np.ndarray  # (features,) float32: 0 for features no training unit held
    exclusive: bool  # softmax over labels (one label per unit) or independent sigmoids
    dense: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    # A second stage over the labels' scores (fit_chain): (labels + 1, labels), or empty.
    chain: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))

    def logits(self, counts: Counts, dense: np.ndarray | None = None) -> np.ndarray:
        """(rows, labels) scores before the sigmoid or softmax."""
        vals = tfidf(counts, self.idf)
        out: np.ndarray = _sparse_dot(counts.indptr, counts.indices, vals, self.W)
        out += self.b
        if dense is not None and self.dense.size:
            out += dense.astype(np.float32) @ self.dense
        return out

    def predict(self, counts: Counts, dense: np.ndarray | None = None) -> np.ndarray:
        """Probabilities per row and label."""
        probs = activate(self.logits(counts, dense), self.exclusive)
        return apply_chain(probs, self.chain) if self.chain.size else probs

    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        for name in ("W", "b", "idf", "dense", "chain"):
            with (path / f"{name}.npy").open("wb") as f:
                np.save(f, np.ascontiguousarray(getattr(self, name), dtype=np.float32))
        (path / "exclusive").write_text(str(int(self.exclusive)), encoding="utf-8")

    @classmethod
    def from_disk(cls, path: Path) -> Linear:
        def load(name: str) -> Any:
            return np.load(path / f"{name}.npy", allow_pickle=False)

        exclusive = (path / "exclusive").read_text(encoding="utf-8").strip() == "1"
        chain = load("chain") if (path / "chain.npy").is_file() else np.zeros((0, 0), "f")
        return cls(load("W"), load("b"), load("idf"), exclusive, load("dense"), chain)


def _logit(probs: np.ndarray) -> Any:
    p = np.clip(probs, 1e-5, 1 - 1e-5)
    return np.log(p / (1 - p)).astype(np.float32)


def apply_chain(probs: np.ndarray, chain: np.ndarray) -> np.ndarray:
    """Second-stage probabilities: sigmoid(logit(probs) @ W2 + b2), chain = [W2; b2]."""
    out: np.ndarray = activate(_logit(probs) @ chain[:-1] + chain[-1], exclusive=False)
    return out


def fit_chain(probs: np.ndarray, truth: np.ndarray, *, l2: float, steps: int = 300) -> np.ndarray:
    """A second stage that reads every label's first-stage score (label co-occurrence).

    Each label's logit becomes a weighted sum of all labels' first-stage logits, starting from
    (and pulled towards, by `l2`) the identity, trained on out-of-fold first-stage scores with
    the first stage's balanced log loss, by full-batch gradient descent.
    """
    z = _logit(probs)
    n, k = truth.shape
    weights = class_weights(truth, 1.0, exclusive=False)
    eye = np.eye(k, dtype=np.float32)
    W, b = eye.copy(), np.zeros(k, dtype=np.float32)
    rate = np.float32(0.5)
    for _ in range(steps):
        d = (activate(z @ W + b, exclusive=False) - truth) * weights / n
        W -= rate * (z.T @ d + 2 * l2 * (W - eye))
        b -= rate * d.sum(axis=0)
    return np.vstack([W, b[None, :]]).astype(np.float32)


def activate(logits: np.ndarray, exclusive: bool) -> Any:
    if exclusive:
        z = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    z = np.exp(-np.clip(logits, -30.0, 30.0))
    z += 1.0
    return np.reciprocal(z, out=z).astype(np.float32, copy=False)


def _sparse_dot(indptr: np.ndarray, indices: np.ndarray, vals: np.ndarray, W: np.ndarray) -> Any:
    """(rows, labels) = CSR(indptr, indices, vals) @ W."""
    rows = len(indptr) - 1
    out = np.zeros((rows, W.shape[1]), dtype=np.float32)
    if not len(indices):
        return out
    contrib = W[indices]
    contrib *= vals[:, None]
    starts = indptr[:-1]
    if (indptr[1:] > starts).all():
        return np.add.reduceat(contrib, starts, axis=0)
    nonempty = indptr[1:] > starts
    out[nonempty] = np.add.reduceat(contrib, starts[nonempty], axis=0)
    return out


@dataclass
class Settings:
    """How one linear model is trained (the config's [lettermine.training.<component>])."""

    epochs: int = 15
    batch_size: int = 16
    learn_rate: float = 0.5
    balance: float = 1.0  # 0: unweighted log loss, 1: 'balanced' class weights
    nb_alpha: float = 0.0  # > 0: NB-scaled steps with this smoothing
    runs: int = 1  # the mean of the weights of this many fits, shuffled differently
    l2: float = 0.0

    @classmethod
    def from_config(cls, section: dict[str, Any], learn_rate: float = 0.5) -> Settings:
        known = {k: section[k] for k in cls.__dataclass_fields__ if k in section}
        known.setdefault("learn_rate", learn_rate)
        return cls(**known)


def fit(
    counts: Counts,
    truth: np.ndarray,
    settings: Settings,
    rng: np.random.Generator,
    *,
    size: int,
    exclusive: bool,
    sample_weight: np.ndarray | None = None,
    dense: np.ndarray | None = None,
    idf_rows: np.ndarray | None = None,
) -> Linear:
    """Train on the rows of `counts` against `truth` (rows, labels) of 0/1.

    The idf table is set from the training rows (or `idf_rows` of them). `dense` adds
    unnormalised dense features (rows, d) with weights of their own.
    """
    y = np.asarray(truth, dtype=np.float32)
    n, n_labels = y.shape
    df = document_frequency(counts, size, idf_rows)
    idf = smoothed_idf(df, n if idf_rows is None else len(idf_rows))
    vals = tfidf(counts, idf)
    weights = class_weights(y, settings.balance, exclusive)
    if sample_weight is not None:
        weights = weights * np.asarray(sample_weight, dtype=np.float32)[:, None]
    scale = nb_step_scale(counts, y, settings.nb_alpha, size) if settings.nb_alpha else None
    d_dim = 0 if dense is None else dense.shape[1]
    dense_x = None if dense is None else np.asarray(dense, dtype=np.float32)
    total_W = np.zeros((size, n_labels), dtype=np.float64)
    total_b = np.zeros(n_labels, dtype=np.float64)
    total_d = np.zeros((d_dim, n_labels), dtype=np.float64)
    lengths = np.diff(counts.indptr)
    order = np.arange(n)
    lr = np.float32(settings.learn_rate)
    bs = settings.batch_size
    for _run in range(settings.runs):
        W = np.zeros((size, n_labels), dtype=np.float32)
        b = np.zeros(n_labels, dtype=np.float32)
        D = np.zeros((d_dim, n_labels), dtype=np.float32)
        for _epoch in range(settings.epochs):
            rng.shuffle(order)
            # The epoch's rows in their new order, gathered once: each batch is then a slice.
            lens = lengths[order]
            pos = _ranges(counts.indptr[order], lens)
            f_all = counts.indices[pos]
            v_all = vals[pos]
            ptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(lens, out=ptr[1:])
            row_all = np.repeat(np.arange(n, dtype=np.int64), lens)
            for first in range(0, n, bs):
                last = min(first + bs, n)
                idx = order[first:last]
                lo, hi = ptr[first], ptr[last]
                f = f_all[lo:hi]
                v = v_all[lo:hi]
                logits = _sparse_dot(ptr[first : last + 1] - lo, f, v, W)
                logits += b
                if dense_x is not None:
                    logits += dense_x[idx] @ D
                d = (activate(logits, exclusive) - y[idx]) * weights[idx]
                g = v[:, None] * d[row_all[lo:hi] - first]
                if scale is not None:
                    g *= scale[f]
                if settings.l2:
                    g += settings.l2 * W[f]
                _scatter_sub(W, f, g, lr)
                b -= lr * d.sum(axis=0)
                if dense_x is not None:
                    D -= lr * (dense_x[idx].T @ d)
        total_W += W
        total_b += b
        total_d += D
    runs = settings.runs
    return Linear(
        (total_W / runs).astype(np.float32),
        (total_b / runs).astype(np.float32),
        idf,
        exclusive,
        (total_d / runs).astype(np.float32),
    )


def _scatter_sub(W: np.ndarray, rows: np.ndarray, g: np.ndarray, lr: np.float32) -> None:
    """W[rows] -= lr * g, summing the rows of g that share a row of W."""
    if not len(rows):
        return
    n_labels = W.shape[1]
    flat = (rows[:, None] * n_labels + np.arange(n_labels)).ravel()
    np.subtract.at(W.reshape(-1), flat, (lr * g).ravel())


def class_weights(y: np.ndarray, balance: float, exclusive: bool) -> Any:
    """Per row and label, the weight of its loss: rare classes count more ('balanced')."""
    n, n_labels = y.shape
    positives = y.sum(axis=0)
    if exclusive:
        class_w = (n / (n_labels * np.maximum(positives, 1.0))) ** balance
        return np.repeat((y @ class_w)[:, None], n_labels, axis=1).astype(np.float32)
    pos_w = (n / (2.0 * np.maximum(positives, 1.0))) ** balance
    neg_w = (n / (2.0 * np.maximum(n - positives, 1.0))) ** balance
    return (y * pos_w + (1.0 - y) * neg_w).astype(np.float32)


def nb_step_scale(counts: Counts, y: np.ndarray, alpha: float, size: int) -> Any:
    """Per feature and label, |naive Bayes log-count ratio|, scaled to mean 1: SGD step sizes.

    NB-SVM (Wang and Manning, 2012) trains on features multiplied by r = log(p / |p|_1) -
    log(q / |q|_1), where p and q count the feature in the units with and without the label
    (plus alpha). From zero weights, SGD on r-scaled features is SGD on plain features with
    steps scaled by r squared; |r| scored better in cross-validation. So a feature that tells a
    label's units apart moves its weight for that label faster than one found as often
    without it. Normalised to mean 1 over the features the training rows use, per label.
    """
    rows = np.repeat(np.arange(counts.rows), np.diff(counts.indptr))
    held = np.bincount(counts.indices, minlength=size).astype(np.float64)
    pos: Any = np.stack(
        [
            np.bincount(counts.indices, weights=y[rows, j], minlength=size)
            for j in range(y.shape[1])
        ],
        axis=1,
    )
    neg: Any = held[:, None] - pos
    used = (pos + neg).sum(axis=1) > 0
    pos += alpha
    neg += alpha
    ratio = np.log(pos / pos.sum(axis=0, keepdims=True)) - np.log(
        neg / neg.sum(axis=0, keepdims=True)
    )
    scale = np.abs(ratio)
    scale /= scale[used].mean(axis=0, keepdims=True)
    return scale.astype(np.float32)


def stack(parts: Sequence[Counts]) -> Counts:
    """Rows of several Counts, one after the other."""
    indptr = [np.zeros(1, dtype=np.int64)]
    offset = 0
    for p in parts:
        indptr.append(p.indptr[1:] + offset)
        offset += int(p.indptr[-1])
    return Counts(
        np.concatenate(indptr),
        np.concatenate([p.indices for p in parts]),
        np.concatenate([p.counts for p in parts]),
    )
