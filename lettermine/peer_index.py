"""The peer index: every area's weighted terms in SQLite, and the areas most like a given text.

Tables (migration m008): `peer_terms` (term, unit, the term's share of the unit's weight: an
inverted index over areas for improvement and priority actions), `peer_vocab` (each term's IDF
when the index was last built) and `peer_state` (what the index holds).

The index is derived data. `refresh` adds the areas stored since it last ran, and rebuilds it
whole when the terms' version changed, when a letter was deleted or replaced since (a row in
letter_removals: unit ids may then be reused), or when the areas have grown by a quarter since the
last build (an IDF computed on fewer letters drifts). Weights are TF-IDF with the IDF of the last
build; an area added since takes that IDF, a term unseen then counting as seen once. Findings are
not indexed: there are ten times as many, long, and indexing them took 30 s and 66 MB for the
corpus's 25,000 (against 0.8 s and a few MB for its 3,200 areas); `--findings` finds them through
the search index instead.

Score of a candidate c for a query q, over the terms they share:
(q's shared weight / q's total) ^ 0.7 x (c's shared weight / c's total) ^ 0.3 - mostly how much of
the query the candidate covers, a little how much of the candidate is about the query, so a short
generic area ("The quality of assessments") does not outrank one that names what the query asks
("... so that the voice of the child is heard"). Cosine similarity, the even F1 of the two
coverages and theme overlap added to either all did worse (bench/peers.py).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Sequence

from lettermine.db import write_transaction
from lettermine.peer_terms import TERMS_VERSION, terms

AREA_KINDS = ("area_for_improvement", "priority_action")
QUERY_SHARE = 0.7  # the exponent of the query's coverage; the candidate's gets the rest
REBUILD_GROWTH = 1.25  # rebuild once there are this many times the areas it was built on...
REBUILD_MIN = 50  # ...and at least this many more
SHARES = 100_000  # a posting's share of its area's weight, in hundred-thousandths
SCALE = 1000  # query weights, in thousandths, as the search reads them
_CHUNK = 900  # bound parameters per statement, under SQLite's limit
_SQL_LOGS = True  # whether SQLite has ln(); scores are computed in Python when it has not


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _state(conn: sqlite3.Connection) -> dict[str, int]:
    return {k: int(v) for k, v in conn.execute("SELECT key, value FROM peer_state")}


def _removals(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT max(id) FROM letter_removals").fetchone()[0] or 0)


def is_current(conn: sqlite3.Connection) -> bool:
    """Whether the index holds every unit stored, with today's terms (three quick lookups)."""
    state = _state(conn)
    last = conn.execute("SELECT max(id) FROM units").fetchone()[0] or 0
    return (
        state.get("version") == TERMS_VERSION
        and state.get("max_unit_id", -1) >= last
        and state.get("removals", 0) == _removals(conn)
    )


def refresh(conn: sqlite3.Connection) -> int:
    """Bring the index up to date with the units stored; the number of areas it indexed.

    Takes the write lock only when there is something to do, and decides what under it, so
    processes refreshing at once queue and the later ones find nothing left.
    """
    if is_current(conn):
        return 0
    with write_transaction(conn):
        state = _state(conn)
        last = conn.execute("SELECT max(id) FROM units").fetchone()[0] or 0
        areas = conn.execute(
            f"SELECT count(*) FROM units WHERE kind IN ({_marks(AREA_KINDS)})", AREA_KINDS
        ).fetchone()[0]
        built_on = state.get("areas_at_build", 0)
        removals = _removals(conn)
        if (
            state.get("version") != TERMS_VERSION
            or state.get("removals", 0) != removals
            or (areas >= REBUILD_GROWTH * built_on and areas - built_on >= REBUILD_MIN)
        ):
            done = _rebuild(conn)
            state.update(version=TERMS_VERSION, areas_at_build=areas, removals=removals)
        else:
            done = _add(conn, state.get("max_unit_id", 0), max(built_on, 1))
        state["max_unit_id"] = last
        conn.executemany(
            "INSERT INTO peer_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            list(state.items()),
        )
    return done


def _areas(conn: sqlite3.Connection, after: int = 0) -> list[tuple[int, dict[str, float]]]:
    rows = conn.execute(
        f"SELECT id, text FROM units WHERE kind IN ({_marks(AREA_KINDS)}) AND id > ? ORDER BY id",
        [*AREA_KINDS, after],
    ).fetchall()
    return [(unit_id, terms(text)) for unit_id, text in rows]


def _rebuild(conn: sqlite3.Connection) -> int:
    for table in ("peer_terms", "peer_vocab"):
        conn.execute(f"DELETE FROM {table}")
    docs = _areas(conn)
    df: dict[str, int] = {}
    for _, weights in docs:
        for term in weights:
            df[term] = df.get(term, 0) + 1
    idf = {term: math.log(len(docs) / count) for term, count in df.items()}
    conn.executemany("INSERT INTO peer_vocab (term, idf) VALUES (?, ?)", sorted(idf.items()))
    _store(conn, docs, idf, unseen=math.log(max(len(docs), 1)))
    return len(docs)


def _add(conn: sqlite3.Connection, after: int, built_on: int) -> int:
    docs = _areas(conn, after)
    if docs:
        idf = vocab_idf(conn, {t for _, weights in docs for t in weights})
        _store(conn, docs, idf, unseen=math.log(built_on))
    return len(docs)


def _store(
    conn: sqlite3.Connection,
    docs: list[tuple[int, dict[str, float]]],
    idf: dict[str, float],
    unseen: float,
) -> None:
    postings: list[tuple[str, int, int]] = []
    for unit_id, weights in docs:
        values = {term: weight * idf.get(term, unseen) for term, weight in weights.items()}
        total = sum(values.values())
        if total <= 0:
            continue
        postings += [
            (term, unit_id, max(1, round(value / total * SHARES)))
            for term, value in values.items()
            if value > 0
        ]
    # In the primary key's order, so each B-tree page is written once.
    postings.sort()
    conn.executemany("INSERT INTO peer_terms (term, unit_id, share) VALUES (?, ?, ?)", postings)


def vocab_idf(conn: sqlite3.Connection, vocab: Iterable[str]) -> dict[str, float]:
    """The stored IDF of those of these terms the index knows."""
    words = sorted(vocab)
    out: dict[str, float] = {}
    for start in range(0, len(words), _CHUNK):
        chunk = words[start : start + _CHUNK]
        sql = f"SELECT term, idf FROM peer_vocab WHERE term IN ({_marks(chunk)})"
        out.update(conn.execute(sql, chunk).fetchall())
    return out


def vector(conn: sqlite3.Connection, text: str) -> dict[str, float]:
    """A text's terms weighted as the index weighs them; terms the index has not seen weigh as
    if seen once, so a query's unmatched words still count in its total."""
    weights = terms(text)
    idf = vocab_idf(conn, weights)
    unseen = math.log(max(_state(conn).get("areas_at_build", 1), 1))
    return {t: w * idf.get(t, unseen) for t, w in weights.items()}


def vectors(conn: sqlite3.Connection, texts: Sequence[str]) -> list[dict[str, float]]:
    """Several texts weighted as `vector` weighs one, with one look-up of their terms."""
    weights = [terms(text) for text in texts]
    idf = vocab_idf(conn, {t for w in weights for t in w})
    unseen = math.log(max(_state(conn).get("areas_at_build", 1), 1))
    return [{t: w * idf.get(t, unseen) for t, w in one.items()} for one in weights]


def shared_terms(query: dict[str, float], text: str) -> list[str]:
    """The terms of a weighted query that a text holds, heaviest in the query first."""
    theirs = terms(text)
    return sorted((t for t in query if t in theirs), key=lambda t: (-query[t], t))


def score(query: dict[str, float], other: dict[str, float]) -> float:
    """How alike a weighted query and another weighted text are (0-1), as `similar` scores."""
    shared = query.keys() & other.keys()
    q_total, c_total = sum(query.values()), sum(other.values())
    if not shared or q_total <= 0 or c_total <= 0:
        return 0.0
    return _score(sum(query[t] for t in shared) / q_total, sum(other[t] for t in shared) / c_total)


def similar(
    conn: sqlite3.Connection, query: dict[str, float], *, keep: int = 200
) -> list[tuple[int, float]]:
    """(unit id, score) of the indexed areas most like a weighted text, best first (at most keep).

    One grouped query over the postings of the query's terms, ordered in SQLite; the caller
    filters the result (other councils, dates) and takes the first few left.
    """
    global _SQL_LOGS
    total = sum(query.values()) * SCALE
    items = [(t, round(w * SCALE)) for t, w in query.items() if w > 0]
    if not items or total <= 0:
        return []
    args = [x for item in items for x in item]
    shared = f"""WITH q(term, weight) AS (VALUES {",".join("(?, ?)" for _ in items)})
        SELECT p.unit_id, sum(q.weight) AS q_shared, sum(p.share) AS c_shared
        FROM q JOIN peer_terms p ON p.term = q.term GROUP BY p.unit_id"""
    if _SQL_LOGS:
        try:
            rows = conn.execute(
                f"""{shared} ORDER BY {QUERY_SHARE} * ln(q_shared)
                    + {1 - QUERY_SHARE} * ln(c_shared) DESC, p.unit_id LIMIT ?""",
                [*args, keep],
            ).fetchall()
        except sqlite3.OperationalError as e:
            if "no such function" not in str(e):
                raise
            _SQL_LOGS = False  # an SQLite built without its math functions: sort in Python
        else:
            return [(unit_id, _score(q / total, c / SHARES)) for unit_id, q, c in rows]
    scored = [
        (_score(q / total, c / SHARES), unit_id) for unit_id, q, c in conn.execute(shared, args)
    ]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [(unit_id, s) for s, unit_id in scored[:keep]]


def _score(q_share: float, c_share: float) -> float:
    return round(
        float(min(q_share, 1.0) ** QUERY_SHARE * min(c_share, 1.0) ** (1 - QUERY_SHARE)), 4
    )
