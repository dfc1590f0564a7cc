"""Focused visit and monitoring visit letters: the sample letters, small made-up texts and
(where ../shared is present) the 133 real focused visit letters. JTAI letters: test_jtai.py."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from conftest import corpus_letter, corpus_text
from hypothesis import given, settings
from hypothesis import strategies as st

from lettermine.authorities import canonical_authority
from lettermine.corpus import corpus_dir
from lettermine.read.extract import read_text
from lettermine.read.parse import detect_kind, parse_letter
from lettermine.read.visit import parse_visit
from lettermine.records import Letter, Unit

LETTERS = Path(__file__).resolve().parents[1] / "letters"
CORPUS = corpus_dir()
FOCUSED = CORPUS / "focused" / "pdf"
GOLD = CORPUS / "gold" / "focused"

needs_shared = pytest.mark.skipif(
    not FOCUSED.is_dir(), reason="../shared is absent: the corpus tests need the real letters"
)


@cache
def sample(name: str) -> tuple[str, Letter]:
    """A sample letter's text (through extract.read_text, as ingest reads it) and its parse."""
    text = read_text(LETTERS / name)
    return text, parse_letter(text)


def units(letter: Letter, kind: str) -> list[Unit]:
    return [u for u in letter.units if u.kind == kind]


# --- The real North East Lincolnshire letter (June 2021, plain text) ---------------------------

NEL_2021 = "north-east-lincolnshire-2021-06-focused-visit.txt"


def test_focused_visit_sample_metadata() -> None:
    _, letter = sample(NEL_2021)
    assert letter.kind == "focused_visit"
    assert letter.local_authority == "North East Lincolnshire"
    assert letter.authority == "North East Lincolnshire"
    assert (letter.inspection_start, letter.inspection_end) == ("2021-05-05", "2021-05-06")
    assert letter.published == "2021-06-18"
    assert letter.lead_inspector == "Louise Hollick"
    assert len(letter.inspectors) == 5
    assert letter.inspectors[-1] == "Chris Smith"
    assert letter.focus is not None and "COVID-19" in letter.focus
    assert letter.warnings == []


def test_focused_visit_sample_units() -> None:
    _, letter = sample(NEL_2021)
    afis = units(letter, "area_for_improvement")
    findings = units(letter, "finding")
    assert len(afis) == 2
    assert units(letter, "priority_action") == []
    assert afis[0].text.startswith("the sufficiency and stability")
    assert len(findings) == 22
    assert [f.number for f in findings] == list(range(1, 23))
    assert {f.section for f in findings} == {"Findings"}
    # A bullet broken by a blank line in the text file is still one finding.
    assert findings[0].text.endswith("slower than planned.")
    # Closing paragraph and signature are not units.
    assert not any("Ofsted will take" in u.text or "Hollick" in u.text for u in letter.units)


# --- Invented monitoring visit (July 2022, PDF with page numbers and a running header) ----------

MONITORING = "north-east-lincolnshire-2022-07-monitoring-visit.pdf"


def test_monitoring_visit_sample_metadata() -> None:
    _, letter = sample(MONITORING)
    assert letter.kind == "monitoring_visit"
    assert letter.authority == "North East Lincolnshire"
    assert (letter.inspection_start, letter.inspection_end) == ("2022-06-21", "2022-06-22")
    assert letter.published == "2022-07-19"
    assert letter.lead_inspector == "Hannah Oakes"
    assert letter.inspectors == ["Hannah Oakes", "Daniel Osei"]
    assert letter.focus is not None
    assert letter.focus.startswith("the quality of practice for children in need")
    assert letter.focus.endswith("child protection plans")


def test_monitoring_visit_sample_units() -> None:
    _, letter = sample(MONITORING)
    actions = units(letter, "priority_action")
    assert len(actions) == 2
    assert actions[1].text.startswith("The stability of the social work workforce")
    assert units(letter, "area_for_improvement") == []
    findings = units(letter, "finding")
    assert findings[0].section == "Headline findings"
    assert findings[-1].section == "Findings and evaluation of progress"
    # The bullets under "Areas covered by the visit" say what was looked at: not findings.
    assert not any(u.text.startswith("the timeliness") for u in letter.units)
    # Page furniture does not leak into the units.
    assert not any("Sample for lettermine" in u.text for u in letter.units)


def test_monitoring_visit_sample_finding_count() -> None:
    # Unbulleted paragraphs: this needs the paragraph breaks read_text marks with blank lines.
    _, letter = sample(MONITORING)
    assert len(units(letter, "finding")) == 13


def test_inspection_report_sample_is_not_a_visit() -> None:
    text = read_text(LETTERS / "brackwater-2023-01-inspection.pdf")
    if "Inspection of Brackwater" not in text:
        pytest.xfail("extract.read_text drops the report's title along with the running footer")
    assert detect_kind(text) == "ilacs"


# --- Small invented texts: one behaviour each ---------------------------------------------------

HEAD = """Ofsted
Piccadilly Gate
Store Street
Manchester
M1 2WD
2 March 2020
Director of Children's Services
Brackwater Borough Council
Dear Director
Focused visit to Wokingham children's services
This letter summarises the findings of the focused visit to Wokingham children's services on
4 and 5 February 2020. Her Majesty's Inspectors were Ann Example and Ben Sample.
"""
TAIL = """Ofsted will take the findings from this focused visit into account when planning your next
inspection or visit.
Yours sincerely
Ann Example
Her Majesty's Inspector
"""


def test_bullets_run_together_with_text_are_split() -> None:
    text = HEAD + (
        "What needs to improve in this area of social work practice\n"
        "The following areas need attention:\u25fc the timeliness of plans\n"
        "\u25fc the quality of supervision.\nFindings\n\u25fc Plans are late.\n" + TAIL
    )
    letter = parse_visit(text, "focused_visit")
    assert [u.text for u in units(letter, "area_for_improvement")] == [
        "the timeliness of plans",
        "the quality of supervision.",
    ]
    assert [u.text for u in units(letter, "finding")] == ["Plans are late."]


def test_letterhead_in_the_middle_of_a_finding_is_removed() -> None:
    text = HEAD + (
        "Findings\n\u25fc Managers review the work of\nPiccadilly Gate\nStore Street\n"
        "Manchester\nM1 2WD\nwww.gov.uk/ofsted\fsocial workers every month.\n" + TAIL
    )
    letter = parse_visit(text, "focused_visit")
    assert [u.text for u in letter.units] == [
        "Managers review the work of social workers every month."
    ]


def test_line_end_hyphen_marks_keep_compound_words() -> None:
    text = (
        HEAD
        + "Findings\n\u25fc Decision\ufffemaking is timely and multi-\nagency work is strong.\n"
    )
    letter = parse_visit(text + TAIL, "focused_visit")
    assert (
        units(letter, "finding")[0].text
        == "Decision-making is timely and multi-agency work is strong."
    )


def test_footnote_at_the_foot_of_a_page_is_not_part_of_a_finding() -> None:
    text = HEAD + (
        "What needs to improve in this area of social work practice?1\n\u25fc Plans.\n"
        "Main findings\nFirst finding ends here.\n"
        "1 The areas for improvement are cross-referenced with the national framework.\f"
        "Second finding starts on a new page.\n" + TAIL
    )
    letter = parse_visit(text, "focused_visit")
    assert not any("cross-referenced" in u.text for u in letter.units)
    assert (
        units(letter, "area_for_improvement")[0].section
        == "What needs to improve in this area of social work practice?"
    )


def test_priority_actions_are_kept_apart_and_restart_the_finding_numbers() -> None:
    text = HEAD + (
        "Overview\nThings are poor.\n\nLeaders know it.\n\nAreas for priority action\n"
        "The local authority must act on:\n\u25fc Assessment quality.\n"
        "What needs to improve in this area of social work practice\n\u25fc Audits.\n"
        "Findings\n\u25fc One.\n\u25fc Two.\n"
        "Where a focused visit results in an area for priority action, Ofsted requires you to\n"
        "submit an action plan within 70 working days of receiving this letter.\n" + TAIL
    )
    letter = parse_visit(text, "focused_visit")
    assert [u.text for u in units(letter, "priority_action")] == ["Assessment quality."]
    assert [u.text for u in units(letter, "area_for_improvement")] == ["Audits."]
    findings = units(letter, "finding")
    assert [(f.section, f.number) for f in findings] == [
        ("Overview", 1),
        ("Overview", 2),
        ("Findings", 1),
        ("Findings", 2),
    ]


def test_a_finding_about_a_plan_leaders_submitted_is_a_finding() -> None:
    # Only Ofsted's request for a plan is procedure; a plan the council sent is a finding.
    text = (
        HEAD
        + (
            "Main findings\n\n"
            "Some care leavers do not have their health histories. During the visit, leaders\n"
            "submitted an action plan to send every history out by the end of March.\n\n"
            "Pathway plans are written with young people, who say that they recognise\n"
            "themselves in them.\n"
        )
        + TAIL
    )
    letter = parse_visit(text, "focused_visit")
    assert [f.text for f in units(letter, "finding")] == [
        "Some care leavers do not have their health histories. During the visit, leaders "
        "submitted an action plan to send every history out by the end of March.",
        "Pathway plans are written with young people, who say that they recognise themselves "
        "in them.",
    ]


def test_second_improvement_heading_inside_findings_heads_findings() -> None:
    text = HEAD + (
        "What needs to improve in this area of social work practice\n\u25fc Audits.\n"
        "Findings\n\u25fc Good work.\nAreas for improvement\n\u25fc Weak plans.\n" + TAIL
    )
    letter = parse_visit(text, "focused_visit")
    assert [u.text for u in units(letter, "area_for_improvement")] == ["Audits."]
    assert [(u.section, u.text) for u in units(letter, "finding")] == [
        ("Findings", "Good work."),
        ("Areas for improvement", "Weak plans."),
    ]


def test_visit_dates_printed_without_a_year_take_the_letter_year() -> None:
    text = HEAD.replace("4 and 5 February 2020", "13 and 14 February")
    letter = parse_visit(text + TAIL, "focused_visit")
    assert (letter.inspection_start, letter.inspection_end) == ("2020-02-13", "2020-02-14")


def test_inspectors_named_in_other_ways() -> None:
    text = HEAD.replace(
        "Her Majesty's Inspectors were Ann Example and Ben Sample.",
        "The inspectors were Ann Example, HMI, and Ben McSample, Senior HMI.",
    )
    letter = parse_visit(text + TAIL, "focused_visit")
    assert letter.inspectors == ["Ann Example", "Ben McSample"]
    assert letter.lead_inspector == "Ann Example"
    assert letter.authority == canonical_authority("Wokingham")


def test_the_signatory_is_the_lead_inspector() -> None:
    text = HEAD.replace(
        "Her Majesty's Inspectors were Ann Example and Ben Sample.",
        "Her Majesty's Inspectors were Ben Sample and Ann Example.",
    )
    letter = parse_visit(text + TAIL, "focused_visit")  # signed by Ann Example
    assert letter.inspectors == ["Ben Sample", "Ann Example"]
    assert letter.lead_inspector == "Ann Example"


def test_the_first_inspector_leads_where_no_one_signs() -> None:
    letter = parse_visit(HEAD, "focused_visit")
    assert letter.lead_inspector == "Ann Example"


@pytest.mark.parametrize("kind", ["focused_visit", "monitoring_visit"])
def test_a_list_of_visit_days_runs_from_the_first_to_the_last(kind: str) -> None:
    text = HEAD.replace("4 and 5 February 2020", "4, 5 and 11 February 2020")
    letter = parse_visit(text + TAIL, kind)
    assert (letter.inspection_start, letter.inspection_end) == ("2020-02-04", "2020-02-11")
    yearless = HEAD.replace("4 and 5 February 2020", "4, 5 and 11 February")
    letter = parse_visit(yearless + TAIL, kind)
    assert (letter.inspection_start, letter.inspection_end) == ("2020-02-04", "2020-02-11")


def test_older_monitoring_visit_layout() -> None:
    text = (
        "Dear Director\nMonitoring visit of Wigan children's services\n"
        "This letter summarises the findings of the second monitoring visit to Wigan children's\n"
        "services since the local authority was judged inadequate in May 2018.\n"
        "The visit took place on 5 and 6 March 2019. The inspectors were Ann Example and Ben\n"
        "Sample, Her Majesty's Inspectors.\nAreas covered by the visit\n"
        "Inspectors reviewed the progress made in planning for children in care.\n"
        "Overview\nProgress has been slow.\n\nFindings and evaluation of progress\n"
        "\u25fc Plans are clearer.\n\u25fc Reviews are timely.\n"
        "Ofsted will take the findings from this monitoring visit into account.\n"
    )
    letter = parse_visit(text, "monitoring_visit")
    assert letter.authority == "Wigan"
    assert (letter.inspection_start, letter.inspection_end) == ("2019-03-05", "2019-03-06")
    assert letter.inspectors == ["Ann Example", "Ben Sample"]
    assert letter.focus == "planning for children in care"
    assert [(u.section, u.number) for u in letter.units] == [
        ("Overview", 1),
        ("Findings and evaluation of progress", 2),
        ("Findings and evaluation of progress", 3),
    ]


def test_unknown_layout_keeps_what_it_can_and_warns() -> None:
    letter = parse_visit("Dear Sir\nWe looked at things.\nYours sincerely\n", "monitoring_visit")
    assert letter.kind == "monitoring_visit"
    assert letter.units == []
    assert "no findings found: an unrecognised layout?" in letter.warnings
    assert "no visit dates found" in letter.warnings


def test_empty_text_warns() -> None:
    assert parse_visit("", "focused_visit").warnings == ["no text to read"]


# --- Layout rules a reader of the letter takes for granted (issue 19: each one caught a mutant) --

INSPECTORS = "Her Majesty's Inspectors were Ann Example and Ben Sample."


def findings(text: str, kind: str = "focused_visit") -> list[str]:
    return [u.text for u in units(parse_visit(HEAD + text + TAIL, kind), "finding")]


def test_no_break_spaces_read_as_ordinary_spaces() -> None:
    # Word and some PDFs print a narrow no-break space between a number and its word.
    assert findings("Findings\n\u25fc Managers hold 20\u202fcases and 3\u00a0teams.\n") == [
        "Managers hold 20 cases and 3 teams."
    ]


def test_a_sentence_run_into_the_closing_ends_the_findings() -> None:
    # "...are timely.Ofsted will take": a new text object with no space before it.
    letter = parse_visit(
        HEAD + "Findings\n\u25fc Reviews are timely.Ofsted will take the findings from this "
        "focused visit into account.\nYours sincerely\nAnn Example\n",
        "focused_visit",
    )
    assert [u.text for u in letter.units] == ["Reviews are timely."]


def test_a_footnote_known_by_what_it_says_though_wrapped_and_unmarked() -> None:
    text = (
        "Findings\nFirst finding ends here.\n"
        "1 These areas for improvement have been cross-checked against the national\n"
        "framework for children's social care.\fSecond finding starts on a new page.\n"
    )
    assert findings(text) == ["First finding ends here.", "Second finding starts on a new page."]


def test_a_numbered_paragraph_at_the_foot_of_a_page_is_not_a_footnote() -> None:
    text = (
        "Findings\nLeaders know their services well.\n"
        "3 Children are seen promptly when concerns are raised.\fPlans are clear.\n"
    )
    assert "3 Children are seen promptly when concerns are raised." in findings(text)


def test_a_word_the_letter_prints_hyphenated_keeps_its_hyphen_at_a_line_end() -> None:
    # The letter spells "co-ordinated" once mid-line; broken at a line end it keeps the hyphen,
    # though "coordinated" also appears.
    text = (
        "Findings\n\u25fc Work is coordinated well and visits are co-ordinated with schools.\n"
        "\u25fc Plans are co\ufffe\nordinated with health.\n"
    )
    assert findings(text)[1] == "Plans are co-ordinated with health."


def test_a_subject_line_wrapped_over_two_lines_names_the_council() -> None:
    text = HEAD.replace(
        "Focused visit to Wokingham children's services\n",
        "Focused visit to Wokingham\nchildren's services\n",
    ).replace("the focused visit to Wokingham children's services on", "the focused visit on")
    letter = parse_visit(text + TAIL, "focused_visit")
    assert letter.title == "Focused visit to Wokingham children's services"
    assert letter.local_authority == "Wokingham"


def test_a_whole_subject_line_is_not_joined_to_a_short_line_after_it() -> None:
    text = HEAD.replace(
        "Focused visit to Wokingham children's services\n",
        "Focused visit to Wokingham children's services\nInspectors looked at services for"
        " children in need.\n",
    )
    letter = parse_visit(text + TAIL, "focused_visit")
    assert letter.title == "Focused visit to Wokingham children's services"


def test_a_subject_line_printed_with_a_full_stop_is_the_title_without_it() -> None:
    text = HEAD.replace("Wokingham children's services\n", "Wokingham children's services.\n", 1)
    letter = parse_visit(text + TAIL, "focused_visit")
    assert letter.title == "Focused visit to Wokingham children's services"


def test_a_subject_line_in_title_case_names_the_council() -> None:
    text = HEAD.replace(
        "Focused visit to Wokingham children's services\n", "Focused Visit To Wigan\n"
    )
    text = text.replace("the focused visit to Wokingham children's services on", "the visit on")
    letter = parse_visit(text + TAIL, "focused_visit")
    assert letter.local_authority == "Wigan"


def test_a_subject_line_that_ends_with_the_council_names_it() -> None:
    text = HEAD.replace(
        "Focused visit to Wokingham children's services\n",
        "Focused visit to children's services in Wigan\n",
    ).replace("the focused visit to Wokingham children's services on", "the focused visit on")
    letter = parse_visit(text + TAIL, "focused_visit")
    assert letter.local_authority == "Wigan"


def test_a_letter_with_no_subject_line_names_the_council_in_its_opening() -> None:
    text = (
        "Dear Director\nThe visit was carried out in Wigan, on 5 and 6 March 2019, by Ann Example"
        " and Ben Sample, Her Majesty's Inspectors.\nFindings\n\u25fc Plans are clearer.\n"
    )
    letter = parse_visit(text + TAIL, "monitoring_visit")
    assert letter.local_authority == "Wigan"
    assert (letter.inspection_start, letter.inspection_end) == ("2019-03-05", "2019-03-06")


def test_visit_dates_printed_after_the_word_the() -> None:
    text = HEAD.replace("on\n4 and 5 February 2020", "on\nthe 4 and 5 February 2020")
    letter = parse_visit(text + TAIL, "focused_visit")
    assert (letter.inspection_start, letter.inspection_end) == ("2020-02-04", "2020-02-05")


def test_an_earlier_inspection_in_the_opening_sentence_is_not_the_visit() -> None:
    text = HEAD.replace(
        "This letter summarises the findings of the focused visit to Wokingham children's "
        "services on\n4 and 5 February 2020.",
        "This letter summarises the findings of the second monitoring visit to Wokingham\n"
        "children's services since the inspection of 4 to 15 June 2018, which took place on\n"
        "4 and 5 February 2020.",
    )
    letter = parse_visit(text + TAIL, "monitoring_visit")
    assert (letter.inspection_start, letter.inspection_end) == ("2020-02-04", "2020-02-05")


def test_a_one_day_visit_printed_without_a_year_takes_the_letter_year() -> None:
    text = HEAD.replace("on\n4 and 5 February 2020", "on\n13 February")
    letter = parse_visit(text + TAIL, "focused_visit")
    assert (letter.inspection_start, letter.inspection_end) == ("2020-02-13", "2020-02-13")


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ("9 and 10 December", ("2019-12-09", "2019-12-10")),
        ("10 December", ("2019-12-10", "2019-12-10")),
    ],
)
def test_a_yearless_visit_in_a_later_month_than_the_letter_was_the_year_before(
    days: str, expected: tuple[str, str]
) -> None:
    # The letter is dated 2 March 2020: a visit in December was in 2019.
    text = HEAD.replace("on\n4 and 5 February 2020", f"on\n{days}")
    letter = parse_visit(text + TAIL, "focused_visit")
    assert (letter.inspection_start, letter.inspection_end) == expected


def test_inspectors_named_in_the_sentence_after_the_opening() -> None:
    # "carried out by Ofsted" in the opening sentence names no inspector.
    text = HEAD.replace(
        "on\n4 and 5 February 2020. " + INSPECTORS,
        "carried out by\nOfsted on 4 and 5 February 2020. " + INSPECTORS,
    )
    letter = parse_visit(text + TAIL, "focused_visit")
    assert letter.inspectors == ["Ann Example", "Ben Sample"]


def test_a_long_paragraph_that_opens_with_a_headings_words_is_a_finding() -> None:
    lead_in = (
        "What needs to improve in early help is set out by leaders in their own plan, with the"
        " work already started on each of these areas:"
    )
    text = f"Findings\n{lead_in}\n\u25fc Early help plans are reviewed.\n"
    letter = parse_visit(HEAD + text + TAIL, "focused_visit")
    assert units(letter, "area_for_improvement") == []
    assert [u.text for u in units(letter, "finding")] == ["Early help plans are reviewed."]


def test_a_wrapped_line_that_starts_with_a_name_is_not_a_heading() -> None:
    text = (
        "Findings\nLeaders know their services well. The local authority works closely with\n"
        "Wokingham Borough Council and\nThames Valley Police to share information.\n"
    )
    assert findings(text) == [
        "Leaders know their services well. The local authority works closely with Wokingham"
        " Borough Council and Thames Valley Police to share information."
    ]


def test_a_dash_inside_a_wrapped_sentence_does_not_start_a_sub_item() -> None:
    text = (
        "Findings\n\u25fc Leaders understand the pressures social workers face\n"
        "\u2013 caseloads are high in some teams \u2013 and are acting on them.\n"
    )
    assert findings(text) == [
        "Leaders understand the pressures social workers face \u2013 caseloads are high in some"
        " teams \u2013 and are acting on them."
    ]


def test_sub_items_join_the_item_they_are_printed_under() -> None:
    text = (
        "What needs to improve in this area of social work practice\n"
        "\u25fc The quality of plans, including:\n\u2013 their timeliness\n\u2013 their review.\n"
        "Findings\n\u25fc Plans are late.\n"
    )
    letter = parse_visit(HEAD + text + TAIL, "focused_visit")
    assert [u.text for u in units(letter, "area_for_improvement")] == [
        "The quality of plans, including: their timeliness; their review."
    ]


def test_findings_printed_straight_after_the_list_are_findings_with_a_warning() -> None:
    finding = (
        "Leaders have a clear understanding of the strengths and weaknesses of practice, and"
        " they have acted quickly to recruit permanent managers and reduce caseloads."
    )
    text = (
        "What needs to improve in this area of social work practice\n\u25fc Audits.\n\n"
        "Leaders have a clear understanding of the strengths and weaknesses of practice, and\n"
        "they have acted quickly to recruit permanent managers and reduce caseloads.\n"
    )
    letter = parse_visit(HEAD + text + TAIL, "focused_visit")
    assert [u.text for u in units(letter, "area_for_improvement")] == ["Audits."]
    assert [u.text for u in units(letter, "finding")] == [finding]
    assert "no heading between the areas for improvement and the findings" in letter.warnings


def test_a_lead_in_to_a_list_of_findings_is_not_a_finding() -> None:
    text = (
        "Findings\nInspectors found that:\n\u25fc Plans are clear.\n\u25fc Reviews are timely.\n"
        "Leaders know their services well.\n"
    )
    assert findings(text) == [
        "Plans are clear.",
        "Reviews are timely.",
        "Leaders know their services well.",
    ]


def test_sub_headings_inside_the_findings_head_findings() -> None:
    text = (
        "Findings\nLeaders know their services well.\nChildren in need\nPlans are clear.\n"
        "Care leavers\nPersonal advisers stay in touch.\n"
    )
    letter = parse_visit(HEAD + text + TAIL, "focused_visit")
    assert [(u.section, u.text) for u in units(letter, "finding")] == [
        ("Findings", "Leaders know their services well."),
        ("Children in need", "Plans are clear."),
        ("Care leavers", "Personal advisers stay in touch."),
    ]


def test_sub_headings_after_a_second_improvement_heading_still_head_findings() -> None:
    text = HEAD + (
        "What needs to improve in this area of social work practice\n\u25fc Audits.\n"
        "Findings\n\u25fc Good work.\nAreas for improvement\n\u25fc Weak plans.\n"
        "Care leavers\nPersonal advisers stay in touch.\n" + TAIL
    )
    letter = parse_visit(text, "focused_visit")
    assert [(u.section, u.text) for u in units(letter, "finding")][-1] == (
        "Care leavers",
        "Personal advisers stay in touch.",
    )


def test_a_listed_heading_with_a_footnote_mark_ends_the_findings() -> None:
    text = "Findings\nPlans are clear.\nNext steps1\nThe council will review its plan.\n"
    assert findings(text) == ["Plans are clear."]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Findings",
                "Overview",
                "Headline findings",
                "What needs to improve?",
                "Areas for priority action",
                "\u25fc An item.",
                "\u25fc",
                "A sentence.",
                "a continuation",
                "",
                "\f",
                "Yours sincerely",
                "Dear Ms X",
                "3 June 2021",
                "Piccadilly Gate",
                "1 A footnote about the national framework.",
                "Strengths",
                "This letter summarises the findings of a focused visit on 1 and 2 May 2021.",
            ]
        )
        | st.text(max_size=40),
        max_size=40,
    )
)
def test_any_text_parses_without_crashing(lines: list[str]) -> None:
    letter = parse_visit("\n".join(lines), "focused_visit")
    assert all(u.text.strip() for u in letter.units)
    assert all(
        u.kind in ("finding", "area_for_improvement", "priority_action") for u in letter.units
    )


# --- The real focused visit letters ------------------------------------------------------------


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).strip().lower()


@cache
def corpus() -> list[tuple[dict[str, object], str, Letter]]:
    out = []
    for pdf in sorted(FOCUSED.glob("*.pdf")):
        text = corpus_text(pdf)
        gold_path = GOLD / f"{pdf.stem}.json"
        gold = json.loads(gold_path.read_text()) if gold_path.exists() else {}
        out.append((gold, detect_kind(text), corpus_letter(pdf)))
    return out


@needs_shared
@pytest.mark.corpus
@pytest.mark.slow
def test_every_focused_visit_letter_parses_as_one() -> None:
    letters = corpus()
    assert len(letters) == 133
    assert [kind for _, kind, _ in letters] == ["focused_visit"] * len(letters)
    assert all(letter.kind == "focused_visit" for _, _, letter in letters)


@needs_shared
@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize(
    "unit_kind, key",
    [("area_for_improvement", "areas_for_improvement"), ("priority_action", "priority_actions")],
)
def test_focused_visit_lists_match_gold(unit_kind: str, key: str) -> None:
    found = expected = matched = 0
    for gold, _, letter in corpus():
        got = {_norm(u.text) for u in units(letter, unit_kind)}
        want = {_norm(str(x["text"])) for x in gold.get(key) or []}  # type: ignore[attr-defined]
        found, expected, matched = found + len(got), expected + len(want), matched + len(got & want)
    assert matched / found >= 0.98 and matched / expected >= 0.98


@needs_shared
@pytest.mark.corpus
@pytest.mark.slow
def test_focused_visit_metadata_matches_gold() -> None:
    letters = corpus()
    checks = [_metadata_checks(gold, letter) for gold, _, letter in letters]
    for name in checks[0]:
        right = sum(check[name] for check in checks)
        assert right / len(letters) >= 0.98, name


def _metadata_checks(gold: dict[str, object], letter: Letter) -> dict[str, bool]:
    printed = str(gold["local_authority"])
    return {
        "authority": canonical_authority(letter.local_authority) == canonical_authority(printed),
        "visit_start": letter.inspection_start == gold["visit_start"],
        "visit_end": letter.inspection_end == gold["visit_end"],
        "letter_date": letter.published == gold["letter_date"],
        "lead_inspector": letter.lead_inspector == gold["lead_inspector"],
        "inspectors": letter.inspectors == gold["inspectors"],
    }
