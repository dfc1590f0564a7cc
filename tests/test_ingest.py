"""Ingesting the sample letters end to end, and the `export --json` contract."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import LETTERS
from typer.testing import CliRunner

from lettermine.cli import app

LETTER_KEYS = {
    "id", "source", "sha256", "local_authority", "kind", "inspection_start", "inspection_end",
    "published", "lead_inspector", "judgements", "units",
}  # fmt: skip
UNIT_KEYS = {"id", "kind", "section", "number", "text", "themes", "polarity", "actions"}


def _export(runner: CliRunner) -> list[dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, ["export", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_sample_letters_ingest_and_export(runner: CliRunner) -> None:
    result = runner.invoke(app, ["ingest", "--no-classify", str(LETTERS)])
    assert result.exit_code == 0, result.output
    assert "5 new letters" in result.stderr
    letters = _export(runner)
    assert {letter["kind"] for letter in letters} == {
        "ilacs", "focused_visit", "monitoring_visit", "jtai", "area_send"
    }  # fmt: skip
    for letter in letters:
        assert LETTER_KEYS <= set(letter)
        assert letter["units"], letter["source"]
        for position, unit in enumerate(letter["units"], start=1):
            assert UNIT_KEYS <= set(unit)
            assert unit["id"] == f"{letter['id']}:{position}"  # document order
            assert unit["kind"] in {"area_for_improvement", "priority_action", "finding"}
    nel = [x for x in letters if x["local_authority"] == "North East Lincolnshire"]
    assert len(nel) == 4  # every letter about one council groups under one name
    ilacs = next(x for x in letters if x["kind"] == "ilacs")
    assert set(ilacs["judgements"]) >= {"impact_of_leaders", "help_and_protection"}
    assert all(g == g.lower() for g in ilacs["judgements"].values())


def test_reingest_is_a_no_op_that_says_so(runner: CliRunner) -> None:
    assert runner.invoke(app, ["ingest", "--no-classify", str(LETTERS)]).exit_code == 0
    before = _export(runner)
    again = runner.invoke(app, ["ingest", "--no-classify", str(LETTERS)])
    assert again.exit_code == 0, again.output
    assert "0 new letters" in again.stderr
    assert "already stored" in again.stderr
    assert _export(runner) == before


def test_ingest_leaves_the_search_index_merged(runner: CliRunner, db_path: Path) -> None:
    # One transaction per letter writes one index segment each; every search reads every segment.
    assert runner.invoke(app, ["ingest", "--no-classify", str(LETTERS)]).exit_code == 0
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(DISTINCT segid) FROM units_fts_idx").fetchone() == (1,)
    conn.execute("INSERT INTO units_fts (units_fts, rank) VALUES ('integrity-check', 1)")


def test_letters_and_show(runner: CliRunner) -> None:
    runner.invoke(app, ["ingest", "--no-classify", str(LETTERS)])
    table = runner.invoke(app, ["letters"])
    assert table.exit_code == 0
    assert "North East Lincolnshire" in table.stdout
    rows = json.loads(runner.invoke(app, ["letters", "--json"]).stdout)
    focused = next(r for r in rows if r["kind"] == "focused_visit")
    assert focused["areas_for_improvement"] == 2
    assert focused["findings"] == 22
    shown = runner.invoke(app, ["show", str(focused["id"])])
    assert shown.exit_code == 0
    assert "Areas for improvement" in shown.stdout
    assert f"{focused['id']}:1" in shown.stdout


def test_a_folder_says_which_other_files_it_skipped(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / "2021").mkdir(parents=True)
    shutil.copy(LETTERS / "north-east-lincolnshire-2021-06-focused-visit.txt", folder / "2021")
    (folder / "notes.md").write_text("to do")
    (folder / "2021" / "old-letter.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    # Word's lock file and hidden files beside an open letter are neither letters nor news.
    (folder / "~$letter.docx").write_bytes(b"\x00" * 162)
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / ".git").mkdir()
    (folder / ".git" / "letter.txt").write_text("not ours")

    result = runner.invoke(app, ["ingest", "--no-classify", str(folder)])

    assert result.exit_code == 0, result.output
    assert "1 files: 1 new letters" in result.stderr
    assert "2 other files skipped (not .pdf, .docx or .txt): old-letter.doc, notes.md" in (
        result.stderr
    )
    assert "~$" not in result.stderr and "DS_Store" not in result.stderr


def test_a_folder_of_letters_only_mentions_no_skipped_files(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    shutil.copy(LETTERS / "north-east-lincolnshire-2021-06-focused-visit.txt", folder)
    result = runner.invoke(app, ["ingest", "--no-classify", str(folder)])
    assert result.exit_code == 0, result.output
    assert "skipped" not in result.stderr


def test_ingest_with_classification_tells_the_model_each_units_kind(
    runner: CliRunner, db_path: Path
) -> None:
    """Bug class 5 of issue 19: the classifier told the wrong unit kind at ingest. Areas for
    improvement and priority actions are concerns by definition (score 1.0); findings get the
    model's polarity; themes are the model's picks for the text."""
    from lettermine.classify import classify, load_pipeline
    from lettermine.read.extract import read_text
    from lettermine.read.parse import parse_letter

    files = [
        LETTERS / "north-east-lincolnshire-2021-06-focused-visit.txt",  # areas, findings
        LETTERS / "north-east-lincolnshire-2024-02-area-send.txt",  # priority actions too
    ]
    result = runner.invoke(app, ["ingest", *map(str, files)])  # classification on
    assert result.exit_code == 0, result.output
    nlp = load_pipeline()
    conn = sqlite3.connect(db_path)
    for path in files:
        letter = parse_letter(read_text(path))
        kinds = [u.kind for u in letter.units]
        assert {"area_for_improvement", "finding"} <= set(kinds)
        expected = classify(nlp, [u.text for u in letter.units], kinds)
        rows = conn.execute(
            "SELECT u.id, u.kind, u.polarity, u.polarity_score FROM units u"
            " JOIN letters l ON l.id = u.letter_id WHERE l.source = ? ORDER BY u.seq",
            [path.name],
        ).fetchall()
        assert [kind for _, kind, _, _ in rows] == kinds
        for (unit_id, kind, polarity, score), c in zip(rows, expected, strict=True):
            if kind == "finding":
                assert (polarity, score) == (c.polarity, pytest.approx(c.polarity_score))
            else:
                assert (polarity, score) == ("concern", 1.0)
            stored = conn.execute(
                "SELECT code FROM unit_themes WHERE unit_id = ? ORDER BY score DESC, code",
                [unit_id],
            ).fetchall()
            assert [code for (code,) in stored] == [code for code, _ in c.themes]
        # findings are rated by the model, not given an area's fixed concern
        assert any(score != 1.0 for _, kind, _, score in rows if kind == "finding")
