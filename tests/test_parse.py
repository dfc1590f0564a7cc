"""parse.py: which kind of letter a text is, and which texts are not Ofsted's at all."""

from __future__ import annotations

import pytest

from lettermine.errors import NotALetter
from lettermine.read.parse import detect_kind, parse_letter


def test_a_report_title_with_a_typographic_apostrophe_is_an_inspection_report() -> None:
    # Word and PDF print "children’s" with U+2019; the title still names the kind.
    text = (
        "Inspection of Anyshire local authority children\u2019s services\n"
        "Inspection dates: 6 to 17 March 2023\nLead inspector: Ann Example, HMI\n"
    )
    assert detect_kind(text) == "ilacs"


def test_a_letter_that_names_ofsted_but_no_inspector_is_read() -> None:
    text = (
        "Ofsted\nPiccadilly Gate\n2 March 2020\nDear Director\n"
        "Monitoring visit to Wigan children's services\n"
        "This letter summarises the findings of the monitoring visit to Wigan children's services"
        " on 4 and 5 February 2020.\nFindings\n\u25fc Plans are clearer.\n"
    )
    letter = parse_letter(text)
    assert letter.kind == "monitoring_visit"
    assert [u.text for u in letter.units] == ["Plans are clearer."]


def test_a_text_about_something_else_is_not_a_letter() -> None:
    with pytest.raises(NotALetter):
        parse_letter("Minutes of the parish council\nThe hall roof will be repaired in May.\n")
