"""Numbers typed by people or read from files, checked once before anything computes with them.

Python's integers have no limit and SQLite's stop at 64 bits: an id of twenty digits used to
end in an OverflowError. `float()` reads "nan", "inf" and "1e400" (infinity) as floats: stored,
SQLite turns NaN into NULL (a value that looks unrecorded) and JSON output gets `Infinity`,
which is not JSON. So an id, count or value is one of these, or InvalidInput naming it:

- whole(): an integer SQLite can store (-2**63 .. 2**63 - 1); ranges that mean something
  (percent 0-100, --limit at least 1) are the library's to check, with their own messages;
- real(): a finite number no larger than LARGEST either way, so that differences and ratios
  of two of them are finite too.
"""

from __future__ import annotations

import math

from lettermine.errors import InvalidInput

SQLITE_MAX = 2**63 - 1
SQLITE_MIN = -(2**63)
# A caseload, a percentage, a count of children or a budget in pence: all far below this, and
# any two such values subtract and divide without overflowing a float.
LARGEST = 1e15


def _named(what: str) -> str:
    return f"{what}: " if what else ""


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def whole(value: int | str, what: str = "") -> int:
    """An integer SQLite can store, from an int or text ('12', ' 12 ')."""
    if isinstance(value, bool):
        raise InvalidInput(f"{_named(what)}{value} is not a whole number")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if len(text) > 40:  # int() of a long digit string is slow, and no id is that long
            raise InvalidInput(f"{_named(what)}'{_shown(text)}' is too long to be a whole number")
        try:
            number = int(text)
        except ValueError:
            raise InvalidInput(f"{_named(what)}'{_shown(text)}' is not a whole number") from None
    if not SQLITE_MIN <= number <= SQLITE_MAX:
        raise InvalidInput(
            f"{_named(what)}{_shown(number)} is out of range (the limit is {SQLITE_MAX} either way)"
        )
    return number


def real(value: float | int | str, what: str = "") -> float:
    """A finite number of at most LARGEST either way, from a number or text ('28', '2.5e3')."""
    if isinstance(value, bool):
        raise InvalidInput(f"{_named(what)}{value} is not a number")
    if isinstance(value, int):
        number = float(value) if abs(value) <= LARGEST else math.inf
    elif isinstance(value, float):
        number = value
    else:
        text = str(value).strip()
        try:
            if len(text) > 100:
                raise ValueError
            number = float(text)
        except ValueError:
            raise InvalidInput(f"{_named(what)}'{_shown(text)}' is not a number") from None
    if math.isnan(number):
        raise InvalidInput(f"{_named(what)}'{_shown(value)}' is not a number")
    if abs(number) > LARGEST:
        raise InvalidInput(f"{_named(what)}{_shown(value)} is too large (the limit is {LARGEST:g})")
    return number
