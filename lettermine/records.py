"""The records lettermine passes between its layers: a parsed letter and its units."""

from __future__ import annotations

from dataclasses import dataclass, field

LETTER_KINDS: tuple[str, ...] = (
    "ilacs",
    "sif",
    "pre_sif",
    "focused_visit",
    "monitoring_visit",
    "jtai",
    "area_send",
    "other",
)

UNIT_KINDS: tuple[str, ...] = ("area_for_improvement", "priority_action", "finding")

# Judgement codes, in the order a report prints them.
JUDGEMENTS: tuple[str, ...] = (
    "impact_of_leaders",
    "help_and_protection",
    "in_care",
    "care_leavers",
    "in_care_and_care_leavers",
    "adoption",
    "lscb",
    "overall_effectiveness",
    "outcome",  # an area SEND inspection's outcome: one of SEND_OUTCOMES
    # pre_sif reports (2009-2013; see read/legacy.py)
    "capacity_to_improve",
    "outcomes_for_looked_after_children",
    "quality_of_provision",
    "leadership_and_management",
    "quality_of_practice",
    "leadership_and_governance",
)

# "adequate" is the third grade of the 2009-2013 frameworks (pre_sif), where SIF has
# "requires improvement".
GRADES: tuple[str, ...] = ("outstanding", "good", "requires improvement", "adequate", "inadequate")

# An area SEND inspection ends in one of three outcomes instead of grades.
SEND_OUTCOMES: tuple[str, ...] = ("positive", "inconsistent", "widespread and/or systemic failings")


@dataclass
class Unit:
    """One area for improvement, priority action or finding, as a reader sees it."""

    kind: str
    text: str
    section: str | None = None
    number: int | None = None
    # Whose it is: the council's, or (SIF reports) the Local Safeguarding Children Board's.
    subject: str = "local_authority"
    # The sub-heading, agency or responsible body the unit is printed under ("Police", "The
    # local area partnership", "Within three months"); None where there is none.
    group: str | None = None


@dataclass
class Letter:
    """What one Ofsted letter or report says: metadata and units in document order."""

    kind: str = "other"
    local_authority: str | None = None  # the name as printed
    authority: str | None = None  # canonical name, the same for every letter about one council
    title: str | None = None
    inspection_start: str | None = None  # ISO dates
    inspection_end: str | None = None
    published: str | None = None
    lead_inspector: str | None = None
    inspectors: list[str] = field(default_factory=list)
    judgements: dict[str, str] = field(default_factory=dict)
    focus: str | None = None
    units: list[Unit] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
