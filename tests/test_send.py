"""Area SEND inspection reports: the invented sample report, small invented texts, and (where
../shared is present) the real reports."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from conftest import CORPUS, LETTERS, corpus_letter, needs_corpus

from lettermine.read.extract import read_text
from lettermine.read.parse import detect_kind, parse_letter
from lettermine.read.send import parse_send
from lettermine.records import SEND_OUTCOMES, Letter, Unit


def units(letter: Letter, kind: str) -> list[Unit]:
    return [u for u in letter.units if u.kind == kind]


# --- The invented sample report -------------------------------------------------------------------

SAMPLE = "north-east-lincolnshire-2024-02-area-send.txt"


@cache
def sample() -> Letter:
    return parse_letter(read_text(LETTERS / SAMPLE))


def test_sample_metadata() -> None:
    letter = sample()
    assert letter.kind == "area_send"
    assert letter.authority == "North East Lincolnshire"
    assert (letter.inspection_start, letter.inspection_end) == ("2024-01-15", "2024-01-19")
    assert letter.published is None  # a SEND report prints no letter date
    assert letter.judgements == {"outcome": "widespread and/or systemic failings"}
    # Ofsted's column, then the CQC's; the lead is Ofsted's lead inspector.
    assert letter.inspectors == ["Nadia Example", "Priya Invented", "Tom Sample", "Owen Madeup"]
    assert letter.lead_inspector == "Nadia Example"
    assert letter.warnings == []


def test_sample_priority_actions_are_table_rows_with_their_responsible_body() -> None:
    actions = units(sample(), "priority_action")
    assert [u.group for u in actions] == [
        "North East Lincolnshire Council and NHS Humber and North Yorkshire ICB"
    ] * 2
    assert actions[0].text == (
        "Leaders across the partnership should urgently improve the timeliness and quality of EHC "
        "plans. This should include: making sure that advice from health and social care is "
        "received on time; reviewing plans promptly when children's needs change."
    )
    assert actions[1].text.startswith("Leaders across the partnership should reduce waiting")


def test_sample_areas_for_improvement_are_paragraphs_even_without_blank_lines() -> None:
    afis = units(sample(), "area_for_improvement")
    assert [u.text[:40] for u in afis] == [
        "Leaders should strengthen the way they g",
        "Leaders across the partnership should im",
    ]
    assert all(u.group is None and u.section == "Areas for improvement" for u in afis)


def test_sample_findings_are_read_under_the_evaluation_headings() -> None:
    findings = units(sample(), "finding")
    assert [f.number for f in findings] == [1, 2, 3, 4, 5, 6]
    assert [f.section[:30] for f in findings] == (
        ["What is it like to be a child "] * 2
        + ["What is the area partnership d"] * 2
        + ["What does the area partnership"] * 2
    )
    # The outcome, the context and the inspection details are not units.
    assert not any("monitoring inspection" in u.text or "jointly responsible" in u.text
                   for u in sample().units)  # fmt: skip


# --- Small invented texts -----------------------------------------------------------------------

HEAD = """Local area partnership report

Area SEND inspection of Rutland Local Area Partnership

Inspection dates: 27 November 2023 to 1 December 2023

Inspection outcome

{outcome}

What is the area partnership doing that is effective?

\u25fc Practitioners know families well.

Areas for improvement

"""
TAIL = """
Local area partnership details

Inspection team

Ofsted Care Quality Commission
Ann Example HMI, Ofsted lead inspector Cal Sample, CQC Lead inspector
Dee Invented, Ofsted Inspector
"""
INCONSISTENT = (
    "The local area partnership\u2019s arrangements lead to inconsistent experiences and outcomes "
    "for children and young people with special educational needs and/or disabilities (SEND)."
)


def report(body: str, outcome: str = INCONSISTENT) -> Letter:
    return parse_send(HEAD.format(outcome=outcome) + body + TAIL)


@pytest.mark.parametrize(
    "sentence, outcome",
    [
        (INCONSISTENT, "inconsistent"),
        (
            "The local area partnership\u2019s special educational needs and/or disabilities "
            "(SEND) arrangements typically lead to positive experiences and outcomes for\n"
            "children and young people with SEND.",
            "positive",
        ),
        (
            "There are widespread and/or systemic failings leading to significant concerns about"
            "\nthe experiences and outcomes of children and young people with SEND.",
            "widespread and/or systemic failings",
        ),
    ],
)
def test_each_outcome_sentence_gives_its_outcome(sentence: str, outcome: str) -> None:
    letter = report("Leaders should act.\n", sentence)
    assert letter.judgements == {"outcome": outcome}
    assert outcome in SEND_OUTCOMES


def test_an_unknown_outcome_is_a_warning_not_a_guess() -> None:
    letter = report("Leaders should act.\n", "The inspection found many things.")
    assert letter.judgements == {}
    assert "no inspection outcome found" in letter.warnings


def test_metadata_of_a_small_report() -> None:
    letter = report("Leaders should act.\n")
    assert letter.authority == "Rutland"
    assert (letter.inspection_start, letter.inspection_end) == ("2023-11-27", "2023-12-01")
    assert letter.inspectors == ["Ann Example", "Dee Invented", "Cal Sample"]
    assert letter.lead_inspector == "Ann Example"
    assert letter.warnings == []


def test_sub_items_ending_with_and_are_joined_with_a_space() -> None:
    letter = report(
        "Leaders should improve EHC plans by:\n\n"
        "\u2212 seeking advice from health practitioners on time;\n\n"
        "\u2212 reviewing plans when needs change; and\n\n"
        "\u2212 sharing plans with families.\n\n"
        "Leaders should improve the local offer.\n"
    )
    assert [u.text for u in units(letter, "area_for_improvement")] == [
        "Leaders should improve EHC plans by: seeking advice from health practitioners on time; "
        "reviewing plans when needs change; and sharing plans with families.",
        "Leaders should improve the local offer.",
    ]


def test_paragraphs_in_one_table_cell_split_where_a_line_stops_short() -> None:
    body = (
        "Leaders across the partnership should make sure that the waiting times for speech and\n"
        "language therapy fall quickly, so that children receive the help that they need\n"
        "without delay.\n"
        "Leaders should make sure that the local offer is accurate and up to date, and that it\n"
        "tells families clearly where they can find help and what they can expect from each\n"
        "service in the area, including those for children and young people aged 16 to 25.\n"
        "The local area partnership should strengthen its joint commissioning of alternative\n"
        "provision so that places match the needs of the children who attend it.\n"
    )
    texts = [u.text[:30] for u in units(report(body), "area_for_improvement")]
    assert texts == [
        "Leaders across the partnership",
        "Leaders should make sure that ",
        "The local area partnership sho",  # a full line before it: a new recommendation opens
    ]


FINDINGS = (
    "\u25fc Practitioners know families well, and most families say that they are listened to and\n"
    "that the help they receive makes a real difference to their children\u2019s lives at home.\n\n"
    "Some families use short breaks in the holidays, which gives carers some rest and lets\n"
    "children take part in activities. There are too few places.\n"
    "This is because the partnership has not commissioned enough providers to meet the\n"
    "demand from families across the area, and waiting lists are growing longer each year.\n\n"
    "\u25fc Leaders know where practice is weak, and their plans to improve it are right.\n"
    "Many of these plans are new, and it is too soon to see their impact on families.\n"
)


def findings_of(findings: str, length: int = 30) -> list[str]:
    text = HEAD.format(outcome=INCONSISTENT).replace(
        "\u25fc Practitioners know families well.\n", findings
    )
    letter = parse_send(text + "Leaders should act.\n" + TAIL)
    return [u.text[:length] for u in units(letter, "finding")]


def test_a_finding_goes_on_after_a_sentence_that_ends_short_of_the_margin() -> None:
    """Findings are set apart by blank lines: a line that stops short only ends a sentence."""
    assert findings_of(FINDINGS) == [
        "Practitioners know families we",
        "Some families use short breaks",
        "Leaders know where practice is",
    ]
    assert findings_of(FINDINGS, 400)[1].endswith(
        "There are too few places. This is because the partnership has not commissioned enough "
        "providers to meet the demand from families across the area, and waiting lists are "
        "growing longer each year."
    )
    assert findings_of(FINDINGS, 400)[2].endswith("too soon to see their impact on families.")


def test_findings_printed_without_blank_lines_part_where_a_line_stops_short() -> None:
    prose = FINDINGS.split("\n\n")[1] + "\n"  # two paragraphs, no blank line between them
    assert findings_of(prose) == [
        "Some families use short breaks",
        "This is because the partnershi",
    ]


def test_a_responsible_body_continued_over_a_page_break_stays_one_row() -> None:
    body = (
        "Areas for priority action\n\n"
        "Responsible body Areas for priority action\n"
        "Rutland County\n"
        "Council and NHS\n\n"
        "Leaders should urgently agree how they will share information about\n"
        "children\fLeicester, Leicestershire\n"
        "and Rutland ICB\n\n"
        "with SEND who move between schools.\n"
        "NHS Leicester,\n"
        "Leicestershire and\n"
        "Rutland ICB\n\n"
        "Leaders should reduce waiting times for assessment.\n"
    )
    letter = report(body)
    actions = units(letter, "priority_action")
    assert [(u.group, u.text) for u in actions] == [
        (
            "Rutland County Council and NHS Leicester, Leicestershire and Rutland ICB",
            "Leaders should urgently agree how they will share information about children with "
            "SEND who move between schools.",
        ),
        ("NHS Leicester, Leicestershire and Rutland ICB",
         "Leaders should reduce waiting times for assessment."),
    ]  # fmt: skip


def test_a_responsible_body_printed_after_its_action_still_goes_with_it() -> None:
    body = (
        "Areas for priority action\n\n"
        "Responsible body Areas for priority action\n"
        "Leaders should urgently agree how they will share information about children.\n"
        "Rutland County\n"
        "Council\n\n"
        "Leaders should reduce waiting times for assessment.\n"
        "NHS Leicester,\n"
        "Leicestershire and\n"
        "Rutland ICB\n\n"
        "Areas for improvement\n\nLeaders should act.\n"
    )
    actions = units(report(body), "priority_action")
    assert [(u.group, u.text[:30]) for u in actions] == [
        ("Rutland County Council", "Leaders should urgently agree "),
        ("NHS Leicester, Leicestershire and Rutland ICB", "Leaders should reduce waiting "),
    ]


def test_missing_parts_are_warnings() -> None:
    letter = parse_send("Area SEND inspection\n\nSome text about a partnership.\n")
    assert letter.kind == "area_send"
    assert {
        "no local area partnership found",
        "no inspection dates found",
        "no lead inspector found",
        "no inspection outcome found",
        "no areas for improvement found",
    } <= set(letter.warnings)
    assert parse_send("").warnings == ["no text to read"]


def test_detect_kind_reads_the_title() -> None:
    assert detect_kind("Local area partnership report\nArea SEND inspection of Rutland") == (
        "area_send"
    )


# --- The real reports ---------------------------------------------------------------------------

SEND_PDFS = CORPUS / "send" / "pdf"


@cache
def corpus() -> list[tuple[Path, Letter]]:
    return [(pdf, corpus_letter(pdf)) for pdf in sorted(SEND_PDFS.glob("*.pdf"))]


@needs_corpus
@pytest.mark.skipif(not SEND_PDFS.is_dir(), reason="the corpus has no send/pdf folder")
@pytest.mark.corpus
@pytest.mark.slow
def test_every_real_send_report_is_read() -> None:
    reports = corpus()
    assert len(reports) == 23
    for pdf, letter in reports:
        assert letter.kind == "area_send", pdf.name
        assert letter.authority and letter.lead_inspector, pdf.name
        assert letter.judgements.get("outcome") in SEND_OUTCOMES, pdf.name
        assert letter.inspection_start and letter.inspection_end, pdf.name
        assert units(letter, "area_for_improvement") and units(letter, "finding"), pdf.name
        assert all(u.group for u in units(letter, "priority_action")), pdf.name
        failings = letter.judgements["outcome"] == "widespread and/or systemic failings"
        assert bool(units(letter, "priority_action")) == failings, pdf.name


def test_bullets_after_an_areas_lead_in_are_its_sub_items() -> None:
    letter = report(
        "Leaders should improve EHC plans by:\n\n"
        "\u25fc seeking advice from health practitioners on time\n\n"
        "\u25fc sharing plans with families.\n\n"
        "Leaders should improve the local offer.\n"
    )
    assert [u.text for u in units(letter, "area_for_improvement")] == [
        "Leaders should improve EHC plans by: seeking advice from health practitioners on time; "
        "sharing plans with families.",
        "Leaders should improve the local offer.",
    ]


def test_bullets_after_a_findings_lead_in_are_its_sub_items() -> None:
    findings = (
        "Leaders know where practice is weak:\n\n\u25fc in the timeliness of assessments\n\n"
        "\u25fc in the quality of plans.\n\nFamilies say that they are listened to.\n"
    )
    assert findings_of(findings, 200) == [
        "Leaders know where practice is weak: in the timeliness of assessments; in the quality"
        " of plans.",
        "Families say that they are listened to.",
    ]


def test_the_area_from_a_title_without_area_send_inspection() -> None:
    text = HEAD.format(outcome=INCONSISTENT).replace(
        "Area SEND inspection of Rutland Local Area Partnership",
        "Inspection of the Rutland Local Area Partnership",
    )
    letter = parse_send(text + "Leaders should act.\n" + TAIL)
    assert (letter.local_authority, letter.authority) == ("Rutland", "Rutland")
