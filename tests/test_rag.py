"""The RAG rule, row by row, at fixed dates."""

from __future__ import annotations

import datetime as dt

import pytest

from lettermine import rag as rag_module
from lettermine.rag import is_overdue, rag, time_gone

START = dt.date(2020, 1, 1)
DUE = dt.date(2020, 12, 31)  # 365 days after START


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("status", "percent", "today", "evidence", "colour", "reason"),
    [
        # rows 2-4: closed actions, whatever the date
        ("verified", 100, "2021-06-01", False, "green", "verified"),
        ("done", 100, "2021-06-01", True, "green", "done, evidence recorded"),
        ("done", 100, "2020-06-01", False, "amber", "done, awaiting evidence"),
        # row 5: overdue beats everything open, blocked included
        ("in_progress", 90, "2021-01-01", True, "red", "overdue by 1 day"),
        ("blocked", 50, "2021-01-10", False, "red", "overdue by 10 days"),
        ("not_started", 0, "2021-01-03", False, "red", "overdue by 3 days"),
        # the due date itself is not overdue
        (
            "in_progress",
            100,
            "2020-12-31",
            False,
            "green",
            "on track: 100% done, 100% of time gone",
        ),
        # rows 6-7: blocked is never green
        ("blocked", 90, "2020-12-01", False, "red", "blocked, due in 30 days"),
        ("blocked", 90, "2020-11-30", False, "amber", "blocked"),
        # rows 9-12 on 2020-07-01: 182 of 365 days gone = 50%
        ("in_progress", 25, "2020-07-01", False, "red", "far behind: 25% done, 50% of time gone"),
        ("in_progress", 26, "2020-07-01", False, "amber", "behind: 26% done, 50% of time gone"),
        ("in_progress", 39, "2020-07-01", False, "amber", "behind: 39% done, 50% of time gone"),
        ("in_progress", 40, "2020-07-01", False, "green", "on track: 40% done, 50% of time gone"),
        ("in_progress", 70, "2020-07-01", False, "green", "on track: 70% done, 50% of time gone"),
        ("not_started", 0, "2020-01-01", False, "green", "on track: 0% done, 0% of time gone"),
        # row 11: near the due date any lag is amber, even within the tolerance
        (
            "in_progress",
            90,
            "2020-12-11",
            False,
            "amber",
            "due in 20 days: 90% done, 95% of time gone",
        ),
        ("in_progress", 95, "2020-12-11", False, "green", "on track: 95% done, 95% of time gone"),
    ],
)
def test_rule_rows(
    status: str, percent: int, today: str, evidence: bool, colour: str, reason: str
) -> None:
    assert rag(status, percent, START, DUE, day(today), evidence) == (colour, reason)


def test_override_wins_and_says_so() -> None:
    colour, reason = rag(
        "in_progress", 10, START, DUE, day("2021-03-01"), False, "green", "DfE content"
    )
    assert (colour, reason) == ("green", "override: DfE content")


def test_no_due_date_cannot_be_judged() -> None:
    assert rag("in_progress", 50, START, None, day("2020-06-01"), False) == (
        "amber",
        "no due date: progress cannot be judged",
    )
    assert rag("blocked", 50, START, None, day("2020-06-01"), False) == ("amber", "blocked")
    assert rag("verified", 100, START, None, day("2020-06-01"), False)[0] == "green"


def test_time_gone() -> None:
    assert time_gone(START, DUE, day("2019-06-01")) == 0  # not started yet
    assert time_gone(START, DUE, day("2020-07-01")) == 50
    assert time_gone(START, DUE, day("2022-01-01")) == 100  # clipped
    assert time_gone(DUE, DUE, day("2020-12-30")) == 0  # a one-day action
    assert time_gone(DUE, DUE, DUE) == 100


def test_overdue_is_derived_from_status_and_date() -> None:
    assert is_overdue("in_progress", DUE, day("2021-01-01"))
    assert not is_overdue("in_progress", DUE, DUE)
    assert not is_overdue("done", DUE, day("2021-01-01"))
    assert not is_overdue("verified", DUE, day("2021-01-01"))
    assert not is_overdue("in_progress", None, day("2021-01-01"))


def test_the_documented_rule_names_the_constants() -> None:
    doc = rag_module.__doc__ or ""
    assert f"within {rag_module.NEAR_DAYS} days" in doc
    assert f"by {rag_module.FAR_BEHIND} points or more" in doc
    assert f"by more than {rag_module.TOLERANCE} points" in doc


def before_due(days: int) -> dt.date:
    return DUE - dt.timedelta(days=days)


# Every threshold of the rule, on it, one step before it and one step after it. With START and
# DUE as above, 30, 31 and 29 days before DUE are 92% of the time gone (335, 334 and 336 of 365
# days); 2020-07-01 is 50%.
@pytest.mark.parametrize(
    ("status", "percent", "today", "colour", "reason"),
    [
        # row 5, overdue: the day after DUE, not DUE itself; one day, then days
        ("in_progress", 100, DUE, "green", "on track: 100% done, 100% of time gone"),
        ("in_progress", 100, DUE + dt.timedelta(days=1), "red", "overdue by 1 day"),
        ("in_progress", 100, DUE + dt.timedelta(days=2), "red", "overdue by 2 days"),
        ("blocked", 0, DUE + dt.timedelta(days=1), "red", "overdue by 1 day"),
        # rows 6-7, blocked: red from 30 days before DUE (and on DUE itself), amber at 31
        ("blocked", 100, before_due(31), "amber", "blocked"),
        ("blocked", 100, before_due(30), "red", "blocked, due in 30 days"),
        ("blocked", 100, before_due(29), "red", "blocked, due in 29 days"),
        ("blocked", 100, DUE, "red", "blocked, due in 0 days"),
        # row 9, far behind: 25 points or more is red, 24 is not
        ("in_progress", 26, day("2020-07-01"), "amber", "behind: 26% done, 50% of time gone"),
        ("in_progress", 25, day("2020-07-01"), "red", "far behind: 25% done, 50% of time gone"),
        ("in_progress", 24, day("2020-07-01"), "red", "far behind: 24% done, 50% of time gone"),
        # row 10, behind: more than 10 points is amber, 10 is on track (far from DUE)
        ("in_progress", 41, day("2020-07-01"), "green", "on track: 41% done, 50% of time gone"),
        ("in_progress", 40, day("2020-07-01"), "green", "on track: 40% done, 50% of time gone"),
        ("in_progress", 39, day("2020-07-01"), "amber", "behind: 39% done, 50% of time gone"),
        # row 11, near DUE and behind at all: 30 days is near, 31 is not; 0 points is not behind
        (
            "in_progress",
            91,
            before_due(31),
            "green",
            "on track: 91% done, 92% of time gone",
        ),
        (
            "in_progress",
            91,
            before_due(30),
            "amber",
            "due in 30 days: 91% done, 92% of time gone",
        ),
        (
            "in_progress",
            91,
            before_due(29),
            "amber",
            "due in 29 days: 91% done, 92% of time gone",
        ),
        ("in_progress", 92, before_due(30), "green", "on track: 92% done, 92% of time gone"),
        ("in_progress", 93, before_due(30), "green", "on track: 93% done, 92% of time gone"),
    ],
)
def test_every_threshold_on_just_before_and_just_after(
    status: str, percent: int, today: dt.date, colour: str, reason: str
) -> None:
    """Bug class 1 of issue 19: a boundary compared with < instead of <= (or the reverse)."""
    assert rag(status, percent, START, DUE, today, False) == (colour, reason)


def test_closed_actions_are_judged_by_evidence_not_by_date() -> None:
    late = DUE + dt.timedelta(days=40)
    assert rag("verified", 0, START, DUE, late, False) == ("green", "verified")
    assert rag("done", 0, START, DUE, late, True) == ("green", "done, evidence recorded")
    assert rag("done", 0, START, DUE, late, False) == ("amber", "done, awaiting evidence")


def test_an_override_without_a_reason_says_so() -> None:
    assert rag("blocked", 0, START, DUE, DUE, False, "amber") == (
        "amber",
        "override: no reason given",
    )
    # an empty override is no override
    assert rag("blocked", 0, START, DUE, DUE, False, "", "why")[0] == "red"


def test_time_gone_rounds_to_the_nearest_point() -> None:
    assert time_gone(START, DUE, before_due(30)) == 92  # 335 / 365 = 91.8%
    assert time_gone(START, DUE, day("2020-01-02")) == 0  # 1 / 365 = 0.3%
    assert time_gone(START, DUE, day("2020-01-03")) == 1  # 2 / 365 = 0.55%
    assert time_gone(START, DUE, day("2020-12-30")) == 100  # 364 / 365 = 99.7%
    assert time_gone(START, DUE, day("2020-12-29")) == 99  # 363 / 365 = 99.45%
