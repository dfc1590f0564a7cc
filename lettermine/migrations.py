"""The database schema as append-only migrations. Never edit a shipped migration: add one."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("lettermine")

UNIT_FTS_COLUMNS = ["text", "section"]


@migrations()
def m001_letters_and_units(db: Database) -> None:
    db.table("letters").create(
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
    db.table("letters").create_index(["sha256"], unique=True)  # a letter's identity is its content
    db.table("letters").create_index(["authority"])
    db.table("units").create(
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
    db.table("units").create_index(["letter_id", "seq"], unique=True)
    # Porter stemming so "visits" finds "visited"; triggers keep the index in step with units.
    db.table("units").enable_fts(UNIT_FTS_COLUMNS, tokenize="porter", create_triggers=True)


@migrations()
def m002_themes_and_labels(db: Database) -> None:
    db.table("unit_themes").create(
        {"unit_id": int, "code": str, "score": float, "source": str},
        pk=("unit_id", "code", "source"),
        foreign_keys=[("unit_id", "units", "id")],
    )
    db.table("unit_themes").create_index(["code"])
    # A person's decisions: append-only; the latest decision per (unit, code) wins.
    db.table("labels").create(
        {"id": int, "unit_id": int, "code": str, "decision": str, "who": str, "at": str},
        pk="id",
        foreign_keys=[("unit_id", "units", "id")],
        not_null={"unit_id", "code", "decision"},
    )
    db.table("labels").create_index(["unit_id"])


# Raw SQL rather than table().create(): CHECK constraints and triggers let SQLite itself refuse a
# bad status, a percent outside 0-100, a changed original due date or an edited history row,
# whichever code path writes.
_M003_SQL = (
    """CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        ref TEXT UNIQUE,  -- the council's own reference, e.g. 'EM1' in its tracker
        title TEXT NOT NULL CHECK (trim(title) != ''),
        description TEXT,
        owner TEXT,
        start TEXT,
        original_due TEXT,
        -- Current state: a copy of the latest values in action_history, for fast filters.
        due TEXT,
        status TEXT NOT NULL DEFAULT 'not_started'
            CHECK (status IN ('not_started', 'in_progress', 'done', 'verified', 'blocked')),
        percent INTEGER NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
        rag_override TEXT CHECK (rag_override IN ('red', 'amber', 'green')),
        rag_override_reason TEXT,
        created TEXT NOT NULL,
        CHECK (due IS NULL OR start IS NULL OR due >= start),
        CHECK ((rag_override IS NULL) = (rag_override_reason IS NULL))
    )""",
    "CREATE INDEX actions_status ON actions (status)",
    "CREATE INDEX actions_owner ON actions (owner)",
    "CREATE INDEX actions_due ON actions (due)",
    # The first due date is set once and never changed: revisions only move `due`.
    """CREATE TRIGGER actions_original_due_kept BEFORE UPDATE OF original_due ON actions
        WHEN OLD.original_due IS NOT NULL AND NEW.original_due IS NOT OLD.original_due
        BEGIN SELECT RAISE(ABORT, 'the original due date of an action is never changed'); END""",
    """CREATE TABLE action_units (
        action_id INTEGER NOT NULL REFERENCES actions (id),
        unit_id INTEGER NOT NULL REFERENCES units (id),
        PRIMARY KEY (action_id, unit_id)
    )""",
    "CREATE INDEX action_units_unit ON action_units (unit_id)",
    """CREATE TABLE action_measures (
        id INTEGER PRIMARY KEY,
        action_id INTEGER NOT NULL REFERENCES actions (id),
        name TEXT NOT NULL CHECK (trim(name) != ''),
        unit TEXT,
        baseline REAL NOT NULL,
        target REAL NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),
        latest REAL,  -- a copy of the latest value in action_history
        latest_at TEXT,
        UNIQUE (action_id, name)
    )""",
    # Every change to an action is a new row, never edited or deleted. `at` is the date the
    # change is about (as a person reports it); `recorded_at` is when it was written.
    """CREATE TABLE action_history (
        id INTEGER PRIMARY KEY,
        action_id INTEGER NOT NULL REFERENCES actions (id),
        event TEXT NOT NULL CHECK (event IN ('created', 'imported', 'update', 'status', 'due',
            'link', 'unlink', 'override', 'override_cleared', 'measure')),
        at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        author TEXT,
        percent INTEGER CHECK (percent BETWEEN 0 AND 100),
        note TEXT,
        evidence TEXT,
        measure_id INTEGER REFERENCES action_measures (id),
        value REAL,
        status TEXT,
        due TEXT,
        unit TEXT,  -- the public unit id ('3:1'), kept as text so the record outlives the unit
        rag_override TEXT,
        reason TEXT
    )""",
    "CREATE INDEX action_history_action ON action_history (action_id, id)",
    """CREATE TRIGGER action_history_append_only_update BEFORE UPDATE ON action_history
        BEGIN SELECT RAISE(ABORT, 'action history is append-only'); END""",
    """CREATE TRIGGER action_history_append_only_delete BEFORE DELETE ON action_history
        BEGIN SELECT RAISE(ABORT, 'action history is append-only'); END""",
)


@migrations()
def m003_actions(db: Database) -> None:
    for statement in _M003_SQL:
        db.execute(statement)  # not executescript: that would commit mid-migration


@migrations()
def m004_theme_search_index(db: Database) -> None:
    # `search --theme` and `themes` collect the units tagged with a theme: with unit_id in the
    # index that is an index-only scan, about twice as fast on 100,000 units.
    db.table("unit_themes").create_index(["code", "unit_id"])


# The update trigger that enable_fts() made fires on any change to a unit and rewrites the unit in
# the search index: reclassifying the polarity of 100,000 units took 3 s and left the index twice
# its size, every search doing 1.9x the work until FTS5 merged it. Only the indexed columns (and
# the id) concern the index. Same name and statements as sqlite-utils makes, so its
# enable_fts(replace=True) and disable_fts() still work.
_M005_SQL = (
    "DROP TRIGGER IF EXISTS units_au",
    """CREATE TRIGGER "units_au" AFTER UPDATE OF "id", "text", "section" ON "units" BEGIN
  INSERT INTO "units_fts" ("units_fts", rowid, "text", "section")
    VALUES('delete', old.rowid, old."text", old."section");
  INSERT INTO "units_fts" (rowid, "text", "section") VALUES (new.rowid, new."text", new."section");
END""",
    # What earlier updates left behind, merged into one segment (see db.optimize_search_index).
    "INSERT INTO units_fts (units_fts) VALUES ('optimize')",
)


@migrations()
def m005_search_index_follows_indexed_columns_only(db: Database) -> None:
    for statement in _M005_SQL:
        db.execute(statement)


@migrations()
def m006_unit_group(db: Database) -> None:
    # The sub-heading, agency or responsible body a unit is printed under (JTAI agencies, SEND
    # responsible bodies, timescales of 2012-13 reports). Named unit_group: GROUP is an SQL
    # keyword, and every query or Datasette user would have to quote it.
    db.execute("ALTER TABLE units ADD COLUMN unit_group TEXT")


# What left the database: a letter deleted, or a letter's copy replaced by another copy of the
# same visit (`ingest --replace`, which keeps the letter's id). Append-only like the action
# history, so that a letter that was read once can always be accounted for. No foreign key: the
# letter may be gone.
_M007_SQL = (
    """CREATE TABLE letter_removals (
        id INTEGER PRIMARY KEY,
        letter_id INTEGER NOT NULL,  -- the id the letter had (a replaced letter keeps it)
        event TEXT NOT NULL CHECK (event IN ('deleted', 'replaced')),
        sha256 TEXT NOT NULL,  -- the copy that left
        source TEXT NOT NULL,
        kind TEXT,
        authority TEXT,
        inspection_start TEXT,
        inspection_end TEXT,
        published TEXT,
        units INTEGER NOT NULL,  -- units that left with it
        unlinked TEXT,  -- JSON list of {action, unit}: action links that ended with it
        labels_dropped INTEGER NOT NULL DEFAULT 0,  -- people's decisions on units that left
        replaced_by TEXT,  -- sha256 of the copy stored instead ('replaced')
        at TEXT NOT NULL,  -- when, UTC
        author TEXT
    )""",
    "CREATE INDEX letter_removals_letter ON letter_removals (letter_id)",
    """CREATE TRIGGER letter_removals_append_only_update BEFORE UPDATE ON letter_removals
        BEGIN SELECT RAISE(ABORT, 'letter removals are append-only'); END""",
    """CREATE TRIGGER letter_removals_append_only_delete BEFORE DELETE ON letter_removals
        BEGIN SELECT RAISE(ABORT, 'letter removals are append-only'); END""",
)


@migrations()
def m007_letter_removals(db: Database) -> None:
    for statement in _M007_SQL:
        db.execute(statement)


# The peer index (lettermine/peer_index.py): derived from the areas, filled by peer_index.refresh.
# WITHOUT ROWID with the term first: a query reads each of its terms' postings as one range. A
# posting holds the term's share of its area's weight, in hundred-thousandths (an integer: 1-3
# bytes where a REAL takes 8), which is all a score needs of the area. No foreign key to units:
# deleting a letter must not have to know of the index (refresh drops what was deleted).
_M008_SQL = (
    """CREATE TABLE peer_terms (
        term TEXT NOT NULL,
        unit_id INTEGER NOT NULL,
        share INTEGER NOT NULL,
        PRIMARY KEY (term, unit_id)
    ) WITHOUT ROWID""",
    "CREATE TABLE peer_vocab (term TEXT PRIMARY KEY, idf REAL NOT NULL) WITHOUT ROWID",
    "CREATE TABLE peer_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
)


@migrations()
def m008_peer_index(db: Database) -> None:
    for statement in _M008_SQL:
        db.execute(statement)


# An area for improvement can be closed without an action: superseded by a later inspection's
# area, or absorbed into the action on another. Closures have an append-only history of their own
# (not new event types in action_history: they are about an area, not an action); the latest row
# for an area says whether it is closed. Areas are named by public id as text, like the action
# history's units, so the record outlives a letter deleted or replaced; a close needs a reason.
_M009_SQL = (
    """CREATE TABLE area_closures (
        id INTEGER PRIMARY KEY,
        unit TEXT NOT NULL,  -- the area's public id, e.g. '3:4'
        event TEXT NOT NULL CHECK (event IN ('close', 'reopen')),
        at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        author TEXT,
        reason TEXT,
        by_unit TEXT,  -- the public id of the area that took this one over, if any
        CHECK (event != 'close' OR trim(coalesce(reason, '')) != ''),
        CHECK (by_unit IS NULL OR by_unit != unit)
    )""",
    "CREATE INDEX area_closures_unit ON area_closures (unit, id)",
    """CREATE TRIGGER area_closures_append_only_update BEFORE UPDATE ON area_closures
        BEGIN SELECT RAISE(ABORT, 'area closure history is append-only'); END""",
    """CREATE TRIGGER area_closures_append_only_delete BEFORE DELETE ON area_closures
        BEGIN SELECT RAISE(ABORT, 'area closure history is append-only'); END""",
)


@migrations()
def m009_area_closures(db: Database) -> None:
    for statement in _M009_SQL:
        db.execute(statement)


# The people who may use `lettermine serve`: a name (the author written into action history), a
# role, and a password kept only as a salted scrypt hash (lettermine/web/users.py). A new or reset
# password is a one-time password: must_change is set until its owner chooses their own.
_M010_SQL = (
    """CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (trim(name) != ''),
        role TEXT NOT NULL CHECK (role IN ('editor', 'viewer')),
        password_hash TEXT NOT NULL,
        must_change INTEGER NOT NULL DEFAULT 1 CHECK (must_change IN (0, 1)),
        -- Random, new with every password: a session carries it, so a new password (or a
        -- reset) ends the sessions signed in with the old one.
        session_stamp TEXT NOT NULL,
        created TEXT NOT NULL,
        password_set TEXT NOT NULL,
        last_sign_in TEXT
    )""",
)


@migrations()
def m010_users(db: Database) -> None:
    for statement in _M010_SQL:
        db.execute(statement)


# A mistaken history entry is corrected by a new row that supersedes it (lettermine.corrections):
# `supersedes` names the entry, `correction` says why; a 'withdrawal' row supersedes an entry
# with nothing in its place. SQLite cannot change a CHECK constraint in place, so the table is
# rebuilt (the documented create-copy-drop-rename steps, by hand: table.transform() would drop
# the append-only triggers) and its index and triggers made again. Dropping the old table fires
# no delete trigger, and nothing else references it.
_M011_COLUMNS = (
    "id, action_id, event, at, recorded_at, author, percent, note, evidence, measure_id, value, "
    "status, due, unit, rag_override, reason"
)
_M011_SQL = (
    """CREATE TABLE action_history_new (
        id INTEGER PRIMARY KEY,
        action_id INTEGER NOT NULL REFERENCES actions (id),
        event TEXT NOT NULL CHECK (event IN ('created', 'imported', 'update', 'status', 'due',
            'link', 'unlink', 'override', 'override_cleared', 'measure', 'withdrawal')),
        at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        author TEXT,
        percent INTEGER CHECK (percent BETWEEN 0 AND 100),
        note TEXT,
        evidence TEXT,
        measure_id INTEGER REFERENCES action_measures (id),
        value REAL,
        status TEXT,
        due TEXT,
        unit TEXT,  -- the public unit id ('3:1'), kept as text so the record outlives the unit
        rag_override TEXT,
        reason TEXT,
        supersedes INTEGER REFERENCES action_history (id),  -- the entry this row corrects
        correction TEXT,  -- why it was corrected or withdrawn
        CHECK ((supersedes IS NULL) = (correction IS NULL)),
        CHECK (event != 'withdrawal' OR supersedes IS NOT NULL),
        CHECK (supersedes IS NULL OR event NOT IN ('link', 'unlink', 'measure'))
    )""",
    f"INSERT INTO action_history_new ({_M011_COLUMNS}) SELECT {_M011_COLUMNS} FROM action_history",
    "DROP TABLE action_history",
    "ALTER TABLE action_history_new RENAME TO action_history",
    "CREATE INDEX action_history_action ON action_history (action_id, id)",
    # An entry is superseded once at most: a second correction corrects the first.
    """CREATE UNIQUE INDEX action_history_supersedes ON action_history (supersedes)
        WHERE supersedes IS NOT NULL""",
    """CREATE TRIGGER action_history_append_only_update BEFORE UPDATE ON action_history
        BEGIN SELECT RAISE(ABORT, 'action history is append-only'); END""",
    """CREATE TRIGGER action_history_append_only_delete BEFORE DELETE ON action_history
        BEGIN SELECT RAISE(ABORT, 'action history is append-only'); END""",
)


@migrations()
def m011_history_corrections(db: Database) -> None:
    for statement in _M011_SQL:
        db.execute(statement)
    broken = db.execute("PRAGMA foreign_key_check(action_history)").fetchall()
    if broken:  # only if the database was already inconsistent: upgrade nothing
        from lettermine.db import DatabaseError

        raise DatabaseError(
            f"{len(broken)} action history rows name an action or measure that is not there, so "
            "the database was not upgraded: restore it from a backup"
        )
