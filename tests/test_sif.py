"""SIF reports (2013-2017): small invented reports in each printed layout (one behaviour a test),
and (where ../shared is present) every SIF report of the corpus, which has no gold: the
invariants every report must keep."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_letter, corpus_text, needs_corpus

from lettermine.read.inspection import parse_report
from lettermine.read.parse import detect_kind
from lettermine.records import Letter, Unit

# --- 2014 layout: "What does the local authority need to improve?", sub-headings, the board --

# As extract.read_text gives it: a blank line between paragraphs, a form feed between pages.
# Every sentence is invented.
SIF_2014 = """Borough of Exampleton
Inspection of services for children in need of help and
protection, children looked after and care leavers

and

Review of the effectiveness of the Local Safeguarding Children
Board

Inspection date: 7 October 2014 – 29 October 2014

Report published: 12 December 2014

The overall judgement is that children’s services require
improvement

The authority is not yet delivering good help and care for children and families.

1. Children who need help and protection Requires improvement

2. Children looked after and achieving
permanence

Good

2.1 Adoption performance Good

2.2 Experiences and progress of care leavers Requires improvement

3. Leadership, management and governance Requires improvement
\f
Contents
What does the local authority need to improve? 4
The Local Safeguarding Children Board (LSCB) 20
\f
What does the local authority need to improve?

Priority and immediate action

Missing children

1. Make sure that every child who goes missing is offered a return interview within three
days.

2. Publish the plan for children at risk of exploitation; this to include

◼ how partners share what they know

◼ how the plan will be checked.

Areas for improvement

Care leavers

3. Make sure every care leaver has a pathway plan that they helped to write.

Leadership, management and governance

4. Improve the data that managers use to check the quality of practice.
\f
The local authority’s strengths

5. Early help is well known to schools and is used by many families.

The experiences and progress of children who need help and protection

Requires improvement

6. Referrals are answered quickly, but too many families are referred again within a year.
\f
The Local Safeguarding Children Board (LSCB)

The Local Safeguarding Children Board requires improvement

What does the LSCB need to improve?

Areas for improvement

Business planning

40. Write one plan for the board that says how success will be measured.

Inspection judgement about the LSCB

41. The board meets often and its members attend well, but it does not yet check the work of
partners closely enough.

The inspection team

Lead inspector: Grace Hopper
"""


@cache
def sif_2014() -> Letter:
    return parse_report(SIF_2014, "sif")


def units(letter: Letter, kind: str, subject: str = "local_authority") -> list[Unit]:
    return [u for u in letter.units if u.kind == kind and u.subject == subject]


def test_overall_judgement_broken_over_lines() -> None:
    assert sif_2014().judgements["overall_effectiveness"] == "requires improvement"


def test_board_judgement_from_the_head_of_its_section() -> None:
    assert sif_2014().judgements["lscb"] == "requires improvement"


def test_table_grades_adoption_and_care_leavers() -> None:
    grades = sif_2014().judgements
    assert grades["adoption"] == "good"
    assert grades["care_leavers"] == "requires improvement"


def test_sub_headings_between_numbered_items_are_their_group() -> None:
    letter = sif_2014()
    assert [(u.number, u.group) for u in units(letter, "priority_action")] == [
        (1, "Missing children"),
        (2, "Missing children"),
    ]
    assert [(u.number, u.group, u.text) for u in units(letter, "area_for_improvement")] == [
        (3, "Care leavers", "Make sure every care leaver has a pathway plan that they helped to "
                            "write."),
        (4, "Leadership, management and governance",
         "Improve the data that managers use to check the quality of practice."),
    ]  # fmt: skip


def test_bullets_under_a_numbered_item_are_its_sub_items() -> None:
    action = units(sif_2014(), "priority_action")[1]
    assert action.text == (
        "Publish the plan for children at risk of exploitation; this to include how partners "
        "share what they know; how the plan will be checked."
    )


def test_the_list_ends_at_the_strengths() -> None:
    texts = [u.text for u in sif_2014().units if u.kind != "finding"]
    assert not any("Early help is well known" in t for t in texts)


def test_the_boards_items_and_findings_are_the_boards() -> None:
    letter = sif_2014()
    board = units(letter, "area_for_improvement", subject="lscb")
    assert [(u.number, u.group) for u in board] == [(40, "Business planning")]
    findings = units(letter, "finding", subject="lscb")
    assert [f.number for f in findings] == [41]
    assert findings[0].section == "The Local Safeguarding Children Board"


def test_council_findings_start_at_the_first_judgement_section() -> None:
    findings = units(sif_2014(), "finding")
    assert [(f.number, f.section) for f in findings] == [
        (6, "The experiences and progress of children who need help and protection")
    ]


def test_nothing_is_warned_about() -> None:
    assert sif_2014().warnings == []


# --- Bulleted lists (early 2014) ------------------------------------------------------------

BULLETED = """Exampleton Borough Council
Inspection of services for children in need of help and
protection, children looked after and care leavers
Inspection date: 12 November 2013 – 4 December 2013

The overall judgement is requires improvement
There are no widespread or serious failures that leave children harmed or at risk of harm.
\f
What does the Local Authority need to improve?

Priority and immediate action

The inspection did not find any areas for priority and immediate action.

Areas for improvement

◼ Social workers should record what children tell them, in the child’s own words.

◼ Managers need to check that plans are reviewed on time, including:

◼ plans for children in need

◼ plans for children looked after.

◼ Increase the number of foster carers who can look after brothers and sisters together.

Information about this inspection
"""


def test_bulleted_areas_with_the_no_priority_sentence_passed_over() -> None:
    letter = parse_report(BULLETED, "sif")
    assert units(letter, "priority_action") == []
    assert [u.text for u in units(letter, "area_for_improvement")] == [
        "Social workers should record what children tell them, in the child’s own words.",
        "Managers need to check that plans are reviewed on time, including: plans for children "
        "in need; plans for children looked after.",
        "Increase the number of foster carers who can look after brothers and sisters together.",
    ]
    # "The overall judgement is ..." runs on into the paragraph below without a gap.
    assert letter.judgements["overall_effectiveness"] == "requires improvement"


# --- 2015 on: "Recommendations", an introduction, numbered sub-headings -----------------------

SIF_2016 = """Exampleton Council
Inspection of services for children in need of help and
protection, children looked after and care leavers
Inspection date: 4 April 2016 – 28 April 2016

Children’s services require improvement to be good

1. Children who need help and protection Requires improvement
\f
◼ Most care leavers live in suitable homes; none live in bed and breakfast.\fRecommendations

The following recommendations are the inspectors’ priorities for Exampleton.

1. Reduce the caseloads of social workers so that they can see children often. (Para 12)

2. Make sure that strategy meetings include the police and health staff. (Paras 14,
15)\f3. Strengthen the checks managers make on the work of newly qualified staff.

4. Quality of practice

◼ Make sure every assessment says what will change for the child.

◼ Review all plans for children placed with their parents.
\f
Summary for children and young people

◼ Inspectors spoke to many children about their lives.
"""


def test_recommendations_after_a_paragraph_the_page_ran_on_from() -> None:
    letter = parse_report(SIF_2016, "sif")
    areas = units(letter, "area_for_improvement")
    assert [u.number for u in areas[:3]] == [1, 2, 3]  # 3 ran on from 2 over the page break
    assert areas[1].text.endswith("(Paras 14, 15)")
    assert [(u.group, u.text) for u in areas[3:]] == [
        ("Quality of practice", "Make sure every assessment says what will change for the child."),
        ("Quality of practice", "Review all plans for children placed with their parents."),
    ]
    assert not any("following recommendations" in u.text for u in letter.units)


def test_overall_judgement_without_the_councils_name() -> None:
    letter = parse_report(SIF_2016, "sif")
    assert letter.judgements["overall_effectiveness"] == "requires improvement"


def test_judgement_heading_run_into_its_first_paragraph() -> None:
    text = SIF_2016 + (
        "\fThe experiences and progress of\nchildren who need help and protection Requires "
        "improvement\nNo child was found to be at immediate risk, but the quality of help "
        "varies too much between teams.\n\n"
        "7. Thresholds for help are understood by schools and health visitors.\n"
    )
    findings = units(parse_report(text, "sif"), "finding")
    section = "The experiences and progress of children who need help and protection"
    assert [(f.section, f.number) for f in findings] == [(section, None), (section, 7)]
    assert findings[0].text.startswith("No child was found")


@pytest.mark.parametrize(
    "heading",
    [
        "The graded judgment for adoption performance good",
        "The graded judgement about the experience and progress of care leavers is that they "
        "require improvement",
        "Adoption performance is good",
    ],
)
def test_graded_sub_headings_printed_in_other_ways_start_a_section(heading: str) -> None:
    text = (
        "Exampleton\nInspection of services for children in need of help and protection\n\f"
        "The experiences and progress of children who need help and protection\n\nGood\n\n"
        "5. Families get help early.\n\n"
        f"{heading}\n\n6. Children are matched with their new families quickly.\n"
    )
    findings = units(parse_report(text, "sif"), "finding")
    assert findings[-1].number == 6
    assert findings[-1].section is not None
    assert findings[-1].section.lower() in heading.lower()


@pytest.mark.parametrize(
    ("sentence", "grade"),
    [
        ("The Local Safeguarding Children Board is good", "good"),
        ("The effectiveness of the Local Safeguarding Children Board (LSCB) is requires "
         "improvement The LSCB is not yet good.", "requires improvement"),
        ("The judgement for the effectiveness of the LSCB is inadequate", "inadequate"),
        ("The LSCB is outstanding because:", "outstanding"),
    ],
)  # fmt: skip
def test_board_judgement_printed_in_other_ways(sentence: str, grade: str) -> None:
    text = f"Exampleton\nInspection date: 1 May 2015\n\f{sentence}\n\nThe board meets monthly.\n"
    assert parse_report(text, "sif").judgements.get("lscb") == grade


def test_the_boards_part_found_by_its_judgement_when_its_heading_is_not_printed() -> None:
    text = SIF_2016.replace(
        "\f\nSummary for children",
        "\f\nThe LSCB is good.\n\nRecommendations\n\n"
        "30. Check that all schools use the threshold guidance.\n\f\nSummary for children",
    )
    letter = parse_report(text, "sif")
    assert letter.judgements["lscb"] == "good"
    board = units(letter, "area_for_improvement", subject="lscb")
    assert [u.number for u in board] == [30]
    assert all(u.number != 30 for u in units(letter, "area_for_improvement"))


# The board's part as one PDF prints it: its "Recommendations" heading set among the numbered
# paragraphs of its findings, its items standing headless between its summary and findings.
BOARD_HEADING_MOVED = """Exampleton
Inspection date: 1 May 2016
\f
The Local Safeguarding Children Board (LSCB)

The Local Safeguarding Children Board is good

Executive summary

The board knows its partners well and checks their work with care.
50. Widen the board's data set to include children who go missing from school.

51. Check that training changes what staff do.

Inspection findings – the Local Safeguarding Children Board

52. The board is well led by its chair, who challenges partners openly.

Recommendations

53. Partners attend the board regularly and at a senior level.

54. The board's annual report says plainly what still needs to change.

Information about this inspection

Inspectors visited schools.
"""


def test_a_recommendations_heading_printed_among_the_boards_findings() -> None:
    letter = parse_report(BOARD_HEADING_MOVED, "sif")
    board = units(letter, "area_for_improvement", subject="lscb")
    assert [u.number for u in board] == [50, 51]
    assert board[0].text.startswith("Widen the board")
    findings = units(letter, "finding", subject="lscb")
    assert [f.number for f in findings] == [52, 53, 54]


def test_a_board_list_after_its_findings_is_kept_where_the_numbers_do_not_run_on() -> None:
    # Numbered 60, not 53: the heading is not inside the run of findings, so its list stands.
    text = BOARD_HEADING_MOVED.replace("53. Partners", "60. Partners").replace("54. The", "61. The")
    board = units(parse_report(text, "sif"), "area_for_improvement", subject="lscb")
    assert [u.number for u in board] == [60, 61]


BOARD_FINDINGS = """Exampleton
Inspection date: 1 May 2016
\f
The Local Safeguarding Children Board (LSCB)

The Local Safeguarding Children Board requires improvement

Inspection findings – the Local Safeguarding Children Board

70. The board's chair meets the director every month. Partners fund the board fairly.
\f
The board has started a register of risks, but it does not yet show
what changed. (Recommendation)

71. The threshold guidance is clear and well used.

Young people help the board to plan its work. Their survey of schools shaped this year's
priorities.

What the inspection judgments mean: the LSCB

An LSCB that is good checks the work of its partners closely.
"""


def test_every_paragraph_of_the_boards_findings_is_stored_once() -> None:
    findings = units(parse_report(BOARD_FINDINGS, "sif"), "finding", subject="lscb")
    assert [f.number for f in findings] == [70, 71, None]
    # The paragraph went on over a page, its next sentence starting the new page.
    assert findings[0].text.endswith("what changed. (Recommendation)")
    assert findings[2].text.startswith("Young people help the board")
    assert findings[2].text.endswith("this year's priorities.")
    # What the judgements mean is the report's back matter, however "judgement" is spelt.
    assert not any("An LSCB that is good" in f.text for f in findings)


def test_board_judgement_is_not_read_from_prose() -> None:
    text = "Exampleton\n\f The LSCB is good at sharing learning from reviews with schools.\n"
    assert "lscb" not in parse_report(text, "sif").judgements


def test_judgement_table_going_on_over_a_page() -> None:
    text = (
        "Exampleton\nInspection of services for children in need of help and protection\n"
        "Children’s services in Exampleton require improvement to be good\n\n"
        "1. Children who need help and protection Good\n"
        "\f2.2 Experiences and progress of care leavers Good\n\n"
        "3. Leadership, management and governance Requires improvement\n"
    )
    grades = parse_report(text, "sif").judgements
    assert grades["impact_of_leaders"] == "requires improvement"
    assert grades["care_leavers"] == "good"


def test_dates_printed_as_numbers() -> None:
    text = "Exampleton\nInspection date: 12/09/2016 to 06/10/2016\nReport published: 25/11/2016\n"
    letter = parse_report(text, "sif")
    assert (letter.inspection_start, letter.inspection_end) == ("2016-09-12", "2016-10-06")
    assert letter.published == "2016-11-25"


def test_a_middle_initial_in_the_lead_inspectors_name() -> None:
    text = SIF_2014.replace("Lead inspector: Grace Hopper", "Lead inspector: Grace M Hopper")
    assert parse_report(text, "sif").lead_inspector == "Grace M Hopper"


# --- The real reports (no gold: the invariants) ------------------------------------------------

SIF_DIR = CORPUS / "sif" / "pdf"
GOLD_AFI = CORPUS / "gold" / "afi"
# Reports that print no areas for improvement for the council, with the page checked. None of
# the 106 does: every SIF report and re-inspection prints a list (checked with
# `python bench/accuracy.py --only sif-check -v`).
PRINT_NO_AREAS: dict[str, str] = {}


def older_reports() -> list[Path]:
    import json

    files = sorted(SIF_DIR.glob("*.pdf"))
    for path in sorted((CORPUS / "ilacs" / "pdf").glob("*.pdf")):
        gold = GOLD_AFI / f"{path.stem}.json"
        if gold.is_file() and json.loads(gold.read_text(encoding="utf-8"))["kind"] != "ilacs":
            files.append(path)
    return files


@cache
def real(path: Path) -> tuple[str, Letter]:
    return corpus_text(path), corpus_letter(path)


def _consecutive(numbers: list[int]) -> bool:
    return numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else True


@needs_corpus
@pytest.mark.corpus
@pytest.mark.slow
def test_every_older_report_is_read_whole() -> None:
    files = older_reports()
    assert len([p for p in files if p.parent == SIF_DIR]) == 95
    for path in files:
        text, letter = real(path)
        head = re.sub(r"\s+", " ", text[:3000])
        assert letter.kind == detect_kind(text) and letter.kind in ("sif", "pre_sif"), path.stem
        assert "overall_effectiveness" in letter.judgements, path.stem
        assert letter.inspection_start and letter.inspection_end, path.stem
        council = [u for u in letter.units if u.subject == "local_authority"]
        assert any(u.kind == "finding" for u in council), path.stem
        areas = [u for u in council if u.kind == "area_for_improvement"]
        warned = "no areas for improvement found" in letter.warnings
        assert warned == (path.stem in PRINT_NO_AREAS) and bool(areas) != warned, path.stem
        if letter.kind != "sif":
            continue
        if re.search(r"review of the effectiveness of the local safeguarding", head, re.I):
            assert "lscb" in letter.judgements, path.stem
        # Paragraph numbers run on through a list: an item lost or run into another breaks them.
        for subject in ("local_authority", "lscb"):
            numbers = [u.number for u in letter.units if u.kind != "finding"
                       and u.subject == subject and u.number is not None]  # fmt: skip
            assert _consecutive(sorted(numbers)), (path.stem, subject, numbers)


@needs_corpus
@pytest.mark.corpus
def test_the_2013_looked_after_children_inspections_are_their_own_kind() -> None:
    for stem in ("80476_kent_2013-08-23", "80549_sandwell_2013-08-02"):
        _, letter = real(SIF_DIR / f"{stem}.pdf")
        assert letter.kind == "pre_sif", stem
        assert letter.focus == "looked after children"
        assert letter.judgements["overall_effectiveness"] in ("adequate", "inadequate")
        groups = {u.group for u in letter.units if u.kind == "area_for_improvement"}
        assert {"Immediately", "Within three months", "Within six months"} <= groups, stem


def test_findings_go_on_over_a_page_break_and_take_the_bullet_after_a_lead_in() -> None:
    six = "6. Referrals are answered quickly, but too many families are referred again within a"
    six += " year.\n"
    assert six in SIF_2014
    text = SIF_2014.replace(
        six,
        six
        + "\n7. Early help assessments are thorough.\n"
        + "\n8. Social workers visit children often and\n\f\nsee them alone.\n"
        + "\n9. Partners agree on the help a family needs:\n\n◼ in the first week.\n",
    ).replace(
        "partners closely enough.\n",
        "partners closely enough.\n\n◼ The board’s training is well attended.\n",
    )
    letter = parse_report(text, "sif")
    assert [(f.number, f.text) for f in units(letter, "finding")] == [
        (6, six[3:].strip()),
        (7, "Early help assessments are thorough."),
        (8, "Social workers visit children often and see them alone."),
        (9, "Partners agree on the help a family needs: in the first week."),
    ]
    board = units(letter, "finding", subject="lscb")
    assert [f.text for f in board][1:] == ["The board’s training is well attended."]
