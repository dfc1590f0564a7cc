"""The RAG rule: one pure function that turns an action's state and a date into red, amber or green.

The rule, in order (the first row that applies decides):

| # | when | RAG | reason shown |
|---|------|-----|--------------|
| 1 | a manual override is set | its colour | `override: <reason>` |
| 2 | status is verified | green | `verified` |
| 3 | status is done and evidence has been recorded | green | `done, evidence recorded` |
| 4 | status is done, no evidence yet | amber | `done, awaiting evidence` |
| 5 | past the due date (today > due) | red | `overdue by N days` |
| 6 | blocked, due within 30 days | red | `blocked, due in N days` |
| 7 | blocked | amber | `blocked` |
| 8 | no due date | amber | `no due date: progress cannot be judged` |
| 9 | behind by 25 points or more | red | `far behind: P% done, T% of time gone` |
| 10 | behind by more than 10 points | amber | `behind: P% done, T% of time gone` |
| 11 | due within 30 days and behind at all | amber | `due in N days: P% done, T% of time gone` |
| 12 | otherwise | green | `on track: P% done, T% of time gone` |

"Time gone" T = (today - start) / (due - start), as a percentage clipped to 0-100; start is the
action's start date, or the date it was created. "Behind by" = T - P (percentage points).
An action is overdue when today is after its current due date and it is neither done nor verified.
A blocked action needs someone to unblock it, so it is never green: amber while there is time,
red once the due date is near or past.
"""

from __future__ import annotations

import datetime as dt

COLOURS: tuple[str, ...] = ("red", "amber", "green")
CLOSED: frozenset[str] = frozenset({"done", "verified"})
NEAR_DAYS = 30  # "the due date is near"
TOLERANCE = 10  # points behind the clock that still count as on track
FAR_BEHIND = 25  # points behind the clock that make an action red


def time_gone(start: dt.date, due: dt.date, today: dt.date) -> int:
    """The share of the time from start to due that has passed by today, 0-100."""
    if due <= start:
        return 100 if today >= due else 0
    share = (today - start).days / (due - start).days
    return round(100 * min(1.0, max(0.0, share)))


def is_overdue(status: str, due: dt.date | None, today: dt.date) -> bool:
    """Past its current due date and neither done nor verified."""
    return due is not None and today > due and status not in CLOSED


def rag(
    status: str,
    percent: int,
    start: dt.date,
    due: dt.date | None,
    today: dt.date,
    has_evidence: bool,
    override: str | None = None,
    override_reason: str | None = None,
) -> tuple[str, str]:
    """The (colour, reason) the written rule gives an action on a given day."""
    if override:
        return override, f"override: {override_reason or 'no reason given'}"
    if status == "verified":
        return "green", "verified"
    if status == "done":
        if has_evidence:
            return "green", "done, evidence recorded"
        return "amber", "done, awaiting evidence"
    if due is not None and is_overdue(status, due, today):
        days = (today - due).days
        return "red", f"overdue by {days} day{'s' if days != 1 else ''}"
    days_left = (due - today).days if due is not None else None
    if status == "blocked":
        if days_left is not None and days_left <= NEAR_DAYS:
            return "red", f"blocked, due in {days_left} days"
        return "amber", "blocked"
    if due is None or days_left is None:
        return "amber", "no due date: progress cannot be judged"
    gone = time_gone(start, due, today)
    behind = gone - percent
    progress = f"{percent}% done, {gone}% of time gone"
    if behind >= FAR_BEHIND:
        return "red", f"far behind: {progress}"
    if behind > TOLERANCE:
        return "amber", f"behind: {progress}"
    if days_left <= NEAR_DAYS and behind > 0:
        return "amber", f"due in {days_left} days: {progress}"
    return "green", f"on track: {progress}"
