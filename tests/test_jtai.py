"""Joint targeted area inspection letters: both layouts in small invented texts, the invented
Word sample, and (where ../shared is present) the real letters."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from conftest import CORPUS, LETTERS, corpus_letter, corpus_text, needs_corpus

from lettermine.read.extract import read_text
from lettermine.read.jtai import parse_jtai
from lettermine.read.parse import detect_kind, parse_letter
from lettermine.records import Letter, Unit


def units(letter: Letter, kind: str) -> list[Unit]:
    return [u for u in letter.units if u.kind == kind]


# --- The 2016-2020 layout: invented text in Ofsted's style ---------------------------------------

OLD_LAYOUT = """12 April 2017

Director of Children's Services, Wigan Council
Chief Constable, Greater Manchester Police
Chair, Wigan Safeguarding Children Board

Dear local partnership

Joint targeted area inspection of the multi-agency response to abuse and neglect in Wigan

Between 6 and 10 March, Ofsted, the Care Quality Commission (CQC), HMI Constabulary (HMIC) and
HMI Probation (HMI Prob) undertook a joint inspection of the multi-agency response to abuse and
neglect in Wigan.1 This inspection included a \u2018deep dive\u2019 focus on the response to
children living with domestic abuse.

1 This joint inspection was conducted under section 20 of the Children Act 2004.

Leaders across the partnership know their area well and share a clear ambition for children.

Areas for priority action

Leadership and management

\u25fc Strategy discussions do not always include the police when a child may have been harmed.

Areas for improvement

Identifying and managing risk of harm at the \u2018front door\u2019

\u25fc Referrals from schools are not always clear about the risk to the child, including:

\u2013 the history of concerns about the family;

\u2013 what the child has said; and

\u2013 what the school has already done.

\u25fc Health visitors do not always share what they know about a new baby with the hub.

Partners have agreed a new protocol, but it is not yet in use.

Police

\u25fc Officers attending incidents of domestic abuse do not always record whether children
live at the address. This means that the risk to

Case study: highly effective practice

A teenager who had been missing from home was found quickly because partners shared what
they knew.

children is not always known to the agencies that could help them.

Next steps

The local authority should prepare a written statement of proposed action responding to the
findings outlined in this letter.

Yours sincerely

Ann Example
Regional Director, Ofsted
"""


@cache
def old_layout() -> Letter:
    return parse_jtai(OLD_LAYOUT)


def test_old_layout_metadata() -> None:
    letter = old_layout()
    assert letter.kind == "jtai"
    assert letter.authority == "Wigan"
    assert letter.published == "2017-04-12"
    # "Between 6 and 10 March" prints no year: the letter's.
    assert (letter.inspection_start, letter.inspection_end) == ("2017-03-06", "2017-03-10")
    assert letter.focus == "abuse and neglect; deep dive: children living with domestic abuse"
    assert letter.lead_inspector is None
    assert "no inspection dates found" not in letter.warnings


def test_old_layout_units_carry_their_sub_heading_as_group() -> None:
    letter = old_layout()
    assert [(u.group, u.text[:20]) for u in units(letter, "priority_action")] == [
        ("Leadership and management", "Strategy discussions")
    ]
    afis = units(letter, "area_for_improvement")
    assert [u.group for u in afis] == [
        "Identifying and managing risk of harm at the \u2018front door\u2019",
        "Identifying and managing risk of harm at the \u2018front door\u2019",
        "Police",
    ]
    assert {u.section for u in afis} == {"Areas for improvement"}


def test_old_layout_sub_items_and_indented_paragraphs_stay_with_their_item() -> None:
    afis = units(old_layout(), "area_for_improvement")
    assert afis[0].text == (
        "Referrals from schools are not always clear about the risk to the child, including: "
        "the history of concerns about the family; what the child has said; and what the "
        "school has already done."
    )
    assert afis[1].text.endswith("with the hub. Partners have agreed a new protocol, but it is "
                                 "not yet in use.")  # fmt: skip


def test_an_item_interrupted_by_a_case_study_box_is_read_whole() -> None:
    letter = old_layout()
    police = units(letter, "area_for_improvement")[2]
    assert police.text.endswith(
        "This means that the risk to children is not always known to the agencies that could "
        "help them."
    )
    assert [u.section for u in units(letter, "finding")] == [
        "Case study: highly effective practice"
    ]
    # The footnote and the request for a written statement are not units.
    assert not any("section 20" in u.text or "written statement" in u.text for u in letter.units)


# --- The 2022 layout -----------------------------------------------------------------------------

NEW_LAYOUT = """15 May 2023

Director of Children's Services, Rutland County Council

Dear partners

Joint targeted area inspection of Rutland

This letter summarises the findings of the joint targeted area inspection (JTAI) of the
multi-agency response to children and families in Rutland who need help.

This inspection took place from 6 to 10 March 2023. It was carried out by inspectors from
Ofsted, the Care Quality Commission (CQC), His Majesty\u2019s Inspectorate of Constabulary and
Fire & Rescue Services (HMICFRS) and His Majesty\u2019s Inspectorate of Probation (HMI Probation).

Headline findings

Families who ask for help receive it quickly, and practitioners know them well.

Area for priority action

Leaders need to act quickly in the following area:

\u25fc The safeguarding partners should make sure that:

\u2212 every child referred to the front door is seen by a practitioner.

\u2212 information held by schools is shared before decisions are made.

What needs to improve?

\u25fc The consistency of early help assessments.

\u25fc The oversight by leaders of children waiting for help.

Strengths

\u25fc Schools are confident partners.

Next steps

Rutland County Council should prepare a written statement of proposed action responding to
the findings outlined in this letter.

Yours sincerely

Yvette Stanley
National Director, Regulation and Social Care, Ofsted
"""


def test_new_layout_metadata() -> None:
    letter = parse_jtai(NEW_LAYOUT)
    assert letter.authority == "Rutland"
    assert letter.local_authority == "Rutland"  # not "Rutland Who Need Help"
    assert (letter.inspection_start, letter.inspection_end) == ("2023-03-06", "2023-03-10")
    assert letter.focus == "children and families who need help"
    assert letter.warnings == []


def test_new_layout_priority_action_with_sub_items_is_one_unit() -> None:
    letter = parse_jtai(NEW_LAYOUT)
    assert [u.text for u in units(letter, "priority_action")] == [
        "The safeguarding partners should make sure that: every child referred to the front "
        "door is seen by a practitioner; information held by schools is shared before "
        "decisions are made."
    ]  # the lead-in paragraph is not a unit; a full stop between sub-items becomes "; "
    assert [u.text for u in units(letter, "area_for_improvement")] == [
        "The consistency of early help assessments.",
        "The oversight by leaders of children waiting for help.",
    ]
    assert all(u.group is None for u in letter.units)
    assert [u.section for u in units(letter, "finding")] == ["Headline findings", "Strengths"]


def test_title_area_wins_over_the_addressees() -> None:
    text = NEW_LAYOUT.replace("Rutland County Council", "Leicestershire County Council")
    assert parse_jtai(text).authority == "Rutland"


def test_area_from_the_first_sentence_when_the_title_names_none() -> None:
    text = NEW_LAYOUT.replace("Joint targeted area inspection of Rutland", "Joint inspection")
    text = text.replace("Rutland County Council", "the council")
    assert parse_jtai(text).authority == "Rutland"


def test_area_from_the_addressees_when_the_title_names_none() -> None:
    text = NEW_LAYOUT.replace("Joint targeted area inspection of Rutland", "Joint inspection")
    text = text.replace("in Rutland who need help", "who need help")
    assert parse_jtai(text).authority == "Rutland"


def test_a_sub_heading_followed_by_prose_ends_the_list() -> None:
    text = NEW_LAYOUT.replace(
        "Strengths\n",
        "Rutland Safeguarding Partnership\n\nThe partnership has a clear plan, and its "
        "subgroups are chaired by leaders from every agency, which shows a shared sense of "
        "responsibility for children across the area.\n\nStrengths\n",
    )
    letter = parse_jtai(text)
    assert len(units(letter, "area_for_improvement")) == 2
    assert [u.section for u in units(letter, "finding")][1] == "Rutland Safeguarding Partnership"


def test_areas_for_improvement_as_paragraphs_under_agency_headings() -> None:
    text = (
        "Joint targeted area inspection of the multi-agency response to children at risk of\n"
        "exploitation in Brackwater\n"
        "This letter summarises the findings of the joint targeted area inspection (JTAI).\n"
        "This inspection took place from 3 to 7 October 2022. It was carried out by inspectors\n"
        "from Ofsted, the Care Quality Commission (CQC) and His Majesty's Inspectorate of\n"
        "Constabulary and Fire & Rescue Services (HMICFRS).\n"
        "Key strengths\n\u25fc Partners know the children at most risk.\n"
        "Areas for improvement\nHealth\nSchool nurses are not told when children go missing.\n"
        "Police\nReturn interviews are not shared with officers.\n"
        "Next steps\nThe local safeguarding partners should prepare a statement of action.\n"
    )
    letter = parse_jtai(text)
    assert letter.local_authority == "Brackwater"  # a council the authority list does not know
    assert (letter.inspection_start, letter.inspection_end) == ("2022-10-03", "2022-10-07")
    assert letter.inspectors == []  # organisations are not people
    assert [(u.kind, u.section, u.group) for u in letter.units] == [
        ("finding", "Key strengths", None),
        ("area_for_improvement", "Areas for improvement", "Health"),
        ("area_for_improvement", "Areas for improvement", "Police"),
    ]


def test_no_priority_actions_statement_is_not_a_unit() -> None:
    text = OLD_LAYOUT.replace(
        "Leadership and management\n\n\u25fc Strategy discussions do not always include the "
        "police when a child may have been harmed.",
        "\u25fc There are no areas for priority action",
    )
    letter = parse_jtai(text)
    assert units(letter, "priority_action") == []
    # ... and what follows it is read
    assert [u.text for u in units(letter, "area_for_improvement")] == [
        u.text for u in units(old_layout(), "area_for_improvement")
    ]


def test_findings_are_numbered_in_printed_order() -> None:
    assert [u.number for u in units(parse_jtai(NEW_LAYOUT), "finding")] == [1, 2]


def test_a_council_printed_with_a_capital_the_is_named_without_it() -> None:
    text = NEW_LAYOUT.replace(
        "Joint targeted area inspection of Rutland",
        "Joint targeted area inspection of The London Borough of Croydon",
    ).replace("Rutland", "Croydon")
    letter = parse_jtai(text)
    assert (letter.local_authority, letter.authority) == ("London Borough of Croydon", "Croydon")


# --- The invented Word sample (September 2023) ----------------------------------------------------

JTAI = "north-east-lincolnshire-2023-09-jtai.docx"


@cache
def sample() -> Letter:
    return parse_letter(read_text(LETTERS / JTAI))


def test_jtai_sample_metadata() -> None:
    letter = sample()
    assert letter.kind == "jtai"
    assert letter.authority == "North East Lincolnshire"
    assert (letter.inspection_start, letter.inspection_end) == ("2023-07-10", "2023-07-14")
    assert letter.published == "2023-09-06"
    assert letter.focus == "children and families who need help"
    # Signed by the four inspectorates; a JTAI letter names no lead inspector.
    assert letter.inspectors == ["Ruth Kavanagh", "Sanjay Mistry", "Eleanor Pryce", "Marcus Feld"]
    assert letter.lead_inspector is None
    assert letter.warnings == []


def test_jtai_sample_units() -> None:
    letter = sample()
    afis = units(letter, "area_for_improvement")
    findings = units(letter, "finding")
    # Three bullets under "What needs to improve?", four paragraphs under "Areas for improvement".
    assert [a.section for a in afis] == ["What needs to improve?"] * 3 + [
        "Areas for improvement"
    ] * 4
    assert [f.section for f in findings] == (
        ["Headline findings"] * 2 + ["Strengths"] * 5 + ["Case study: highly effective practice"]
    )
    # The introduction and the "Next steps" request are not units.
    assert not any("ProtectionOfChildren" in u.text or "summarises" in u.text for u in letter.units)


# --- The real letters ----------------------------------------------------------------------------

JTAI_PDFS = CORPUS / "jtai" / "pdf"


@cache
def corpus() -> list[tuple[Path, Letter]]:
    return [(pdf, corpus_letter(pdf)) for pdf in sorted(JTAI_PDFS.glob("*.pdf"))]


@needs_corpus
@pytest.mark.skipif(not JTAI_PDFS.is_dir(), reason="the corpus has no jtai/pdf folder")
@pytest.mark.corpus
@pytest.mark.slow
def test_every_real_jtai_letter_is_read() -> None:
    letters = corpus()
    assert len(letters) == 29
    for pdf, letter in letters:
        assert letter.kind == "jtai", pdf.name
        assert letter.authority, pdf.name
        assert letter.inspection_start and letter.inspection_end, pdf.name
        assert letter.focus, pdf.name
        assert units(letter, "area_for_improvement"), pdf.name
        # No unit is a bare sub-item lead-in: sub-items were joined into it.
        assert not any(u.text.endswith(":") for u in letter.units if u.kind != "finding")


def _letters_only(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


@needs_corpus
@pytest.mark.skipif(not JTAI_PDFS.is_dir(), reason="the corpus has no jtai/pdf folder")
@pytest.mark.corpus
@pytest.mark.slow
def test_every_real_jtai_finding_is_printed_under_the_heading_it_is_stored_under() -> None:
    """A finding's section is the findings heading printed nearest above it (where its opening
    words are printed twice, as in a summary and the findings, above one of them): a partnership's
    own heading ("... Safeguarding Partnership (WSP)") as much as "Main findings"."""
    wrong = []
    for pdf, letter in corpus():
        names = {u.section for u in letter.units if u.kind == "finding"}
        flat, headings = "", []
        for line in re.split(r"[\n\f]", corpus_text(pdf)):
            if " ".join(line.split()) in names:
                headings.append((len(flat), " ".join(line.split())))
            flat += _letters_only(line)
        for unit in units(letter, "finding"):
            at = [m.start() for m in re.finditer(re.escape(_letters_only(unit.text)[:80]), flat)]
            under = {next((h for p, h in reversed(headings) if p < x), None) for x in at}
            if unit.section not in under:
                wrong.append(f"{pdf.name}: {unit.section!r} {unit.text[:50]!r} under {under}")
    assert not wrong, "\n".join(wrong)


def test_detect_kind_reads_a_jtai_title_before_other_mentions() -> None:
    text = "Joint targeted area inspection of Wigan\nSince the focused visit in 2019, ...\n"
    assert detect_kind(text) == "jtai"
