"""A letter's units are written many rows to one statement (letters.insert_units): every unit
keeps its place, its themes and its search entry, however many statements it takes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from lettermine.db import open_db
from lettermine.letters import UnitThemes
from lettermine.records import Letter, Unit
from lettermine.visits import store_letter

CODES = ("workforce", "leadership", "care_leavers", "child_protection", "early_help")


def _letter(n: int, word: str) -> tuple[Letter, list[UnitThemes]]:
    # Invented text in the style of a finding; each unit names a word only it has.
    units = [
        Unit(kind="finding", text=f"Social workers in team {i} visit children ({word}{i}).",
             section=f"Section {i % 3}", number=i)
        for i in range(1, n + 1)
    ]  # fmt: skip
    themes = [
        UnitThemes(themes=[(CODES[i % len(CODES)], 0.5 + i / 10_000)], polarity="strength",
                   polarity_score=i / 1_000)
        for i in range(1, n + 1)
    ]  # fmt: skip
    letter = Letter(kind="ilacs", local_authority="Testshire", authority="Testshire",
                    inspection_start="2024-01-08", inspection_end="2024-01-19",
                    published="2024-03-01", units=units)  # fmt: skip
    return letter, themes


def _stored(conn: sqlite3.Connection, letter_id: int) -> list[tuple[int, int, str, float, str]]:
    return conn.execute(
        """SELECT u.id, u.seq, u.text, u.polarity_score, t.code FROM units u
           JOIN unit_themes t ON t.unit_id = u.id WHERE u.letter_id = ? ORDER BY u.seq""",
        [letter_id],
    ).fetchall()


def _found(conn: sqlite3.Connection, word: str) -> list[int]:
    sql = "SELECT rowid FROM units_fts WHERE units_fts MATCH ?"
    return [r[0] for r in conn.execute(sql, [word])]


def test_a_long_letter_keeps_every_units_place_themes_and_search_entry(tmp_path: Path) -> None:
    conn = open_db(tmp_path / "d.db").conn
    letter, themes = _letter(230, "zorblax")  # three statements' worth of rows
    letter_id = store_letter(conn, letter, sha256="a" * 64, source="a.pdf", name="a.pdf",
                             themes=themes).letter_id  # fmt: skip
    rows = _stored(conn, letter_id)
    assert [r[1] for r in rows] == list(range(1, 231))
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # ids in the letter's order
    for unit_id, seq, text, score, code in rows:
        assert text == letter.units[seq - 1].text and score == themes[seq - 1].polarity_score
        assert code == CODES[seq % len(CODES)]
        assert _found(conn, f"zorblax{seq}") == [unit_id]


def test_a_replaced_copy_takes_the_units_and_the_search_entries(tmp_path: Path) -> None:
    conn = open_db(tmp_path / "d.db").conn
    old, old_themes = _letter(200, "zorblax")
    letter_id = store_letter(conn, old, sha256="a" * 64, source="a.pdf", name="a.pdf",
                             themes=old_themes).letter_id  # fmt: skip
    new, new_themes = _letter(120, "quenton")
    outcome = store_letter(conn, new, sha256="b" * 64, source="b.pdf", name="b.pdf",
                           themes=new_themes, replace=True)  # fmt: skip
    assert outcome.letter_id == letter_id
    rows = _stored(conn, letter_id)
    assert [r[1] for r in rows] == list(range(1, 121))
    assert all(text.endswith(f"(quenton{seq}).") for _, seq, text, _, _ in rows)
    assert _found(conn, "zorblax5") == [] and _found(conn, "quenton120") == [rows[-1][0]]
    conn.execute("INSERT INTO units_fts(units_fts) VALUES ('integrity-check')")  # raises if corrupt
