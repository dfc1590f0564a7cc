"""Ingesting the sample letters end to end, and the `export --json` contract."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import CORPUS, LETTERS, needs_corpus
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


# -- many files: a pool of worker processes reads and classifies, this process stores --------


def _letters_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "letters"
    folder.mkdir()
    for path in sorted(LETTERS.iterdir()):
        if path.suffix in (".pdf", ".txt", ".docx"):
            shutil.copy(path, folder / path.name)
    return folder


def test_a_pool_classifies_and_stores_in_the_order_of_the_files(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch,
    db_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    folder = _letters_copy(tmp_path)
    exports = []
    for workers in ("2", "1"):
        monkeypatch.setenv("LETTERMINE_WORKERS", workers)
        monkeypatch.setenv("LETTERMINE_DB", str(tmp_path / f"w{workers}.db"))
        result = runner.invoke(app, ["ingest", str(folder)])
        assert result.exit_code == 0, result.output
        exports.append(_export(runner))
    pooled, alone = exports
    # Letter ids follow the files' order (the folder's, sorted), whichever worker was first.
    names = sorted(p.name for p in folder.iterdir())
    assert [Path(letter["source"]).name for letter in pooled] == names
    assert [letter["id"] for letter in pooled] == list(range(1, len(names) + 1))
    # Classified in the workers: every unit has the themes it gets in one process.
    assert all(u["themes"] for letter in pooled for u in letter["units"])
    for letter in pooled + alone:
        letter.pop("ingested_at")
    assert pooled == alone


def test_a_file_that_fails_in_a_pool_costs_that_file_only(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    folder = _letters_copy(tmp_path)
    (folder / "b-not-a-letter.pdf").write_bytes(b"%PDF-1.7 not really a PDF")
    monkeypatch.setenv("LETTERMINE_WORKERS", "2")
    result = runner.invoke(app, ["ingest", "--no-classify", str(folder)])
    assert result.exit_code == 1
    letters = sum(1 for p in LETTERS.iterdir() if p.suffix in (".pdf", ".txt", ".docx"))
    assert "b-not-a-letter.pdf" in result.stderr
    assert f"{letters} new letters" in result.stderr
    assert [Path(x["source"]).name for x in _export(runner)] == sorted(
        p.name for p in folder.iterdir() if p.name != "b-not-a-letter.pdf"
    )


def test_a_second_copy_of_a_visit_in_one_pooled_batch_is_refused(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    folder = _letters_copy(tmp_path)
    seed = folder / "north-east-lincolnshire-2021-06-focused-visit.txt"
    # The same visit again (other bytes, same letter), later in the order of the files.
    (folder / "z-copy.txt").write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    monkeypatch.setenv("LETTERMINE_WORKERS", "2")
    result = runner.invoke(app, ["ingest", "--no-classify", str(folder)])
    assert result.exit_code == 1
    letters = sum(1 for p in LETTERS.iterdir() if p.suffix in (".pdf", ".txt", ".docx"))
    assert "z-copy.txt" in result.stderr and f"{letters} new letters" in result.stderr
    again = runner.invoke(app, ["ingest", "--no-classify", "--replace", str(folder)])
    assert again.exit_code == 0, again.output
    stored = {Path(x["source"]).name for x in _export(runner)}
    assert "z-copy.txt" in stored and seed.name not in stored


def test_a_worker_that_dies_costs_the_file_it_was_reading_only(
    tmp_path: Path,
    monkeypatch,
    db_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    import os

    from lettermine import ingest
    from lettermine.db import open_db
    from lettermine.errors import LettermineError

    folder = _letters_copy(tmp_path)
    real = ingest._read_in_worker

    def dies_on_one(path: Path, sha: str, keep: bool):  # type: ignore[no-untyped-def]
        if "monitoring" in path.name:
            os._exit(1)  # as a crash in the PDF library would end the worker
        return real(path, sha, keep)

    monkeypatch.setattr(ingest, "_read_in_worker", dies_on_one)  # workers are forked: they see it
    files = sorted(folder.iterdir())
    conn = open_db(db_path).conn
    outcomes = list(ingest.ingest_files(conn, files, ingest.Classifier(enabled=False), workers=2))
    assert [p for p, _ in outcomes] == files
    failed = [(p.name, o) for p, o in outcomes if isinstance(o, LettermineError)]
    assert len(failed) == 1 and "monitoring" in failed[0][0] and "crashed" in str(failed[0][1])
    stored = [o.letter_id for _, o in outcomes if not isinstance(o, LettermineError)]
    assert stored == list(range(1, len(files)))


def test_a_pool_stores_the_themes_classify_gives_each_unit_as_its_own_kind(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from lettermine.classify import Context, classify, load_pipeline
    from lettermine.read.extract import read_text
    from lettermine.read.parse import parse_letter

    folder = _letters_copy(tmp_path)
    monkeypatch.setenv("LETTERMINE_WORKERS", "2")
    result = runner.invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    stored = {Path(x["source"]).name: x for x in _export(runner)}
    nlp = load_pipeline()
    kinds_seen = set()
    for path in sorted(folder.iterdir()):
        letter = parse_letter(read_text(path))
        units = stored[path.name]["units"]
        assert [u["text"] for u in units] == [u.text for u in letter.units]
        contexts = [Context(u.kind, u.section, u.group, letter.kind) for u in letter.units]
        expected = classify(nlp, [u.text for u in letter.units], [u.kind for u in letter.units],
                            contexts)  # fmt: skip
        for unit, want in zip(units, expected, strict=True):
            kinds_seen.add(unit["kind"])
            assert [t["code"] for t in unit["themes"] if t["source"] == "model"] == [
                code for code, _ in want.themes
            ]
            if unit["kind"] == "finding":
                assert unit["polarity"] == want.polarity
            else:  # an area for improvement or a priority action is a concern by definition
                assert unit["polarity"] == "concern"
    assert kinds_seen == {"area_for_improvement", "priority_action", "finding"}


@needs_corpus
def test_ctrl_c_leaves_whole_letters_and_a_second_ingest_finishes_the_job(
    tmp_path: Path,
    runner: CliRunner,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    import os
    import signal
    import subprocess
    import sys

    from lettermine.read.extract import read_text
    from lettermine.read.parse import parse_letter

    files = sorted((CORPUS / "ilacs" / "pdf").glob("*.pdf"))[:16]
    db = tmp_path / "interrupted.db"
    env = {**os.environ, "LETTERMINE_DB": str(db), "LETTERMINE_WORKERS": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lettermine", "ingest", *map(str, files)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    line = proc.stderr.readline()
    while line and ": letter " not in line:  # a line a letter stored (stderr is no terminal)
        line = proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    if proc.returncode == 0:
        pytest.skip("every file was stored before the signal came")
    assert proc.returncode == 130, err
    assert "interrupted after" in err and "Traceback" not in err
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = conn.execute("SELECT id, source FROM letters ORDER BY id").fetchall()
    assert 1 <= len(stored) < len(files)
    # The first files, in their order, each stored whole: every unit, every unit classified.
    assert [Path(name).name for _, name in stored] == [f.name for f in files[: len(stored)]]
    for (letter_id, _), path in zip(stored, files, strict=False):
        units = conn.execute("SELECT id FROM units WHERE letter_id = ?", (letter_id,)).fetchall()
        assert len(units) == len(parse_letter(read_text(path)).units)
        unthemed = conn.execute(
            "SELECT COUNT(*) FROM units u WHERE letter_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM unit_themes t WHERE t.unit_id = u.id)",
            (letter_id,),
        ).fetchone()[0]
        assert unthemed == 0
    conn.close()
    again = subprocess.run(
        [sys.executable, "-m", "lettermine", "ingest", *map(str, files)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    conn = sqlite3.connect(db)
    names = [Path(r[0]).name for r in conn.execute("SELECT source FROM letters ORDER BY id")]
    assert names == [f.name for f in files]


def test_ingest_with_classification_tells_the_model_each_units_kind(
    runner: CliRunner, db_path: Path
) -> None:
    """Bug class 5 of issue 19: the classifier told the wrong unit kind at ingest. Areas for
    improvement and priority actions are concerns by definition (score 1.0); findings get the
    model's polarity; themes are the model's picks for the text."""
    from lettermine.classify import Context, classify, load_pipeline
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
        contexts = [Context(u.kind, u.section, u.group, letter.kind) for u in letter.units]
        expected = classify(nlp, [u.text for u in letter.units], kinds, contexts)
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
