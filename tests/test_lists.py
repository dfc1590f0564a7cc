"""Sub-items: which lines open one, and how an item's text is made from its lead-in and them."""

from __future__ import annotations

import pytest

from lettermine.read.extract import normalise
from lettermine.read.lists import is_sub_item, join_item, opens_sub_item, strip_sub_bullet
from lettermine.read.visit import parse_visit


@pytest.mark.parametrize(
    "glyph", ["-", "\u2013", "\u2014", "\u2212", "\u2015", "\u0336", "o", "\u25e6"]
)
def test_every_sub_bullet_glyph_opens_a_sub_item(glyph: str) -> None:
    line = f"{glyph} the timeliness of reviews"
    assert is_sub_item(line)
    assert strip_sub_bullet(line) == "the timeliness of reviews"


@pytest.mark.parametrize(
    "line", ["\u25fc an item", "operational practice", "obviously not", "-1 degrees"]
)
def test_item_bullets_and_words_are_not_sub_items(line: str) -> None:
    assert not is_sub_item(line)


def test_a_dash_that_carries_a_sentence_on_is_not_a_sub_item() -> None:
    assert opens_sub_item("\u2013 the quality of plans", "the following areas:")
    assert opens_sub_item("\u2013 reviews", "assessments; and")
    assert not opens_sub_item(
        "\u2013 they operate in a context of", "Despite the challenges they face"
    )
    # ... unless it is the next of a run of sub-items printed without punctuation.
    assert opens_sub_item("\u2013 reviews", "assessments", in_sub_list=True)


def test_join_item_follows_the_printed_punctuation() -> None:
    lead = "The quality of plans, including:"
    # No punctuation: "; " between sub-items.
    assert join_item(lead, ["\u2013 assessments", "\u2013 reviews"]) == (
        "The quality of plans, including: assessments; reviews"
    )
    # Sub-items that end with ";" or "; and" already carry their separator.
    assert join_item(lead, ["assessments;", "visits; and", "reviews."]) == (
        "The quality of plans, including: assessments; visits; and reviews."
    )
    # A full stop closing a sub-item that is not the last becomes "; ".
    assert join_item(lead, ["Police should act.", "Health should act."]) == (
        "The quality of plans, including: Police should act; Health should act."
    )
    # A sub-item that ends with ":" or "," runs on into the next one.
    assert join_item(lead, ["plans for:", "children in care", "care leavers."]) == (
        "The quality of plans, including: plans for: children in care; care leavers."
    )
    assert join_item(lead, ["visits,", "reviews"]) == (
        "The quality of plans, including: visits, reviews"
    )
    # A paragraph after the sub-items joins with a space.
    assert join_item("Act on:", ["a", "b."], ["Also this."]) == "Act on: a; b. Also this."
    assert join_item("Just an item.") == "Just an item."


def test_extract_keeps_symbol_font_dashes_as_sub_bullets() -> None:
    text = normalise(
        "\uf06e The quality of plans:\n\uf02d for children in care\n\u0336 for care leavers"
    )
    assert text.splitlines() == [
        "\u25fc The quality of plans:",
        "\u2013 for children in care",
        "\u2013 for care leavers",
    ]


FOCUSED = """Focused visit to Wigan children's services
This letter summarises the findings of the focused visit to Wigan children's services on
4 and 5 February 2020. Her Majesty's Inspectors were Ann Example and Ben Sample.
What needs to improve in this area of social work practice
\u25fc The response to children who go missing, including:
\u2013 the timeliness of return home interviews
\u2013 the use of what children say in their plans.
\u25fc Management oversight of casework.
Findings
\u25fc Plans are late.
Ofsted will take the findings from this focused visit into account.
"""


def test_a_focused_visit_item_keeps_its_sub_items() -> None:
    letter = parse_visit(FOCUSED, "focused_visit")
    assert [u.text for u in letter.units if u.kind == "area_for_improvement"] == [
        "The response to children who go missing, including: the timeliness of return home "
        "interviews; the use of what children say in their plans.",
        "Management oversight of casework.",
    ]
    assert [u.text for u in letter.units if u.kind == "finding"] == ["Plans are late."]
