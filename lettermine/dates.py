"""Dates as Ofsted prints them ("5 and 6 May 2021", "21 November to 2 December 2022") as ISO
text."""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}  # fmt: skip

_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
DATE_RE = re.compile(rf"\b{_DAY}\s+{_MONTH}\s+(\d{{4}})\b", re.IGNORECASE)

# "21 November to 2 December 2022", "4 to 8 March 2024", "5 and 6 May 2021",
# "27 September 2021 to 8 October 2021", "14 March 2019".
RANGE_RE = re.compile(
    rf"\b{_DAY}(?:\s+{_MONTH})?(?:\s+(\d{{4}}))?\s*(?:to|and|-|–|—|until)\s*{_DAY}\s+{_MONTH}\s+(\d{{4}})\b",
    re.IGNORECASE,
)


def iso(year: int, month: int, day: int) -> str | None:
    """An ISO date, or None if the parts are not a real date."""
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first full date in text ("18 June 2021") as ISO, or None."""
    m = DATE_RE.search(text)
    if not m:
        return None
    return iso(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))


def parse_range(text: str) -> tuple[str | None, str | None]:
    """The first date range in text as (start, end) ISO dates; a single date gives (d, d)."""
    m = RANGE_RE.search(text)
    if m:
        d1, m1, y1, d2, m2, y2 = m.groups()
        end_month, end_year = MONTHS[m2.lower()], int(y2)
        start_month = MONTHS[m1.lower()] if m1 else end_month
        start_year = int(y1) if y1 else end_year
        if not y1 and start_month > end_month:  # "30 December to 3 January 2020"
            start_year -= 1
        return iso(start_year, start_month, int(d1)), iso(end_year, end_month, int(d2))
    single = parse_date(text)
    return single, single


def parse_iso(text: str) -> dt.date:
    """A date typed by a person as YYYY-MM-DD; ValueError if it is not one."""
    return dt.date.fromisoformat(text.strip())
