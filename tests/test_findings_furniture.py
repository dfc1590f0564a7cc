"""Furniture never becomes a finding: invented letters and reports in the layouts where a PDF's
letterhead, the recipient's address or a table caption lands among the findings (each fix of the
findings conservation invariant, tests/test_conservation.py, has one here). Every sentence is
invented."""

from __future__ import annotations

from lettermine.read.inspection import parse_report
from lettermine.read.visit import parse_visit
from lettermine.records import Letter

_HEAD = """4 March 2031

Ms Ada Example
Director of Children's Services
Exampleton Borough Council
Town Hall
Exampleton
EX1 2AB

Dear Ms Example

Focused visit to Exampleton local authority children's services

This letter summarises the findings of the focused visit to Exampleton local authority
children's services on 3 and 4 February 2031.

Headline findings

Children who need help are seen quickly by social workers who know them well and who
"""

_TAIL = """
Main findings

Managers check the work of social workers often, and their decisions are clear and recorded
on children's records so that the next worker can follow them.

Ofsted will take the findings from this focused visit into account at the next inspection.

Yours sincerely

Grace Hopper
His Majesty's Inspector
"""


def _findings(letter: Letter) -> list[str]:
    return [u.text for u in letter.units if u.kind == "finding"]


def test_a_letterhead_telephone_number_on_a_line_of_its_own_is_not_a_finding() -> None:
    # The letterhead printed at the first page break, its textphone number apart from its label.
    text = (
        _HEAD
        + "plan with families what will help.\n\n"
        + "Ofsted\nPiccadilly Gate\nStore Street\nManchester\nM1 2WD\n\nT 0300 123 1231\n"
        + "Textphone\n0161 618 8524\nenquiries@ofsted.gov.uk\nwww.gov.uk/ofsted\f"
        + _TAIL
    )
    findings = _findings(parse_visit(text, "focused_visit"))
    assert findings[0].endswith("who plan with families what will help.")
    assert not any("0161" in f or "8524" in f for f in findings)
    assert len(findings) == 2


def test_a_date_and_address_printed_at_a_page_break_are_not_a_finding() -> None:
    # The letter's date and the recipient's address printed again between the halves of a
    # paragraph: the paragraph reads on, and neither the date nor the address is stored.
    text = (
        _HEAD
        + "plan with families\n\n"
        + "Ofsted\nPiccadilly Gate\nStore Street\nManchester\nM1 2WD\n\n"
        + "4 March 2031\n\nMs Ada Example\nDirector of Children's Services\nTown Hall\n"
        + "Exampleton\nEX1 2AB\fwhat will help. Plans are reviewed on time.\n"
        + _TAIL
    )
    letter = parse_visit(text, "focused_visit")
    findings = _findings(letter)
    assert not any("2031" in f or "EX1" in f or "Town Hall" in f for f in findings)
    assert any(f.endswith("plan with families what will help. Plans are reviewed on time.")
               for f in findings)  # fmt: skip
    assert letter.published == "2031-03-04"  # the date above the address is still read


def test_a_date_alone_between_paragraphs_is_not_a_finding() -> None:
    text = _HEAD + "plan with families what will help.\n\n12 May 2031\n" + _TAIL
    findings = _findings(parse_visit(text, "focused_visit"))
    assert findings and not any("2031" in f for f in findings)


SIF_NOT_JUDGED = """Borough of Exampleton
Inspection of services for children in need of help and
protection, children looked after and care leavers

Inspection date: 7 October 2015 – 29 October 2015

Report published: 12 December 2015

Children's services in Exampleton are good

1. Children who need help and protection Good

2. Children looked after and achieving permanence Not Judged

3. Leadership, management and governance Good
\f
The experiences and progress of children who need help and protection

Good

1. Referrals are answered quickly and families are rarely referred again.
\f
The experiences and progress of
children looked after and achieving
permanence

Not Judged

Summary

The council looks after no children at present, so this area was not judged.

The graded judgement for adoption performance.

Adoption performance was not judged, as no child has been placed for adoption.

The graded judgement about the experience and progress of care leavers.

This aspect was not judged, as the council has no care leavers.
"""


def test_a_graded_judgement_caption_without_a_grade_heads_findings_and_is_not_one() -> None:
    letter = parse_report(SIF_NOT_JUDGED, "sif")
    findings = [u for u in letter.units if u.kind == "finding"]
    texts = [u.text for u in findings]
    assert not any(t.lower().startswith("the graded judgement") for t in texts)
    by_text = {u.text: u.section for u in findings}
    assert (
        by_text["Adoption performance was not judged, as no child has been placed for adoption."]
        == "Adoption performance"
    )
    assert by_text["This aspect was not judged, as the council has no care leavers."] == (
        "The experience and progress of care leavers"
    )
