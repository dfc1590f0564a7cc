"""The frameworks before SIF (2009-2013), read as kind "pre_sif": small invented reports in
their printed layout, one behaviour a test. (The two real 2013 reports are checked in
test_sif.py.)"""

from __future__ import annotations

from functools import cache

import pytest

from lettermine.read.legacy import parse_legacy
from lettermine.read.parse import detect_kind, parse_letter
from lettermine.records import GRADES, JUDGEMENTS, Letter

# As extract.read_text gives it. Every sentence is invented.
LOOKED_AFTER = """Inspection of looked after children
services
Exampleton Borough Council

Inspection dates: 3 – 7 June 2013

Reporting inspector Ada Lovelace HMI
\f
© Crown copyright 2013
\f
Contents
Overall effectiveness of services for looked after children and
young people 4
Record of main findings 12
\f
About this inspection
1. The inspection looked at the help given to children looked after and care leavers.

Outstanding (Grade 1) A service that significantly exceeds
minimum requirements
\f
Overall effectiveness of services for looked after children and
young people

Grade 3 (Adequate)

2. The overall effectiveness of services for looked after children in Exampleton is adequate.

Capacity to improve

Grade 2 (Good)

3. Leaders know the service well and have acted on the last inspection.

Areas for improvement

4. In order to improve services for looked after children and young people in Exampleton,
the local authority should take the following action.

Immediately:

◼ make sure every child has a care plan that is up to date

◼ see children alone at every visit.

Within three months:

◼ improve the quality of personal education plans.
\f
Outcomes for looked after children and young
people

Grade 3 (Adequate)

5. Most children are healthy and attend school regularly; a few wait too long for
help with their emotional health.

Leadership and management Grade 4 (Inadequate)

6. Managers do not check the quality of work often enough.

Record of main findings

Services for looked after children

Overall effectiveness Adequate

Capacity to improve Good

Outcomes for looked after children and
young people

Adequate

Leadership and management Inadequate
"""


@cache
def looked_after() -> Letter:
    return parse_letter(LOOKED_AFTER)


def test_detected_as_its_own_kind() -> None:
    assert detect_kind(LOOKED_AFTER) == "pre_sif"
    assert looked_after().kind == "pre_sif"


def test_metadata() -> None:
    letter = looked_after()
    assert letter.title == "Inspection of looked after children services"
    assert letter.local_authority == "Exampleton Borough Council"
    assert (letter.inspection_start, letter.inspection_end) == ("2013-06-03", "2013-06-07")
    assert letter.lead_inspector == "Ada Lovelace"
    assert letter.focus == "looked after children"


def test_judgements_from_the_record_of_main_findings() -> None:
    assert looked_after().judgements == {
        "overall_effectiveness": "adequate",
        "capacity_to_improve": "good",
        "outcomes_for_looked_after_children": "adequate",
        "leadership_and_management": "inadequate",
    }
    assert set(looked_after().judgements) <= set(JUDGEMENTS)
    assert set(looked_after().judgements.values()) <= set(GRADES)


def test_judgements_from_the_section_headings_without_the_table() -> None:
    text = LOOKED_AFTER.split("Record of main findings\n\nServices")[0]
    assert parse_letter(text).judgements == {
        "overall_effectiveness": "adequate",
        "capacity_to_improve": "good",
        "outcomes_for_looked_after_children": "adequate",
        "leadership_and_management": "inadequate",
    }


def test_areas_for_improvement_keep_their_timescale_as_group() -> None:
    areas = [u for u in looked_after().units if u.kind == "area_for_improvement"]
    assert [(u.group, u.text) for u in areas] == [
        ("Immediately", "make sure every child has a care plan that is up to date"),
        ("Immediately", "see children alone at every visit."),
        ("Within three months", "improve the quality of personal education plans."),
    ]


def test_findings_are_the_paragraphs_of_the_graded_sections() -> None:
    findings = [u for u in looked_after().units if u.kind == "finding"]
    assert [(f.number, f.section) for f in findings] == [
        (2, "Overall effectiveness of services for looked after children and young people"),
        (3, "Capacity to improve"),
        (5, "Outcomes for looked after children and young people"),
        (6, "Leadership and management"),
    ]
    assert findings[2].text.endswith("emotional health.")  # one paragraph over two lines


def test_nothing_is_warned_about() -> None:
    assert looked_after().warnings == []


PROTECTION = """Inspection of local authority arrangements for the
protection of children
Exampleton City Council

Inspection dates: 14 – 25 January 2013
Lead inspector: Alan Turing HMI
\f
Record of main findings

Overall effectiveness Good

The effectiveness of the help and protection provided to
children, young people, families and carers

Good

The quality of practice Adequate

Leadership and governance Good
"""


def test_the_protection_of_children_framework() -> None:
    letter = parse_letter(PROTECTION)
    assert letter.kind == "pre_sif" and letter.focus == "protection of children"
    assert letter.local_authority == "Exampleton City Council"
    assert letter.lead_inspector == "Alan Turing"
    assert letter.judgements == {
        "overall_effectiveness": "good",
        "help_and_protection": "good",
        "quality_of_practice": "adequate",
        "leadership_and_governance": "good",
    }
    assert "no areas for improvement found" in letter.warnings


TWO_SERVICES = """Inspection of safeguarding and looked after children services
Exampleton Council

Inspection dates: 1 – 12 March 2010
Published: 23 April 2010
\f
Safeguarding services

Overall effectiveness

Grade 3 - adequate

2. Children are safe, but help arrives late for some families.

Services for looked after children

Overall effectiveness Grade 2 (good)

3. Children looked after live in stable homes close to their schools.

Record of main findings

Safeguarding services

Overall effectiveness Adequate

Capacity for improvement Good

Safeguarding outcomes for children and young people

Children and young people are safe Good

Services for looked after children

Overall effectiveness Good

Capacity for improvement Good
"""


def test_a_report_that_judges_two_services_prefixes_each_code() -> None:
    letter = parse_letter(TWO_SERVICES)
    assert letter.focus == "safeguarding and looked after children"
    assert letter.published == "2010-04-23"
    assert letter.judgements == {
        "safeguarding_overall_effectiveness": "adequate",
        "safeguarding_capacity_to_improve": "good",
        # a sub-heading of the table is not part of the row below it
        "safeguarding_children_and_young_people_are_safe": "good",
        "looked_after_overall_effectiveness": "good",
        "looked_after_capacity_to_improve": "good",
    }
    findings = [(u.number, u.section) for u in letter.units if u.kind == "finding"]
    assert findings == [
        (2, "Safeguarding services: Overall effectiveness"),
        (3, "Services for looked after children: Overall effectiveness"),
    ]


@pytest.mark.parametrize(
    ("text", "warnings"),
    [
        ("", ["no text to read"]),
        (
            "Inspection of looked after children services\n",
            [
                "no areas for improvement found",
                "no findings found (judgement sections not recognised)",
                "no judgement grades found",
                "no inspection dates found",
            ],
        ),
    ],
)
def test_little_text_warns(text: str, warnings: list[str]) -> None:
    letter = parse_legacy(text)
    assert letter.kind == "pre_sif" and letter.warnings == warnings


# TWO_SERVICES with areas for improvement under each service: a timescale's bullets under the
# first, numbered paragraphs (no introduction) under the second; and a numbered paragraph cut
# short by a page break, short of a full line, before its second half.
TWO_SERVICES_WITH_AREAS = TWO_SERVICES.replace(
    "2. Children are safe, but help arrives late for some families.\n",
    """2. Children are safe, but help arrives late for some families.

Areas for improvement

4. In order to improve safeguarding services, the local authority should take the following
action.

Within three months:

\u25fc see every child at risk within the timescales set.
""",
).replace(
    "3. Children looked after live in stable homes close to their schools.\n",
    """3. Children looked after live in stable homes close to their schools. Most of them
\f
see the same social worker for a year or more.

Areas for improvement

5. Make sure every child looked after has a health assessment on time.

6. Improve the quality of pathway plans for care leavers.
""",
)


def test_each_services_areas_for_improvement_go_under_that_service() -> None:
    letter = parse_letter(TWO_SERVICES_WITH_AREAS)
    areas = [(u.section, u.group, u.text) for u in letter.units if u.kind == "area_for_improvement"]
    assert areas == [
        (
            "Safeguarding services",
            "Within three months",
            "see every child at risk within the timescales set.",
        ),
        (
            "Services for looked after children",
            None,
            "Make sure every child looked after has a health assessment on time.",
        ),
        (
            "Services for looked after children",
            None,
            "Improve the quality of pathway plans for care leavers.",
        ),
    ]


def test_a_numbered_paragraph_cut_short_by_a_page_break_is_one_finding() -> None:
    letter = parse_letter(TWO_SERVICES_WITH_AREAS)
    findings = [(u.number, u.text) for u in letter.units if u.kind == "finding"]
    assert findings == [
        (2, "Children are safe, but help arrives late for some families."),
        (
            3,
            "Children looked after live in stable homes close to their schools. Most of them"
            " see the same social worker for a year or more.",
        ),
    ]


def test_a_bulleted_finding_and_a_lead_ins_bullet() -> None:
    text = LOOKED_AFTER.replace(
        "2. The overall effectiveness of services for looked after children in Exampleton is",
        "\u25fc The overall effectiveness of services for looked after children in Exampleton is",
    ).replace(
        "6. Managers do not check the quality of work often enough.\n",
        "6. Managers do not check often enough:\n\n\u25fc the quality of plans.\n",
    )
    findings = [(f.number, f.text) for f in parse_letter(text).units if f.kind == "finding"]
    assert findings[0] == (
        None,
        "The overall effectiveness of services for looked after children in Exampleton is"
        " adequate.",
    )
    assert findings[-1] == (6, "Managers do not check often enough: the quality of plans.")
