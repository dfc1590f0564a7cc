"""Other councils told the same: an area's closest peers, and what their next letter found.

For an area for improvement (or priority action, or finding), the areas of other councils' letters
most like it (peer_index.py says how alike; a candidate whose concern names another kind of
failing than the unit's - capacity where it asks for timeliness - is marked down, peer_terms.py),
each with what happened next for that council: its
next letter or report after the one with the match - kind, date, judgements that changed since its
last graded report, whether the same ask came back (recurrence.match, as `actions recurring`
decides it) and up to two of that letter's findings on the same themes, with their polarity.

Reads stored themes and polarity only (no spaCy), and plain sqlite3. The peer index is brought
up to date first, which writes to the database when letters were added since it last ran.
"""

from __future__ import annotations

import heapq
import json
import math
import sqlite3
from collections.abc import Sequence
from typing import Any

from lettermine import peer_index
from lettermine.db import DatabaseError
from lettermine.errors import InvalidInput
from lettermine.letters import effective_themes, resolve_unit, unit_ref
from lettermine.peer_terms import failing_kinds, kind_factor, shared_phrases
from lettermine.recurrence import RARE_MIN, RARE_SHARE, content_words, match
from lettermine.search import CONCERN_POLARITIES, authority_names, check_date
from lettermine.search import STOPWORDS as FTS_STOPWORDS

AREA_KINDS = peer_index.AREA_KINDS
# Below this a candidate shares next to nothing with the area (a word or two of a long text).
MIN_SCORE = 0.05
DEFAULT_LIMIT = 5
NEXT_FINDINGS = 2
SHARED_WORDS = 6
# Candidates the index hands over before filters (other councils, dates); more are fetched when
# filters leave too few.
_FIRST_CUT = 100
# The visit a letter is about; letters with none cannot be placed in time.
_DATE = "coalesce(l.inspection_start, l.inspection_end, l.published)"
# Findings for --findings come through the search index: these many distinctive words, at most.
_FINDING_WORDS = 8
_FINDING_CANDIDATES = 300


def _rows(conn: sqlite3.Connection, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return cur.execute(sql, args).fetchall()


def _units(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, sqlite3.Row]:
    out: dict[int, sqlite3.Row] = {}
    for start in range(0, len(ids), 900):
        chunk = list(ids[start : start + 900])
        for row in _rows(
            conn,
            f"""SELECT u.id, u.letter_id, u.seq, u.kind, u.text, u.polarity, l.authority,
                       l.kind AS letter_kind, {_DATE} AS date
                FROM units u JOIN letters l ON l.id = u.letter_id
                WHERE u.id IN ({",".join("?" * len(chunk))})""",
            chunk,
        ):
            out[row["id"]] = row
    return out


def _codes(themes: list[dict[str, Any]]) -> list[str]:
    return [t["code"] for t in themes]


def _public(row: sqlite3.Row, themes: list[str]) -> dict[str, Any]:
    return {
        "id": unit_ref(row["letter_id"], row["seq"]),
        "letter_id": row["letter_id"],
        "authority": row["authority"],
        "letter_kind": row["letter_kind"],
        "date": row["date"],
        "unit_kind": row["kind"],
        "text": row["text"],
        "themes": themes,
        "polarity": row["polarity"],
    }


def find_peers(
    conn: sqlite3.Connection,
    ref: str,
    *,
    limit: int = DEFAULT_LIMIT,
    since: str | None = None,
    include_own: bool = False,
    findings: bool = False,
) -> dict[str, Any]:
    """A unit and its closest peers, best first, each with what happened next.

    Peers are areas for improvement and priority actions of other councils (with include_own,
    the unit's own council's other letters too); with findings, concern findings as well.
    """
    if limit < 1:
        raise InvalidInput(f"--limit must be at least 1, not {limit}")
    since = check_date(since, "--since")
    unit_id = resolve_unit(conn, ref)
    _refresh(conn)
    return _peers_of(conn, unit_id, limit, since, include_own, findings)


def find_authority_peers(
    conn: sqlite3.Connection,
    name: str,
    *,
    limit: int = DEFAULT_LIMIT,
    since: str | None = None,
    include_own: bool = False,
    findings: bool = False,
) -> list[dict[str, Any]]:
    """Each open area of an authority with its closest peers (see open_areas)."""
    if limit < 1:
        raise InvalidInput(f"--limit must be at least 1, not {limit}")
    since = check_date(since, "--since")
    areas = open_areas(conn, name)
    _refresh(conn)
    return [_peers_of(conn, a, limit, since, include_own, findings) for a in areas]


def _refresh(conn: sqlite3.Connection) -> None:
    try:
        peer_index.refresh(conn)
    except sqlite3.OperationalError as e:
        if "readonly" not in str(e):
            raise
        raise DatabaseError(
            "the peer index needs the letters stored since it was last updated, and the "
            "database is read-only: run 'lettermine peers' once with write access"
        ) from None


def open_areas(conn: sqlite3.Connection, name: str) -> list[int]:
    """The ids of an authority's areas still open, newest letter first.

    Open: no action answers it, or some action answering it is neither done nor verified.
    """
    names = authority_names(conn, name)
    marks = ",".join("?" * len(names))
    return [
        r[0]
        for r in conn.execute(
            f"""SELECT u.id FROM units u JOIN letters l ON l.id = u.letter_id
                WHERE l.authority IN ({marks}) AND u.kind IN (?, ?)
                  AND (NOT EXISTS (SELECT 1 FROM action_units au WHERE au.unit_id = u.id)
                       OR EXISTS (SELECT 1 FROM action_units au JOIN actions a
                                  ON a.id = au.action_id WHERE au.unit_id = u.id
                                  AND a.status NOT IN ('done', 'verified')))
                ORDER BY {_DATE} DESC, u.letter_id DESC, u.seq""",
            [*names, *AREA_KINDS],
        )
    ]


def _peers_of(
    conn: sqlite3.Connection,
    unit_id: int,
    limit: int,
    since: str | None,
    include_own: bool,
    findings: bool,
) -> dict[str, Any]:
    unit = _units(conn, [unit_id])[unit_id]
    query = peer_index.vector(conn, unit["text"])

    def keeps(row: sqlite3.Row) -> bool:
        if row["id"] == unit_id or not row["authority"]:
            return False
        if row["authority"] == unit["authority"] and (
            not include_own or row["letter_id"] == unit["letter_id"]
        ):
            return False
        return not since or (row["date"] or "") >= since

    failing = failing_kinds(unit["text"])

    def rescored(pairs: list[tuple[float, sqlite3.Row]]) -> list[tuple[float, sqlite3.Row]]:
        """The best `limit`, scores with a conflicting failing marked down (ties as found).

        The factor only lowers a score, so once `limit` marked scores are at least the next
        plain one, no candidate further down can enter: their failings are not read.
        """
        marked: list[tuple[float, int, sqlite3.Row]] = []
        best: list[float] = []  # the `limit` highest marked scores, a min-heap
        for n, (s, r) in enumerate(sorted(pairs, key=lambda pair: -pair[0])):
            if len(best) >= limit and s <= best[0]:
                break
            m = s * kind_factor(failing, failing_kinds(r["text"]))
            marked.append((m, n, r))
            (heapq.heappush if len(best) < limit else heapq.heappushpop)(best, m)
        marked.sort(key=lambda item: (-item[0], item[1]))
        return [(m, r) for m, _, r in marked[:limit]]

    chosen: list[tuple[float, sqlite3.Row]] = []
    keep = _FIRST_CUT
    while True:
        found = peer_index.similar(conn, query, keep=keep)
        rows = _units(conn, [u for u, s in found if s >= MIN_SCORE])
        chosen = [(s, rows[u]) for u, s in found if u in rows and keeps(rows[u])]
        if len(chosen) >= limit or len(found) < keep or found[-1][1] < MIN_SCORE:
            break
        keep *= 4
    if findings:
        chosen += [(s, r) for s, r in _finding_peers(conn, unit, query) if keeps(r)]
    chosen = rescored(chosen)
    themes = effective_themes(conn, [unit_id] + [r["id"] for _, r in chosen])
    peers = []
    for rank, (score, row) in enumerate(chosen, start=1):
        codes = _codes(themes[row["id"]])
        shared = set(peer_index.shared_terms(query, row["text"]))
        peers.append(
            {
                "rank": rank,
                "score": round(score, 3),
                **_public(row, codes),
                "shared_words": shared_phrases(unit["text"], shared)[:SHARED_WORDS],
                "shared_themes": [c for c in _codes(themes[unit_id]) if c in codes],
                "failing": sorted(failing_kinds(row["text"])),
                "next": what_happened_next(conn, row, codes),
            }
        )
    return {
        "unit": {**_public(unit, _codes(themes[unit_id])), "failing": sorted(failing)},
        "peers": peers,
    }


def _finding_peers(
    conn: sqlite3.Connection, unit: sqlite3.Row, query: dict[str, float]
) -> list[tuple[float, sqlite3.Row]]:
    """Concern findings like the unit: found through the search index, scored as areas are."""
    # The query's most distinctive single words (those the index weighs most), as an OR query.
    words = sorted(
        (t for t in query if "_" not in t and t not in FTS_STOPWORDS), key=lambda t: -query[t]
    )[:_FINDING_WORDS]
    if not words:
        return []
    fts = " OR ".join(f'"{w}"*' for w in words)
    ids = [
        r[0]
        for r in conn.execute(
            f"""SELECT u.id FROM units_fts f JOIN units u ON u.id = f.rowid
                WHERE units_fts MATCH ? AND u.kind = 'finding'
                  AND u.polarity IN ({",".join("?" * len(CONCERN_POLARITIES))})
                ORDER BY bm25(units_fts, 10.0, 1.0) LIMIT ?""",
            [fts, *CONCERN_POLARITIES, _FINDING_CANDIDATES],
        )
    ]
    rows = _units(conn, ids)
    vectors = peer_index.vectors(conn, [rows[i]["text"] for i in ids])
    scored = [(peer_index.score(query, v), rows[i]) for i, v in zip(ids, vectors, strict=True)]
    return [(s, r) for s, r in scored if s >= MIN_SCORE]


# --- what happened next -------------------------------------------------------------------------


def _rare_words(conn: sqlite3.Connection, words: set[str]) -> frozenset[str]:
    """Those of the words found in few areas (recurrence's rule), by the peer index's counts.

    With IDF = log(N / df), df <= limit exactly when IDF >= log(N / limit). Words the index does
    not hold (its own stop words, other spellings of a word) count as common.
    """
    state = dict(conn.execute("SELECT key, value FROM peer_state").fetchall())
    n = int(state.get("areas_at_build", 0))
    if n <= 0 or not words:
        return frozenset()
    limit = max(RARE_MIN, RARE_SHARE * n)
    floor = math.log(n / limit) if limit < n else 0.0
    return frozenset(w for w, idf in peer_index.vocab_idf(conn, words).items() if idf >= floor)


def what_happened_next(
    conn: sqlite3.Connection,
    unit: sqlite3.Row,
    themes: list[str],
) -> dict[str, Any] | None:
    """The council's next letter after the unit's, and what it said about the same ask.

    None when the council has no later letter (or the unit's letter has no date).
    """
    if not unit["date"] or not unit["authority"]:
        return None
    found = _rows(
        conn,
        f"""SELECT l.id, l.kind, l.judgements, {_DATE} AS date FROM letters l
            WHERE l.authority = ? AND {_DATE} IS NOT NULL
              AND ({_DATE} > ? OR ({_DATE} = ? AND l.id > ?))
            ORDER BY {_DATE}, l.id LIMIT 1""",
        [unit["authority"], unit["date"], unit["date"], unit["letter_id"]],
    )
    if not found:
        return None
    letter = found[0]
    units = _rows(
        conn,
        "SELECT id, letter_id, seq, kind, text, polarity FROM units WHERE letter_id = ?"
        " ORDER BY seq",
        [letter["id"]],
    )
    unit_themes = effective_themes(conn, [u["id"] for u in units])
    areas = [u for u in units if u["kind"] in AREA_KINDS]
    words = content_words(unit["text"]).union(*(content_words(u["text"]) for u in areas))
    rare = _rare_words(conn, words)
    again = []
    for other in areas:
        codes = _codes(unit_themes[other["id"]])
        why = match(other["text"], codes, unit["text"], themes, rare)
        if why:
            again.append(
                {
                    "id": unit_ref(other["letter_id"], other["seq"]),
                    "text": other["text"],
                    "by": why["by"],
                }
            )
    return {
        "letter_id": letter["id"],
        "kind": letter["kind"],
        "date": letter["date"],
        "judgements": _judgement_changes(conn, unit["authority"], letter),
        "same_ask_again": again,
        "findings": _findings_on(conn, units, unit_themes, unit["text"], themes),
    }


def _judgement_changes(
    conn: sqlite3.Connection, authority: str, letter: sqlite3.Row
) -> list[dict[str, Any]]:
    """Each grade of the letter against the council's previous graded letter (before: None if
    there is none); empty when the letter grades nothing (a visit)."""
    after = json.loads(letter["judgements"] or "{}")
    if not after:
        return []
    earlier = _rows(
        conn,
        f"""SELECT l.judgements FROM letters l
            WHERE l.authority = ? AND {_DATE} IS NOT NULL
              AND ({_DATE} < ? OR ({_DATE} = ? AND l.id < ?))
              AND l.judgements IS NOT NULL AND l.judgements NOT IN ('', '{{}}')
            ORDER BY {_DATE} DESC, l.id DESC LIMIT 1""",
        [authority, letter["date"], letter["date"], letter["id"]],
    )
    before = json.loads(earlier[0]["judgements"]) if earlier else {}
    return [
        {"judgement": code, "before": before.get(code), "after": grade}
        for code, grade in after.items()
    ]


def _findings_on(
    conn: sqlite3.Connection,
    units: list[sqlite3.Row],
    unit_themes: dict[int, list[dict[str, Any]]],
    text: str,
    themes: list[str],
) -> list[dict[str, Any]]:
    """Up to NEXT_FINDINGS findings on the unit's themes that share a word with it, most alike
    first. Without themes (letters stored without the model), findings as alike as a peer."""
    found = []
    for u in units:
        codes = _codes(unit_themes[u["id"]])
        shared = [c for c in themes if c in codes]
        if u["kind"] == "finding" and (shared or not themes):
            found.append((u, codes, len(shared)))
    if not found:
        return []
    query = peer_index.vector(conn, text)
    vectors = peer_index.vectors(conn, [u["text"] for u, _, _ in found])
    ranked = [
        (peer_index.score(query, vec), n, u, codes)
        for (u, codes, n), vec in zip(found, vectors, strict=True)
    ]
    # On a shared theme one shared word is enough; without themes, as much as a peer needs.
    ranked = [r for r in ranked if r[0] >= (MIN_SCORE if not themes else 1e-9)]
    ranked.sort(key=lambda x: (-x[0], -x[1], x[2]["seq"]))
    return [
        {
            "id": unit_ref(u["letter_id"], u["seq"]),
            "text": u["text"],
            "polarity": u["polarity"],
            "themes": codes,
        }
        for _, _, u, codes in ranked[:NEXT_FINDINGS]
    ]


__all__ = ["MIN_SCORE", "find_authority_peers", "find_peers", "open_areas", "what_happened_next"]
