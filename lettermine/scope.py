"""Which letters a plan or report covers: an authority's (all, since a date, of some kinds, or the
current ones), or letters named one by one. A combination that cannot be honoured in full is an
error, never a silent drop.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from lettermine.actions import resolve_authority
from lettermine.errors import InvalidInput, NotFound
from lettermine.records import LETTER_KINDS
from lettermine.timeline import LETTER_DATE_SQL

FULL_INSPECTIONS: frozenset[str] = frozenset({"ilacs", "sif"})
VISIT_DATE_SQL = "coalesce(l.inspection_start, l.published, substr(l.ingested_at, 1, 10))"


@dataclass(frozen=True)
class Selection:
    """The letters a document covers, oldest visit first, and how they were chosen."""

    authority: str
    letter_ids: tuple[int, ...]
    chosen: str  # for the title block: "the letters below", "... since 1 March 2022", ...


def _long(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def select_letters(
    conn: sqlite3.Connection,
    *,
    authority: str | None = None,
    letter_ids: Sequence[int] = (),
    since: dt.date | None = None,
    kinds: Sequence[str] = (),
    current: bool = False,
    visible: set[int],
    as_at: dt.date | None = None,
) -> Selection:
    """The letters chosen by --la (with --since, --kind or --current) or by --letter.

    `visible` are the letters that existed on the day the document is as at.
    """
    if letter_ids:
        if authority is not None:
            raise InvalidInput("give either an authority (--la) or letters (--letter), not both")
        chooser = [flag for flag, given in (("--since", since is not None), ("--kind", bool(kinds)),
                   ("--current", current)) if given]  # fmt: skip
        if chooser:
            raise InvalidInput(
                f"--letter names the letters, {' and '.join(chooser)} would choose among them: "
                "give one or the other"
            )
        return _named(conn, letter_ids, visible, as_at)
    if authority is None:
        raise InvalidInput("give either an authority (--la) or letters (--letter)")
    if current and (since is not None or kinds):
        which = " and ".join(f for f, g in (("--since", since is not None), ("--kind", kinds)) if g)
        raise InvalidInput(
            f"--current chooses the letters (the latest full inspection and the visits after "
            f"it): it cannot be combined with {which}"
        )
    for kind in kinds:
        if kind not in LETTER_KINDS:
            raise InvalidInput(f"unknown kind '{kind}' (use one of: {', '.join(LETTER_KINDS)})")
    name = resolve_authority(conn, authority)
    rows = [
        r
        for r in conn.execute(
            f"""SELECT l.id, l.kind, {VISIT_DATE_SQL}, {LETTER_DATE_SQL} FROM letters l
                WHERE l.authority = ? ORDER BY {VISIT_DATE_SQL}, l.id""",
            [name],
        )
        if r[0] in visible
    ]
    when = f" by {_long(as_at)}" if as_at else ""
    if not rows:
        raise NotFound(f"no letters about {name} had been published{when}")
    chosen = "the Ofsted letters below"
    if current:
        full = [r for r in rows if r[1] in FULL_INSPECTIONS]
        if not full:
            raise InvalidInput(
                f"--current needs a full inspection (ILACS or SIF) of {name}, and none had been "
                f"published{when}: choose the letters with --since or --letter"
            )
        latest = full[-1]
        rows = [r for r in rows if r == latest or (r[2] or "") > (latest[2] or "")]
        chosen = "the latest full inspection and every visit after it, listed below"
    if kinds:
        rows = [r for r in rows if r[1] in kinds]
        chosen = f"the {' and '.join(k.replace('_', ' ') for k in kinds)} letters below"
    if since is not None:
        rows = [r for r in rows if (r[3] or "") >= since.isoformat()]
        chosen = f"the Ofsted letters published since {_long(since)}, listed below"
        if kinds:
            chosen = chosen.replace("Ofsted", " and ".join(k.replace("_", " ") for k in kinds))
    if not rows:
        wanted = []
        if kinds:
            wanted.append(f"of kind {', '.join(kinds)}")
        if since is not None:
            wanted.append(f"published since {since.isoformat()}")
        raise NotFound(f"no letters about {name} {' and '.join(wanted)}{when}")
    return Selection(name, tuple(int(r[0]) for r in rows), chosen)


def _named(
    conn: sqlite3.Connection,
    letter_ids: Sequence[int],
    visible: set[int],
    as_at: dt.date | None,
) -> Selection:
    ids = list(dict.fromkeys(letter_ids))  # a letter named twice is still one letter
    found = {
        int(r[0]): (r[1], r[2], r[3])
        for r in conn.execute(
            f"""SELECT l.id, l.authority, {VISIT_DATE_SQL}, {LETTER_DATE_SQL} FROM letters l
                WHERE l.id IN ({",".join("?" * len(ids))})""",
            ids,
        )
    }
    for letter_id in ids:
        if letter_id not in found:
            raise NotFound(f"no letter {letter_id} (see 'lettermine letters')")
        if letter_id not in visible:
            raise InvalidInput(
                f"letter {letter_id} is dated {found[letter_id][2]}: as at "
                f"{as_at.isoformat() if as_at else 'today'} it had not been published"
            )
    authorities = sorted({str(found[i][0] or "Authority not known") for i in ids})
    if len(authorities) > 1:
        raise InvalidInput(
            f"the letters are about different authorities ({', '.join(authorities)}): "
            "a plan or report covers one authority"
        )
    ids.sort(key=lambda i: (found[i][1] or "", i))
    chosen = "the Ofsted letter below" if len(ids) == 1 else "the Ofsted letters below"
    return Selection(authorities[0], tuple(ids), chosen)
