from __future__ import annotations

import pytest

from lettermine.authorities import AUTHORITIES, authority_name, canonical_authority


@pytest.mark.parametrize(
    "printed",
    [
        "City of Bradford Metropolitan Borough Council",
        "Bradford",
        "Bradford children\u2019s services",
        "bradford metropolitan district council",
    ],
)
def test_every_printed_form_of_one_council_is_one_authority(printed: str) -> None:
    assert canonical_authority(printed) == "Bradford"


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [
        ("the London Borough of Barking and Dagenham", "Barking and Dagenham"),
        ("Royal Borough of Kensington and Chelsea", "Kensington and Chelsea"),
        ("Telford & Wrekin", "Telford and Wrekin"),
        ("Dudley MBC", "Dudley"),
        ("Kingston upon Hull City Council", "Hull"),
        ("City of York Council", "York"),
        ("Sandwell Children\u2019s Trust", "Sandwell"),
        ("North East Lincolnshire Council", "North East Lincolnshire"),
        ("Bedford Borough", "Bedford"),
        ("Southend-on\u2013Sea", "Southend-on-Sea"),  # an en dash, as one letter prints it
    ],
)
def test_known_councils(printed: str, canonical: str) -> None:
    assert canonical_authority(printed) == canonical


def test_unknown_council_keeps_a_tidy_printed_name() -> None:
    assert canonical_authority("Atlantis Borough Council") is None
    assert authority_name("Atlantis Borough Council") == "Atlantis"
    assert authority_name(None) is None


def test_canonical_names_are_fixed_points() -> None:
    assert all(canonical_authority(a) == a for a in AUTHORITIES)
