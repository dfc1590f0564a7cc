from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from lettermine import db as dbmod
from lettermine.db import backup, connect, open_db, optimize_search_index, write_transaction
from lettermine.errors import LettermineError
from lettermine.labels import reclassify
from lettermine.letters import UnitThemes, save_letter
from lettermine.migrations import migrations
from lettermine.records import Letter, Unit
from lettermine.schema import SCHEMA_VERSION


def _letter() -> Letter:
    return Letter(
        kind="focused_visit",
        local_authority="Testshire County Council",
        authority="Testshire",
        units=[Unit("area_for_improvement", "The timeliness of written plans for children.")],
    )


def test_schema_version_counts_the_migrations(db_path: Path) -> None:
    assert SCHEMA_VERSION == len(migrations._migrations)
    conn = open_db(db_path).conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert migrations.pending(open_db(db_path)) == []


def test_db_path_comes_from_the_environment(db_path: Path) -> None:
    assert dbmod.db_path() == db_path
    assert dbmod.db_path("other.db") == Path("other.db")


def test_wal_mode_and_busy_timeout(db_path: Path) -> None:
    conn = open_db(db_path).conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_connect_migrates_a_new_file_when_asked_to_create_one(db_path: Path) -> None:
    conn = connect(db_path, create=True)
    assert conn.execute("SELECT count(*) FROM letters").fetchone()[0] == 0


def test_connect_never_creates_a_missing_or_empty_database(db_path: Path) -> None:
    with pytest.raises(LettermineError, match="no database at"):
        connect(db_path)
    assert not db_path.exists()
    db_path.touch()
    with pytest.raises(LettermineError, match="holds no lettermine data yet"):
        connect(db_path)
    assert db_path.read_bytes() == b""


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LettermineError, match="not a usable lettermine database"):
        open_db(junk)


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LettermineError, match="does not exist"):
        open_db(tmp_path / "nowhere" / "x.db")


def test_write_transaction_rolls_back_everything(db_path: Path) -> None:
    conn = open_db(db_path).conn
    with pytest.raises(sqlite3.IntegrityError), write_transaction(conn):
        conn.execute("INSERT INTO letters (sha256, source, kind) VALUES ('a', 'a.txt', 'other')")
        conn.execute("INSERT INTO letters (sha256, source, kind) VALUES ('a', 'b.txt', 'other')")
    assert conn.execute("SELECT count(*) FROM letters").fetchone()[0] == 0


def test_same_content_is_stored_once(db_path: Path) -> None:
    conn = open_db(db_path).conn
    first = save_letter(conn, _letter(), sha256="x" * 64, source="a.txt")
    second = save_letter(conn, _letter(), sha256="x" * 64, source="renamed.txt")
    assert first == (1, True)
    assert second == (1, False)
    assert conn.execute("SELECT count(*) FROM units").fetchone()[0] == 1


def test_backup_is_a_consistent_copy_and_never_overwrites(db_path: Path, tmp_path: Path) -> None:
    conn = open_db(db_path).conn
    save_letter(conn, _letter(), sha256="y" * 64, source="a.txt")
    copy = backup(conn, tmp_path / "copy.db")
    assert sqlite3.connect(copy).execute("SELECT count(*) FROM units").fetchone()[0] == 1
    with pytest.raises(LettermineError, match="already exists"):
        backup(conn, copy)


def test_a_migration_on_a_database_with_letters_backs_it_up_first(db_path: Path) -> None:
    from sqlite_utils import Database

    last = migrations._migrations[-1].name
    db = Database(db_path)
    migrations.apply(db, stop_before=last)
    # Raw SQL: today's save_letter may write columns the older schema does not have yet.
    db.conn.execute("INSERT INTO letters (sha256, source, kind) VALUES ('z', 'a.txt', 'other')")
    db.conn.commit()
    db.conn.close()
    open_db(db_path)  # applies the last migration
    backups = list(db_path.parent.glob("lettermine.before-migration-*.db"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT count(*) FROM letters").fetchone()[0] == 1
    names = {r[0] for r in old.execute("SELECT name FROM _sqlite_migrations")}
    assert last not in names


def _segments(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(DISTINCT segid) FROM units_fts_idx").fetchone()[0])


def test_optimize_merges_the_search_index(db_path: Path) -> None:
    conn = open_db(db_path).conn
    for n in range(3):  # one transaction, one index segment, per letter
        save_letter(conn, _letter(), sha256=f"{n:064d}", source=f"{n}.txt")
    assert _segments(conn) == 3
    optimize_search_index(conn)
    assert _segments(conn) == 1
    conn.execute("INSERT INTO units_fts (units_fts, rank) VALUES ('integrity-check', 1)")
    found = conn.execute("SELECT count(*) FROM units_fts WHERE units_fts MATCH 'plans'")
    assert found.fetchone() == (3,)


def test_reclassifying_leaves_the_search_index_alone(db_path: Path) -> None:
    # Polarity is not indexed: rewriting every reclassified unit in the index doubled its size.
    conn = open_db(db_path).conn
    save_letter(conn, _letter(), sha256="a" * 64, source="a.txt")
    index = "SELECT count(*), sum(length(block)) FROM units_fts_data"
    before = conn.execute(index).fetchone()
    reclassify(conn, {1: UnitThemes([("planning", 0.8)], "mixed")})
    assert conn.execute(index).fetchone() == before
    # The text and section still are.
    conn.execute("UPDATE units SET text = 'Timely plans.', section = 'Care leavers' WHERE id = 1")
    conn.execute("INSERT INTO units_fts (units_fts, rank) VALUES ('integrity-check', 1)")
    for word, found in (("timely", 1), ("leavers", 1), ("written", 0)):
        query = conn.execute("SELECT count(*) FROM units_fts WHERE units_fts MATCH ?", [word])
        assert query.fetchone() == (found,), word


def test_a_units_group_is_stored_and_exported(db_path: Path) -> None:
    from lettermine.letters import get_letter

    letter = _letter()
    letter.units = [
        Unit("priority_action", "Joint commissioning of speech therapy.", group="Health"),
        Unit("priority_action", "The timeliness of plans.", group=None),
    ]
    conn = open_db(db_path).conn
    letter_id, _ = save_letter(conn, letter, sha256="g", source="g.txt")
    conn.row_factory = sqlite3.Row
    assert [u["group"] for u in get_letter(conn, letter_id)["units"]] == ["Health", None]


# The schema the shipped migrations (up to m011) build: every table's columns (type, key,
# NOT NULL), indexes and foreign keys, as the README's data model describes them. A later
# migration does not change this test: it checks the database as m011 left it.
M011_SCHEMA: dict[str, tuple[list[str], list[tuple[tuple[str, ...], bool]], list[str]]] = {
    "letters": (
        [
            "id INTEGER pk1",
            "sha256 TEXT not null",
            "source TEXT not null",
            "kind TEXT not null",
            "local_authority TEXT",
            "authority TEXT",
            "title TEXT",
            "inspection_start TEXT",
            "inspection_end TEXT",
            "published TEXT",
            "lead_inspector TEXT",
            "inspectors TEXT",
            "judgements TEXT",
            "focus TEXT",
            "warnings TEXT",
            "ingested_at TEXT",
        ],
        [(("authority",), False), (("sha256",), True)],
        [],
    ),
    "units": (
        [
            "id INTEGER pk1",
            "letter_id INTEGER not null",
            "seq INTEGER not null",
            "kind TEXT not null",
            "section TEXT",
            "number INTEGER",
            "subject TEXT",
            "text TEXT not null",
            "polarity TEXT",
            "polarity_score REAL",
            "unit_group TEXT",
        ],
        [(("letter_id", "seq"), True)],
        ["letter_id -> letters.id"],
    ),
    "unit_themes": (
        ["unit_id INTEGER pk1", "code TEXT pk2", "score REAL", "source TEXT pk3"],
        [(("code",), False), (("code", "unit_id"), False)],
        ["unit_id -> units.id"],
    ),
    "labels": (
        [
            "id INTEGER pk1",
            "unit_id INTEGER not null",
            "code TEXT not null",
            "decision TEXT not null",
            "who TEXT",
            "at TEXT",
        ],
        [(("unit_id",), False)],
        ["unit_id -> units.id"],
    ),
    "actions": (
        [
            "id INTEGER pk1",
            "ref TEXT",
            "title TEXT not null",
            "description TEXT",
            "owner TEXT",
            "start TEXT",
            "original_due TEXT",
            "due TEXT",
            "status TEXT not null",
            "percent INTEGER not null",
            "rag_override TEXT",
            "rag_override_reason TEXT",
            "created TEXT not null",
        ],
        [(("due",), False), (("owner",), False), (("status",), False)],
        [],
    ),
    "action_units": (
        ["action_id INTEGER pk1 not null", "unit_id INTEGER pk2 not null"],
        [(("unit_id",), False)],
        ["action_id -> actions.id", "unit_id -> units.id"],
    ),
    "action_measures": (
        [
            "id INTEGER pk1",
            "action_id INTEGER not null",
            "name TEXT not null",
            "unit TEXT",
            "baseline REAL not null",
            "target REAL not null",
            "direction TEXT not null",
            "latest REAL",
            "latest_at TEXT",
        ],
        [],
        ["action_id -> actions.id"],
    ),
    "letter_removals": (
        [
            "id INTEGER pk1",
            "letter_id INTEGER not null",
            "event TEXT not null",
            "sha256 TEXT not null",
            "source TEXT not null",
            "kind TEXT",
            "authority TEXT",
            "inspection_start TEXT",
            "inspection_end TEXT",
            "published TEXT",
            "units INTEGER not null",
            "unlinked TEXT",
            "labels_dropped INTEGER not null",
            "replaced_by TEXT",
            "at TEXT not null",
            "author TEXT",
        ],
        [(("letter_id",), False)],
        [],
    ),
    "peer_terms": (
        ["term TEXT pk1 not null", "unit_id INTEGER pk2 not null", "share INTEGER not null"],
        [],
        [],
    ),
    "peer_vocab": (["term TEXT pk1 not null", "idf REAL not null"], [], []),
    "peer_state": (["key TEXT pk1", "value INTEGER not null"], [], []),
    "area_closures": (
        [
            "id INTEGER pk1",
            "unit TEXT not null",
            "event TEXT not null",
            "at TEXT not null",
            "recorded_at TEXT not null",
            "author TEXT",
            "reason TEXT",
            "by_unit TEXT",
        ],
        [(("unit", "id"), False)],
        [],
    ),
    "users": (
        [
            "id INTEGER pk1",
            "name TEXT not null",
            "role TEXT not null",
            "password_hash TEXT not null",
            "must_change INTEGER not null",
            "session_stamp TEXT not null",
            "created TEXT not null",
            "password_set TEXT not null",
            "last_sign_in TEXT",
        ],
        [],
        [],
    ),
    "action_history": (
        [
            "id INTEGER pk1",
            "action_id INTEGER not null",
            "event TEXT not null",
            "at TEXT not null",
            "recorded_at TEXT not null",
            "author TEXT",
            "percent INTEGER",
            "note TEXT",
            "evidence TEXT",
            "measure_id INTEGER",
            "value REAL",
            "status TEXT",
            "due TEXT",
            "unit TEXT",
            "rag_override TEXT",
            "reason TEXT",
            "supersedes INTEGER",
            "correction TEXT",
        ],
        [(("action_id", "id"), False), (("supersedes",), True)],
        [
            "action_id -> actions.id",
            "measure_id -> action_measures.id",
            "supersedes -> action_history.id",
        ],
    ),
}


def test_the_shipped_migrations_build_the_documented_schema() -> None:
    from sqlite_utils import Database

    from lettermine.migrations import migrations

    names = [m.name for m in migrations._migrations]
    after = names.index("m011_history_corrections") + 1
    db = Database(memory=True)
    migrations.apply(db, stop_before=names[after] if after < len(names) else None)
    built = {}
    for table in db.tables:
        if table.name.startswith("_") or "_fts" in table.name:
            continue
        columns = []
        for _, name, kind, not_null, _, pk, _ in db.execute(
            f"PRAGMA table_xinfo([{table.name}])"
        ).fetchall():
            columns.append(
                f"{name} {kind}".strip()
                + (f" pk{pk}" if pk else "")
                + (" not null" if not_null else "")
            )
        indexes = sorted(
            (tuple(i.columns), bool(i.unique))
            for i in table.indexes
            if not i.name.startswith("sqlite_autoindex")
        )
        keys = sorted(f"{f.column} -> {f.other_table}.{f.other_column}" for f in table.foreign_keys)
        built[table.name] = (columns, indexes, keys)
    assert built == M011_SCHEMA
