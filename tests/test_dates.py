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
        # A list of days starts on its first day and ends on its last.
        ("on 15, 16 and 21 July 2025", ("2025-07-15", "2025-07-21")),
        ("on 15, 16, 21 July 2025", ("2025-07-15", "2025-07-21")),
        ("29, 30 September, 1 and 2 October 2025", ("2025-09-29", "2025-10-02")),
        ("30 December, 2 and 3 January 2020", ("2019-12-30", "2020-01-03")),
        # Day-first numbers, as a few reports print them.
        ("Inspection date: 12/09/2016 to 06/10/2016", ("2016-09-12", "2016-10-06")),
    ],
)
def test_parse_range(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_range(text) == expected


def test_parse_date_rejects_impossible_dates() -> None:
    assert parse_date("31 February 2021") is None
    assert parse_date("Dated 18 June 2021") == "2021-06-18"
    assert parse_date("Report published: 25/11/2016") == "2016-11-25"
    assert parse_date("13/13/2016") is None
