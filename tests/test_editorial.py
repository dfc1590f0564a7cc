"""Editorial notes ("All names are pseudonyms") are furniture: every reader leaves them out of
its units and reads everything else as it would without them. Invented texts in Ofsted's style."""

from __future__ import annotations

import pytest

from lettermine.read.editorial import is_editorial_note
from lettermine.read.parse import parse_letter
from lettermine.records import Letter

NOTE = "All names are pseudonyms"


@pytest.mark.parametrize(
    "text",
    [
        "All names are pseudonyms",
        "All names are pseudonyms.",
        "(All names have been changed.)",
        "Children\u2019s names have been changed to protect their identities.",
        "The names of the children and families have been changed.",
        "Note: names used in this case study are fictional.",
        "This case study has been anonymised.",
        "Names and identifying details have been changed.",
        "All names\nhave been changed.",  # wrapped over two lines
    ],
)
def test_editorial_notes_are_recognised(text: str) -> None:
    assert is_editorial_note(text)


@pytest.mark.parametrize(
    "text",
    [
        "All names are pseudonyms. In the case of Sam, the plan was reviewed quickly.",
        "The names of children missing education are shared with schools every week.",
        "Children\u2019s names are changed without consent in some records.",
        "Names are changed when children are adopted, and staff handle this sensitively.",
        "Practice study: highly effective practice",
        "",
    ],
)
def test_sentences_about_names_in_general_are_not_notes(text: str) -> None:
    assert not is_editorial_note(text)


JTAI = """12 April 2017

Director of Children's Services, Wigan Council

Dear local partnership

Joint targeted area inspection of the multi-agency response to abuse and neglect in Wigan

Between 6 and 10 March 2017, Ofsted, the Care Quality Commission (CQC), HMI Constabulary (HMIC)
and HMI Probation (HMI Prob) undertook a joint inspection of the multi-agency response to abuse
and neglect in Wigan.

Key strengths

\u25fc Leaders across the partnership know their area well.

Practice study: highly effective practice

{note}

In the case of Sam, a strategy meeting was held within a day and the police, school and health
visitor agreed a clear plan that kept him safe at home.

Areas for improvement

Police

\u25fc Officers attending incidents of domestic abuse do not always record whether children
live at the address. This means that the risk to

Case study: area for improvement

{note}.

For Ellie, information held by the school was not shared with the hub for several weeks.

children is not always known to the agencies that could help them.

\u25fc Health visitors do not always share what they know about a new baby.

Next steps

The local authority should prepare a written statement of proposed action.

Yours sincerely

Ann Example
Regional Director, Ofsted
"""

SEND = """Area SEND inspection of Rutland Local Area Partnership

Inspection dates: 27 November 2023 to 1 December 2023

Inspection outcome

The local area partnership\u2019s arrangements lead to inconsistent experiences and outcomes for
children and young people with special educational needs and/or disabilities (SEND).

What is the area partnership doing that is effective?

\u25fc Practitioners know families well.

{note}

\u25fc Leaders listen to parents and carers, who help to shape new services.

Areas for improvement

Leaders should make sure that plans are reviewed on time.

Inspection team

Ofsted Care Quality Commission
Ann Example HMI, Ofsted lead inspector Cal Sample, CQC Lead inspector
"""

FOCUSED = """2 March 2020

Director of Children's Services
Brackwater Borough Council

Dear Director

Focused visit to Brackwater children's services

This letter summarises the findings of the focused visit to Brackwater children's services on
4 and 5 February 2020. Her Majesty's Inspectors were Ann Example and Ben Sample.

What needs to improve in this area of social work practice

\u25fc The timeliness of plans for children in need.

Findings

\u25fc Managers review the work of social workers every month.

Case study

{note}

\u25fc For Kai, a clear plan meant that his school and his social worker worked together.

Ofsted will take the findings from this focused visit into account when planning your next
inspection or visit.

Yours sincerely

Ann Example
Her Majesty's Inspector
"""

ILACS = """Inspection of Testshire County Council local authority children\u2019s services

Inspection dates: 27 February to 10 March 2031
Lead inspector: Ada Lovelace, His Majesty\u2019s Inspector

What needs to improve?

\u25fc The timeliness of reviews of plans for children in care.

The experiences and progress of children who need help and protection: good

1. Families find help early through a network of community hubs.

{note}

2. Decisions at the front door are quick and well recorded.

The Office for Standards in Education, Children\u2019s Services and Skills (Ofsted)
regulates and inspects to achieve excellence in the care of children.
"""


def _units(letter: Letter) -> list[tuple[str, str, str | None, str | None, int | None]]:
    return [(u.kind, u.text, u.section, u.group, u.number) for u in letter.units]


@pytest.mark.parametrize(
    "template, kind",
    [(JTAI, "jtai"), (SEND, "area_send"), (FOCUSED, "focused_visit"), (ILACS, "ilacs")],
)
def test_every_reader_leaves_the_note_out_and_reads_the_rest_as_without_it(
    template: str, kind: str
) -> None:
    with_note = parse_letter(template.format(note=NOTE))
    # The same letter without the note (its line and the blank line after it).
    without = parse_letter(template.replace("{note}.\n\n", "").replace("{note}\n\n", ""))
    assert with_note.kind == without.kind == kind
    assert with_note.units and _units(with_note) == _units(without)
    assert not any("pseudonym" in u.text or "pseudonym" in (u.section or "") for u in
                   with_note.units)  # fmt: skip


def test_a_note_without_a_full_stop_is_not_taken_for_a_sub_heading() -> None:
    """Set like a heading, the note must not become the section of the case study's text."""
    letter = parse_letter(JTAI.format(note=NOTE))
    sam = next(u for u in letter.units if "Sam" in u.text)
    assert sam.kind == "finding" and sam.section == "Practice study: highly effective practice"
    # The list item the case-study box interrupted is still read whole.
    police = next(u for u in letter.units if u.group == "Police")
    assert police.text.endswith("This means that the risk to children is not always known to "
                                "the agencies that could help them.")  # fmt: skip
