"""Recurring areas: for each area for improvement, the same authority's earlier areas it repeats.

Two areas match ("by") when
- text: their words agree: Dice coefficient of their content words >= TEXT_MATCH, with at least
  two content words shared;
- key word: their heads (the words before the first comma, colon or "to enable", "so that",
  "including"...: the concern itself, not its purpose) share a rare word (one found in at most
  RARE_SHARE of all areas in the database, and at least in RARE_MIN) and overlap by half or more
  of the shorter head: "The size of caseloads for all social workers..." and "social worker
  caseloads, to enable...";
- themes: their themes agree and their words confirm it: the same main (highest-scored) theme,
  theme sets overlapping by Jaccard >= THEME_MATCH, and at least one content word shared. Themes
  alone are too broad ("workforce" covers training and caseload stability alike), hence the word.

`score` only orders an area's matches. Pure Python: an authority has a few dozen areas, so
comparing every pair is instant.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from lettermine.letters import effective_themes, unit_ref

THEME_MATCH = 0.5
TEXT_MATCH = 0.35
RARE_SHARE = 0.03
RARE_MIN = 3
AREA_KINDS = ("area_for_improvement", "priority_action")

# Words every area shares ("the quality of ... for children") carry no topic, so they are dropped
# before comparing; otherwise two unrelated areas look alike through their boilerplate.
STOPWORDS = frozenset(
    """a about above after all also an and any are as at be been being between both but by can
    do does for from further has have how in including into is it its more most not of on or
    other so such than that the their them there these they this those through to under until
    up very was well were what when where whether which while who will with within without
    child children childrens young people person persons family families social work worker
    workers practice quality effective effectiveness ensure ensuring improve improved
    improvement make making level levels consistent consistency consistently sure need needs
    help use timely timeliness care support impact outcome outcomes extent identification
    identify response understanding understand arrangement arrangements provision availability
    range number""".split()
)
# Where the concern ends and its purpose or detail begins.
_HEAD_END = re.compile(
    r"[,;:]| to enable | to ensure | so that | in order | to demonstrate | to inform | to help "
    r"| including | particularly | which ",
    re.IGNORECASE,
)
# Since 2025 ILACS areas end with "(outcome 3, national framework)" or "(enabler: ...)": a
# cross-reference, not part of the concern.
_FRAMEWORK_NOTE = re.compile(r"\((?:[^()]*national framework|\s*enabler)[^()]*\)", re.IGNORECASE)

_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "es", "ed", "s")


def stem(word: str) -> str:
    """A crude suffix-stripping stem, enough to make 'visits', 'visiting', 'visited' agree."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                word += "y"
            break
    # planning -> plann -> plan; but keep "ll"/"ss" words (skill, assess) whole
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    return word


def content_words(text: str) -> set[str]:
    """The stemmed content words of a text, lower-cased, without stopwords or numbers."""
    text = _FRAMEWORK_NOTE.sub(" ", text.lower().replace("\u2019", "'"))
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", "", text)  # multi-agency, pre-proceedings: one word
    return {stem(w) for w in re.findall(r"[a-z]+", text) if w not in STOPWORDS and len(w) > 2}


def head_words(text: str) -> set[str]:
    """The content words of the concern itself: the text before its purpose or detail."""
    return content_words(_HEAD_END.split(text, maxsplit=1)[0])


def rare_words(texts: Iterable[str]) -> frozenset[str]:
    """Content words found in few of the texts (at most RARE_SHARE of them, or RARE_MIN)."""
    counts: dict[str, int] = {}
    n = 0
    for text in texts:
        n += 1
        for word in content_words(text):
            counts[word] = counts.get(word, 0) + 1
    limit = max(RARE_MIN, RARE_SHARE * n)
    return frozenset(w for w, c in counts.items() if c <= limit)


def dice(a: Iterable[str], b: Iterable[str]) -> float:
    """Twice the shared items over the total items; 0 when both are empty."""
    left, right = set(a), set(b)
    total = len(left) + len(right)
    return 2 * len(left & right) / total if total else 0.0


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """Size of the intersection over size of the union; 0 when both are empty."""
    left, right = set(a), set(b)
    union = left | right
    return len(left & right) / len(union) if union else 0.0


def match(
    text_a: str,
    themes_a: Sequence[str],
    text_b: str,
    themes_b: Sequence[str],
    rare: frozenset[str] = frozenset(),
) -> dict[str, Any] | None:
    """Why two areas count as the same concern, or None. Themes are best first."""
    words_a, words_b = content_words(text_a), content_words(text_b)
    shared_words = words_a & words_b
    text_score = dice(words_a, words_b)
    theme_score = jaccard(themes_a, themes_b)
    head_a, head_b = head_words(text_a), head_words(text_b)
    shared_head = head_a & head_b
    head_score = len(shared_head) / min(len(head_a), len(head_b)) if shared_head else 0.0
    routes = {
        "text": text_score if text_score >= TEXT_MATCH and len(shared_words) >= 2 else None,
        "key word": head_score / 2 if head_score >= 0.5 and shared_head & rare else None,
        "themes": (text_score + theme_score) / 2
        if themes_a and themes_b and themes_a[0] == themes_b[0]
        and theme_score >= THEME_MATCH and shared_words
        else None,
    }  # fmt: skip
    matched = {name: score for name, score in routes.items() if score is not None}
    if not matched:
        return None
    return {
        "by": " and ".join(matched),
        "score": round(max(matched.values()), 2),
        "shared_themes": sorted(set(themes_a) & set(themes_b)),
        "shared_words": sorted(shared_words),
        "theme_similarity": round(theme_score, 2),
        "text_similarity": round(text_score, 2),
    }


def _areas(conn: sqlite3.Connection, authority: str | None) -> list[dict[str, Any]]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    where = "l.authority = ? COLLATE NOCASE" if authority else "l.authority IS NOT NULL"
    rows = cur.execute(
        f"""SELECT u.id, u.letter_id, u.seq, u.kind, u.text, l.authority, l.kind AS letter_kind,
                   coalesce(l.inspection_start, l.inspection_end, l.published) AS date
            FROM units u JOIN letters l ON l.id = u.letter_id
            WHERE {where} AND u.kind IN (?, ?)
            ORDER BY l.authority, date, u.letter_id, u.seq""",
        [authority, *AREA_KINDS] if authority else list(AREA_KINDS),
    ).fetchall()
    themes = effective_themes(conn, [r["id"] for r in rows])
    return [
        dict(r) | {"ref": unit_ref(r["letter_id"], r["seq"]), "themes": themes.get(r["id"], [])}
        for r in rows
    ]


def _answering_actions(
    conn: sqlite3.Connection, unit_ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    if not unit_ids:
        return out
    marks = ",".join("?" * len(unit_ids))
    for unit_id, action_id, title, status in conn.execute(
        f"""SELECT au.unit_id, a.id, a.title, a.status FROM action_units au
            JOIN actions a ON a.id = au.action_id WHERE au.unit_id IN ({marks})
            ORDER BY a.id""",
        unit_ids,
    ):
        out.setdefault(unit_id, []).append({"id": action_id, "title": title, "status": status})
    return out


def find_recurring(
    conn: sqlite3.Connection, authority: str | None = None, *, use_themes: bool = True
) -> list[dict[str, Any]]:
    """Each area with the same authority's earlier areas it repeats, and their actions.

    Letters without any date cannot be placed in time and are left out.
    """
    # Rarity is judged over every authority's areas: the more letters, the better the judgement.
    rare = rare_words(r[0] for r in conn.execute(
        f"SELECT text FROM units WHERE kind IN ({','.join('?' * len(AREA_KINDS))})", AREA_KINDS
    ))  # fmt: skip
    areas = [a for a in _areas(conn, authority) if a["date"]]
    for area in areas:
        area["codes"] = [t["code"] for t in area["themes"]] if use_themes else []
    found: list[dict[str, Any]] = []
    for area in areas:
        earlier = []
        for other in areas:
            if other["authority"] != area["authority"] or other["date"] >= area["date"]:
                continue
            why = match(area["text"], area["codes"], other["text"], other["codes"], rare)
            if why:
                earlier.append((other, why))
        if earlier:
            found.append({"area": area, "earlier": earlier})
    actions = _answering_actions(conn, sorted({o["id"] for f in found for o, _ in f["earlier"]}))
    return [
        {
            **_public(f["area"]),
            "earlier": [
                {**_public(o), **why, "actions": actions.get(o["id"], [])}
                for o, why in sorted(
                    f["earlier"],
                    key=lambda pair: (-pair[1]["score"], pair[0]["date"]),
                )
            ],
        }
        for f in found
    ]


def _public(area: dict[str, Any]) -> dict[str, Any]:
    return {
        "unit": area["ref"],
        "letter_id": area["letter_id"],
        "authority": area["authority"],
        "date": area["date"],
        "kind": area["kind"],
        "text": area["text"],
        "themes": area["codes"],
    }
