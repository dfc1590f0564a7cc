"""The database schema as append-only migrations. Never edit a shipped migration: add one."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("lettermine")

UNIT_FTS_COLUMNS = ["text", "section"]


@migrations()
def m001_letters_and_units(db: Database) -> None:
    db["letters"].create(
        {
            "id": int,
            "sha256": str,
            "source": str,
            "kind": str,
            "local_authority": str,
            "authority": str,
            "title": str,
            "inspection_start": str,
            "inspection_end": str,
            "published": str,
            "lead_inspector": str,
            "inspectors": str,  # JSON list
            "judgements": str,  # JSON object: judgement code -> grade
            "focus": str,
            "warnings": str,  # JSON list
            "ingested_at": str,
        },
        pk="id",
        not_null={"sha256", "source", "kind"},
    )
    db["letters"].create_index(["sha256"], unique=True)  # a letter's identity is its content
    db["letters"].create_index(["authority"])
    db["units"].create(
        {
            "id": int,
            "letter_id": int,
            "seq": int,  # 1-based position in the letter; the public id is "letter_id:seq"
            "kind": str,
            "section": str,
            "number": int,
            "subject": str,
            "text": str,
            "polarity": str,
            "polarity_score": float,
        },
        pk="id",
        foreign_keys=[("letter_id", "letters", "id")],
        not_null={"letter_id", "seq", "kind", "text"},
    )
    db["units"].create_index(["letter_id", "seq"], unique=True)
    # Porter stemming so "visits" finds "visited"; triggers keep the index in step with units.
    db["units"].enable_fts(UNIT_FTS_COLUMNS, tokenize="porter", create_triggers=True)


@migrations()
def m002_themes_and_labels(db: Database) -> None:
    db["unit_themes"].create(
        {"unit_id": int, "code": str, "score": float, "source": str},
        pk=("unit_id", "code", "source"),
        foreign_keys=[("unit_id", "units", "id")],
    )
    db["unit_themes"].create_index(["code"])
    # A person's decisions: append-only; the latest decision per (unit, code) wins.
    db["labels"].create(
        {"id": int, "unit_id": int, "code": str, "decision": str, "who": str, "at": str},
        pk="id",
        foreign_keys=[("unit_id", "units", "id")],
        not_null={"unit_id", "code", "decision"},
    )
    db["labels"].create_index(["unit_id"])
