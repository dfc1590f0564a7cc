"""Surviving mutants that are equivalent, or not worth a test, each with its reason (issue 19).

bench/mutation.py matches every survivor against RULES (kinds of mutant, by the line they change)
and ACCEPTED (single mutants). An equivalent mutant behaves as the original does on every input
the program can give it, so it leaves the score's denominator. One not worth a test stays in
the denominator, counted as survived, and is listed here so that it is a decision, not an
oversight. A single mutant is named by its module, its function (`Class.method` for a method)
and the line it changes, before and after, stripped (several lines joined by " / "), so the list
survives mutmut renumbering its mutants.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Accepted:
    module: str
    function: str
    before: str
    after: str
    why: str
    equivalent: bool = True  # False: not worth a test


@dataclass(frozen=True)
class Rule:
    name: str
    why: str
    matches: Callable[[str, str, str], bool]  # (before, after, diff) -> bool
    equivalent: bool = True


_SQL = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|JOIN|MATCH|ORDER BY|GROUP BY|LIMIT|VALUES|"
    r"PRAGMA|BEGIN|ROLLBACK|COMMIT|SAVEPOINT|RELEASE|CREATE|DROP|ALTER|ESCAPE|LIKE|EXISTS|AND)\b",
    re.IGNORECASE,
)
_SQL_LITERAL = re.compile(r"'[^']*'")


def _sql_case(before: str, after: str, diff: str) -> bool:
    """Only the letter case of SQL changes, outside its quoted literals."""
    return (
        before != after
        and before.lower() == after.lower()
        and bool(_SQL.search(before))
        and _SQL_LITERAL.findall(before) == _SQL_LITERAL.findall(after)
    )


def _zip_strict(before: str, after: str, diff: str) -> bool:
    """zip(..., strict=True) loses its strict flag."""
    if "strict=True" not in before:
        return False
    loose = (before.replace("strict=True", "strict=False"), before.replace("strict=True", ""))
    return after in loose


def _message_text(before: str, after: str, diff: str) -> bool:
    """A string of an error message wrapped in XX or changed in case, the message still there."""
    if before.lower() != after.lower() and after.replace("XX", "") != before:
        return False
    lines = diff.splitlines()[2:]  # after the ---/+++ header
    at = next((i for i, line in enumerate(lines) if line.startswith("-")), 0)
    context = " ".join(lines[max(0, at - 3) : at + 1])
    return "raise " in context or "Error(" in context or "InvalidInput(" in context


_LABELLED = re.compile(r"\b(_required_date|_cell_date|check_date|check_choice)\(")


def _error_label(before: str, after: str, diff: str) -> bool:
    """Only the label a date or choice checker names in its error message changes case or
    gains XX (`_required_date(date, "date")` -> `"DATE"`)."""
    if not _LABELLED.search(before) or before == after:
        return False
    return before.lower() == after.lower() or after.replace("XX", "") == before


RULES: list[Rule] = [
    Rule(
        "sql-case",
        "equivalent: SQLite reads keywords and names in any case (quoted literals untouched)",
        _sql_case,
    ),
    Rule(
        "zip-strict",
        "equivalent: the zipped sequences have equal lengths by construction; strict=True only"
        " guards that",
        _zip_strict,
    ),
    Rule(
        "message-text",
        "not worth a test: the wording of an error message (tests match what it says, not"
        " every letter's case)",
        _message_text,
        equivalent=False,
    ),
    Rule(
        "error-label",
        "not worth a test: the field name a checker prints in its error message (each"
        " checker's message is tested once, not at every call)",
        _error_label,
        equivalent=False,
    ),
]

ACCEPTED: list[Accepted] = [
    # read/extract.py
    Accepted(
        "lettermine/read/extract.py",
        "_txt_text",
        r'return drop_page_furniture(text) if "\f" in text else text',
        r'return drop_page_furniture(text) if ("\f" in text) or True else text',
        "equivalent: text without a form feed is one page, which drop_page_furniture returns"
        " unchanged (it needs three)",
    ),
    Accepted(
        "lettermine/read/extract.py",
        "_furniture_key",
        r'return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.strip().lower()))',
        r'return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.strip().upper()))',
        "equivalent: the key is only compared with other keys made the same way; folding to"
        " upper or lower case groups the same lines",
    ),
    # actions.py
    Accepted(
        "lettermine/actions.py",
        "coverage",
        'closure = tracker.closures.get(r["id"])',
        'closure = tracker.closures.get(r["ID"])',
        "equivalent: r is an sqlite3.Row, whose keys ignore case",
    ),
    Accepted(
        "lettermine/actions.py",
        "_unit_details",
        '"text": r["text"],',
        '"text": r["TEXT"],',
        "equivalent: r is an sqlite3.Row, whose keys ignore case",
    ),
    Accepted(
        "lettermine/actions.py",
        "_unit_details",
        '"themes": [t["code"] for t in themes.get(r["id"], [])],',
        '"themes": [t["code"] for t in themes.get(r["ID"], [])],',
        "equivalent: r is an sqlite3.Row, whose keys ignore case",
    ),
    Accepted(
        "lettermine/actions.py",
        "_append",
        'columns = ["action_id", "event", "at", "recorded_at", *fields]',
        'columns = ["action_id", "event", "AT", "recorded_at", *fields]',
        "equivalent: the names go into an INSERT's column list, and SQLite ignores their case",
    ),
    # search.py
    Accepted(
        "lettermine/search.py",
        "_few",
        "enough = tagged * 4 // 5 + 1",
        "enough = tagged * 5 // 5 + 1",
        "equivalent: chooses between two query plans that return the same units (a speed"
        " trade-off; the theme-filter tests run both plans)",
    ),
    Accepted(
        "lettermine/search.py",
        "scratch_index",
        'cache: dict[str, sqlite3.Connection] | None = getattr(_scratch, "indexes", None)',
        'cache: dict[str, sqlite3.Connection] | None = getattr(None, "indexes", None)',
        "equivalent: a cache that always misses builds the same scratch index again (slower,"
        " same answers)",
    ),
    Accepted(
        "lettermine/search.py",
        "_mark_repeats",
        "break",
        "return",
        "equivalent: the loop is the function's last statement",
    ),
]
