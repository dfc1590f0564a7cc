"""Dates as Ofsted prints them ("5 and 6 May 2021", "21 November to 2 December 2022") as ISO
text."""

from __future__ import annotations

import datetime as dt
import re

from lettermine.errors import InvalidInput

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
    rf"\b{_DAY}(?:\s+{_MONTH})?(?:\s+(\d{{4}}))?\s*(?:to|,?\s*and|-|–|—|until|,)\s*{_DAY}\s+{_MONTH}\s+"
    r"(\d{4})\b",
    re.IGNORECASE,
)


def iso(year: int, month: int, day: int) -> str | None:
    """An ISO date, or None if the parts are not a real date."""
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


# "12/09/2016" (day first, as British reports print it), a few 2015-2016 reports' front pages.
NUMERIC_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


def parse_date(text: str) -> str | None:
    """The first full date in text ("18 June 2021", else "18/06/2021") as ISO, or None."""
    m = DATE_RE.search(text)
    if m:
        return iso(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    n = NUMERIC_RE.search(text)
    return iso(int(n.group(3)), int(n.group(2)), int(n.group(1))) if n else None


# The days listed before the last two of a list: "15, " in "15, 16 and 21 July 2025";
# "29, 30 September, " in "29, 30 September, 1 and 2 October 2025".
_LIST_HEAD = re.compile(rf"(?:\b{_DAY}(?:\s+{_MONTH})?\s*,\s*)+$", re.IGNORECASE)


def list_start(before: str) -> tuple[int, str | None] | None:
    """The first day of a list of days that text ending just before a range ends with, and the
    first month named from that day on (None if the list names none): (15, None) for "on 15, "."""
    head = _LIST_HEAD.search(before)
    if head is None:
        return None
    days = re.findall(rf"{_DAY}(?:\s+{_MONTH})?", head.group(0), re.IGNORECASE)
    month = next((name for _, name in days if name), None)
    return int(days[0][0]), month


def parse_range(text: str) -> tuple[str | None, str | None]:
    """The first date range in text as (start, end) ISO dates; a single date gives (d, d). A list
    of days ("15, 16 and 21 July 2025") starts on its first day and ends on its last."""
    m = RANGE_RE.search(text)
    if m:
        d1, m1, y1, d2, m2, y2 = m.groups()
        head = list_start(text[: m.start()])
        if head is not None:
            d1, m1, y1 = str(head[0]), head[1] or m1, None
        end_month, end_year = MONTHS[m2.lower()], int(y2)
        start_month = MONTHS[m1.lower()] if m1 else end_month
        start_year = int(y1) if y1 else end_year
        if not y1 and start_month > end_month:  # "30 December to 3 January 2020"
            start_year -= 1
        return iso(start_year, start_month, int(d1)), iso(end_year, end_month, int(d2))
    numeric = [iso(int(y), int(mo), int(d)) for d, mo, y in NUMERIC_RE.findall(text)[:2]]
    if len(numeric) == 2 and not DATE_RE.search(text):  # "12/09/2016 to 06/10/2016"
        return numeric[0], numeric[1]
    single = parse_date(text)
    return single, single


def parse_iso(text: str) -> dt.date:
    """A date typed by a person as YYYY-MM-DD; ValueError if it is not one."""
    return dt.date.fromisoformat(text.strip())


def as_date(value: dt.date | str | None, what: str) -> dt.date | None:
    """A date from a date or YYYY-MM-DD text; InvalidInput naming the field otherwise."""
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what}: '{value}' is not a date (use YYYY-MM-DD)") from None
