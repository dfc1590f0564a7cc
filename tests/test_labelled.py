"""The project's own labels (models/labels/): well-formed, and every label finds its unit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, corpus_text, needs_corpus

from lettermine.labelled import match_key, read_labels, sha1
from lettermine.themes import POLARITIES, THEME_CODES

LABELS = sorted((ROOT / "models" / "labels").glob("*.jsonl"))
UNIT_LABELS = [p for p in LABELS if not p.name.startswith("calibration")]


def test_match_key_ignores_case_quotes_dashes_spacing_and_final_stop() -> None:
    assert match_key("Children\u2019s plans \u2013 reviewed.") == match_key(
        "children's  plans - reviewed"
    )
    assert match_key("Plans are reviewed") != match_key("Plans are not reviewed")


@pytest.mark.parametrize("path", UNIT_LABELS, ids=lambda p: p.name)
def test_label_files_are_well_formed_and_hold_no_text(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert rows
    for row in rows:
        assert "text" not in row
        assert set(row["themes"]) <= set(THEME_CODES)
        assert row["polarity"] in POLARITIES
        assert len(row["sha1"]) == 40 and (CORPUS / row["file"]).suffix == ".pdf"
    keys = [(r["file"], r["seq"]) for r in rows]
    assert len(keys) == len(set(keys))


@needs_corpus
@pytest.mark.slow
def test_every_label_finds_its_unit_in_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same extraction, read once per session (other corpus tests read these PDFs too).
    monkeypatch.setattr("lettermine.read.extract.read_text", corpus_text)
    for path in UNIT_LABELS:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        found = read_labels([path], CORPUS)
        assert found.missing == []
        assert [sha1(match_key(ex["text"])) for ex in found.examples] == [r["sha1"] for r in rows]
