"""The theme taxonomy (v1): codes, labels and what belongs under each, in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    description: str


THEMES: tuple[Theme, ...] = (
    Theme(
        "front_door",
        "Front door, contacts and referrals",
        "contacts, referrals, MASH / integrated front door, screening, thresholds, agency checks, information sharing at first contact, emergency duty / out-of-hours",
    ),
    Theme(
        "early_help",
        "Early help and family support",
        "early help offer, tier 2 / targeted support, step-down to early help, community panels, prevention",
    ),
    Theme(
        "assessment",
        "Assessment",
        "quality and timeliness of child and family assessments, use of history, agency information in assessments, viability and parenting assessments",
    ),
    Theme(
        "child_protection",
        "Child protection enquiries and conferences",
        "strategy meetings, section 47 enquiries, initial and review child protection conferences, core groups, CP chairs",
    ),
    Theme(
        "planning",
        "Plans and reviews",
        "child in need and child protection plans, care plans, pathway plans' quality as plans, SMART actions, drift and delay, contingency planning, reviews, IROs",
    ),
    Theme(
        "direct_work",
        "Visits, direct work and the child's voice",
        "statutory visits, children seen alone, direct work, life-story work, the voice / lived experience of the child, advocacy, participation",
    ),
    Theme(
        "exploitation_missing",
        "Exploitation, missing and extra-familial harm",
        "CSE / CCE, county lines, contextual safeguarding, missing from home or care, return-home interviews, gangs, extra-familial risk",
    ),
    Theme(
        "legal_plo",
        "Public Law Outline and legal",
        "pre-proceedings, PLO, letters before proceedings, legal gateway / legal planning meetings, court proceedings, care orders",
    ),
    Theme(
        "children_in_care",
        "Children in care and placements",
        "entry to care, placement sufficiency, matching, stability, foster carers, residential homes, unregistered placements, family time / contact, children returning home",
    ),
    Theme(
        "permanence",
        "Permanence",
        "permanence planning, adoption, special guardianship, long-term fostering, reunification as permanence",
    ),
    Theme(
        "care_leavers",
        "Care leavers",
        "leaving care service, personal advisers, pathway plans, staying put, accommodation, care leavers' entitlements",
    ),
    Theme(
        "disabled_children",
        "Disabled children",
        "children with disabilities, short breaks, respite, transitions for disabled children, SEND in social care",
    ),
    Theme(
        "health",
        "Health and wellbeing",
        "health assessments, emotional and mental health, CAMHS, dental, substance misuse services for children",
    ),
    Theme(
        "education",
        "Education",
        "personal education plans, virtual school, attendance, exclusions, elective home education, children missing education, NEET",
    ),
    Theme(
        "workforce",
        "Workforce stability and development",
        "recruitment, retention, agency staff, changes of social worker, ASYE / newly qualified workers, training, workforce strategy, staff morale",
    ),
    Theme(
        "caseloads",
        "Caseloads and workload",
        "caseload size, workload manageability, capacity of teams to do direct work",
    ),
    Theme(
        "supervision_oversight",
        "Supervision and management oversight",
        "supervision frequency and quality, management direction and oversight, decision-making records, step-down and closure oversight",
    ),
    Theme(
        "leadership_governance",
        "Leadership, governance and resources",
        "senior leaders, DCS, corporate and political support, investment, governance boards, panels, self-evaluation, improvement plans, DfE intervention",
    ),
    Theme(
        "quality_assurance",
        "Performance data and quality assurance",
        "performance data, dashboards, audits and moderation, quality assurance frameworks, learning from audits",
    ),
    Theme(
        "partnership",
        "Partnership working",
        "multi-agency working, police, health and schools as partners, safeguarding partnership, information sharing between agencies",
    ),
    Theme(
        "covid",
        "COVID-19 impact",
        "pandemic restrictions, virtual working, risk stratification during the pandemic, recovery from COVID-19",
    ),
)

THEME_CODES: tuple[str, ...] = tuple(t.code for t in THEMES)
BY_CODE: dict[str, Theme] = {t.code: t for t in THEMES}

POLARITIES: tuple[str, ...] = ("strength", "concern", "mixed", "context")


def theme_label(code: str) -> str:
    """The label people read for a theme code."""
    return BY_CODE[code].label
