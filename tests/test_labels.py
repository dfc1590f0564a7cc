"""A person's theme decisions: they win over the model and survive re-classification."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lettermine.cli import app
from lettermine.db import open_db
from lettermine.errors import LettermineError
from lettermine.labels import label_unit, person_examples, reclassify
from lettermine.letters import UnitThemes, effective_themes, get_letter, save_letter
from lettermine.records import Letter, Unit


@pytest.fixture
def conn(db_path: Path):  # type: ignore[no-untyped-def]
    conn = open_db(db_path).conn
    letter = Letter(
        kind="focused_visit",
        authority="Testshire",
        units=[
            Unit("area_for_improvement", "Caseloads are too high for newly qualified staff."),
            Unit("finding", "Supervision is regular and reflective.", section="Findings"),
        ],
    )
    save_letter(
        conn,
        letter,
        sha256="a" * 64,
        source="t.txt",
        themes=[
            UnitThemes([("caseloads", 0.9), ("workforce", 0.6)], "concern", 1.0),
            UnitThemes([("supervision_oversight", 0.8)], "strength", 0.7),
        ],
    )
    return conn


def _codes(conn, ref: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    units = {u["id"]: u for u in get_letter(conn, 1)["units"]}
    return [(t["code"], t["source"]) for t in units[ref]["themes"]]


def test_a_person_adds_and_removes_themes(conn) -> None:  # type: ignore[no-untyped-def]
    label_unit(conn, "1:1", add=["supervision_oversight"], remove=["workforce"], who="lead")
    assert _codes(conn, "1:1") == [("supervision_oversight", "person"), ("caseloads", "model")]


def test_labels_survive_reclassification(conn) -> None:  # type: ignore[no-untyped-def]
    label_unit(conn, "1:1", add=["supervision_oversight"], remove=["caseloads"], who="lead")
    # The model is run again and says caseloads again, strongly: the person still wins.
    reclassify(conn, {1: UnitThemes([("caseloads", 0.99), ("health", 0.7)], "concern", 1.0)})
    assert _codes(conn, "1:1") == [("supervision_oversight", "person"), ("health", "model")]


def test_the_latest_decision_wins(conn) -> None:  # type: ignore[no-untyped-def]
    label_unit(conn, "1:2", add=["health"], remove=[], who="a")
    label_unit(conn, "1:2", add=[], remove=["health"], who="b")
    assert "health" not in {c for c, _ in _codes(conn, "1:2")}
    who = conn.execute("SELECT who FROM labels ORDER BY id").fetchall()
    assert [w[0] for w in who] == ["a", "b"]  # both decisions are kept


@pytest.mark.parametrize(
    ("ref", "add", "remove", "message"),
    [
        ("1:1", ["not_a_theme"], [], "unknown theme"),
        ("1:9", ["health"], [], "no unit 1:9"),
        ("x", ["health"], [], "not a unit id"),
        ("1:1", [], [], "nothing to do"),
        ("1:1", ["health"], ["health"], "cannot both"),
    ],
)
def test_bad_labels_write_nothing(conn, ref, add, remove, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LettermineError, match=message):
        label_unit(conn, ref, add=add, remove=remove)
    assert conn.execute("SELECT count(*) FROM labels").fetchone()[0] == 0


def test_labelled_units_become_training_examples(conn) -> None:  # type: ignore[no-untyped-def]
    label_unit(conn, "1:1", add=["supervision_oversight"], remove=["workforce"])
    [example] = person_examples(conn)
    assert example["themes"] == ["supervision_oversight", "caseloads"]
    assert example["kind"] == "area_for_improvement"
    assert example["polarity"] == "concern"


def test_label_command(conn, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["label", "1:1", "--add", "health", "--who", "lead", "--json"])
    assert result.exit_code == 0, result.output
    assert "health" in result.stdout
    bad = runner.invoke(app, ["label", "1:1", "--add", "nope"])
    assert bad.exit_code == 1
    assert bad.stderr.startswith("Error: unknown theme nope")
    assert effective_themes(conn, [1])[1][0]["code"] == "health"
