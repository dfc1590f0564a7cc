from __future__ import annotations

import pytest

from lettermine.dates import parse_date, parse_range


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21 November to 2 December 2022", ("2022-11-21", "2022-12-02")),
        ("Inspection dates: 4 to 8 March 2024", ("2024-03-04", "2024-03-08")),
        ("on 5 and 6 May 2021.", ("2021-05-05", "2021-05-06")),
        ("27 September 2021 to 8 October 2021", ("2021-09-27", "2021-10-08")),
        ("a visit on 14 March 2019", ("2019-03-14", "2019-03-14")),
        ("30 December to 3 January 2020", ("2019-12-30", "2020-01-03")),
        ("no date here", (None, None)),
    ],
)
def test_parse_range(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_range(text) == expected


def test_parse_date_rejects_impossible_dates() -> None:
    assert parse_date("31 February 2021") is None
    assert parse_date("Dated 18 June 2021") == "2021-06-18"
