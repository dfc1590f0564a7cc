"""Word documents for the improvement board and the scrutiny panel: the action plan (plan.py)
and the scrutiny progress report (scrutiny.py), on what they share (papers.py)."""

from __future__ import annotations

from lettermine.papers import (
    HEAT_FILLS,
    NO_ACTION,
    RAG_FILLS,
    NothingToReport,
    rag_as_at,
)
from lettermine.plan import write_plan
from lettermine.scrutiny import theme_visit_counts, write_report

__all__ = [
    "HEAT_FILLS",
    "NO_ACTION",
    "RAG_FILLS",
    "NothingToReport",
    "rag_as_at",
    "theme_visit_counts",
    "write_plan",
    "write_report",
]
