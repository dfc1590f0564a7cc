"""Full-text search over units, and theme tables across visits.

Pure query functions over a plain sqlite3 connection: no typer, no printing, and nothing heavy
imported (no sqlite-utils, no spaCy), so `lettermine search` starts fast.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lettermine.authorities import authority_name
from lettermine.dates import parse_iso
from lettermine.errors import InvalidInput, NotFound
from lettermine.letters import effective_themes, unit_ref
from lettermine.paths import shown
from lettermine.records import LETTER_KINDS, UNIT_KINDS
from lettermine.themes import POLARITIES, THEME_CODES
from lettermine.timeline import LETTER_DATE_SQL

# The visit a letter is about: when the inspectors came, else when the letter was sent.
VISIT_DATE = "coalesce(l.inspection_start, l.published)"
# BM25 column weights (text, section): a word in the unit's own text says far more about it than
# the same word in a section heading shared by twenty findings.
BM25 = "bm25(units_fts, 10.0, 1.0)"
MARKS = ("[", "]")  # around matched words in snippets; the CLI swaps in bold on a terminal
SNIPPET_TOKENS = 24
ORDERS = ("rank", "newest")
# Memory-mapped reads: checking filters on thousands of matching units touches pages all over
# the units table, and through mmap each costs a memory read instead of a read() call (3-4x
# faster on 100k units, cold process or warm).
MMAP_BYTES = 1 << 30
# What a person may type for a unit kind, beside the codes themselves.
UNIT_KIND_ALIASES = {"afi": "area_for_improvement", "pa": "priority_action"}
AREA_KINDS = ("area_for_improvement", "priority_action")
CONCERN_POLARITIES = ("concern", "mixed")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A quoted phrase, or a run of anything else up to white space or a quote.
_QUERY_PART = re.compile(r'"([^"]*)"|([^\s"]+)')
# Words in nearly every unit: requiring them changes almost nothing, but scoring them costs
# ~40% more time per query. Dropped from a person's words when other words remain; kept inside
# "quoted phrases", where their position matters.
STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it its of on or so than that the their this"
    " to was were which with".split()
)
_FTS_ERRORS = ("fts5", "syntax error", "unterminated string", "no such column", "unknown special")


@dataclass
class Hit:
    """One unit found by a search, with where it comes from and why it matched."""

    id: str  # the public unit id, "letter:seq"
    letter_id: int
    authority: str | None
    kind: str  # the letter's kind
    date: str | None  # the visit date (else the letter's date)
    section: str | None
    unit_kind: str
    text: str
    snippet: str  # the matching passage, matched words between MARKS
    themes: list[str] = field(default_factory=list)
    polarity: str | None = None
    rank: float = 0.0  # BM25 relevance: higher is better


def use_mmap(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Set a read connection to memory-map the database file, which speeds up every search."""
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    return conn


# --- the query a person types -------------------------------------------------------------------


def fts_query(text: str) -> str:
    """A person's words as a safe FTS5 query: every word must match, "quoted phrases" as phrases.

    Operators (AND, OR, NOT, NEAR, column:, ^, +, parentheses) are taken as plain words; a word
    ending in * matches any word it begins; an unbalanced quote is ignored; common words (the,
    of, and ...) are dropped unless they are all there is.
    """
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    if text.count('"') % 2:  # an unbalanced quote: drop the last one rather than fail
        cut = text.rindex('"')
        text = text[:cut] + " " + text[cut + 1 :]
    terms: list[str] = []
    common: list[str] = []
    for phrase, word in _QUERY_PART.findall(text):
        if phrase:
            if _has_word(phrase):
                terms.append(_quote(phrase))
        elif word.endswith("*") and _has_word(word):
            terms.append(_quote(word.rstrip("*")) + "*")
        elif word.lower() in STOPWORDS:
            common.append(_quote(word))
        elif _has_word(word):
            terms.append(_quote(word))
    terms = terms or common
    if not terms:
        raise InvalidInput(f"nothing to search for in '{text.strip()}': give at least one word")
    return " ".join(terms)


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _quote(text: str) -> str:
    # Inside an FTS5 string every character is literal; the tokenizer splits "PLO-358" or
    # "children's" into a phrase of its words, which is what a person means by them.
    return '"' + text.replace('"', '""') + '"'


# --- filters ------------------------------------------------------------------------------------


def check_date(value: str | None, name: str) -> str | None:
    """A YYYY-MM-DD date typed by a person, checked; InvalidInput otherwise."""
    if value is None:
        return None
    value = value.strip()
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError
        parse_iso(value)
    except ValueError:
        raise InvalidInput(f"{name} '{value}' is not a date: use YYYY-MM-DD") from None
    return value


def _code(value: str) -> str:
    return value.strip().lower().replace("-", "_").replace(" ", "_")


def check_choice(
    value: str | None, choices: Sequence[str], name: str, aliases: dict[str, str] | None = None
) -> str | None:
    """A code typed by a person ('Focused-visit' -> 'focused_visit'), checked against choices."""
    if value is None:
        return None
    code = _code(value)
    code = (aliases or {}).get(code, code)
    if code not in choices:
        raise InvalidInput(f"unknown {name} '{value}' (choose from {', '.join(choices)})")
    return code


def check_themes(themes: Sequence[str]) -> list[str]:
    """Theme codes typed by a person, checked against the taxonomy."""
    codes = [_code(t) for t in themes]
    unknown = [t for t, c in zip(themes, codes, strict=True) if c not in THEME_CODES]
    if unknown:
        raise InvalidInput(f"unknown theme {', '.join(unknown)} (themes: {', '.join(THEME_CODES)})")
    return list(dict.fromkeys(codes))


def authority_names(conn: sqlite3.Connection, name: str) -> list[str]:
    """The canonical names stored for an authority as a person types it; NotFound if none."""
    typed = " ".join(name.split())
    wanted = list(dict.fromkeys(n for n in (authority_name(typed), typed, typed.title()) if n))
    marks = ",".join("?" * len(wanted))
    # The exact canonical name first, through the index; a scan ignoring case only if that fails.
    found = [
        r[0]
        for r in conn.execute(
            f"SELECT DISTINCT authority FROM letters WHERE authority IN ({marks})", wanted
        )
    ]
    if not found:
        lowered = [n.lower() for n in wanted]
        found = [
            r[0]
            for r in conn.execute(
                f"""SELECT DISTINCT authority FROM letters
                    WHERE lower(authority) IN ({marks}) OR lower(local_authority) IN ({marks})""",
                [*lowered, *lowered],
            )
            if r[0]
        ]
    if not found:
        raise NotFound(f"no letters about '{typed}' in the database (see 'lettermine letters')")
    return found


def _theme_where(codes: list[str], unit: str, *, collect: bool) -> tuple[str, list[Any]]:
    """A condition: the unit (a column) carries any of codes, a person's labels honoured.

    collect: gather the ids of units tagged with the codes once and look each unit up in them
    (for many units to check); otherwise check each unit's own rows (for few).
    """
    marks = ",".join("?" * len(codes))
    # A person's latest decision on (unit, code) wins over the model's and rules' themes (see
    # letters.effective_themes). Labels are few: units without one on these codes take the
    # quick test, and only labelled units the exact one.
    labelled = f"SELECT unit_id FROM labels WHERE code IN ({marks})"
    latest = "SELECT max(d.id) FROM labels d WHERE d.unit_id = b.unit_id AND d.code = b.code"
    exact = f"""(EXISTS (SELECT 1 FROM unit_themes t
                         WHERE t.unit_id = {unit} AND t.code IN ({marks})
                           AND coalesce((SELECT d.decision FROM labels d
                                         WHERE d.unit_id = t.unit_id AND d.code = t.code
                                         ORDER BY d.id DESC LIMIT 1), 'add') = 'add')
              OR EXISTS (SELECT 1 FROM labels b
                         WHERE b.unit_id = {unit} AND b.code IN ({marks})
                           AND b.decision = 'add' AND b.id = ({latest})))"""
    if collect:
        tagged = f"""+{unit} IN (
            SELECT unit_id FROM unit_themes WHERE code IN ({marks})
            UNION ALL SELECT unit_id FROM labels WHERE code IN ({marks}) AND decision = 'add')"""
        sql = f"({tagged} AND (+{unit} NOT IN ({labelled}) OR {exact}))"
        return sql, [*codes, *codes, *codes, *codes, *codes]
    # `+q.code`: look the unit up by its id alone (the primary key's first column), then read its
    # few themes; a lookup by (code, unit_id) compares the code's text at every step (1.5x slower).
    quick = (
        f"EXISTS (SELECT 1 FROM unit_themes q WHERE q.unit_id = {unit} AND +q.code IN ({marks}))"
    )
    sql = f"(CASE WHEN +{unit} IN ({labelled}) THEN {exact} ELSE {quick} END)"
    return sql, [*codes, *codes, *codes, *codes]


@dataclass
class _Filters:
    """What to keep, as SQL over units u and letters l, grouped by how it is best applied."""

    # Few units: collected once as a set of unit ids (an authority has hundreds, not thousands).
    unit_sets: list[tuple[str, list[Any]]] = field(default_factory=list)
    # Conditions on a unit's own row and its letter's row, checked for each matching unit.
    unit_clauses: list[tuple[str, list[Any]]] = field(default_factory=list)
    letter_clauses: list[tuple[str, list[Any]]] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)


def _filters(
    conn: sqlite3.Connection,
    *,
    themes: Sequence[str],
    authority: str | None,
    kind: str | None,
    unit_kind: str | None,
    section: str | None,
    polarity: str | None,
    since: str | None,
    until: str | None,
) -> _Filters:
    f = _Filters(themes=check_themes(themes))
    if authority is not None and authority.strip():
        names = authority_names(conn, authority)
        f.unit_sets.append(
            (
                "SELECT u.id FROM letters l JOIN units u ON u.letter_id = l.id"
                f" WHERE l.authority IN ({','.join('?' * len(names))})",
                names,
            )
        )
    if (code := check_choice(kind, LETTER_KINDS, "letter kind")) is not None:
        f.letter_clauses.append(("l.kind = ?", [code]))
    if (code := check_choice(unit_kind, UNIT_KINDS, "unit kind", UNIT_KIND_ALIASES)) is not None:
        f.unit_clauses.append(("u.kind = ?", [code]))
    if (code := check_choice(polarity, POLARITIES, "polarity")) is not None:
        f.unit_clauses.append(("u.polarity = ?", [code]))
    if section is not None and section.strip():
        escaped = re.sub(r"([\\%_])", r"\\\1", " ".join(section.split()))
        # LIKE ignores ASCII case, which is all a section heading needs.
        f.unit_clauses.append(("u.section LIKE ? ESCAPE '\\'", [f"%{escaped}%"]))
    since, until = check_date(since, "--since"), check_date(until, "--until")
    if since and until and since > until:
        raise InvalidInput(f"--since {since} is after --until {until}")
    if since:
        f.letter_clauses.append((f"{VISIT_DATE} >= ?", [since]))
    if until:
        f.letter_clauses.append((f"{VISIT_DATE} <= ?", [until]))
    return f


# --- search -------------------------------------------------------------------------------------


def search_units(
    conn: sqlite3.Connection,
    query: str,
    *,
    raw: bool = False,
    themes: Sequence[str] = (),
    authority: str | None = None,
    kind: str | None = None,
    unit_kind: str | None = None,
    section: str | None = None,
    polarity: str | None = None,
    since: str | None = None,
    until: str | None = None,
    order: str = "rank",
    limit: int = 20,
    marks: tuple[str, str] = MARKS,
) -> list[Hit]:
    """Units matching a query, best first (or newest first), with highlighted snippets."""
    if order not in ORDERS:
        raise InvalidInput(f"unknown order '{order}' (choose from {', '.join(ORDERS)})")
    if limit < 1:
        raise InvalidInput(f"--limit must be at least 1, not {limit}")
    if raw:
        match = query.strip()
        if not match:
            raise InvalidInput("nothing to search for: give at least one word")
    else:
        match = fts_query(query)
    f = _filters(
        conn,
        themes=themes,
        authority=authority,
        kind=kind,
        unit_kind=unit_kind,
        section=section,
        polarity=polarity,
        since=since,
        until=until,
    )
    try:
        top = _top(conn, match, f, order, limit)
        rows = _rows(conn, [unit_id for unit_id, _ in top])
        snippets = _snippets(conn, match, rows, marks)
    except sqlite3.OperationalError as e:
        if raw and any(s in str(e).lower() for s in _FTS_ERRORS):
            raise InvalidInput(
                f"cannot search for {query!r}: {e} (FTS5 query syntax; without --raw the words"
                " are searched for as typed)"
            ) from None
        raise
    return _hits(conn, top, rows, snippets)


def _top(
    conn: sqlite3.Connection, match: str, f: _Filters, order: str, limit: int
) -> list[tuple[int, float]]:
    """(unit id, BM25) of the best matches passing the filters, in the order asked for."""
    # BM25 costs ~1-2 µs per row it scores and snippet() far more, so filters must run before
    # either: the score is computed in the SELECT list, which SQLite evaluates only for rows
    # that passed WHERE. `+rowid` stops SQLite from handing the id sets to FTS5 as rowid
    # lookups: each lookup restarts the query and BM25's corpus statistics (2 ms on a common
    # word, per unit). CROSS JOIN keeps FTS5 as the outer loop for the same reason.
    where = ["units_fts MATCH ?"]
    params: list[Any] = [match]
    for sql, values in f.unit_sets:
        where.append(f"+units_fts.rowid IN ({sql})")
        params += values
    if f.themes:
        collect = not _few(conn, match, f)
        sql, values = _theme_where(f.themes, "units_fts.rowid", collect=collect)
        where.append(sql)
        params += values
    joins = ""
    need_letters = bool(f.letter_clauses) or order == "newest"
    if f.unit_clauses or need_letters:
        joins += " CROSS JOIN units u ON u.id = units_fts.rowid"
    if need_letters:
        joins += " CROSS JOIN letters l ON l.id = u.letter_id"
    for sql, values in [*f.unit_clauses, *f.letter_clauses]:
        where.append(sql)
        params += values
    if order == "newest":
        # Sorting by date needs no score: score only the units shown, afterwards.
        rows = conn.execute(
            f"""SELECT units_fts.rowid FROM units_fts{joins} WHERE {" AND ".join(where)}
                ORDER BY {VISIT_DATE} DESC, u.letter_id DESC, u.seq LIMIT ?""",
            [*params, limit],
        ).fetchall()
        ids = [r[0] for r in rows]
        scores = _scores(conn, match, ids)
        return [(i, scores.get(i, 0.0)) for i in ids]
    rows = conn.execute(
        f"""SELECT units_fts.rowid, {BM25} AS score FROM units_fts{joins}
            WHERE {" AND ".join(where)} ORDER BY score, units_fts.rowid LIMIT ?""",
        [*params, limit],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def _few(conn: sqlite3.Connection, match: str, f: _Filters) -> bool:
    """Whether to check themes unit by unit (few units to check) rather than collect its units."""
    if f.unit_sets:  # checked after the id sets (WHERE terms run in order): an authority's few
        return True
    marks = ",".join("?" * len(f.themes))
    tagged = conn.execute(
        f"SELECT count(*) FROM unit_themes WHERE code IN ({marks})", f.themes
    ).fetchone()[0]
    # Checking a matching unit's own rows costs about 1.25 times what collecting one tagged unit
    # does (callgrind, 100,000 units): check units one by one while the matches are fewer than
    # 4/5 of the tagged units. Counting stops early.
    enough = tagged * 4 // 5 + 1
    found = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM units_fts WHERE units_fts MATCH ? LIMIT ?)",
        [match, enough],
    ).fetchone()[0]
    return bool(found < enough)


def _scores(conn: sqlite3.Connection, match: str, ids: list[int]) -> dict[int, float]:
    if not ids:
        return {}
    # One FTS5 query over the span of the ids (not one per id: see _top) scores just these.
    sql = f"""SELECT rowid, {BM25} FROM units_fts
              WHERE units_fts MATCH ? AND rowid BETWEEN ? AND ?
                AND +rowid IN ({",".join("?" * len(ids))})"""
    return dict(conn.execute(sql, [match, min(ids), max(ids), *ids]).fetchall())


def _rows(conn: sqlite3.Connection, ids: list[int]) -> dict[int, Any]:
    """The units shown, with their letters' authority, kind and visit date, by unit id."""
    if not ids:
        return {}
    return {
        r[0]: r
        for r in conn.execute(
            f"""SELECT u.id, u.letter_id, u.seq, u.kind, u.section, u.text, u.polarity,
                       l.authority, l.kind, {VISIT_DATE}
                FROM units u JOIN letters l ON l.id = u.letter_id
                WHERE u.id IN ({",".join("?" * len(ids))})""",
            ids,
        )
    }


# One scratch index per thread and index definition: sqlite3 connections stay in their thread.
_scratch = threading.local()
# Options that tie an FTS5 table to a content table: the scratch index keeps its own content.
_CONTENT_OPTION = re.compile(
    r"""\s*,\s*content(?:_rowid)?\s*=\s*(?:"[^"]*"|'[^']*'|\[[^\]]*\]|`[^`]*`|\w+)""", re.I
)


def scratch_index(conn: sqlite3.Connection) -> sqlite3.Connection:
    """An empty in-memory copy of conn's units_fts: the same columns, tokenizer and options."""
    (definition,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'units_fts'"
    ).fetchone()
    cache: dict[str, sqlite3.Connection] | None = getattr(_scratch, "indexes", None)
    if cache is None:
        cache = _scratch.indexes = {}
    scratch = cache.get(definition)
    if scratch is None:
        scratch = sqlite3.connect(":memory:", isolation_level=None)
        scratch.execute(_CONTENT_OPTION.sub("", definition))
        cache[definition] = scratch
    return scratch


def _snippets(
    conn: sqlite3.Connection,
    match: str,
    rows: dict[int, Any],
    marks: tuple[str, str],
) -> dict[int, str]:
    # snippet() in units_fts must first find each shown unit among all the query's matches again
    # (0.2-1 ms; 4-9 ms for a prefix query). An index of just the shown units, defined like
    # units_fts, gives the same passages and marks (snippet() reads only the unit's own text and
    # the query's matches in it) in 0.1-0.4 ms. Rolled back: nothing is ever stored there.
    if not rows:
        return {}
    scratch = scratch_index(conn)
    scratch.execute("BEGIN")
    try:
        scratch.executemany(
            "INSERT INTO units_fts (rowid, text, section) VALUES (?, ?, ?)",
            [(unit_id, r[5], r[4]) for unit_id, r in rows.items()],  # text, section
        )
        return dict(
            scratch.execute(
                f"""SELECT rowid, snippet(units_fts, 0, ?, ?, '…', {SNIPPET_TOKENS})
                    FROM units_fts WHERE units_fts MATCH ?""",
                [*marks, match],
            ).fetchall()
        )
    finally:
        scratch.execute("ROLLBACK")


def _hits(
    conn: sqlite3.Connection,
    top: list[tuple[int, float]],
    rows: dict[int, Any],
    snippets: dict[int, str],
) -> list[Hit]:
    if not top:
        return []
    ids = [unit_id for unit_id, _ in top]
    themes = effective_themes(conn, ids)
    hits = []
    for unit_id, score in top:
        _, letter_id, seq, unit_kind, section, text, polarity, authority, kind, date = rows[unit_id]
        hits.append(
            Hit(
                id=unit_ref(letter_id, seq),
                letter_id=letter_id,
                authority=authority,
                kind=kind,
                date=date,
                section=section,
                unit_kind=unit_kind,
                text=text,
                snippet=snippets.get(unit_id) or text,
                themes=[t["code"] for t in themes.get(unit_id, [])],
                polarity=polarity,
                rank=-score,  # FTS5's bm25 is lower-is-better
            )
        )
    return hits


# --- themes across visits -----------------------------------------------------------------------


def _raised_sql(where: str = "") -> str:
    """(letter id, theme code, areas, concerns) for units' effective themes, a person's labels
    honoured; areas counts areas for improvement and priority actions, concerns counts concern
    and mixed findings."""
    # The same rule as letters.effective_themes, for every unit at once: the model's and rules'
    # themes, less those a person's latest decision removed, plus those it added.
    return f"""
        WITH latest AS (
            SELECT unit_id, code, decision FROM labels b
            WHERE b.id = (SELECT max(d.id) FROM labels d
                          WHERE d.unit_id = b.unit_id AND d.code = b.code)),
        pairs AS (
            SELECT unit_id, code FROM unit_themes
            EXCEPT SELECT unit_id, code FROM latest WHERE decision = 'remove'
            UNION SELECT unit_id, code FROM latest WHERE decision = 'add')
        SELECT u.letter_id, p.code,
               sum(u.kind IN {AREA_KINDS}),
               sum(u.kind = 'finding' AND coalesce(u.polarity, '') IN {CONCERN_POLARITIES})
        FROM pairs p JOIN units u ON u.id = p.unit_id JOIN letters l ON l.id = u.letter_id
        {where}
        GROUP BY u.letter_id, p.code"""


@dataclass
class Visit:
    """One letter in a theme table: a column."""

    letter_id: int
    kind: str
    date: str | None


@dataclass
class Cell:
    """How much a theme came up in one visit (or one year)."""

    areas: int = 0  # areas for improvement and priority actions with the theme
    concerns: int = 0  # findings with the theme judged a concern (or mixed)
    repeat: bool = False  # raised here and in the visit before
    letters: int = 0  # by year: letters that raised it
    authorities: int = 0  # by year: authorities whose letters raised it

    @property
    def raised(self) -> bool:
        """Whether the theme came up at all: an area for improvement or a concern."""
        return bool(self.areas or self.concerns)


@dataclass
class ThemeRow:
    """One theme across the columns of a table."""

    code: str
    label: str
    cells: list[Cell]
    recurring: bool = False  # raised in two consecutive visits, at least once
    streak: int = 0  # consecutive visits raising it, counting back from the latest
    recurring_authorities: int = 0  # by year: authorities where it recurs visit after visit

    @property
    def areas(self) -> int:
        """Areas for improvement and priority actions with the theme, in every column."""
        return sum(c.areas for c in self.cells)

    @property
    def concerns(self) -> int:
        """Concern findings with the theme, in every column."""
        return sum(c.concerns for c in self.cells)


@dataclass
class ThemeTable:
    """Themes (rows) by visit or by year (columns)."""

    authority: str | None
    by: str  # "visit" or "year"
    columns: list[str]  # visit dates or years, oldest first
    visits: list[Visit]  # by visit: the letters behind the columns
    rows: list[ThemeRow]
    letters: list[int] = field(default_factory=list)  # by year: letters in each column


def _ordered(rows: list[ThemeRow]) -> list[ThemeRow]:
    # Recurring themes first, then the most raised; the taxonomy's order breaks ties.
    position = {code: i for i, code in enumerate(THEME_CODES)}
    return sorted(rows, key=lambda r: (not r.recurring, -(r.areas + r.concerns), position[r.code]))


def _mark_repeats(row: ThemeRow) -> None:
    for before, cell in zip(row.cells, row.cells[1:], strict=False):
        cell.repeat = before.raised and cell.raised
    row.recurring = any(c.repeat for c in row.cells)
    row.streak = 0
    for cell in reversed(row.cells):
        if not cell.raised:
            break
        row.streak += 1


def _published_by(as_at: str | None) -> tuple[str, list[Any]]:
    # With an as-at date, only the letters published (or visited, with no date printed) by then.
    return (f" AND {LETTER_DATE_SQL} <= ?", [as_at]) if as_at else ("", [])


def theme_table(conn: sqlite3.Connection, authority: str, as_at: str | None = None) -> ThemeTable:
    """For one authority, themes by visit in date order, marking themes raised visit after visit.

    With as_at (YYYY-MM-DD), only the letters that had been published by the end of that day.
    """
    from lettermine.themes import theme_label

    names = authority_names(conn, authority)
    marks = ",".join("?" * len(names))
    by, by_params = _published_by(as_at)
    # Letters with no units were not read (or carry nothing): a blank column would break a run.
    letters = conn.execute(
        f"""SELECT l.id, l.kind, {VISIT_DATE} FROM letters l
            WHERE l.authority IN ({marks})
              AND EXISTS (SELECT 1 FROM units u WHERE u.letter_id = l.id){by}
            ORDER BY {VISIT_DATE}, l.id""",
        [*names, *by_params],
    ).fetchall()
    visits = [Visit(letter_id, kind, date) for letter_id, kind, date in letters]
    column = {v.letter_id: i for i, v in enumerate(visits)}
    cells: dict[str, list[Cell]] = {}
    for letter_id, code, areas, concerns in conn.execute(
        _raised_sql(f"WHERE l.authority IN ({marks})"), names
    ):
        if code not in THEME_CODES or letter_id not in column:
            continue
        cells.setdefault(code, [Cell() for _ in visits])[column[letter_id]] = Cell(
            areas=areas, concerns=concerns
        )
    rows: list[ThemeRow] = []
    for code, row_cells in cells.items():
        row = ThemeRow(code, theme_label(code), row_cells)
        _mark_repeats(row)
        if row.areas or row.concerns:
            rows.append(row)
    return ThemeTable(
        authority=names[0],
        by="visit",
        columns=[v.date or "?" for v in visits],
        visits=visits,
        rows=_ordered(rows),
    )


def themes_by_year(
    conn: sqlite3.Connection, authority: str | None = None, as_at: str | None = None
) -> ThemeTable:
    """Themes by year of visit across every authority (or one), with how many raised each.

    With as_at (YYYY-MM-DD), only the letters that had been published by the end of that day.
    """
    from lettermine.themes import theme_label

    names = authority_names(conn, authority) if authority else []
    where, params = "", list(names)
    if names:
        where = f"WHERE l.authority IN ({','.join('?' * len(names))})"
    by, by_params = _published_by(as_at)
    # Letters with no units were not read: they would count as visits that raised nothing.
    letters = conn.execute(
        f"""SELECT l.id, coalesce(l.authority, '?'), substr({VISIT_DATE}, 1, 4) FROM letters l
            {where or "WHERE 1"} AND EXISTS (SELECT 1 FROM units u WHERE u.letter_id = l.id){by}
            ORDER BY {VISIT_DATE}, l.id""",
        [*params, *by_params],
    ).fetchall()
    year_of = {letter_id: year or "?" for letter_id, _, year in letters}
    years = sorted(set(year_of.values()))
    column = {y: i for i, y in enumerate(years)}
    per_letter: dict[str, dict[int, tuple[int, int]]] = {}
    for letter_id, code, areas, concerns in conn.execute(_raised_sql(where), params):
        if code in THEME_CODES and letter_id in year_of:
            per_letter.setdefault(code, {})[letter_id] = (areas, concerns)
    rows = []
    for code, raised in per_letter.items():
        cells = [Cell() for _ in years]
        who: list[set[str]] = [set() for _ in years]
        # Visit after visit within each authority, for the count of authorities where it recurs.
        last: dict[str, bool] = {}
        recurring: set[str] = set()
        for letter_id, name, _year in letters:
            areas, concerns = raised.get(letter_id, (0, 0))
            now = bool(areas or concerns)
            if now and last.get(name):
                recurring.add(name)
            last[name] = now
            cell = cells[column[year_of[letter_id]]]
            cell.areas += areas
            cell.concerns += concerns
            if now:
                cell.letters += 1
                who[column[year_of[letter_id]]].add(name)
        for cell, names_raising in zip(cells, who, strict=True):
            cell.authorities = len(names_raising)
        row = ThemeRow(code, theme_label(code), cells, recurring_authorities=len(recurring))
        row.recurring = bool(recurring)
        if row.areas or row.concerns:
            rows.append(row)
    counts = [sum(1 for y in year_of.values() if y == year) for year in years]
    return ThemeTable(
        authority=names[0] if names else None,
        by="year",
        columns=years,
        visits=[],
        rows=sorted(
            rows,
            key=lambda r: (-r.recurring_authorities, -(r.areas + r.concerns), r.code),
        ),
        letters=counts,
    )


# --- the database itself ------------------------------------------------------------------------


def db_status(conn: sqlite3.Connection, path: Path) -> dict[str, Any]:
    """What is in the database: counts, file size, schema version, migrations applied.
    DatabaseError if the file fails SQLite's integrity check (quick_check)."""
    from lettermine.db import DatabaseError, integrity_problem

    problem = integrity_problem(conn)
    if problem:
        raise DatabaseError(
            f"{path}: failed its integrity check ({problem}): the file is damaged; restore it from "
            "a backup ('lettermine db backup', or a .before-migration copy)"
        )
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def count(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    units_by_kind = dict(conn.execute("SELECT kind, count(*) FROM units GROUP BY kind").fetchall())
    status: dict[str, Any] = {
        "path": shown(path.resolve()),
        "size_bytes": sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()),
        "schema_version": count("PRAGMA user_version"),
        "letters": count("SELECT count(*) FROM letters"),
        "authorities": count("SELECT count(DISTINCT authority) FROM letters"),
        "units": count("SELECT count(*) FROM units"),
        "units_by_kind": {k: units_by_kind.get(k, 0) for k in UNIT_KINDS},
        "units_with_themes": count("SELECT count(DISTINCT unit_id) FROM unit_themes"),
        "labels": count("SELECT count(*) FROM labels"),
        "actions": count("SELECT count(*) FROM actions") if "actions" in tables else 0,
        # The search index holds one row per unit; a different count means it is out of step.
        "search_index_rows": count("SELECT count(*) FROM units_fts_docsize"),
        "integrity": "ok",
        "migrations": [
            {"name": name, "applied_at": at}
            for name, at in conn.execute(
                "SELECT name, applied_at FROM _sqlite_migrations ORDER BY id"
            )
        ]
        if "_sqlite_migrations" in tables
        else [],
    }
    return status
